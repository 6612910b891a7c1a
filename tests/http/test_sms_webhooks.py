"""Inbound SMS webhooks of both providers: authentication, golden payloads, commands, replies, retries."""
from __future__ import annotations

import os
from urllib.parse import parse_qsl, urlencode

import pytest
import sqlalchemy as sa
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

import builders
from channels import gateways
from channels.outbox import dispatch
from grs.extensions import db
from grs.models import Grievance, InboundMessage, OutboxMessage, PhoneContact
from grs.timeutil import utcnow
from grs.tracking import display

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

GOLDEN = os.path.join(os.path.dirname(os.path.dirname(__file__)), "golden", "sms")
AT_URL = "/hooks/sms/africastalking?key=at-test-key"
TWILIO_PATH = "/hooks/sms/twilio"
FORM = "application/x-www-form-urlencoded"
RAHIMA = "+8801712345678"  # builders' default complainant phone


def golden(name: str) -> str:
    with open(os.path.join(GOLDEN, name), encoding="utf-8") as fh:
        return fh.read().strip()


def at_post(client, text: str, *, sender: str = RAHIMA, msg_id: str = "ATXid_1", url: str = AT_URL):
    body = urlencode({"from": sender, "to": "21356", "text": text, "date": "2026-03-01 10:00:00",
                      "id": msg_id, "linkId": ""})
    return client.post(url, data=body, content_type=FORM)


def twilio_post(client, body: str, *, url: str = "https://grs.example.org" + TWILIO_PATH,
                path: str = TWILIO_PATH, token: str = "twilio-test-token", **kw):
    """POST a form to a Twilio hook, signed the way Twilio signs it for `url`."""
    signature = RequestValidator(token).compute_signature(url, MultiDict(parse_qsl(body, keep_blank_values=True)))
    return client.post(path, data=body, content_type=FORM, headers={"X-Twilio-Signature": signature}, **kw)


def outbox_rows(app, template: str | None = None, recipient: str | None = None) -> list[OutboxMessage]:
    with app.app_context():
        q = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        if template:
            q = q.where(OutboxMessage.template == template)
        if recipient:
            q = q.where(OutboxMessage.recipient == recipient)
        rows = db.session.scalars(q).all()
        db.session.expunge_all()
        return rows


def grievances(app) -> list[Grievance]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Grievance).options(sa.orm.joinedload(Grievance.area),
                                                              sa.orm.joinedload(Grievance.office),
                                                              sa.orm.joinedload(Grievance.programme),
                                                              sa.orm.joinedload(Grievance.category))).unique().all()
        db.session.expunge_all()
        return rows


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# ---------------------------------------------------------------- Africa's Talking: authentication


@pytest.mark.parametrize("url", ["/hooks/sms/africastalking", "/hooks/sms/africastalking?key=wrong",
                                 "/hooks/sms/africastalking?key="])
def test_africastalking_refuses_a_missing_or_wrong_key(app, client, world, url):
    r = client.post(url, data=golden("africastalking_inbound.form"), content_type=FORM)
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "forbidden"
    assert count(app, Grievance) == 0 and count(app, InboundMessage) == 0


@pytest.mark.config(AT_CALLBACK_KEY="")
def test_africastalking_refuses_everything_when_no_key_is_configured(app, client, world):
    r = client.post("/hooks/sms/africastalking?key=", data=golden("africastalking_inbound.form"),
                    content_type=FORM)
    assert r.status_code == 403
    assert count(app, Grievance) == 0


def test_africastalking_payload_without_id_is_a_400_not_a_500(app, client, world):
    r = client.post(AT_URL, data="text=hello&from=%2B8801712345678", content_type=FORM)
    assert r.status_code == 400
    assert r.get_json()["error"]["fields"] == {"id": "Required."}


# ---------------------------------------------------------------- Africa's Talking: lodging


def test_golden_africastalking_sms_lodges_a_grievance_in_the_named_union_and_queues_a_receipt(app, client, world):
    r = client.post(AT_URL, data=golden("africastalking_inbound.form"), content_type=FORM)
    assert r.status_code == 200
    [g] = grievances(app)
    assert g.channel == "sms"
    assert g.source_ref == "africastalking:ATXid_4fb8bd3e7f6d0c7b3e8a1f2d9c1b0a77"
    assert g.description.startswith("My old age allowance was not paid")
    assert g.area.code == builders.BASAN and g.office.code == "OFF-BD-UN-2870"
    assert (g.programme.code, g.category.code) == ("OAA", "payment")
    assert g.language == "en"
    [receipt] = outbox_rows(app, "receipt")
    assert receipt.recipient == RAHIMA
    assert display(g.tracking_code) in receipt.body and receipt.encoding == "GSM-7"


