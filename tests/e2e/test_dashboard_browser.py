"""In a real headless Chromium: an analyst signs in and opens the dashboard at 1280 and at 360 px wide; it fits
the phone without sideways scrolling, draws its charts without a script, and the figure it shows for
"received" equals GET /api/v1/stats for the same account's token and the same filters.

Screenshots are kept as test artefacts in `test-artifacts/dashboard/` at the repository root (ignored by git;
`GRS_TEST_ARTIFACTS` moves the folder): dashboard-1280.png, dashboard-360.png, report-360.png."""
from __future__ import annotations

import json
import os
import re
import urllib.request

import pytest

import builders
from builders import BARIA, BARMI, GAZIPUR
from grs.services.accounts import create_token
from grs.uow import unit_of_work
from browser_steps import sign_in

pytestmark = pytest.mark.e2e

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARTIFACTS = os.path.join(os.environ.get("GRS_TEST_ARTIFACTS") or os.path.join(ROOT, "test-artifacts"), "dashboard")


@pytest.fixture
def grievances(live_app, live_server):
    """Three grievances in the live server's database, one decided; an analyst's API token."""
    with live_app.app_context():
        world = builders.World({key: f"{key}@test.grs" for key in builders.ACCOUNTS})
        a = builders.lodge(BARIA).tracking_code
        builders.lodge(BARIA)
        builders.lodge(BARMI, channel="sms")
        builders.act(world, "officer_baria", a, "resolve", decision="upheld", resolution="Paid.")
        with unit_of_work() as uow:
            return create_token(uow, world.email("analyst"))


def _api_stats(base: str, token: str, **params) -> dict:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    req = urllib.request.Request(f"{base}/api/v1/stats?{query}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def test_the_dashboard_shows_the_apis_figures_on_a_desktop_and_a_phone(browser, live_server, grievances):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15000)
    sign_in(page, live_server, "analyst")
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(re.compile(r"/dashboard/"))
    api = _api_stats(live_server, grievances)["total"]
    assert page.locator('[data-figure="received"]').inner_text() == str(api["received"]) == "3"
    assert page.locator('[data-figure="resolved"]').inner_text() == str(api["resolved"]) == "1"
    assert page.locator("#chart-trend svg").count() == 1 and page.locator("script").count() == 0
    page.screenshot(path=os.path.join(ARTIFACTS, "dashboard-1280.png"), full_page=True)

    # Narrowed with the form to one district, on a phone: the same figure as the API's for that filter.
    page.set_viewport_size({"width": 360, "height": 740})
    page.locator("select#area").select_option("BD-DIV-6")
    page.get_by_role("button", name="Show the figures").click()
    page.wait_for_url(re.compile(r"area=BD-DIV-6"))
    page.locator("#drill").get_by_role("link", name="Gazipur").click()
    page.wait_for_url(re.compile(rf"area={GAZIPUR}"))
    api = _api_stats(live_server, grievances, area=GAZIPUR)["total"]
    assert page.locator('[data-figure="received"]').inner_text() == str(api["received"])
    assert page.locator('[data-figure="pending"]').inner_text() == str(api["pending"]) == "2"
    wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361 && !e.closest('.table-box'))
        .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, wide
    assert page.locator("#chart-trend svg").bounding_box()["width"] <= 360
    page.screenshot(path=os.path.join(ARTIFACTS, "dashboard-360.png"), full_page=True)

    page.goto(f"{live_server}/dashboard/report?month=2026-03&area={GAZIPUR}")
    assert "March 2026" in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible() and not page.locator("form").first.is_visible()
    page.emulate_media(media="screen")
    page.screenshot(path=os.path.join(ARTIFACTS, "report-360.png"), full_page=True)
    for name in ("dashboard-1280.png", "dashboard-360.png", "report-360.png"):
        assert os.path.getsize(os.path.join(ARTIFACTS, name)) > 10_000
