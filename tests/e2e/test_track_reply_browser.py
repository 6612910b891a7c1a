"""In a real headless Chromium at 360 px wide, in Bangla: a complainant reads the office's question on the
track page, proves it is them with the last 4 digits of their phone (a wrong guess is refused), answers,
and the page then shows the answer went to the office; the page fits the phone without sideways scrolling.

Screenshots are kept as test artefacts in `test-artifacts/track-reply/` at the repository root (ignored by
git; `GRS_TEST_ARTIFACTS` moves the folder): question-360.png, wrong-digits-360.png, answered-360.png."""
from __future__ import annotations

import os
import threading

import pytest

import builders
from builders import BARIA

pytestmark = pytest.mark.e2e

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARTIFACTS = os.path.join(os.environ.get("GRS_TEST_ARTIFACTS") or os.path.join(ROOT, "test-artifacts"),
                         "track-reply")
PORT = 5611  # this test's own server port (the session's range for it)
QUESTION = "আপনার ভাতা বইয়ের নম্বর এবং শেষ কবে টাকা পেয়েছেন তা জানান।"


@pytest.fixture
def server(live_app):
    """The live app on this test's own port (tests/e2e/conftest.py's live_server picks any free one)."""
    from werkzeug.serving import make_server

    try:
        srv = make_server("127.0.0.1", PORT, live_app, threaded=True)
    except OSError:
        srv = make_server("127.0.0.1", PORT + 1, live_app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def waiting_code(live_app):
    with live_app.app_context():
        world = builders.World({key: f"{key}@test.grs" for key in builders.ACCOUNTS})
        code = builders.lodge(BARIA, language="bn").tracking_code
        builders.act(world, "officer_baria", code, "acknowledge")
        builders.act(world, "officer_baria", code, "request_info", note=QUESTION)
    return code


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_citizen_answers_the_offices_question_in_bangla_on_a_phone(browser, server, waiting_code, live_app):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.set_default_timeout(15000)
    page.goto(f"{server}/track/{waiting_code}?lang=bn")
    assert page.locator("#question-text").inner_text().strip() == QUESTION
    assert page.locator("#status").inner_text().strip() != ""
    assert _fits(page)
    page.screenshot(path=os.path.join(ARTIFACTS, "question-360.png"), full_page=True)

    page.get_by_label("আপনার দেওয়া ফোন নম্বরের শেষ ৪টি অঙ্ক").fill("১১১১")
    page.get_by_label("আপনার উত্তর").fill("আমার বই নম্বর ১২৩৪৫, শেষ টাকা জানুয়ারিতে পেয়েছি।")
    page.get_by_role("button", name="উত্তর পাঠান").click()
    page.wait_for_load_state()
    assert "শেষ ৪টি অঙ্ক নয়" in page.locator("main").inner_text()
    assert _fits(page)
    page.screenshot(path=os.path.join(ARTIFACTS, "wrong-digits-360.png"), full_page=True)

    page.get_by_label("আপনার দেওয়া ফোন নম্বরের শেষ ৪টি অঙ্ক").fill("৫৬৭৮")
    if not page.get_by_label("আপনার উত্তর").input_value():
        page.get_by_label("আপনার উত্তর").fill("আমার বই নম্বর ১২৩৪৫, শেষ টাকা জানুয়ারিতে পেয়েছি।")
    page.get_by_role("button", name="উত্তর পাঠান").click()
    page.wait_for_url(f"{server}/track/{waiting_code}")
    text = page.locator("main").inner_text()
    assert "ধন্যবাদ" in text and "আপনি চাওয়া তথ্য পাঠিয়েছেন" in text
    assert page.locator("#question-text").count() == 0
    assert _fits(page)
    page.screenshot(path=os.path.join(ARTIFACTS, "answered-360.png"), full_page=True)
    with live_app.app_context():
        g = builders.find(waiting_code)
        assert g.status == "in_progress" and g.events[-1].type == "info_added"
    for name in ("question-360.png", "wrong-digits-360.png", "answered-360.png"):
        assert os.path.getsize(os.path.join(ARTIFACTS, name)) > 5_000