def test_posting_the_same_africastalking_message_five_times_makes_one_grievance_and_one_receipt(app, client, world):
    for _ in range(5):
        r = client.post(AT_URL, data=golden("africastalking_inbound.form"), content_type=FORM)
        assert r.status_code == 200
    assert count(app, Grievance) == 1
    assert count(app, InboundMessage) == 1
    assert len(outbox_rows(app, "receipt")) == 1
    with app.app_context():
        dispatch(utcnow())
        texts = gateways.fake(app).to(RAHIMA)
    assert len(texts) == 1 and "complaint received" in texts[0]


def test_bangla_sms_gets_a_bangla_receipt_and_finds_the_union_by_its_bangla_name(app, client, world):
    r = client.post(AT_URL, data=golden("africastalking_inbound_bn.form"), content_type=FORM)
    assert r.status_code == 200
    [g] = grievances(app)
    assert g.language == "bn"
    assert g.area.code == builders.BARIA
    [receipt] = outbox_rows(app, "receipt")
    assert receipt.language == "bn" and receipt.encoding == "UCS-2"
    assert "অভিযোগ গৃহীত" in receipt.body


def test_sms_without_a_place_goes_to_the_senders_last_known_area(app, client, world):
    with app.app_context():
        # an operator took the same person's call: the phone's area is remembered (a web form naming a
        # phone would not be: tests/http/test_person_records.py)
        builders.lodge(builders.BARMI, phone="01712345678", now=utcnow(), channel="operator", phone_verified=True)
    at_post(client, "Still no money for my mother", msg_id="ATXid_later")
    sms = [g for g in grievances(app) if g.channel == "sms"]
    assert [g.area.code for g in sms] == [builders.BARMI]


def test_sms_from_an_unknown_number_naming_no_place_waits_in_triage(app, client, world):
    # (an agent who took money is corruption since issue 12: sensitive, it goes to the national cell, not triage)
    at_post(client, "My allowance of 500 taka was not paid this quarter", sender="+8801555123456")
    [g] = grievances(app)
    assert g.area is None and g.office is None and g.status == "received"
    assert g.category.code == "payment"


def test_empty_sms_gets_help_instead_of_a_grievance(app, client, world):
    at_post(client, "   ")
    assert count(app, Grievance) == 0
    [help_] = outbox_rows(app, "sms_help")
    assert "STATUS" in help_.body


def test_alphanumeric_sender_is_recorded_but_never_answered(app, client, world):
    r = at_post(client, "Recharge now and win!", sender="Grameenphone")
    assert r.status_code == 200
    assert count(app, Grievance) == 0 and outbox_rows(app) == []
    with app.app_context():
        assert db.session.scalar(sa.select(InboundMessage.command)) == "ignored"


# ---------------------------------------------------------------- commands


def _resolved(app, world, phone="01712345678"):
    with app.app_context():
        now = utcnow()
        g = builders.lodge(builders.BARIA, phone=phone, now=now)
        builders.act(world, "officer_baria", g.tracking_code, "resolve", decision="upheld",
                     resolution="The missed payment was made.", now=now)
        return g.tracking_code


def _status_of(app, code):
    with app.app_context():
        return db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))


def test_status_command_replies_with_the_status_in_words(app, client, world):
    with app.app_context():
        code = builders.lodge(builders.BARIA, now=utcnow()).tracking_code
    at_post(client, f"status {display(code)}", sender="+8801812000000")
    [reply] = outbox_rows(app, "sms_status")
    assert reply.recipient == "+8801812000000"
    assert reply.body.startswith(f"GRS {display(code)}: received at Baria Union Parishad GRS.")
    assert count(app, Grievance) == 1  # a command is not a complaint


