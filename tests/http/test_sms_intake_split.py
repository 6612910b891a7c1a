"""The Africa's Talking SMS webhook under the intake split: it answers 2xx only once the message is stored
(committed, seen by another connection), a retry is the same row, the worker makes the complaint under the
code reserved at recording, /readyz counts what waits and what failed; Twilio still answers inline."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
import sqlalchemy as sa
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

import builders
from channels.sms import intake
from grs.extensions import db
from grs.models import Grievance, InboundMessage, OutboxMessage
from grs.services import history
from grs.tracking import display

pytestmark = [pytest.mark.both_backends, pytest.mark.no_intake_worker]

AT_URL = "/hooks/sms/africastalking?key=at-test-key"
FORM = "application/x-www-form-urlencoded"
RAHIMA = "+8801712345678"
COMPLAINT = "আমার বয়স্ক ভাতার টাকা পাইনি। বাড়ীয়া ইউনিয়ন"


def at_post(client, text: str = COMPLAINT, *, msg_id: str = "ATXsplit_1", sender: str = RAHIMA):
    body = urlencode({"from": sender, "to": "21356", "text": text, "date": "2026-03-01 10:00:00",
                      "id": msg_id, "linkId": ""})
    return client.post(AT_URL, data=body, content_type=FORM)


def stored_elsewhere(app) -> list[tuple]:
    """What another connection (another process) reads of inbound_messages: committed rows only."""
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT provider_message_id, status, tracking_code FROM inbound_messages"
                                        " ORDER BY id")).all()
    finally:
        engine.dispose()


def sms_grievances(app) -> list[tuple[str, int]]:
    with app.app_context():
        return db.session.execute(sa.select(Grievance.tracking_code, Grievance.id)
                                  .where(Grievance.channel == "sms")).all()


@pytest.mark.committing_db
def test_the_2xx_comes_after_the_message_is_committed_and_before_any_grievance(app, client, world):
    r = at_post(client)
    assert r.status_code == 200 and r.get_json() == {"received": True, "duplicate": False}
    [(msg_id, status, code)] = stored_elsewhere(app)  # committed: another process sees it
    assert (msg_id, status) == ("ATXsplit_1", "pending") and len(code) == 12
    assert sms_grievances(app) == []
    assert builders.run_intake_worker(app) == 1
    [(g_code, _)] = sms_grievances(app)
    assert g_code == code
    assert stored_elsewhere(app) == [("ATXsplit_1", "done", code)]


def test_a_message_that_cannot_be_stored_gets_no_2xx(app, client, world, monkeypatch):
    def fails(*args, **kw):
        raise sa.exc.OperationalError("INSERT", {}, Exception("could not write"))

    monkeypatch.setattr(intake, "record", fails)
    r = at_post(client)
    assert r.status_code >= 500  # the provider delivers it again


def test_a_provider_retry_is_one_row_and_one_grievance_answered_as_the_first_time(app, client, world):
    first = at_post(client)
    again = at_post(client)
    assert first.status_code == again.status_code == 200 and again.get_json()["duplicate"] is True
    builders.run_intake_worker(app)
    late = at_post(client)  # after the worker handled it
    assert late.status_code == 200 and late.get_json() == {"received": True, "duplicate": True}
    builders.run_intake_worker(app)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 1
        receipts = db.session.scalars(sa.select(OutboxMessage.body).where(OutboxMessage.template == "receipt")).all()
    [(code, _)] = sms_grievances(app)
    assert len(receipts) == 1 and display(code) in receipts[0]


def test_a_complaint_then_status_of_its_code_in_one_batch(app, client, world):
    at_post(client)
    with app.app_context():
        code = db.session.scalar(sa.select(InboundMessage.tracking_code))
    at_post(client, f"STATUS {code}", msg_id="ATXsplit_2")
    assert builders.run_intake_worker(app) == 2
    with app.app_context():
        status = db.session.scalar(sa.select(InboundMessage).where(InboundMessage.provider_message_id == "ATXsplit_2"))
        assert status.command == "status" and display(code) in status.reply
        assert status.grievance_id == db.session.scalar(sa.select(Grievance.id).where(Grievance.tracking_code == code))


def test_readiness_counts_messages_waiting_and_failed(app, client, world, monkeypatch):
    at_post(client, "this one breaks", msg_id="ATXsplit_bad")
    at_post(client, msg_id="ATXsplit_ok")
    ready = client.get("/readyz").get_json()
    assert (ready["inbound_pending"], ready["inbound_failed"]) == (2, 0)
    real = history.chain  # (lodging one by one and in a batch both chain events here)

    def breaks(g, *args, **kw):
        if "breaks" in g.description:
            raise RuntimeError("handler bug")
        return real(g, *args, **kw)

    monkeypatch.setattr(history, "chain", breaks)
    builders.run_intake_worker(app)
    ready = client.get("/readyz").get_json()
    assert (ready["inbound_pending"], ready["inbound_failed"], ready["inbound_late_seconds"]) == (0, 1, 0)
    with app.app_context():
        bad = db.session.scalar(sa.select(InboundMessage).where(InboundMessage.provider_message_id == "ATXsplit_bad"))
        assert bad.status == "failed" and "RuntimeError: handler bug" in bad.error


def test_twilio_still_lodges_in_the_request_and_answers_with_the_receipt(app, client, world):
    body = urlencode({"MessageSid": "SMsplit1", "From": RAHIMA, "To": "+15005550006", "Body": COMPLAINT})
    url = "https://grs.example.org/hooks/sms/twilio"
    signature = RequestValidator("twilio-test-token").compute_signature(url, MultiDict(parse_qsl(body)))
    r = client.post("/hooks/sms/twilio", data=body, content_type=FORM, headers={"X-Twilio-Signature": signature})
    assert r.status_code == 200
    [(code, _)] = sms_grievances(app)
    assert display(code) in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(InboundMessage.status)) == "done"
