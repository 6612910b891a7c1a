"""In a real headless Chromium on a 360 px phone: an administrator sets up a union forum and adds the
facilitator; the facilitator records a scorecard cycle with two groups, scores it with the faces, adds
the providers' self-assessment and an action plan item, and sees community and providers side by side.
Screenshots go to the test's tmp_path (pytest keeps the last runs under its basetemp)."""
from __future__ import annotations

import re

import pytest

import builders
from browser_steps import sign_in

pytestmark = pytest.mark.e2e


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_facilitator_records_a_scorecard_cycle_on_a_phone(browser, live_server, tmp_path):
    admin = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    admin.set_default_timeout(15000)
    sign_in(admin, live_server, "admin")
    admin.goto(f"{live_server}/accountability/forums/new")
    admin.get_by_label("Name of the forum").fill("Baria Union SP Forum")
    admin.get_by_label("Tier").select_option("union")
    admin.get_by_label("NGO that runs it").fill("Uttaran")
    admin.get_by_label("Area it works in").select_option(builders.BARIA)
    admin.locator("main form button[type=submit]").click()
    admin.wait_for_url(re.compile(r"/accountability/forums/\d+$"))
    forum_url = admin.url
    admin.get_by_text("Add a member").click()
    admin.get_by_label("Name", exact=True).fill("Facilitator")
    admin.get_by_label("Role").select_option("facilitator")
    admin.get_by_label("Account e-mail, for a facilitator who records").fill("facilitator@test.grs")
    admin.get_by_role("button", name="Add", exact=True).click()
    admin.wait_for_url(forum_url)
    assert "records with an account" in admin.locator("main").inner_text()

    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server, "facilitator")
    page.goto(f"{live_server}/accountability/new/scorecard")
    page.get_by_label("Area", exact=True).select_option(builders.BARIA)
    page.get_by_label("Programme").select_option("OAA")
    page.get_by_label("Title").fill("Old Age Allowance scorecard")
    page.get_by_label("Date held").fill("2026-11-20")
    assert _fits(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/accountability/\d+$"))
    record = page.url

    for name, kind, women, men in (("Elderly women", "elderly", "12", "0"), ("Men", "men", "0", "9")):
        page.get_by_text("Add a group").click()
        page.get_by_label("Group name").fill(name)
        page.get_by_label("Who is in it").select_option(kind)
        page.locator("#group-women").fill(women)
        page.locator("#group-men").fill(men)
        page.get_by_role("button", name="Add the group").click()
        page.wait_for_url(re.compile(re.escape(record) + r"#group$"))
    page.get_by_text("Add an indicator").click()
    page.get_by_label("Or the cycle's own indicator").fill("Allowance paid in full")
    page.get_by_role("button", name="Add the indicator").click()
    page.wait_for_url(re.compile(re.escape(record) + r"#indicator$"))

    for who, score in (("Elderly women", "2"), ("Men", "4"), ("Providers' self-assessment", "5")):
        page.get_by_role("link", name=who, exact=True).click()
        page.wait_for_url(re.compile(r"/scores\?group="))
        assert _fits(page)
        page.locator(f"input[type=radio][value='{score}']").check()
        page.get_by_label("Why this score").fill("Deductions at the payment point")
        if who == "Elderly women":
            page.screenshot(path=str(tmp_path / "scores-360.png"), full_page=True)
        page.get_by_role("button", name="Save the scores").click()
        page.wait_for_url(re.compile(re.escape(record) + r"#scores$"))

    page.get_by_text("Add an action plan item").click()
    page.get_by_label("What it is").fill("Stop deductions by the payment agent")
    page.get_by_label("Action to take").fill("Pay by mobile money")
    page.get_by_label("Who acts").fill("Upazila Social Services Officer")
    page.get_by_label("By when").fill("2026-12-20")
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(re.compile(re.escape(record) + r"#item$"))

    row = page.locator("table[data-comparison] tbody tr").first
    assert row.locator("[data-community]").inner_text().strip().endswith("3")
    assert row.locator("[data-provider]").inner_text().strip().endswith("5")
    assert page.locator("svg[data-chart=scores]").count() == 1
    assert "Stop deductions by the payment agent" in page.locator("main").inner_text()
    wide = page.evaluate("""[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 361)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert _fits(page), wide
    page.screenshot(path=str(tmp_path / "scorecard-360.png"), full_page=True)
    assert (tmp_path / "scorecard-360.png").stat().st_size > 10_000
