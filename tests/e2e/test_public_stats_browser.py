"""In a real headless Chromium: the public statistics page at 1280 and 360 px shows the API's figures, and a
cell of 3 as "fewer than 5".

Screenshots are kept as test artefacts in test-artifacts/public-stats/ at the top of the repository
(ignored by git; GRS_TEST_ARTIFACTS names another folder): public-stats-1280.png, public-stats-360.png and
public-stats-gazipur-360-bn.png.
"""
from __future__ import annotations

import os
from pathlib import Path

import builders
import pytest

from grs.services.accounts import create_token
from grs.timeutil import utcnow

from channels.web.public_stats import period

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("GRS_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")


def _decided(world, n: int, programme: str) -> None:
    for _ in range(n):
        code = builders.lodge(programme=programme).tracking_code
        builders.act(world, "officer_baria", code, "resolve", decision="upheld", resolution="Paid.")


@pytest.fixture
def figures_and_token(live_app):
    """Decided grievances: Widow Allowance 3 (a cell to withhold), Old Age 12, Disability 7; five sensitive
    ones the public never sees; and an API token of the national analyst (who may not see sensitive cases)."""
    world = builders.World({"analyst": "analyst@test.grs", "officer_baria": "officer_baria@test.grs"})
    with live_app.app_context():
        _decided(world, 3, "WA")
        _decided(world, 12, "OAA")
        _decided(world, 7, "DA")
        for _ in range(5):
            builders.lodge(category="corruption")
        return builders.run(create_token, world.email("analyst"))


def test_public_figures_equal_the_apis_and_a_cell_of_3_is_withheld(browser, live_server, figures_and_token):
    folder = ARTIFACTS / "public-stats"
    folder.mkdir(parents=True, exist_ok=True)
    start, end, _months = period(utcnow(), "BD")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    api = context.request.get(f"{live_server}/api/v1/stats",
                              params={"from": start.isoformat(), "to": end.isoformat()},
                              headers={"Authorization": f"Bearer {figures_and_token}"})
    assert api.ok, api.text()
    total = api.json()["total"]
    assert total["received"] == 22 and total["resolved"] == 22  # the five corruption cases left out

    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="More figures, for the country and each district").click()
    page.wait_for_url(f"{live_server}/public/stats")
    assert page.locator('[data-figure="received"]').inner_text() == str(total["received"])
    assert page.locator('[data-figure="resolved"]').inner_text() == str(total["resolved"])
    widows = page.locator('[data-chart-table="programmes"] tr', has_text="Widow Allowance")
    assert widows.locator("td").all_inner_texts() == ["fewer than 5", "fewer than 5"]
    assert "3" not in widows.inner_text()
    page.screenshot(path=str(folder / "public-stats-1280.png"), full_page=True)

    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    # Readable on a small phone: nothing sticks out sideways, the charts fit the column.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator('[data-chart="programmes"]').bounding_box()["width"] <= 360
    page.screenshot(path=str(folder / "public-stats-360.png"), full_page=True)

    page.get_by_label("Show the figures for").select_option("BD-DIS-41")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url(f"{live_server}/public/stats?area=BD-DIS-41")
    page.goto(f"{live_server}/public/stats?area=BD-DIS-41&lang=bn")
    assert page.locator('[data-figure="received"]').inner_text() == "২২"
    widows = page.locator('[data-chart-table="programmes"] tr', has_text="বিধবা ভাতা")
    assert widows.locator("td").all_inner_texts() == ["৫-এর কম", "৫-এর কম"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(folder / "public-stats-gazipur-360-bn.png"), full_page=True)
    assert all((folder / name).stat().st_size > 10_000 for name in
               ("public-stats-1280.png", "public-stats-360.png", "public-stats-gazipur-360-bn.png"))
