"""In a real headless Chromium, staff journeys on a phone: the operator's area picker fills itself, and staff
pages fit a 360px screen with the signed-in name readable on the green bar."""
from __future__ import annotations

import re

import pytest
from browser_steps import choose_baria, sign_in

pytestmark = pytest.mark.e2e


def test_operator_lodges_for_a_caller_without_reloading_for_each_area_level(browser, live_server):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.set_default_timeout(15000)
    sign_in(page, live_server, "operator")
    page.goto(f"{live_server}/operator/lodge")
    # The script fills the next list as soon as a level is chosen: no "Show the list below" round trips.
    assert not page.locator("button.narrow").first.is_visible()
    choose_baria(page)
    page.locator("textarea[name=description]").fill("The payment agent asked for 200 taka.")
    page.locator("input[name=phone]").fill("01712345678")
    page.locator("form button.primary").click()
    page.wait_for_url(re.compile(r"/operator/lodged/\d{12}"))
    assert "Baria" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_staff_pages_fit_a_phone_and_show_who_is_signed_in(browser, live_server):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.set_default_timeout(15000)
    sign_in(page, live_server, "officer_baria")
    page.goto(f"{live_server}/grievances/new")  # lodge one so the inbox and the case have rows
    choose_baria(page)
    page.get_by_label("Describe the complaint").fill("My old age allowance was not paid this quarter.")
    page.get_by_role("button", name="Send the complaint").click()
    page.wait_for_url(re.compile(r"/grievances/lodged$"))
    code = page.locator("#tracking-code").inner_text().replace(" ", "")

    for path in ("/cases/", f"/cases/{code}"):
        page.goto(f"{live_server}{path}")
        # Wide tables scroll inside their box; the page itself does not move sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        colour = page.locator("header .who").evaluate("e => getComputedStyle(e).color")
        assert colour == "rgb(255, 255, 255)", path
