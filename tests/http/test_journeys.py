"""What the journey review found on the pages people use: words instead of codes, Bangla where the page is
Bangla, and a citizen told how to appeal."""
import re

import builders
from builders import BARIA

lodge, act = builders.lodge_in, builders.act_in


def test_case_page_names_the_channel_in_words(app, world, client_as):
    code = lodge(app, BARIA, channel="web")
    officer = client_as("officer_baria")
    html = officer.get(f"/cases/{code}?lang=en").get_data(as_text=True)
    assert "<dd>Website</dd>" in html
    assert "Complainant (Website)" in html
    assert "<dd>web</dd>" not in html and "(web)" not in html

    html = officer.get(f"/cases/{code}?lang=bn").get_data(as_text=True)
    assert "<dd>ওয়েবসাইট</dd>" in html
    assert "(web)" not in html


def test_track_page_after_a_decision_says_how_to_appeal(app, world, client):
    code = lodge(app, BARIA)
    act(app, world, "officer_baria", code, "resolve", decision="not_upheld",
        resolution="Your name is on the list; the payment comes with the next instalment.")
    html = client.get(f"/track/{code}?lang=en").get_data(as_text=True)
    assert f"Send an SMS with NO {code}" in html
    assert "You can appeal until" in html

    html = client.get(f"/track/{code}?lang=bn").get_data(as_text=True)
    assert f"NO {code} লিখে এসএমএস পাঠান" in html
    assert "Not satisfied?" not in html


def test_track_page_of_an_open_complaint_says_nothing_about_appeals(app, world, client):
    code = lodge(app, BARIA)
    html = client.get(f"/track/{code}?lang=en").get_data(as_text=True)
    assert 'id="appeal-how"' not in html


def test_time_limits_page_names_the_tiers_in_the_page_language(client_as):
    admin = client_as("admin")
    html = admin.get("/admin/policies?lang=en").get_data(as_text=True)
    assert "<td>Union</td>" in html and "<td>union</td>" not in html
    html = admin.get("/admin/policies?lang=bn").get_data(as_text=True)
    assert "<td>ইউনিয়ন</td>" in html and "<td>union</td>" not in html


def test_public_holidays_are_named_in_bangla_on_a_bangla_page(client_as):
    admin = client_as("admin")
    assert "Victory Day" in admin.get("/admin/holidays?year=2026&lang=en").get_data(as_text=True)
    html = admin.get("/admin/holidays?year=2026&lang=bn").get_data(as_text=True)
    shown = re.sub(r"<input[^>]*>", "", html)  # (the "not a day off" form posts the stored English name, unseen)
    assert "বিজয় দিবস" in shown and "Victory Day" not in shown


def test_page_not_found_reads_in_bangla(client, world):
    response = client.get("/no-such-page?lang=bn")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "requested URL" not in html
    assert "এই ঠিকানায় কিছু পাওয়া যায়নি" in html
