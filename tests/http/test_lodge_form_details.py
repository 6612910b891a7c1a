"""Smaller things a citizen hit: the footer's staff sign-in, a language switch that keeps the page's query,
a lodge form that makes one grievance however often it is sent, and a 413 that keeps what was typed."""
from __future__ import annotations

import html
import io
import re

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA
from grs.extensions import db
from grs.models import Grievance

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CODE = re.compile(r'id="tracking-code">(\d{4} \d{4} \d{4})<')


def _lang_links(page: str) -> dict[str, str]:
    return {m.group(2): html.unescape(m.group(1))
            for m in re.finditer(r'<a href="([^"]*)" lang="(\w+)" hreflang', page)}


def test_the_footer_links_to_staff_sign_in_for_the_public_only(client, client_as, world):
    page = client.get("/").get_data(as_text=True)
    assert '<a href="/login" id="staff-sign-in">' in page
    assert 'id="staff-sign-in"' in client.get("/track").get_data(as_text=True)
    assert 'id="staff-sign-in"' not in client_as("officer_baria").get("/cases/").get_data(as_text=True)


def test_the_language_switch_keeps_the_query(client, world):
    page = client.get("/track?code=1234&lang=en").get_data(as_text=True)
    assert _lang_links(page) == {"bn": "/track?code=1234&lang=bn"}
    page = client.get("/grievances/new?area_1=BD-DIV-6&area_2=BD-DIS-41").get_data(as_text=True)
    assert _lang_links(page)["bn"] == "/grievances/new?area_1=BD-DIV-6&area_2=BD-DIS-41&lang=bn"
    bn = client.get(_lang_links(page)["bn"]).get_data(as_text=True)
    assert '<html lang="bn">' in bn and 'value="BD-DIS-41" selected' in bn


# ---------------------------------------------------------------- one grievance per form

BARIA_PATH = {"area_1": "BD-DIV-6", "area_2": "BD-DIS-41", "area_3": "BD-UPZ-320", "area_4": BARIA}


def _form(**overrides) -> dict:
    data = {"programme": "OAA", "category": "payment", "description": "My allowance was not paid this quarter.",
            "name": "Rahima Begum", "phone": "01712345678", "sex": "female", **BARIA_PATH}
    data.update(overrides)
    return data


def _token(page: str) -> str:
    return re.search(r'<input id="token" name="token" type="hidden" value="([0-9a-f]{32})"', page).group(1)


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Grievance))


def test_the_same_form_sent_twice_lodges_one_grievance(app, client, world):
    token = _token(client.get("/grievances/new").get_data(as_text=True))
    first = client.post("/grievances/new", data=_form(token=token))
    code = re.search(CODE, client.get(first.headers["Location"]).get_data(as_text=True)).group(1)
    again = client.post("/grievances/new", data=_form(token=token))  # a double click, a resent POST
    assert first.status_code == again.status_code == 303
    assert re.search(CODE, client.get(again.headers["Location"]).get_data(as_text=True)).group(1) == code
    assert _count(app) == 1
    other = _token(client.get("/grievances/new").get_data(as_text=True))
    assert other != token
    client.post("/grievances/new", data=_form(token=other))
    assert _count(app) == 2


def test_the_token_survives_a_form_sent_back_with_errors(app, client, world):
    token = _token(client.get("/grievances/new").get_data(as_text=True))
    r = client.post("/grievances/new", data=_form(token=token, description=""))
    assert r.status_code == 400 and _token(r.get_data(as_text=True)) == token
    narrowed = client.post("/grievances/new", data=_form(token=token, narrow="1"))
    assert _token(narrowed.get_data(as_text=True)) == token
    assert client.post("/grievances/new", data=_form(token=token)).status_code == 303 and _count(app) == 1


# ---------------------------------------------------------------- a file over the limit

