"""Delivery reports from both providers update the outbox row they are about, and nothing else."""
from __future__ import annotations

import os
from urllib.parse import parse_qsl

import sqlalchemy as sa
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from builders import T0
from grs.extensions import db
from grs.models import OutboxMessage

GOLDEN = os.path.join(os.path.dirname(os.path.dirname(__file__)), "golden", "sms")
FORM = "application/x-www-form-urlencoded"
AT_DELIVERY = "/hooks/sms/africastalking/delivery?key=at-test-key"
TWILIO_STATUS = "/hooks/sms/twilio/status"


def golden(name: str) -> str:
    with open(os.path.join(GOLDEN, name), encoding="utf-8") as fh:
        return fh.read().strip()


def sent_row(app, provider: str, message_id: str) -> int:
    """An outbox row the dispatcher has handed to `provider`, which called it `message_id`."""
    with app.app_context():
        msg = OutboxMessage(medium="sms", recipient="+8801712345678", template="receipt", language="en",
                            body="GRS: complaint received.", status="sent", attempts=1, next_attempt_at=T0,
                            provider=provider, provider_message_id=message_id, sent_at=T0, created_at=T0)
        db.session.add(msg)
        db.session.commit()
        return msg.id


def row(app, row_id: int) -> OutboxMessage:
    with app.app_context():
        msg = db.session.get(OutboxMessage, row_id)
        db.session.expunge(msg)
        return msg


def twilio_post(client, body: str, token: str = "twilio-test-token"):
    url = "https://grs.example.org" + TWILIO_STATUS
    signature = RequestValidator(token).compute_signature(url, MultiDict(parse_qsl(body, keep_blank_values=True)))
    return client.post(TWILIO_STATUS, data=body, content_type=FORM, headers={"X-Twilio-Signature": signature})


def test_africastalking_success_report_marks_the_message_delivered(app, client):
    row_id = sent_row(app, "africastalking", "ATXid_delivered_0001")
    for _ in range(3):  # repeats are harmless
        r = client.post(AT_DELIVERY, data=golden("africastalking_delivery_success.form"), content_type=FORM)
        assert r.status_code == 200 and r.get_json()["known"] is True
    msg = row(app, row_id)
    assert msg.status == "delivered" and msg.delivered_at is not None


def test_africastalking_failure_report_keeps_the_reason(app, client):
    row_id = sent_row(app, "africastalking", "ATXid_failed_0002")
    r = client.post(AT_DELIVERY, data=golden("africastalking_delivery_failed.form"), content_type=FORM)
    assert r.status_code == 200
    msg = row(app, row_id)
    assert msg.status == "failed"
    assert msg.last_error == "africastalking delivery report: Failed (AbsentSubscriber)"
    assert msg.delivered_at is None


def test_africastalking_intermediate_status_changes_nothing(app, client):
    row_id = sent_row(app, "africastalking", "ATXid_buffered")
    client.post(AT_DELIVERY, data="id=ATXid_buffered&status=Buffered&phoneNumber=%2B8801712345678&networkCode=47001",
                content_type=FORM)
    assert row(app, row_id).status == "sent"


def test_a_late_failure_after_delivery_does_not_undo_it(app, client):
    row_id = sent_row(app, "africastalking", "ATXid_delivered_0001")
    client.post(AT_DELIVERY, data=golden("africastalking_delivery_success.form"), content_type=FORM)
    client.post(AT_DELIVERY, data=golden("africastalking_delivery_success.form").replace("Success", "Failed"),
                content_type=FORM)
    assert row(app, row_id).status == "delivered"


def test_unknown_ids_answer_200_and_change_nothing(app, client):
    row_id = sent_row(app, "africastalking", "ATXid_other")
    r = client.post(AT_DELIVERY, data=golden("africastalking_delivery_success.form"), content_type=FORM)
    assert r.status_code == 200 and r.get_json()["known"] is False
    assert row(app, row_id).status == "sent"
    # The same id from the other provider is not this row either.
    r = twilio_post(client, "MessageSid=ATXid_other&MessageStatus=delivered")
    assert r.status_code == 200 and row(app, row_id).status == "sent"


def test_africastalking_delivery_needs_the_key(app, client):
    row_id = sent_row(app, "africastalking", "ATXid_delivered_0001")
    r = client.post("/hooks/sms/africastalking/delivery?key=nope", data=golden("africastalking_delivery_success.form"),
                    content_type=FORM)
    assert r.status_code == 403
    assert row(app, row_id).status == "sent"


def test_twilio_delivered_status_marks_the_message_delivered(app, client):
    row_id = sent_row(app, "twilio", "SMd7c3e1f0a9b84c2e8f6a4b2c0e9d7f51")
    r = twilio_post(client, golden("twilio_status_delivered.form"))
    assert r.status_code == 200
    msg = row(app, row_id)
    assert msg.status == "delivered" and msg.delivered_at is not None


def test_twilio_undelivered_status_keeps_the_error_code(app, client):
    row_id = sent_row(app, "twilio", "SMe1a2b3c4d5e6f708192a3b4c5d6e7f80")
    twilio_post(client, golden("twilio_status_undelivered.form"))
    msg = row(app, row_id)
    assert (msg.status, msg.last_error) == ("failed", "twilio delivery report: undelivered (error 30003)")


def test_twilio_status_with_a_forged_signature_is_refused(app, client):
    row_id = sent_row(app, "twilio", "SMd7c3e1f0a9b84c2e8f6a4b2c0e9d7f51")
    r = twilio_post(client, golden("twilio_status_delivered.form"), token="forged")
    assert r.status_code == 403
    assert row(app, row_id).status == "sent"


def test_every_golden_delivery_report_is_answered_200(app, client):
    names = [n for n in os.listdir(GOLDEN) if "delivery" in n or "status" in n]
    assert len(names) == 4
    for name in names:
        if name.startswith("twilio"):
            r = twilio_post(client, golden(name))
        else:
            r = client.post(AT_DELIVERY, data=golden(name), content_type=FORM)
        assert r.status_code == 200, name
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
