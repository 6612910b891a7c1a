"""In a real headless Chromium: a file over the upload limit is refused before anything is sent (and, without
the script, the server's 413 gives the form back filled in); the case page asks before resolve, reject and close."""
from __future__ import annotations

import re

import pytest

import builders
from browser_steps import choose_baria, sign_in

LIMIT = 64 * 1024  # a small upload limit, so that a file over it is small enough to make here
pytestmark = [pytest.mark.e2e, pytest.mark.config(MAX_CONTENT_LENGTH=LIMIT)]
BIG_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * (LIMIT + 1024)


def _fill_complaint(page) -> None:
    choose_baria(page)
    page.get_by_label("Describe the complaint").fill("The agent kept 300 taka of my allowance.")
    page.get_by_label("Your name").fill("Rahima Begum")


def test_a_file_over_the_limit_is_refused_before_it_is_sent(browser, live_server):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.set_default_timeout(15000)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"{live_server}/grievances/new?lang=en")
    _fill_complaint(page)
    page.locator("input[type=file]").set_input_files(
        {"name": "slip.png", "mimeType": "image/png", "buffer": BIG_PNG})
    alert = page.locator("#attachment-size-error")
    assert alert.is_visible() and "This file is larger than" in alert.inner_text()
    assert page.locator("input[type=file]").evaluate("el => el.files.length") == 0  # cleared: nothing to upload
    assert page.locator("input[type=file]").get_attribute("aria-invalid") == "true"
    assert posts == []
    # Everything typed is still there, and the complaint goes without the file.
    assert page.get_by_label("Describe the complaint").input_value() == "The agent kept 300 taka of my allowance."
    page.get_by_role("button", name="Send the complaint").last.click()
    page.wait_for_url(re.compile(r"/grievances/lodged$"))
    assert re.fullmatch(r"\d{4} \d{4} \d{4}", page.locator("#tracking-code").inner_text().strip())


def test_without_the_script_a_413_gives_the_form_back_filled_in(browser, live_server):
    page = browser.new_context(java_script_enabled=False).new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server}/grievances/new?lang=en")
    page.get_by_label("Programme").select_option("OAA")
    page.get_by_label("What is the problem?").select_option("payment")
    page.get_by_label("Describe the complaint").fill("The agent kept 300 taka of my allowance.")
    page.get_by_label("Your name").fill("Rahima Begum")
    page.locator("input[type=file]").set_input_files(
        {"name": "slip.png", "mimeType": "image/png", "buffer": BIG_PNG})
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Send the complaint").last.click()
    assert answer.value.status == 413
    page.wait_for_load_state()
    assert "so it was not sent. Everything you typed is kept below" in page.locator("main").inner_text()
    assert page.get_by_label("Describe the complaint").input_value() == "The agent kept 300 taka of my allowance."
    assert page.get_by_label("Your name").input_value() == "Rahima Begum"
    assert page.get_by_label("Programme").input_value() == "OAA"


def _status(page) -> str:
    return page.locator("dd.status").inner_text().strip()


def test_the_case_page_asks_before_resolve_reject_and_close(browser, live_server, live_app):
    with live_app.app_context():
        to_resolve = builders.lodge(builders.BARIA).tracking_code
        to_reject = builders.lodge(builders.BARIA).tracking_code
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.set_default_timeout(15000)
    sign_in(page, live_server, "officer_baria")
    asked = []

    def answer(accept: bool):
        def handle(dialog):
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        return handle

    page.goto(f"{live_server}/cases/{to_resolve}?lang=en")
    resolve = page.locator("form.action.resolve")
    assert resolve.locator("select[name=decision]").input_value() == ""  # nothing chosen for the officer
    resolve.locator("select[name=decision]").select_option("upheld")
    resolve.locator("textarea[name=resolution]").fill("Paid in cash on 3 March.")
    page.once("dialog", answer(False))
    resolve.get_by_role("button", name="Resolve").click()
    page.wait_for_timeout(300)
    assert asked[-1].startswith("Resolve this grievance?") and _status(page) == "Received"
    page.once("dialog", answer(True))
    resolve.get_by_role("button", name="Resolve").click()
    page.wait_for_url(re.compile(rf"/cases/{to_resolve}$"))
    assert _status(page) == "Resolved"

    page.goto(f"{live_server}/cases/{to_reject}?lang=en")
    reject = page.locator("form.action.reject")
    button = reject.get_by_role("button", name="Reject")
    assert "danger" in (button.get_attribute("class") or "")
    reject.locator("select[name=reason_code]").select_option("duplicate")
    reject.locator("textarea[name=note]").fill("Lodged twice.")
    page.once("dialog", answer(False))
    button.click()
    page.wait_for_timeout(300)
    assert asked[-1].startswith("Reject this grievance?") and _status(page) == "Received"
    page.once("dialog", answer(True))
    button.click()
    page.wait_for_url(re.compile(rf"/cases/{to_reject}$"))
    assert _status(page) == "Rejected"

    # An admin may close a decided case; that asks too.
    page.context.clear_cookies()
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/cases/{to_reject}?lang=en")
    close = page.locator("form.action.close")
    for field in close.locator("textarea, select").all():  # whatever the close form asks for (a reason)
        if field.evaluate("el => el.tagName") == "SELECT":
            options = [o for o in field.locator("option").all() if o.get_attribute("value")]
            if options:
                field.select_option(options[0].get_attribute("value"))
        else:
            field.fill("Duplicate of an earlier complaint.")
    page.once("dialog", answer(False))
    close.get_by_role("button", name="Close").click()
    page.wait_for_timeout(300)
    assert asked[-1].startswith("Close this grievance?") and _status(page) == "Rejected"
    assert len(asked) == 5
