"""Issue 13, item 5: the page filters (money, phone, currency_name) follow the running country's pack."""
import pytest


@pytest.mark.config(COUNTRY="ML")
def test_the_template_filters_follow_the_running_country(app):
    with app.test_request_context("/?lang=fr"):
        from flask import render_template_string

        out = render_template_string("{{ 600|money('fr') }} · {{ '+22376123456'|phone }} · {{ currency_name('fr') }}")
        assert out == "600\u00a0F\u202fCFA · 76 12 34 56 · franc CFA (BCEAO)"
