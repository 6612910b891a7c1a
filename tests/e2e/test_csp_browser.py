"""In a real headless Chromium, under the app's Content-Security-Policy (issue 11, finding 5): the pages
whose behaviour is script (the lodge form's area picker and upload check, the operator's lodge form, the
track page's answer form, the case page's confirmations and character count) and the charts' styles work
with no violation reported, and a case page with its action buttons refuses to load in another site's frame."""
from __future__ import annotations

import re
import threading

import pytest

import builders
from browser_steps import choose_baria, sign_in
from builders import BARIA

LIMIT = 64 * 1024
pytestmark = [pytest.mark.e2e, pytest.mark.config(MAX_CONTENT_LENGTH=LIMIT)]
OTHER_SITE_PORTS = range(5630, 5640)  # the ports this test may serve on
BIG_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * (LIMIT + 1024)
# Every violation the page reports, whether or not Chromium also writes it to the console.
WATCH = """window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"""


class Watched:
    """A page with its policy violations and console errors collected."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 360, "height": 740})
        self.page.set_default_timeout(15000)
        self.page.add_init_script(WATCH)
        self.console: list[str] = []
        self.page.on("console", lambda m: self.console.append(m.text) if m.type in ("error", "warning") else None)

    def violations(self) -> list[str]:
        found = self.page.evaluate("window.__violations || []")
        return found + [m for m in self.console
                        if "Content Security Policy" in m or "Refused to" in m or "Permissions-Policy" in m]


def _world():
    return builders.World({key: f"{key}@test.grs" for key in builders.ACCOUNTS})


def test_the_lodge_forms_scripts_run_under_the_policy(browser, live_server):
    w = Watched(browser)
    page = w.page
    page.goto(f"{live_server}/grievances/new?lang=en")
    choose_baria(page)  # area-picker.js fetches each level
    assert page.get_by_label("Union", exact=True).input_value() == "BD-UN-2869"
    page.locator("input[type=file]").set_input_files({"name": "slip.png", "mimeType": "image/png", "buffer": BIG_PNG})
    assert page.locator("#attachment-size-error").is_visible()  # upload-check.js
    page.get_by_label("Describe the complaint").fill("The agent kept 300 taka of my allowance.")
    page.get_by_role("button", name="Send the complaint").last.click()
    page.wait_for_url(re.compile(r"/grievances/lodged$"))
    assert re.fullmatch(r"\d{4} \d{4} \d{4}", page.locator("#tracking-code").inner_text().strip())
    assert w.violations() == []


def test_the_operators_lodge_form_runs_under_the_policy(browser, live_server):
    w = Watched(browser)
    page = w.page
    sign_in(page, live_server, "operator")
    page.goto(f"{live_server}/operator/lodge?lang=en")
    assert not page.locator("button.narrow").first.is_visible()  # the picker took over
    choose_baria(page)
    page.locator("textarea[name=description]").fill("The payment agent asked for 200 taka.")
    page.locator("input[name=phone]").fill("01712345678")
    page.locator("form button.primary").click()
    page.wait_for_url(re.compile(r"/operator/lodged/\d{12}"))
    code = page.locator(".tracking-code")
    assert code.evaluate("el => getComputedStyle(el).fontWeight") == "700"  # the style moved to app.css
    assert w.violations() == []


def test_the_track_pages_answer_form_runs_under_the_policy(browser, live_server, live_app):
    with live_app.app_context():
        code = builders.lodge(BARIA).tracking_code
        builders.act(_world(), "officer_baria", code, "acknowledge")
        builders.act(_world(), "officer_baria", code, "request_info", note="Which payment point?")
    w = Watched(browser)
    page = w.page
    page.goto(f"{live_server}/track/{code}?lang=en")
    files = page.locator("input[type=file][data-max-bytes]")
    files.set_input_files({"name": "slip.png", "mimeType": "image/png", "buffer": BIG_PNG})
    assert page.locator("[id$=-size-error]").first.is_visible()  # upload-check.js
    assert files.evaluate("el => el.files.length") == 0
    assert w.violations() == []


def test_the_case_pages_scripts_run_under_the_policy(browser, live_server, live_app):
    with live_app.app_context():
        code = builders.lodge(BARIA).tracking_code
        builders.act(_world(), "officer_baria", code, "acknowledge")
    w = Watched(browser)
    page = w.page
    sign_in(page, live_server, "officer_baria")
    page.goto(f"{live_server}/cases/{code}?lang=en")
    question = page.locator("textarea[data-limit-gsm]")
    question.fill("Which payment point?")
    assert "20" in page.locator(".char-count").inner_text()  # char-count.js
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    resolve = page.locator("form.action.resolve")
    resolve.locator("select[name=decision]").select_option("upheld")
    resolve.locator("textarea[name=resolution]").fill("Paid in cash on 3 March.")
    resolve.get_by_role("button", name="Resolve").click()
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith("Resolve this grievance?")  # confirm.js
    assert page.url.endswith(f"/cases/{code}?lang=en")
    assert w.violations() == []


def test_the_charts_styles_are_let_through_by_their_nonce(browser, live_server, live_app):
    with live_app.app_context():
        for _ in range(6):
            builders.lodge(BARIA)
    w = Watched(browser)
    page = w.page
    page.goto(f"{live_server}/public/stats?lang=en")
    charts = page.locator("svg.pygal-chart")
    assert charts.count() > 0
    # The chart's own <style> applied: its background is white, its hidden tooltip invisible.
    first = charts.first
    assert first.evaluate("el => el.querySelector('style').sheet !== null")
    assert first.evaluate("el => getComputedStyle(el.querySelector('.tooltip')).opacity") == "0"
    assert w.violations() == []


@pytest.fixture
def other_site():
    """Another origin of the same site (another port of 127.0.0.1, as another app on the same domain
    would be): its page frames a URL given as ?src=. Served on this test's own port."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    class Framing(BaseHTTPRequestHandler):
        def do_GET(self):
            src = parse_qs(urlsplit(self.path).query).get("src", [""])[0]
            body = f'<!doctype html><title>prize</title><iframe src="{src}" width="800" height="600"></iframe>'
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    for port in OTHER_SITE_PORTS:
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), Framing)
            break
        except OSError:
            continue
    else:
        pytest.fail(f"no free port in {OTHER_SITE_PORTS}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_case_page_refuses_to_load_in_another_sites_frame(browser, live_server, live_app, other_site):
    with live_app.app_context():
        code = builders.lodge(BARIA).tracking_code
    w = Watched(browser)
    page = w.page
    sign_in(page, live_server, "officer_baria")
    case = f"{live_server}/cases/{code}?lang=en"
    page.goto(case)
    assert page.locator("form.action").count() > 0  # signed in, the page has its buttons
    with page.expect_response(lambda r: r.url == case) as answer:
        page.goto(f"{other_site}/?src={case}")
    # The server answered the framed request with the page (the cookie went: same site)...
    assert answer.value.status == 200
    for _ in range(50):  # the refusal is reported a moment after the answer arrives
        if any("frame-ancestors" in m for m in w.console):
            break
        page.wait_for_timeout(100)
    # ...and the browser refused to show it in the other origin's frame.
    frame = next(f for f in page.frames if f != page.main_frame)
    assert frame.locator("form.action").count() == 0
    assert not frame.url.startswith(live_server)
    assert any("frame-ancestors" in m for m in w.console), w.console
