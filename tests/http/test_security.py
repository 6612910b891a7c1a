"""Security by default, from an attacker's side: scope and sensitivity on every path, no personal data
where the public (or a reader) can see it or in the logs, CSRF, sessions, rate limits, database errors."""
from __future__ import annotations

import logging
import re
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, BASAN
from channels.outbox import dispatch
from grs.extensions import db
from grs.models import Attachment, Event, Grievance, OutboxMessage
from grs import services as svc
from grs.timeutil import utcnow
from grs.tracking import display

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PHONE, LOCAL, DIGITS = "+8801712345678", "01712345678", "1712345678"
NAME = "Rahima Begum"
STORY = "The UP chairman Karim asked me for 500 taka before paying my allowance."
NOTE = "Met the chairman's secretary Jamal privately."
RESOLUTION = "Chairman Karim suspended; 500 taka returned to Rahima."
AT_SMS = "/hooks/sms/africastalking?key=at-test-key"
AT_USSD = "/hooks/ussd/africastalking?key=at-test-key"
FORM = "application/x-www-form-urlencoded"
# What must never be shown to those without the right, nor written to a log.
SECRETS = (PHONE, LOCAL, DIGITS, NAME, "Rahima", "Karim", "500 taka", "Jamal")


def events(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Event).join(Grievance)
                                 .where(Grievance.tracking_code == code))


def lodge_with_slip(app, area: str, category: str) -> tuple[str, int]:
    """A grievance with an attachment; returns (tracking code, attachment id)."""
    with app.app_context():
        g = builders.lodge(area, category=category, description=STORY,
                           attachments=(svc.AttachmentIn("slip.png", "image/png", PNG),))
        att = db.session.scalar(sa.select(Attachment.id).where(Attachment.grievance_id == g.id))
        return g.tracking_code, att


def resolved(app, world, area: str = BARIA, **kw) -> str:
    """A resolved grievance with a note and a resolution full of personal data."""
    with app.app_context():
        code = builders.lodge(area, description=STORY, **kw).tracking_code
        builders.act(world, "officer_baria", code, "acknowledge", note=NOTE)
        builders.act(world, "officer_baria", code, "start")
        builders.act(world, "officer_baria", code, "resolve", decision="upheld", resolution=RESOLUTION)
    return code


# ---------------------------------------------------------------- scope and sensitivity, every path


# Sensitive case (routed to the Gazipur district office) for those without the permission, even at that
# office; a plain case in Basan for the union next door and the supervisor of another upazila's... area.
OUT_OF_SIGHT = [
    ("corruption", BARIA, "officer_gazipur_plain"),
    ("corruption", BARIA, "officer_baria"),
    ("corruption", BARIA, "supervisor_sadar"),
    ("corruption", BARIA, "operator"),
    ("corruption", BARIA, "analyst"),
    ("corruption", BARIA, "facilitator"),
    ("payment", BASAN, "officer_baria"),
]


@pytest.mark.parametrize("category,area,who", OUT_OF_SIGHT)
def test_a_case_out_of_sight_stays_hidden_on_every_path(app, world, client_as, auth, client, category, area, who):
    code, att = lodge_with_slip(app, area, category)
    web = client_as(who)
    assert web.get(f"/cases/{code}").status_code == 404
    assert web.get(f"/cases/{code}/attachments/{att}").status_code == 404
    for query in ({"status": "all", "q": code}, {"status": "all"}, {"status": "all", "q": code[3:9]}):
        assert f'href="/cases/{code}"' not in web.get("/cases/", query_string=query).get_data(as_text=True)
    before = events(app, code)
    assert web.post(f"/cases/{code}/actions/acknowledge", data={"note": "x"}).status_code == 404

    headers = auth(who)
    r = client.get(f"/api/v1/grievances/{code}", headers=headers)
    assert r.status_code == 403
    listed = client.get("/api/v1/grievances", query_string={"area": area}, headers=headers)
    assert listed.status_code == 200 and code not in listed.get_data(as_text=True)
    for action in ("acknowledge", "transfer", "escalate", "appeal", "feedback"):
        r = client.post(f"/api/v1/grievances/{code}/actions", headers=headers,
                        json={"action": action, "note": "x", "office": "OFF-BD-UN-2870", "satisfied": True})
        assert r.status_code == 403, (action, r.get_json())
        assert not any(s in r.get_data(as_text=True) for s in SECRETS)
    assert events(app, code) == before