def test_bangla_status_keyword_and_bangla_digits_get_a_bangla_answer(app, client, world):
    with app.app_context():
        code = builders.lodge(builders.BARIA, now=utcnow()).tracking_code
    bangla_code = code.translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
    # A neighbour's phone, with no language stored: the Bangla script of the message decides.
    at_post(client, f"অবস্থা {bangla_code}", sender="+8801812345678")
    [reply] = outbox_rows(app, "sms_status")
    assert reply.language == "bn" and "গৃহীত" in reply.body


def test_status_with_a_mistyped_code_asks_to_check_the_code(app, client, world):
    at_post(client, "STATUS 1234 5678 9012")
    [reply] = outbox_rows(app, "sms_bad_code")
    assert "12-digit code" in reply.body


def test_yes_from_the_complainant_closes_the_grievance(app, client, world):
    code = _resolved(app, world)
    at_post(client, f"YES {code}")
    g = _status_of(app, code)
    assert g.status == "closed" and g.satisfied is True
    assert [m.recipient for m in outbox_rows(app, "closed")] == [RAHIMA]


def test_no_from_the_complainant_opens_an_appeal_one_tier_up(app, client, world):
    code = _resolved(app, world)
    at_post(client, f"no {display(code)}")
    g = _status_of(app, code)
    assert g.status == "received" and g.appeal_count == 1 and g.satisfied is False
    assert g.office_id is not None and g.level == "upazila"
    assert len(outbox_rows(app, "appeal_opened")) == 1


def test_yes_or_no_from_another_phone_changes_nothing_and_reveals_nothing(app, client, world):
    code = _resolved(app, world)
    at_post(client, f"NO {code}", sender="+8801812000000")
    assert _status_of(app, code).status == "resolved"
    [reply] = outbox_rows(app, "sms_not_found")
    assert reply.recipient == "+8801812000000"


def test_yes_on_an_open_grievance_is_refused_politely(app, client, world):
    with app.app_context():
        code = builders.lodge(builders.BARIA, now=utcnow()).tracking_code
    at_post(client, f"YES {code}")
    assert _status_of(app, code).status == "received"
    [reply] = outbox_rows(app, "sms_answer_refused")
    assert "still open" in reply.body


def test_a_complaint_starting_with_no_is_a_complaint(app, client, world):
    at_post(client, "No payment for three months in Basan")
    [g] = grievances(app)
    assert g.description == "No payment for three months in Basan"


def test_stop_opts_the_number_out_and_nothing_more_is_sent_to_it(app, client, world):
    code = _resolved(app, world)
    at_post(client, "STOP", msg_id="ATXid_stop")
    with app.app_context():
        assert db.session.get(PhoneContact, RAHIMA).opted_out_at is not None
    at_post(client, f"YES {code}", msg_id="ATXid_yes")  # still acts, but no "closed" message is queued
    assert _status_of(app, code).status == "closed"
    at_post(client, "Another complaint from me in Baria", msg_id="ATXid_new")
    with app.app_context():
        dispatch(utcnow())
        assert gateways.fake(app).to(RAHIMA) == []  # the "resolved" queued before STOP is suppressed too
        rows = [(m.template, m.status) for m in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.recipient == RAHIMA).order_by(OutboxMessage.id))]
    # Queued before the STOP and suppressed at send time; nothing at all queued after it.
    assert rows == [("receipt", "suppressed"), ("resolved", "suppressed")]


def test_start_opts_back_in_and_says_so(app, client, world):
    at_post(client, "STOP", msg_id="ATXid_stop")
    at_post(client, "start", msg_id="ATXid_start")
    with app.app_context():
        assert db.session.get(PhoneContact, RAHIMA).opted_out_at is None
    [reply] = outbox_rows(app, "sms_subscribed")
    assert reply.recipient == RAHIMA


# ---------------------------------------------------------------- Twilio


def test_golden_twilio_sms_is_answered_with_a_twiml_receipt_and_nothing_queued(app, client, world):
    r = twilio_post(client, golden("twilio_inbound.form"))
    assert r.status_code == 200
    assert r.mimetype == "application/xml"
    [g] = grievances(app)
    assert g.source_ref == "twilio:SM8f2a4c9e1b7d3f5a6c0e2b4d6f8a1c3e"
    assert g.area.code == builders.BARMI and g.programme.code == "WA"
    xml = r.get_data(as_text=True)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>GRS: complaint received.')
    assert display(g.tracking_code) in xml
    assert outbox_rows(app, "receipt") == []  # the TwiML reply is the receipt


