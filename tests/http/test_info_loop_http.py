"""Issue 10, items 1 and 2 over HTTP: SMS lodge, the officer's question through the API, the complainant's
answer by SMS, the track page, the operator console and the API; the decision on the track page."""
from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA
from grs.extensions import db
from grs.models import Grievance, OutboxMessage

pytestmark = pytest.mark.both_backends

AT_URL = "/hooks/sms/africastalking?key=at-test-key"
FORM = "application/x-www-form-urlencoded"
PHONE = "+8801712345678"
QUESTION_BN = ("আপনার ভাতা বইয়ের নম্বর, জাতীয় পরিচয়পত্রের নম্বর এবং শেষ কবে টাকা পেয়েছেন তা জানান। "
               "ব্যাংক এজেন্টের রসিদের ছবি থাকলে পাঠান, না থাকলে ইউনিয়ন অফিসে আসুন। " * 2)[:149] + "?"
RESOLUTION_BN = "আপনার জুলাই থেকে সেপ্টেম্বরের ভাতা ১২ মার্চ আপনার ব্যাংক হিসাবে দেওয়া হয়েছে।"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def at_post(client, text: str, msg_id: str, sender: str = PHONE):
    body = urlencode({"from": sender, "to": "21356", "text": text, "date": "2026-03-01 10:00:00", "id": msg_id,
                      "linkId": ""})
    return client.post(AT_URL, data=body, content_type=FORM)


def api_act(client, headers, code: str, **body):
    return client.post(f"/api/v1/grievances/{code}/actions", json=body, headers=headers)


def rows(app, template: str, recipient: str | None = PHONE) -> list[OutboxMessage]:
    with app.app_context():
        q = sa.select(OutboxMessage).where(OutboxMessage.template == template).order_by(OutboxMessage.id)
        if recipient:
            q = q.where(OutboxMessage.recipient == recipient)
        out = db.session.scalars(q).all()
        db.session.expunge_all()
        return out


def state(app, code: str) -> tuple[str, object, int]:
    with app.app_context():
        g = builders.find(code)
        return g.status, g.paused_at, db.session.scalar(sa.select(sa.func.count(Grievance.id)))


def officer_by_sms(app, world):
    with app.app_context():
        u = world.user("officer_baria")
        u.notify_by, u.phone = "sms", "+8801811111111"
        db.session.commit()


def waiting(app, world, *, phone: str | None = "01712345678", language: str = "en",
            question: str = "Which payment point do you use?") -> str:
    with app.app_context():
        code = builders.lodge(BARIA, phone=phone, language=language).tracking_code
        builders.act(world, "officer_baria", code, "acknowledge")
        builders.act(world, "officer_baria", code, "request_info", note=question)
    return code


def test_sms_to_decision_walk_over_http(app, client, auth, world):
    officer_by_sms(app, world)
    officer = auth("officer_baria")
    assert at_post(client, "আমার বয়স্ক ভাতার টাকা পাইনি। বাড়ীয়া ইউনিয়ন", "AT-1").status_code == 200
    with app.app_context():
        code = db.session.scalar(sa.select(Grievance.tracking_code))
    assert api_act(client, officer, code, action="acknowledge").status_code == 200
    r = api_act(client, officer, code, action="request_info", note=QUESTION_BN)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["question"] == QUESTION_BN and r.get_json()["status"] == "awaiting_info"
    (asked,) = rows(app, "info_requested")
    assert QUESTION_BN in asked.body and asked.segments <= 3 and asked.encoding == "UCS-2"
    page = client.get(f"/track/{code}?lang=bn").get_data(as_text=True)
    assert QUESTION_BN in page and 'id="info-text"' in page
    _, _, before = state(app, code)

    assert at_post(client, "আমার বই নম্বর ১২৩৪৫", "AT-2").status_code == 200
    status, paused, after = state(app, code)
    assert (status, paused, after) == ("in_progress", None, before)
    assert rows(app, "info_added", "+8801811111111")
    (reply,) = rows(app, "info_attached")
    assert code in reply.body.replace(" ", "")
    detail = client.get(f"/api/v1/grievances/{code}", headers=officer).get_json()
    assert detail["question"] is None
    added = [e for e in detail["events"] if e["type"] == "info_added"]
    assert added[0]["note"] == "আমার বই নম্বর ১২৩৪৫" and added[0]["data"]["channel"] == "sms"

    r = api_act(client, officer, code, action="resolve", decision="partly_upheld", resolution=RESOLUTION_BN)
    assert r.status_code == 200 and r.get_json()["decision"] == "partly_upheld" and r.get_json()["reason_code"] is None
    (decided,) = rows(app, "resolved")
    assert RESOLUTION_BN in decided.body and decided.segments <= 3 and f"না {code}" in decided.body
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert RESOLUTION_BN in page and 'id="decision-words"' in page

    # No right lost by a click: the officer cannot close while the complainant may still answer ...
    r = api_act(client, officer, code, action="close")
    assert r.status_code == 409 and "until" in r.get_json()["error"]["message"]
    # ... and the complainant's NO (as the Bangla text taught it) is an appeal one tier up, which the
    # receiving office's appellate officer is told is an appeal.
    assert at_post(client, f"না {code}", "AT-3").status_code == 200
    with app.app_context():
        g = builders.find(code)
        assert (g.level, g.clock_kind, g.appeal_count, g.is_open) == ("upazila", "appeal", 1, True)
        appellate = world.user("appellate_sadar")
        recipients = {appellate.email, appellate.phone} - {None}
    arrived = [m for m in rows(app, "case_arrived", None) if m.recipient in recipients]
    assert arrived and "APPEAL" in arrived[-1].body


