"""Smaller things a citizen hit: the footer's staff sign-in, a language switch that keeps the page's query,
a lodge form that makes one grievance however often it is sent, and a 413 that keeps what was typed."""
from __future__ import annotations

import html
import re

import pytest


def _lang_links(page: str) -> dict[str, str]:
    return {m.group(2): html.unescape(m.group(1))
            for m in re.finditer(r'<a href="([^"]*)" lang="(\w+)" hreflang', page)}


def test_the_footer_links_to_staff_sign_in_for_the_public_only(client, client_as, world):
    page = client.get("/").get_data(as_text=True)
    assert '<a href="/login" id="staff-sign-in">' in page
    assert 'id="staff-sign-in"' in client.get("/track").get_data(as_text=True)
    assert 'id="staff-sign-in"' not in client_as("officer_baria").get("/cases/").get_data(as_text=True)


def test_the_language_switch_keeps_the_query(client, world):
    page = client.get("/track?code=1234&lang=en").get_data(as_text=True)
    assert _lang_links(page) == {"bn": "/track?code=1234&lang=bn"}
    page = client.get("/grievances/new?area_1=BD-DIV-6&area_2=BD-DIS-41").get_data(as_text=True)
    assert _lang_links(page)["bn"] == "/grievances/new?area_1=BD-DIV-6&area_2=BD-DIS-41&lang=bn"
    bn = client.get(_lang_links(page)["bn"]).get_data(as_text=True)
    assert '<html lang="bn">' in bn and 'value="BD-DIS-41" selected' in bn