def test_twilio_retry_makes_nothing_new_and_no_second_reply(app, client, world):
    twilio_post(client, golden("twilio_inbound.form"))
    again = twilio_post(client, golden("twilio_inbound.form"))
    assert again.status_code == 200
    assert "<Message>" not in again.get_data(as_text=True)
    assert count(app, Grievance) == 1 and count(app, InboundMessage) == 1


def test_twilio_forged_signature_is_refused(app, client, world):
    r = twilio_post(client, golden("twilio_inbound.form"), token="not-the-auth-token")
    assert r.status_code == 403
    assert count(app, Grievance) == 0


def test_twilio_unsigned_request_is_refused(app, client, world):
    r = client.post(TWILIO_PATH, data=golden("twilio_inbound.form"), content_type=FORM)
    assert r.status_code == 403


def test_twilio_tampered_body_is_refused(app, client, world):
    body = golden("twilio_inbound.form")
    signature = RequestValidator("twilio-test-token").compute_signature(
        "https://grs.example.org" + TWILIO_PATH, MultiDict(parse_qsl(body, keep_blank_values=True)))
    r = client.post(TWILIO_PATH, data=body.replace("Barmi", "Basan"), content_type=FORM,
                    headers={"X-Twilio-Signature": signature})
    assert r.status_code == 403


def test_twilio_signature_checks_out_behind_a_tls_proxy(app, client, world):
    # The app sees http://127.0.0.1:8000/...; Twilio signed https://grs.example.org/... (PUBLIC_URL).
    r = twilio_post(client, golden("twilio_inbound.form"), base_url="http://127.0.0.1:8000")
    assert r.status_code == 200
    assert count(app, Grievance) == 1


def test_twilio_signature_for_the_internal_url_is_refused_when_public_url_is_set(app, client, world):
    r = twilio_post(client, golden("twilio_inbound.form"), url="http://127.0.0.1:8000" + TWILIO_PATH,
                    base_url="http://127.0.0.1:8000")
    assert r.status_code == 403


@pytest.mark.config(PUBLIC_URL="")
def test_twilio_signature_uses_the_request_url_without_public_url(app, client, world):
    r = twilio_post(client, golden("twilio_inbound.form"), url="http://localhost" + TWILIO_PATH)
    assert r.status_code == 200


@pytest.mark.config(TWILIO_AUTH_TOKEN="")
def test_twilio_hook_refuses_everything_without_an_auth_token(app, client, world):
    r = twilio_post(client, golden("twilio_inbound.form"), token="")
    assert r.status_code == 403


def test_twilio_status_command_replies_inline_in_bangla(app, client, world):
    with app.app_context():
        code = builders.lodge(builders.BARIA, now=utcnow()).tracking_code
    body = urlencode({"MessageSid": "SMstatus1", "From": "+8801812000000", "To": "+15005550006",
                      "Body": f"অবস্থা {code}", "AccountSid": "ACtest", "NumMedia": "0"})
    r = twilio_post(client, body)
    xml = r.get_data(as_text=True)
    assert "গৃহীত" in xml and display(code) in xml
    assert outbox_rows(app, "sms_status") == []


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.committing_db
def test_the_same_message_delivered_twice_at_once_makes_one_grievance(app, world):
    import threading

    barrier = threading.Barrier(3)
    codes = []

    def post():
        client = app.test_client()
        barrier.wait()
        codes.append(client.post(AT_URL, data=golden("africastalking_inbound.form"), content_type=FORM).status_code)

    threads = [threading.Thread(target=post) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200, 200, 200]
    assert count(app, Grievance) == 1 and count(app, InboundMessage) == 1
    assert len(outbox_rows(app, "receipt")) == 1


@pytest.mark.config(SMS_DEFAULT_PROGRAMME="NO-SUCH-PROGRAMME")
def test_a_complaint_that_cannot_be_lodged_is_recorded_and_answered_not_lost_in_a_500(app, client, world):
    r = at_post(client, "Nothing arrived this month")
    assert r.status_code == 200
    assert count(app, Grievance) == 0
    with app.app_context():
        assert db.session.scalar(sa.select(InboundMessage.command)) == "error"
    [reply] = outbox_rows(app, "sms_error")
    assert reply.recipient == RAHIMA