def test_a_rejection_on_the_track_page_and_in_the_api(app, client, auth, world):
    code = builders.lodge_in(app)
    r = api_act(client, auth("officer_baria"), code, action="reject", reason_code="duplicate",
                note="You complained about the same payment on 2 March; we answer there.")
    assert r.status_code == 200 and r.get_json()["reason_code"] == "duplicate"
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "It repeats a complaint already made." in page and "same payment on 2 March" in page
    assert "repeats another complaint" in rows(app, "rejected")[0].body


def test_api_add_info_and_who_may_give_it(app, client, auth, world):
    code = waiting(app, world)
    detail = client.get(f"/api/v1/grievances/{code}", headers=auth("officer_baria")).get_json()
    assert detail["question"] == "Which payment point do you use?" and detail["reason_code"] is None
    assert "add_info" not in detail["allowed_actions"]
    assert api_act(client, auth("officer_baria"), code, action="add_info", text="x").status_code == 403
    r = api_act(client, auth("operator"), code, action="add_info")
    assert r.status_code == 422 and "text" in r.get_json()["error"]["fields"]
    r = api_act(client, auth("operator"), code, action="add_info", text="The Baria post office.")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "in_progress" and body["question"] is None
    ev = body["events"][-1]
    assert (ev["type"], ev["note"], ev["data"]["channel"]) == ("info_added", "The Baria post office.", "api")
    assert api_act(client, auth("operator"), code, action="add_info", text="again").status_code == 409
    actions = client.get("/api/v1/actions", headers=auth("operator")).get_json()["items"]
    assert {"action": "add_info", "from": ["awaiting_info"], "to": "in_progress", "event": "info_added",
            "requires": ["text"]} in actions


def test_the_question_too_long_for_the_sms_is_refused_naming_the_field(app, client, auth, world):
    code = builders.lodge_in(app, language="bn")
    officer = auth("officer_baria")
    api_act(client, officer, code, action="acknowledge")
    r = api_act(client, officer, code, action="request_info", note="প্রশ্ন" * 40)
    assert r.status_code == 422 and "note" in r.get_json()["error"]["fields"]  # the API's validation status


def test_the_staff_form_shows_the_limit_and_the_live_count(app, client_as, world):
    code = builders.lodge_in(app, language="bn")
    builders.act_in(app, world, "officer_baria", code, "acknowledge")
    page = client_as("officer_baria").get(f"/cases/{code}").get_data(as_text=True)
    m = re.search(r'data-limit-ucs2="(\d+)"', page)
    assert m and 150 <= int(m.group(1)) < 201 and "js/char-count.js" in page
    assert client_as("officer_baria").get("/static/js/char-count.js").status_code == 200


