"""In a real headless Chromium: lodge a grievance through the web form, then find it on the track page."""
from __future__ import annotations

import re

import pytest


from browser_steps import choose_baria

pytestmark = pytest.mark.e2e


def test_lodge_through_the_form_and_find_it_on_the_track_page(browser, live_server):
    page = browser.new_page(viewport={"width": 320, "height": 640})  # a small phone
    page.set_default_timeout(15000)
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Make a complaint").first.click()
    page.wait_for_url(re.compile(r"/grievances/new$"))
    # Nothing sticks out sideways on a 320px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    choose_baria(page)
    assert not page.get_by_role("button", name="Show the list below").first.is_visible()

    page.get_by_label("Describe the complaint").focus()
    page.keyboard.type("My old age allowance was not paid this quarter.")
    page.get_by_label("Mobile phone number").focus()
    page.keyboard.type("01712345678")
    page.keyboard.press("Enter")  # Enter in a text box sends the complaint

    page.wait_for_url(re.compile(r"/grievances/lodged$"))
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"\d{4} \d{4} \d{4}", code)
    assert "Baria" in page.locator("main").inner_text()

    page.goto(f"{live_server}/track")
    page.get_by_label("Tracking code").fill(code)
    page.get_by_label("Tracking code").press("Enter")
    page.wait_for_url(re.compile(r"/track/\d{12}$"))
    assert page.locator("#status").inner_text() == "Received"
    assert "Baria" in page.locator("#office").inner_text()
    assert "01712345678" not in page.content()


def test_area_picker_works_without_javascript(browser, live_server):
    page = browser.new_context(java_script_enabled=False).new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server}/grievances/new")
    for index, (label, code) in enumerate((("Division", "BD-DIV-6"), ("District", "BD-DIS-41"),
                                           ("Upazila", "BD-UPZ-320")), start=1):
        page.get_by_label(label, exact=True).select_option(code)
        page.locator(f'button[name="narrow"][value="{index}"]').click()
        page.wait_for_load_state()
    page.get_by_label("Union", exact=True).select_option("BD-UN-2869")
    page.get_by_label("Programme").select_option("WA")
    page.get_by_label("What is the problem?").select_option("exclusion")
    page.get_by_label("Describe the complaint").fill("I am a widow and my name is not on the list.")
    page.get_by_label("Stay anonymous").check()
    page.get_by_role("button", name="Send the complaint").click()
    page.wait_for_url(re.compile(r"/grievances/lodged$"))
    assert "nobody can contact you" in page.locator("main").inner_text()
    assert "Baria" in page.locator("main").inner_text()
