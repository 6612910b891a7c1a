"""The intake worker's batch path (channels/sms/intake.py lodge_in_bulk, grs/services/lodging.py lodge_batch)
leaves what handling each message one by one leaves, row for row: the same grievances, complainants, phone
contacts, events (seq, hash chains), offices seen, receipts and office notices, webhook deliveries, counters
and inbound rows, for complaints routed, triaged and confidential, and for what the batch leaves to the one-by-one
path (commands, a second message of a sender, an answer to a question, a code taken meanwhile, a text too long)."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, T0
from channels.sms import intake
from channels.sms.service import InboundSms
from grs import statistics, tracking, webhooks
from grs.extensions import db
from grs.models import (Complainant, Event, Grievance, GrievanceOffice, InboundMessage, Office, OutboxMessage,
                        PhoneContact, StatContribution, WebhookDelivery)
from grs.services import lodging
from grs.services.history import verify_chains
from grs.uow import unit_of_work

pytestmark = [pytest.mark.both_backends, pytest.mark.no_intake_worker]  # bulk writes differ by backend

NOW = T0 + timedelta(hours=2)
BANGLA = "আমার বয়স্ক ভাতার টাকা পাইনি। বাড়ীয়া ইউনিয়ন"
ENGLISH = "My old age allowance was not paid for three months. Basan union"
NO_PLACE = "I did not get my allowance this quarter"
BRIBE = "The chairman asked me for a bribe to put my name on the list"


def phone(n: int) -> str:
    return f"+88017100000{n:02d}"


def record(msg_id: str, text: str, sender: str, *, now=T0) -> str | None:
    with unit_of_work() as uow:
        return intake.record(uow, InboundSms("africastalking", msg_id, sender, text), now=now).tracking_code


def scenario(world) -> dict:
    """Earlier complaints and contacts, then the messages the worker finds pending."""
    builders.run(webhooks.create, webhooks.SubscriptionIn("https://mis.example.org/grs", webhooks.EVENT_TYPES),
                 actor_id=None, now=T0)
    # A sender known from an SMS before (verified person record, contact with a last area and a language).
    record("AT-old-1", BANGLA, phone(1), now=T0 - timedelta(days=3))
    # A sender whose complaint waits for information from them: their next plain text is the answer.
    record("AT-old-2", ENGLISH, phone(2), now=T0 - timedelta(days=3))
    intake.work(once=True, now=T0 - timedelta(days=3))
    asked = db.session.scalar(sa.select(InboundMessage.grievance_id).where(InboundMessage.provider_message_id == "AT-old-2"))
    code = db.session.get(Grievance, asked).tracking_code
    builders.act(world, "officer_basan", code, "acknowledge", now=T0 - timedelta(days=2))
    builders.act(world, "officer_basan", code, "request_info", note="Your card number?", now=T0 - timedelta(days=2))
    # A number that said STOP.
    builders.run(lambda uow: uow.session.add(PhoneContact(phone=phone(3), opted_out_at=T0 - timedelta(days=9))))
    codes = {
        "bangla": record("AT-1", BANGLA, phone(4)),
        "english": record("AT-2", ENGLISH, phone(5)),
        "known_sender": record("AT-3", NO_PLACE, phone(1)),  # the area they named last time
        "triage": record("AT-4", NO_PLACE, phone(6)),
        "confidential": record("AT-5", BRIBE, phone(7)),  # no area: the national cell
        "opted_out": record("AT-6", ENGLISH, phone(3)),
        "answer": record("AT-7", "My card number is 12345", phone(2)),
        "twice_first": record("AT-8", ENGLISH, phone(8)),
        "twice_second": record("AT-9", BANGLA, phone(8)),
        "too_long": record("AT-10", "x " * 2100, phone(9)),
        "taken": record("AT-11", BANGLA, phone(10)),
        "status": record("AT-12", f"STATUS {code}", phone(11)),
        "stop": record("AT-13", "STOP", phone(12)),
    }
    for n in range(14, 30):  # more plain complaints, over several batches
        codes[f"more{n}"] = record(f"AT-{n}", (BANGLA, ENGLISH, NO_PLACE, BRIBE)[n % 4], phone(20 + n))
    # The code reserved for AT-11 taken by a complaint from another channel meanwhile: lodged under another.
    builders.lodge(BARIA, tracking_code=codes["taken"], now=T0 + timedelta(minutes=1))
    return codes


def snapshot() -> dict:
    """What the worker leaves, without ids and update stamps."""
    db.session.expire_all()
    code = {g.id: g.tracking_code for g in db.session.scalars(sa.select(Grievance))}
    office = dict(db.session.execute(sa.select(Office.id, Office.code)).all())
    person = {c.id: (c.phone, c.verified, c.name, c.sex, c.age_band, c.disability, c.beneficiary_id, c.language,
                     c.area_id) for c in db.session.scalars(sa.select(Complainant))}
    # (The version of a grievance acted on counts the ORM's flushes of it, which depend on what the unit of work
    # read before: compared for the grievances the worker lodged, whose rows are written once either way.)
    skip = {"id", "updated_at", "complainant_id", "version"}
    grievances = {g.tracking_code: {**{c.name: getattr(g, c.key) for c in Grievance.__table__.c if c.name not in skip},
                                    "complainant": person.get(g.complainant_id),
                                    "version": g.version if g.event_count <= 2 else None}
                  for g in db.session.scalars(sa.select(Grievance))}
    events = sorted((code[e.grievance_id], e.seq, e.type, e.at, e.actor_label, office.get(e.office_id), e.level,
                     e.status_from, e.status_to, e.note, repr(sorted((e.data or {}).items())), e.prev_hash, e.hash)
                    for e in db.session.scalars(sa.select(Event)))
    event_of = {e.id: (code[e.grievance_id], e.seq) for e in db.session.scalars(sa.select(Event))}
    outbox = sorted(((code.get(m.grievance_id), m.medium, m.recipient, m.template, m.language, m.body, m.dedupe_key,
                     m.encoding, m.segments, m.status, m.next_attempt_at, m.created_at)
                    for m in db.session.scalars(sa.select(OutboxMessage))), key=repr)
    body = dict(db.session.execute(sa.select(OutboxMessage.id, OutboxMessage.body)).all())
    deliveries = sorted((d.subscription_id, event_of[d.event_id], d.event_type, body[d.outbox_id], d.created_at)
                        for d in db.session.scalars(sa.select(WebhookDelivery)))
    links = sorted((code[r.grievance_id], office[r.office_id]) for r in db.session.scalars(sa.select(GrievanceOffice)))
    contributions = {code[r.grievance_id]: r.counts for r in db.session.scalars(sa.select(StatContribution))}
    inbound = sorted(((m.provider_message_id, m.status, m.command, code.get(m.grievance_id), m.reply, m.error,
                       m.tracking_code, m.attempts, m.processed_at)
                      for m in db.session.scalars(sa.select(InboundMessage))), key=repr)
    contacts = sorted(((c.phone, c.language, c.last_area_id, c.opted_out_at)
                       for c in db.session.scalars(sa.select(PhoneContact))), key=repr)
    return {"grievances": grievances, "people": sorted(person.values(), key=repr), "events": events,
            "outbox": outbox, "deliveries": deliveries, "offices": links, "counters": statistics.stored_counts(db.session),
            "contributions": contributions, "inbound": inbound, "contacts": contacts}


def both_ways(monkeypatch, **kw) -> tuple[dict, dict]:
    """The same pending messages handled one by one and in batches, from the same data: what each left."""
    def codes():  # the new code a complaint whose reserved code was taken gets: the same in both runs
        counter = itertools.count(1)
        monkeypatch.setattr(tracking, "new_code", lambda: f"9{next(counter):09d}"[:10])

    db.session.remove()
    # The test's connection, which every session of the test runs on (tests/conftest.py): a savepoint of our
    # own, out of SQLAlchemy's sight, takes the first run back (as tests/services/test_sweep_batch.py does).
    db.engine.exec_driver_sql("SAVEPOINT before_both_ways")
    try:
        codes()
        intake.work(once=True, now=NOW, batched=False, **kw)
        one_by_one = snapshot()
    finally:
        db.session.remove()
        db.engine.exec_driver_sql("ROLLBACK TO SAVEPOINT before_both_ways")
    codes()
    intake.work(once=True, now=NOW, **kw)
    return one_by_one, snapshot()


def assert_same(a: dict, b: dict) -> None:
    for part in a:
        if part == "grievances":
            assert set(a[part]) == set(b[part])
            for code in a[part]:
                assert a[part][code] == b[part][code], code
        assert a[part] == b[part], part


@pytest.mark.parametrize("batch", [5, 100])
def test_a_batch_lodges_what_one_by_one_lodges(ctx, world, monkeypatch, batch):
    codes = scenario(world)
    calls = []
    real = lodging.lodge_batch
    monkeypatch.setattr(lodging, "lodge_batch", lambda *a, **kw: calls.append(len(a[1])) or real(*a, **kw))
    one, batched = both_ways(monkeypatch, batch=batch)
    assert calls and max(calls) > 1  # (the batch path was taken, for several complaints at once)
    assert_same(one, batched)
    # And what that is, as a citizen and an office see it.
    inbound = {m[0]: m for m in batched["inbound"]}
    assert {m[1] for m in batched["inbound"]} == {"done"}
    g = batched["grievances"]
    assert g[codes["bangla"]]["level"] == "union" and g[codes["bangla"]]["language"] == "bn"
    assert g[codes["triage"]]["office_id"] is None and g[codes["triage"]]["ack_due_at"] is not None
    assert g[codes["confidential"]]["sensitive"] and g[codes["confidential"]]["level"] == "national"
    assert g[codes["known_sender"]]["area_id"] is not None  # the area they named before
    assert codes["taken"] not in {m[3] for m in batched["inbound"]} and inbound["AT-11"][3].startswith("9")
    assert inbound["AT-7"][2] == "info" and inbound["AT-10"][2] == "too_long" and inbound["AT-12"][2] == "status"
    receipts = {m[2] for m in batched["outbox"] if m[3] == "receipt"}
    assert phone(4) in receipts and phone(3) not in receipts
    assert sum(1 for m in batched["outbox"] if m[3] == "receipt" and m[2] == phone(8)) == 2
    assert batched["deliveries"] and any(m[3] == "case_arrived" for m in batched["outbox"])
    assert verify_chains()[2] == []
    assert statistics.stored_counts(db.session) == statistics.recount(db.session)


def test_a_batch_that_fails_is_lodged_one_by_one(ctx, world, monkeypatch):
    codes = scenario(world)

    def breaks(*args, **kw):
        raise RuntimeError("the batch writer fell over")

    monkeypatch.setattr(lodging, "lodge_batch", breaks)
    intake.work(once=True, now=NOW)
    db.session.expire_all()
    assert {m.status for m in db.session.scalars(sa.select(InboundMessage))} == {"done"}
    lodged = set(db.session.scalars(sa.select(Grievance.tracking_code).where(Grievance.channel == "sms")))
    assert {codes["bangla"], codes["confidential"], codes["more14"]} <= lodged
    assert statistics.stored_counts(db.session) == statistics.recount(db.session)


def test_a_complaint_already_lodged_is_not_lodged_again(ctx, world):
    codes = [record("AT-1", BANGLA, phone(4)), record("AT-2", ENGLISH, phone(5))]

    def lodge_claimed():
        with unit_of_work() as uow:
            rows = uow.session.scalars(sa.select(InboundMessage).order_by(InboundMessage.id)).all()
            return intake.lodge_in_bulk(uow, rows, now=NOW, reference=lodging.Reference())

    first = lodge_claimed()
    # The same rows again (a worker whose lease ran out while another lodged them): nothing new.
    again = lodge_claimed()
    assert len(first) == 2 and again == {}
    assert sorted(db.session.scalars(sa.select(Grievance.tracking_code))) == sorted(codes)


def test_the_batch_grows_while_it_fits_its_time_and_shrinks_when_it_does_not():
    cap = intake.BATCH_SECONDS
    assert intake.next_size(10, 10, cap / 2, 100) == 20  # a full batch in time: twice as many
    assert intake.next_size(80, 80, cap / 2, 100) == 100  # never more than the worker allows
    assert intake.next_size(20, 7, cap / 2, 100) == 20  # fewer were waiting: as it was
    assert intake.next_size(100, 100, cap * 2, 100) == 50  # twice too long: half
    assert intake.next_size(20, 20, cap * 10, 100) == intake.MIN_BATCH  # never below (its time is the fixed part)