def test_web_reply_with_the_last_digits_and_an_attachment(app, client, world):
    code = waiting(app, world)
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "Which payment point do you use?" in page and 'name="info-phone_last4"' in page
    r = client.post(f"/track/{code}/info", data={"info-phone_last4": "1111", "info-text": "Baria post office"})
    assert r.status_code == 422 and "not the last 4 digits" in r.get_data(as_text=True)
    assert state(app, code)[0] == "awaiting_info"
    r = client.post(f"/track/{code}/info", data={"info-phone_last4": "5678", "info-text": "Baria post office",
                                                 "info-attachment": (io.BytesIO(b"not a png"), "slip.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 400 or r.status_code == 422
    assert "not a real JPEG, PNG or PDF" in r.get_data(as_text=True)
    assert state(app, code)[0] == "awaiting_info"
    r = client.post(f"/track/{code}/info", data={"info-phone_last4": "5678", "info-text": "Baria post office",
                                                 "info-attachment": (io.BytesIO(b"MZ"), "slip.exe")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "Attach a JPEG, PNG or PDF file." in r.get_data(as_text=True)
    r = client.post(f"/track/{code}/info", data={"info-phone_last4": "৫৬৭৮", "info-text": "Baria post office",
                                                 "info-attachment": (io.BytesIO(PNG), "slip.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    with app.app_context():
        g = builders.find(code)
        assert g.status == "in_progress" and len(g.attachments) == 1
        assert (g.events[-1].type, g.events[-1].data["channel"], g.events[-1].actor_label) == (
            "info_added", "web", "citizen:web")
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert 'id="info-text"' not in page and "You sent the information asked for" in page


def test_an_anonymous_complainant_replies_without_digits(app, client, world):
    code = waiting(app, world, phone=None)
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert 'name="info-phone_last4"' not in page
    assert client.post(f"/track/{code}/info", data={"info-text": "Baria"}).status_code == 302
    assert state(app, code)[0] == "in_progress"


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_the_web_reply_needs_the_csrf_token(app, client, world):
    code = waiting(app, world)
    r = client.post(f"/track/{code}/info", data={"info-phone_last4": "5678", "info-text": "Baria"})
    assert r.status_code in (400, 422) and state(app, code)[0] == "awaiting_info"
    page = client.get(f"/track/{code}").get_data(as_text=True)
    token = re.search(r'name="info-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post(f"/track/{code}/info", data={"info-csrf_token": token, "info-phone_last4": "5678",
                                                 "info-text": "Baria"})
    assert r.status_code == 302 and state(app, code)[0] == "in_progress"


@pytest.mark.config(TRACK_RATE_LIMIT=2)
def test_the_web_reply_is_rate_limited(app, client, world):
    code = waiting(app, world)
    codes = [client.post(f"/track/{code}/info", data={"info-phone_last4": "0000", "info-text": "x"}).status_code
             for _ in range(3)]
    assert codes[-1] == 429


def test_the_operator_adds_information_for_the_caller(app, client_as, world):
    code = waiting(app, world)
    console = client_as("operator")
    r = console.post("/operator/calls", data={"phone": "01712345678"})
    call_url = r.headers["Location"]
    page = console.get(call_url).get_data(as_text=True)
    assert "Add information for this caller" in page and "Which payment point do you use?" in page
    r = console.post(f"{call_url}/info/{code}", data={f"info-{code}-text": ""})
    assert r.status_code == 400 and state(app, code)[0] == "awaiting_info"
    r = console.post(f"{call_url}/info/{code}", data={f"info-{code}-text": "The caller says: Baria post office."})
    assert r.status_code == 303
    with app.app_context():
        g = builders.find(code)
        ev = g.events[-1]
        assert g.status == "in_progress"
        assert (ev.type, ev.data["channel"], ev.actor_id, ev.note) == (
            "info_added", "operator", world.user("operator").id, "The caller says: Baria post office.")
    assert "Add information for this caller" not in console.get(call_url).get_data(as_text=True)


USSD_URL = "/hooks/ussd/africastalking?key=at-test-key"


def ussd(client, session_id: str, text: str):
    return client.post(USSD_URL, data={"sessionId": session_id, "serviceCode": "*384*333#",
                                       "phoneNumber": PHONE, "networkCode": "47001", "text": text})


@pytest.mark.parametrize("action,kw,words", [
    ("resolve", {"decision": "not_upheld", "resolution": "You were paid in full in January."}, "decided: not upheld"),
    ("reject", {"reason_code": "unrelated", "note": "A land dispute."}, "not accepted: not about a programme"),
])
def test_ussd_status_shows_the_decision_short(app, client, world, action, kw, words):
    code = builders.lodge_in(app)
    builders.act_in(app, world, "officer_baria", code, "acknowledge")
    builders.act_in(app, world, "officer_baria", code, action, **kw)
    ussd(client, f"S-{action}", "")
    ussd(client, f"S-{action}", "2")
    reply = ussd(client, f"S-{action}", "2*" + code).get_data(as_text=True)
    assert reply.startswith("END") and words in reply, reply
    assert "January" not in reply and "land dispute" not in reply  # no free text on USSD


def test_api_add_info_with_attachments_checked_as_on_the_lodge_form(app, client, auth, world):
    import base64
    code = waiting(app, world)
    operator = auth("operator")
    fake = {"filename": "slip.png", "content_type": "image/png", "content": base64.b64encode(b"nope").decode()}
    r = api_act(client, operator, code, action="add_info", text="Here", attachments=[fake])
    assert r.status_code == 422 and "attachment" in r.get_json()["error"]["fields"]
    r = api_act(client, operator, code, action="add_info", text="Here",
                attachments=[{**fake, "content": "%%%not base64"}])
    assert r.status_code == 422 and "attachments.0.content" in r.get_json()["error"]["fields"]
    r = api_act(client, operator, code, action="add_info", text="Here", attachments=[{"filename": "x"}])
    assert r.status_code == 422 and "attachments.0.content" in r.get_json()["error"]["fields"]
    assert state(app, code)[0] == "awaiting_info"
    png = {**fake, "content": base64.b64encode(PNG).decode()}
    r = api_act(client, operator, code, action="add_info", text="Here", attachments=[png])
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["events"][-1]["data"]["attachments"] == 1
    listed = client.get(f"/api/v1/grievances/{code}/attachments", headers=operator).get_json()["items"]
    assert [a["filename"] for a in listed] == ["slip.png"]