@pytest.mark.config(MAX_CONTENT_LENGTH=4096)
def test_a_body_over_the_limit_gives_the_form_back_filled_in(app, client, world):
    big = io.BytesIO(PNG + b"\x00" * 8000)
    r = client.post("/grievances/new", data=_form(description="They cut my allowance & I want it back.",
                                                  attachment=(big, "slip.png")),
                    content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 413
    assert "The file was larger than 1 MB, so it was not sent. Everything you typed is kept below" in page
    assert "They cut my allowance &amp; I want it back.</textarea>" in page
    assert 'value="Rahima Begum"' in page and 'value="01712345678"' in page
    assert '<option value="OAA" selected' in page or '<option selected value="OAA"' in page
    assert f'<option value="{BARIA}" selected>' in page
    assert 'data-max-bytes="4096"' in page and 'src="/static/js/upload-check.js"' in page
    assert _count(app) == 0


@pytest.mark.config(MAX_CONTENT_LENGTH=4096, WTF_CSRF_ENABLED=True)
def test_the_filled_form_after_a_413_needs_the_sites_own_form(app, client, world):
    page = client.get("/grievances/new").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    big = (io.BytesIO(PNG + b"\x00" * 8000), "slip.png")
    mine = client.post("/grievances/new", data=_form(csrf_token=csrf, attachment=big),
                       content_type="multipart/form-data")
    assert mine.status_code == 413 and 'value="Rahima Begum"' in mine.get_data(as_text=True)
    big = (io.BytesIO(PNG + b"\x00" * 8000), "slip.png")
    forged = client.post("/grievances/new", data=_form(csrf_token="forged", attachment=big),
                         content_type="multipart/form-data")
    assert forged.status_code == 413 and "Rahima" not in forged.get_data(as_text=True)
    assert "The file is too large" in forged.get_data(as_text=True)


def test_the_client_side_check_is_served_by_the_app(client, world):
    r = client.get("/static/js/upload-check.js")
    assert r.status_code == 200 and "data-max-bytes" in r.get_data(as_text=True)


# ---------------------------------------------------------------- the staff case page

def _case(client, code: str) -> str:
    r = client.get(f"/cases/{code}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _forms(page: str) -> dict[str, str]:
    """Each action's <form ...> opening tag and body, by action."""
    return {m.group(1): m.group(0) for m in re.finditer(
        r'<form method="post" action="/cases/\d{12}/actions/(\w+)".*?</form>', page, re.S)}


def test_the_case_page_groups_its_actions_under_headings(app, world, client_as):
    code = builders.lodge_in(app, BARIA)
    page = _case(client_as("officer_baria"), code)
    actions = page.split("<h2>Actions</h2>", 1)[1].split("<h2>History</h2>", 1)[0]
    headings = re.findall(r'<h3 id="actions-\d+">([^<]+)</h3>', actions)
    assert headings == ["Take the case forward", "Send it elsewhere", "Decide"]
    decide = actions.split(">Decide</h3>", 1)[1]
    assert set(_forms(decide)) == {"resolve", "reject"}
    forward = actions.split(">Take the case forward</h3>", 1)[1].split("</section>", 1)[0]
    assert set(_forms(forward)) == {"acknowledge", "start"}


def test_reject_is_a_danger_action_and_the_final_ones_ask_first(app, world, client_as):
    code = builders.lodge_in(app, BARIA)
    forms = _forms(_case(client_as("officer_baria"), code))
    assert 'class="danger"' in forms["reject"] and 'class="danger"' not in forms["resolve"]
    assert 'data-confirm="Resolve this grievance?' in forms["resolve"]
    assert 'data-confirm="Reject this grievance?' in forms["reject"]
    for action in ("acknowledge", "start", "transfer", "escalate"):
        assert "data-confirm" not in forms[action] and 'class="danger"' not in forms[action]
    assert 'src="/static/js/confirm.js"' in _case(client_as("officer_baria"), code)


def test_close_is_a_danger_action_that_asks_first(app, world, client_as):
    code = builders.lodge_in(app, BARIA)
    builders.act_in(app, world, "officer_baria", code, "reject", reason_code="duplicate", note="Lodged twice.")
    forms = _forms(_case(client_as("admin"), code))  # an admin may close a decided case (with a reason)
    assert "close" in forms
    assert 'class="danger"' in forms["close"] and 'data-confirm="Close this grievance?' in forms["close"]


def test_no_decision_is_chosen_for_the_officer(app, world, client_as):
    code = builders.lodge_in(app, BARIA)
    c = client_as("officer_baria")
    resolve = _forms(_case(c, code))["resolve"]
    select = re.search(r'<select[^>]*name="decision".*?</select>', resolve, re.S).group(0)
    assert "selected" not in select and re.search(r'<option value="">Choose the decision</option>', select)
    r = c.post(f"/cases/{code}/actions/resolve", data={"decision": "", "resolution": "Paid in cash."})
    assert r.status_code in (400, 422) and "Choose the decision." in r.get_data(as_text=True)
    with app.app_context():
        assert builders.find(code).status == "received"


# ---------------------------------------------------------------- the operator console

def _console_form(client, **overrides) -> dict:
    page = client.get("/operator/lodge").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]+)"', page)
    data = {"token": token.group(1), "programme": "OAA", "category": "payment",
            "description": "Caller says her allowance stopped.", "name": "Rahima Begum", "phone": "01712345678"}
    data.update(overrides)
    return data


