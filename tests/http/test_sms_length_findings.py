"""Issue 11, finding 11: no silent truncation of an inbound SMS. Provider message ids are told apart whole
(two ids sharing their first 120 characters are two messages), and a text longer than a grievance holds
(the web form's limit, services.MAX_DESCRIPTION) is not cut: the sender is told, nothing half is lodged."""
from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa

from grs.extensions import db
from grs.models import Grievance, InboundMessage, OutboxMessage
from grs.segments import measure
from grs.services import MAX_DESCRIPTION

AT_URL = "/hooks/sms/africastalking?key=at-test-key"
FORM = "application/x-www-form-urlencoded"
RAHIMA = "+8801712345678"
SHARED = "ATXid_" + "7" * 114  # 120 characters two different ids begin with


def at_post(client, text: str, *, msg_id: str, sender: str = RAHIMA):
    body = urlencode({"from": sender, "to": "21356", "text": text, "date": "2026-03-01 10:00:00", "id": msg_id})
    return client.post(AT_URL, data=body, content_type=FORM)


def rows(app, model, *where):
    with app.app_context():
        found = db.session.scalars(sa.select(model).where(*where).order_by(model.id)).all()
        db.session.expunge_all()
        return found


def test_ids_sharing_their_first_120_characters_are_two_messages(app, world, client):
    first = at_post(client, "My allowance was not paid in Baria.", msg_id=SHARED + "-a")
    second = at_post(client, "The agent took 200 taka from my allowance.", msg_id=SHARED + "-b")
    assert first.get_json() == {"received": True, "duplicate": False}
    assert second.get_json() == {"received": True, "duplicate": False}, "a different id was dropped as a duplicate"
    assert len(rows(app, InboundMessage)) == 2
    assert sorted(g.description for g in rows(app, Grievance)) == [
        "My allowance was not paid in Baria.", "The agent took 200 taka from my allowance."]
    # A provider's retry of the same (long) id is still one message.
    again = at_post(client, "The agent took 200 taka from my allowance.", msg_id=SHARED + "-b")
    assert again.get_json()["duplicate"] is True
    assert len(rows(app, InboundMessage)) == 2 and len(rows(app, Grievance)) == 2


def test_an_id_that_looks_like_a_stored_digest_is_not_mistaken_for_one(app, world, client):
    at_post(client, "My allowance was not paid in Baria.", msg_id=SHARED + "-a")
    [stored] = rows(app, InboundMessage)
    forged = at_post(client, "Another complaint about the agent.", msg_id=stored.provider_message_id)
    assert forged.get_json()["duplicate"] is False
    assert len(rows(app, Grievance)) == 2


def test_a_text_longer_than_a_grievance_holds_is_not_cut_and_the_sender_is_told(app, world, client):
    text = ("The payment agent deducted money from my allowance again. " * 200)[:10_000]
    r = at_post(client, text, msg_id="ATXid_long")
    assert r.status_code == 200
    assert rows(app, Grievance) == [], "a 10,000-character SMS became a shorter grievance"
    [inbound] = rows(app, InboundMessage)
    assert inbound.text == text and inbound.command == "too_long"  # kept whole, for the record
    [reply] = rows(app, OutboxMessage, OutboxMessage.recipient == RAHIMA)
    assert reply.template == "sms_too_long"
    assert f"{len(text)}" in reply.body and f"{MAX_DESCRIPTION}" in reply.body
    assert measure(reply.body)[1] == 1


def test_a_text_at_the_limit_is_lodged_whole(app, world, client):
    text = ("My old age allowance has not been paid for two instalments. " * 100)[:MAX_DESCRIPTION]
    at_post(client, text, msg_id="ATXid_limit")
    [g] = rows(app, Grievance)
    assert g.description == text.strip()


def test_the_bangla_reply_fits_two_segments(app, world, client):
    text = ("আমার বয়স্ক ভাতা দেওয়া হয়নি। " * 400)[:MAX_DESCRIPTION + 1]
    at_post(client, text, msg_id="ATXid_long_bn")
    [reply] = rows(app, OutboxMessage, OutboxMessage.recipient == RAHIMA)
    assert reply.template == "sms_too_long" and reply.language == "bn"
    assert measure(reply.body)[1] <= 2
    limit = f"{MAX_DESCRIPTION}"
    assert limit in reply.body or limit.translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")) in reply.body