def test_the_sensitive_permission_opens_the_same_paths(app, world, client_as, auth, client):
    code, att = lodge_with_slip(app, BARIA, "corruption")
    web = client_as("officer_gazipur")
    assert STORY in web.get(f"/cases/{code}").get_data(as_text=True)
    assert web.get(f"/cases/{code}/attachments/{att}").status_code == 200
    assert code in web.get("/cases/", query_string={"q": code}).get_data(as_text=True)
    assert client.get(f"/api/v1/grievances/{code}", headers=auth("officer_gazipur")).status_code == 200


def test_caller_lookup_shows_only_the_callers_cases_the_operator_may_see(app, world, client_as):
    with app.app_context():
        plain = builders.lodge(BARIA).tracking_code
        sensitive = builders.lodge(BARIA, category="corruption", description=STORY).tracking_code
    op = client_as("operator")
    html = op.post("/operator/lookup", data={"phone": LOCAL}).get_data(as_text=True)
    assert display(plain) in html and display(sensitive) not in html
    call = op.post("/operator/calls", data={"phone": LOCAL}).headers["Location"]
    html = op.get(call).get_data(as_text=True)
    assert display(plain) in html and display(sensitive) not in html
    # Naming the hidden case's code when ending the call neither links it nor confirms that it exists.
    r = op.post(f"{call}/end", data={"outcome": "status_given", "grievance": sensitive})
    assert r.status_code == 400 and "Karim" not in r.get_data(as_text=True)
    admin = client_as("admin").post("/operator/lookup", data={"phone": LOCAL}).get_data(as_text=True)
    assert display(plain) in admin and display(sensitive) in admin


def test_an_operator_reads_back_the_code_of_a_sensitive_complaint_just_lodged(app, world, client_as):
    op = client_as("operator")
    page = op.get("/operator/lodge").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]+)"', page).group(1)
    r = op.post("/operator/lodge", data={
        "token": token, "programme": "OAA", "category": "corruption", "area_1": "BD-DIV-6",
        "area_2": builders.GAZIPUR, "area_3": builders.SADAR, "area_4": BARIA, "description": STORY,
        "name": NAME, "phone": LOCAL})
    assert r.status_code == 303
    code = r.headers["Location"].split("/operator/lodged/")[1].split("?")[0]
    shown = op.get(r.headers["Location"])
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert display(code) in html
    assert not any(s in html for s in SECRETS)
    # It stays out of the operator's sight everywhere else.
    assert op.get(f"/cases/{code}").status_code == 404


# ---------------------------------------------------------------- personal data for readers


@pytest.mark.parametrize("who", ["analyst", "facilitator"])
def test_the_case_page_shows_readers_the_case_but_not_the_complainant(app, world, client_as, who):
    code = builders.lodge_in(app, BARIA, description=STORY)
    html = client_as(who).get(f"/cases/{code}").get_data(as_text=True)
    assert STORY in html  # they may read the case itself
    for secret in (PHONE, LOCAL, DIGITS, NAME, "tel:"):
        assert secret not in html, secret
    officer = client_as("officer_baria").get(f"/cases/{code}").get_data(as_text=True)
    assert NAME in officer and PHONE in officer  # those who handle it can call back


