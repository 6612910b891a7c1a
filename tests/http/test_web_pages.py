"""Home page figures, the language switch, the area list for the picker, and the page furniture."""
from __future__ import annotations

import builders
import pytest
from grs.timeutil import utcnow

# "Baria" in Bangla exactly as the areas file spells it (precomposed letters, unlike typed text).
BARIA_BN = "\u09ac\u09be\u09dc\u09c0\u09df\u09be"


def test_home_links_to_lodge_and_track_and_switches_language(client, world):
    text = client.get("/").get_data(as_text=True)
    assert 'href="/grievances/new"' in text and 'action="/track"' in text
    assert 'href="/?lang=bn"' in text and 'class="skip" href="#main"' in text
    bn = client.get("/?lang=bn").get_data(as_text=True)
    assert "অভিযোগ করুন" in bn and '<html lang="bn">' in bn
    assert "অভিযোগ করুন" in client.get("/").get_data(as_text=True)  # the choice sticks


def test_home_counts_the_last_12_months_complaints_without_personal_data(app, client, world):
    now = utcnow()
    with app.app_context():
        first = builders.lodge(now=now).tracking_code
        builders.lodge(now=now, phone=None)
        builders.act(world, "officer_baria", first, "start", now=now)
        builders.act(world, "officer_baria", first, "resolve", now=now, decision="upheld", resolution="Paid.")
        for _ in range(4):  # five resolved in all: the page withholds counts under 5 (grs/suppression.py)
            code = builders.lodge(now=now).tracking_code
            builders.act(world, "officer_baria", code, "resolve", now=now, decision="upheld", resolution="Paid.")
        rejected = builders.lodge(now=now).tracking_code  # a rejection is not a resolution, even once closed
        builders.act(world, "officer_baria", rejected, "reject", now=now, reason_code="unrelated", note="Road.")
        builders.act(world, "admin", rejected, "close", now=now, note="Withdrawn.")
    text = client.get("/").get_data(as_text=True)
    assert "<dt>Complaints received</dt><dd>7</dd>" in text
    assert "<dt>Complaints resolved</dt><dd>5</dd>" in text
    assert "Rahima" not in text and first not in text


def test_home_answers_before_any_geography_is_loaded(client):
    r = client.get("/")
    assert r.status_code == 200 and "<dt>Complaints resolved</dt><dd>0</dd>" in r.get_data(as_text=True)


def test_area_children_in_the_current_language(client, world):
    r = client.get("/areas/BD-UPZ-320/children")
    assert r.status_code == 200
    assert {"code": "BD-UN-2869", "name": "Baria"} in r.get_json()
    assert {"code": "BD-UN-2869", "name": BARIA_BN} in client.get("/areas/BD-UPZ-320/children?lang=bn").get_json()
    assert [a["code"] for a in client.get("/areas/BD/children").get_json()] == ["BD-DIV-6"]
    assert client.get("/areas/BD-UN-2869/children").get_json() == []


def test_area_children_of_an_unknown_area_is_a_json_404(client, world):
    r = client.get("/areas/NOPE/children")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


@pytest.mark.config(TRACK_RATE_LIMIT=2)
def test_area_children_are_rate_limited(client, world):
    codes = [client.get("/areas/BD/children", headers={"Accept": "application/json"}).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]


def test_static_files_are_served_locally(client):
    assert client.get("/static/css/app.css").status_code == 200
    assert "fetch(" in client.get("/static/js/area-picker.js").get_data(as_text=True)


def test_unknown_page_is_a_clear_404_page(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "Page not found" in r.get_data(as_text=True)