def _lodged_code(resp) -> str:
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    return resp.headers["Location"].split("/operator/lodged/")[1].split("?")[0]


def test_the_operator_lodges_for_a_caller_who_does_not_know_their_union(app, client_as, world):
    op = client_as("operator")
    page = op.get("/operator/lodge").get_data(as_text=True)
    assert 'name="area_unknown"' in page and "The caller does not know the exact area" in page
    refused = op.post("/operator/lodge", data=_console_form(op))
    assert refused.status_code == 400 and "Choose the area down to the lowest level." in refused.get_data(as_text=True)
    code = _lodged_code(op.post("/operator/lodge", data=_console_form(op, area_unknown="y")))
    partly = _lodged_code(op.post("/operator/lodge", data=_console_form(
        op, area_unknown="y", area_1="BD-DIV-6", area_2=builders.GAZIPUR)))
    with app.app_context():
        g = builders.find(code)
        assert g.office_id is None and g.area_id is None and g.channel == "operator"  # the triage queue
        assert builders.find(partly).area.code == builders.GAZIPUR


def test_the_callers_history_opens_a_read_view_with_the_decision(app, client_as, world):
    resolved = builders.lodge_in(app, BARIA)
    builders.act_in(app, world, "officer_baria", resolved, "resolve", decision="partly_upheld",
                    resolution="The March instalment was paid in cash on 3 March; April follows.")
    rejected = builders.lodge_in(app, BARIA)
    builders.act_in(app, world, "officer_baria", rejected, "reject", reason_code="duplicate",
                    note="The same complaint as 4821 0937 5512, which was resolved.")
    op = client_as("operator")
    history = op.post("/operator/lookup", data={"phone": "01712345678"}).get_data(as_text=True)
    assert f'href="/operator/grievances/{resolved}"' in history and f'href="/operator/grievances/{rejected}"' in history
    assert "/operator/lodged/" not in history
    page = op.get(f"/operator/grievances/{resolved}").get_data(as_text=True)
    assert "Read the tracking code to the caller" not in page
    assert "The decision" in page and "Partly upheld" in page
    assert "The March instalment was paid in cash on 3 March; April follows." in page
    assert "The caller may say whether they are satisfied, or appeal, until" in page
    page = op.get(f"/operator/grievances/{rejected}").get_data(as_text=True)
    assert "Duplicate" in page or "duplicate" in page.lower()
    assert "The same complaint as 4821 0937 5512, which was resolved." in page


def test_the_read_view_keeps_to_what_the_operator_may_see(app, client_as, world):
    sensitive = builders.lodge_in(app, BARIA, category="corruption")
    assert client_as("operator").get(f"/operator/grievances/{sensitive}").status_code == 404
    assert client_as("operator").get("/operator/grievances/123456789012").status_code == 404
    assert client_as("officer_baria").get(f"/operator/grievances/{sensitive}").status_code == 403


@pytest.mark.config(MAX_CONTENT_LENGTH=4096)
def test_an_answer_over_the_limit_on_the_track_page_keeps_what_was_typed(app, client, world):
    code = builders.lodge_in(app, BARIA, phone="01712345678")
    builders.act_in(app, world, "officer_baria", code, "acknowledge")
    builders.act_in(app, world, "officer_baria", code, "request_info", note="Which month was missed?")
    r = client.post(f"/track/{code}/info", content_type="multipart/form-data", data={
        "info-text": "March & April were both missed.", "info-phone_last4": "5678",
        "info-attachment": (io.BytesIO(PNG + b"\x00" * 8000), "slip.png")})
    page = r.get_data(as_text=True)
    assert r.status_code == 413
    assert "so it was not sent. Everything you typed is kept below" in page and "send your answer without it" in page
    assert "March &amp; April were both missed.</textarea>" in page and 'value="5678"' in page
    with app.app_context():
        assert builders.find(code).status == "awaiting_info"