def test_an_api_retry_does_not_reveal_what_happened_to_a_case_out_of_sight(app, world, client, auth):
    body = {"channel": "api", "programme": "OAA", "category": "corruption", "area": BARIA,
            "description": STORY, "external_ref": "MIS-77", "complainant": {"name": NAME, "phone": LOCAL}}
    first = client.post("/api/v1/grievances", json=body, headers=auth("operator"))
    assert first.status_code == 201
    code = first.get_json()["tracking_code"]
    assert first.get_json()["office"]["code"] == "OFF-BD-DIS-41" and first.get_json()["status"] == "received"
    with app.app_context():
        builders.act(world, "officer_gazipur", code, "acknowledge", note=NOTE)
        builders.act(world, "officer_gazipur", code, "start")
        builders.act(world, "officer_gazipur", code, "resolve", decision="upheld", resolution=RESOLUTION)
    again = client.post("/api/v1/grievances", json=body, headers=auth("operator"))
    assert again.status_code == 200
    answer = again.get_json()
    assert answer["tracking_code"] == code and answer["status"] == "resolved"  # what the track page says
    text = again.get_data(as_text=True)
    assert not any(s in text for s in SECRETS) and "Jamal" not in text
    assert "events" not in answer and "description" not in answer and "resolution" not in answer


# ---------------------------------------------------------------- public status: track, SMS, USSD


def test_sms_status_of_a_resolved_case_says_nothing_personal(app, world, client):
    code = resolved(app, world)
    body = urlencode({"from": "+8801812000000", "to": "21356", "text": f"STATUS {code}", "id": "ATXid_s1"})
    assert client.post(AT_SMS, data=body, content_type=FORM).status_code == 200
    with app.app_context():
        reply = db.session.scalar(sa.select(OutboxMessage.body).where(OutboxMessage.template == "sms_status"))
    assert reply.startswith(f"GRS {display(code)}: resolved")
    for secret in (*SECRETS, "suspended", "asked me"):
        assert secret not in reply, secret


def test_ussd_status_of_a_resolved_case_says_nothing_personal(app, world, client):
    code = resolved(app, world)
    form = {"sessionId": "ATUid_sec", "serviceCode": "*384*333#", "phoneNumber": "+8801812000000",
            "networkCode": "47001"}
    client.post(AT_USSD, data={**form, "text": ""})
    client.post(AT_USSD, data={**form, "text": "2"})
    reply = client.post(AT_USSD, data={**form, "text": f"2*{code}"}).get_data(as_text=True)
    assert reply.startswith(f"END Complaint {display(code)}")
    for secret in (*SECRETS, "suspended", "Baria"):
        assert secret not in reply, secret


# ---------------------------------------------------------------- logs


@pytest.mark.config(SMS_PROVIDER="console", LOG_LEVEL="DEBUG")
def test_no_phone_number_name_or_complaint_text_reaches_the_logs(app, world, client, client_as, auth, caplog):
    caplog.set_level(logging.DEBUG)
    # Web lodge form, SMS (both providers), USSD, API and the operator console.
    client.post("/grievances/new", data={
        "programme": "OAA", "category": "payment", "description": STORY, "name": NAME, "phone": LOCAL,
        "area_1": "BD-DIV-6", "area_2": "BD-DIS-41", "area_3": "BD-UPZ-320", "area_4": BARIA})
    client.post(AT_SMS, data=urlencode({"from": PHONE, "to": "21356", "text": f"{STORY} Baria", "id": "ATXid_l1"}),
                content_type=FORM)
    client.post(AT_SMS, data=urlencode({"from": PHONE, "to": "21356", "text": "STATUS 123456789012",
                                        "id": "ATXid_l2"}), content_type=FORM)
    form = {"sessionId": "ATUid_log", "serviceCode": "*384*333#", "phoneNumber": PHONE, "networkCode": "47001"}
    for text in ("", "1", "1*1", "1*1*3", "1*1*3*2", "1*1*3*2*1", "1*1*3*2*1*1", f"1*1*3*2*1*1*{STORY}",
                 f"1*1*3*2*1*1*{STORY}*1"):
        client.post(AT_USSD, data={**form, "text": text})
    token = auth("operator")
    r = client.post("/api/v1/grievances", headers=token, json={
        "channel": "api", "programme": "OAA", "category": "payment", "area": BARIA, "description": STORY,
        "complainant": {"name": NAME, "phone": LOCAL}})
    code = r.get_json()["tracking_code"]
    client.post("/api/v1/grievances", headers=token, json={"channel": "api", "complainant": {"phone": "12"}})
    op = client_as("operator")
    op.post("/operator/lookup", data={"phone": LOCAL})
    op.post("/operator/calls", data={"phone": LOCAL})
    officer = client_as("officer_baria")
    officer.post(f"/cases/{code}/actions/request_info", data={"note": NOTE})
    client.post("/login", data={"email": "nobody@test.grs", "password": "Rahima-secret"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)) >= 4
        dispatch(utcnow())
    logged = caplog.text
    assert "lodged grievance" in logged and "sent by console" in logged  # the flows did log
    for secret in (*SECRETS, STORY[:30], "asked me for", "Rahima-secret", token["Authorization"][7:],
                   "at-test-key"):
        assert secret not in logged, secret


@pytest.mark.both_backends
def test_a_database_error_does_not_carry_the_values_into_the_message(app):
    with app.app_context():
        with pytest.raises(sa.exc.DBAPIError) as failed:
            db.session.execute(sa.text("SELECT no_such_column FROM grievances WHERE tracking_code = :p"),
                               {"p": PHONE})
        db.session.rollback()
    assert PHONE not in str(failed.value)  # the 500 handler logs this message


# ---------------------------------------------------------------- CSRF, sessions, rate limits, downloads


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_citizen_and_console_forms_need_the_csrf_token_and_hooks_do_not(app, world, client, client_as):
    r = client.post("/grievances/new", data={
        "programme": "OAA", "category": "payment", "description": STORY, "area_1": "BD-DIV-6",
        "area_2": "BD-DIS-41", "area_3": "BD-UPZ-320", "area_4": BARIA})
    assert r.status_code == 400
    op = client_as("operator")
    assert op.post("/operator/lookup", data={"phone": LOCAL}).status_code == 400
    call = op.post("/operator/calls", data={"phone": LOCAL})
    assert call.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)) == 0
    # Providers cannot send our token: their hooks authenticate themselves instead.
    r = client.post(AT_SMS, data=urlencode({"from": PHONE, "to": "21356", "text": STORY, "id": "ATXid_c1"}),
                    content_type=FORM)
    assert r.status_code == 200
    r = client.post(AT_USSD, data={"sessionId": "ATUid_c", "serviceCode": "*384*333#", "phoneNumber": PHONE,
                                   "networkCode": "47001", "text": ""})
    assert r.status_code == 200 and r.get_data(as_text=True).startswith("CON ")


def test_the_session_cookie_is_http_only_and_same_site(client, world):
    r = client.post("/login", data={"email": world.email("officer_baria"), "password": world.password})
    assert r.status_code == 302
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.config(LOGIN_RATE_LIMIT=3)
def test_sign_in_attempts_are_rate_limited(client, world):
    tries = [client.post("/login", data={"email": world.email("officer_baria"), "password": "guess"}).status_code
             for _ in range(4)]
    assert tries[:3] == [200, 200, 200] and tries[3] == 429


def test_an_attachment_downloads_as_a_file_that_the_browser_does_not_sniff(app, world, client_as):
    code, att = lodge_with_slip(app, BARIA, "payment")
    r = client_as("officer_baria").get(f"/cases/{code}/attachments/{att}")
    assert r.status_code == 200
    assert r.mimetype == "image/png"
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in r.headers["Cache-Control"]
