"""USSD complaints under the intake split (channels/ussd/service.py, channels/sms/intake.py): the last screen
records the confirmed complaint (one row of inbound_messages keyed by the session, its code reserved, in a few
statements) and shows that code; the worker lodges it as the request used to, with the same rows one by one
and in a batch among SMS complaints; a resent last step is the same row and the same code; a complaint that
cannot be lodged is tried MAX_ATTEMPTS times, then counted failed."""
from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from builders import T0
from channels.sms import intake
from channels.ussd import complaint
from channels.ussd.service import UssdRequest, answer
from grs import health, tracking
from grs.extensions import db
from grs.models import Grievance, InboundMessage, OutboxMessage, Programme, UssdSession
from grs.services import lodging
from grs.uow import unit_of_work
from test_intake_batch import BANGLA, ENGLISH, NOW, assert_same, both_ways, phone, record

pytestmark = [pytest.mark.both_backends, pytest.mark.no_intake_worker]

# Old Age Allowance, payment, Baria union, by the lists (tests/golden/ussd/en_lodge_by_lists.txt)
BY_LISTS = ["1", "1", "3", "2", "1", "1", "The agent took 200 taka from my allowance", "1"]
# Widow Allowance, exclusion, Barmi union by its code, a wrong code first (en_lodge_by_union_code.txt)
BY_CODE = ["1", "2", "1", "99", "12345", "2877", "1", "1"]
# Bangla chosen first, then Basan union, no description (bn_lodge_by_lists.txt)
IN_BANGLA = ["3", "2", "1", "2", "98", "0", "1", "2", "1", "2", "1", "1"]


def walk(session_id: str, caller: str, answers: list[str], *, start: int = 0, upto: int | None = None,
         now=T0) -> str:
    """The session's requests `start` to `upto` as Africa's Talking sends them (each answer added to `text`):
    the last reply."""
    reply = ""
    for n in range(start, len(answers) + 1 if upto is None else upto + 1):
        with unit_of_work() as uow:
            reply = answer(uow, UssdRequest(session_id, caller, "*".join(answers[:n]), "*384*333#"), now=now)
    return reply


def code_shown(reply: str) -> str:
    assert reply.startswith("END "), reply
    return re.search(r"\d{4} \d{4} \d{4}", reply).group(0).replace(" ", "")


def inbound(session_id: str) -> InboundMessage:
    db.session.expire_all()
    return db.session.scalar(sa.select(InboundMessage).where(InboundMessage.provider == "ussd",
                                                             InboundMessage.provider_message_id == session_id))


def test_the_last_screen_records_the_complaint_and_the_worker_lodges_it_under_the_code_shown(ctx, world):
    reply = walk("S-1", phone(1), BY_LISTS)
    code = code_shown(reply)
    assert reply.startswith("END Complaint received. Your code: ")
    row = inbound("S-1")
    assert (row.status, row.command, row.tracking_code, row.sender, row.grievance_id) == (
        "pending", "ussd", code, phone(1), None)
    assert json.loads(row.text) == {"session_id": "S-1", "phone": phone(1), "programme": "OAA",
                                    "category": "payment", "area": "BD-UN-2869", "language": "en",
                                    "description": "The agent took 200 taka from my allowance"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)) == 0  # recorded, not lodged

    assert intake.work(once=True, now=NOW) == 1
    g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))
    assert (g.channel, g.source_ref, g.office.code, g.programme.code, g.category.code, g.language) == (
        "ussd", "ussd:S-1", "OFF-BD-UN-2869", "OAA", "payment", "en")
    assert g.complainant.phone == phone(1) and g.complainant.verified
    assert [e.type for e in g.events] == ["lodged", "routed"] and g.events[0].actor_label == "citizen:ussd"
    [receipt] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == "receipt")).all()
    assert receipt.recipient == phone(1) and tracking.display(code) in receipt.body
    row = inbound("S-1")
    assert (row.status, row.grievance_id, row.error) == ("done", g.id, None)
    assert db.session.get(UssdSession, "S-1").grievance_id == g.id


def test_the_last_screen_is_a_few_statements_and_lodges_nothing(ctx, world):
    walk("S-warm", phone(2), BY_LISTS)  # (the process's reference lists read once)
    walk("S-2", phone(1), BY_LISTS, upto=len(BY_LISTS) - 1)
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", note)
    try:
        code_shown(walk("S-2", phone(1), BY_LISTS, start=len(BY_LISTS)))
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", note)
    work = [s for s in seen if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    # The session read, the complaint's row (its code checked free of every grievance's), the session's screen.
    assert [" ".join(s.split()[:3]) for s in work] == [
        "SELECT ussd_sessions.session_id, ussd_sessions.phone,", "INSERT INTO inbound_messages",
        "UPDATE ussd_sessions SET"], "\n".join(work)


def test_a_resent_last_step_is_shown_the_same_code_and_lodged_once(ctx, world):
    walk("S-3", phone(1), BY_LISTS, upto=len(BY_LISTS) - 1)
    before = db.session.get(UssdSession, "S-3")
    state, text, reply = dict(before.state), before.last_text, before.last_reply
    db.session.remove()
    last = walk("S-3", phone(1), BY_LISTS, start=len(BY_LISTS))

    def forget_last_step():  # as if the session row had missed the final step (a crash between the two)
        with unit_of_work() as uow:
            row = uow.session.get(UssdSession, "S-3")
            row.state, row.last_text, row.last_reply = state, text, reply

    forget_last_step()
    assert walk("S-3", phone(1), BY_LISTS, start=len(BY_LISTS)) == last  # before the worker ran
    intake.work(once=True, now=NOW)
    forget_last_step()
    assert walk("S-3", phone(1), BY_LISTS, start=len(BY_LISTS)) == last  # and after
    intake.work(once=True, now=NOW)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 1
    assert db.session.scalar(sa.select(Grievance.tracking_code)) == code_shown(last)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.template == "receipt")) == 1


@pytest.mark.parametrize("batch", [4, 100])
def test_ussd_complaints_in_a_batch_leave_what_one_by_one_leaves(ctx, world, monkeypatch, batch):
    codes = {
        "lists": code_shown(walk("S-lists", phone(1), BY_LISTS)),
        "sms": record("AT-1", BANGLA, phone(2)),
        "code": code_shown(walk("S-code", phone(3), BY_CODE)),
        "bangla": code_shown(walk("S-bn", phone(4), IN_BANGLA)),
        "anonymous": code_shown(walk("S-anon", "12345", BY_LISTS)),  # not a phone number: lodged anonymously
        "then_sms": record("AT-2", ENGLISH, phone(1)),  # the USSD caller's SMS: after their complaint, one by one
        "sms_first": record("AT-3", ENGLISH, phone(5)),
        "then_ussd": code_shown(walk("S-after", phone(5), BY_CODE)),
    }
    for n in range(6, 12):
        codes[f"more{n}"] = code_shown(walk(f"S-more{n}", phone(n), (BY_LISTS, BY_CODE, IN_BANGLA)[n % 3]))
    calls = []
    real = lodging.lodge_batch
    monkeypatch.setattr(lodging, "lodge_batch",
                        lambda *a, **kw: calls.append((kw["actor"].label, len(a[1]))) or real(*a, **kw))
    one, batched = both_ways(monkeypatch, batch=batch)
    assert ("citizen:ussd", max(n for label, n in calls if label == "citizen:ussd")) in calls
    assert max(n for label, n in calls if label == "citizen:ussd") > 1  # (USSD complaints lodged together)
    assert_same(one, batched)
    g = batched["grievances"]
    assert set(codes.values()) <= set(g)
    assert {g[c]["channel"] for k, c in codes.items() if "sms" not in k} == {"ussd"}
    assert g[codes["bangla"]]["language"] == "bn" and g[codes["code"]]["level"] == "union"
    assert g[codes["anonymous"]]["complainant"] is None
    assert {m[1] for m in batched["inbound"]} == {"done"}
    receipts = [m[2] for m in batched["outbox"] if m[3] == "receipt"]
    assert receipts.count(phone(1)) == 2 and receipts.count(phone(5)) == 2
    db.session.expire_all()
    sessions = dict(db.session.execute(sa.select(UssdSession.session_id, Grievance.tracking_code)
                                       .join(Grievance, Grievance.id == UssdSession.grievance_id)).all())
    assert sessions["S-lists"] == codes["lists"] and sessions["S-after"] == codes["then_ussd"]
    assert len(sessions) == len([k for k in codes if "sms" not in k])


def test_a_complaint_that_cannot_be_lodged_is_tried_then_counted_failed(app, ctx, world):
    ok = code_shown(walk("S-ok", phone(1), BY_CODE))
    code_shown(walk("S-gone", phone(2), BY_LISTS))
    with unit_of_work() as uow:  # the programme the caller chose is withdrawn before the worker gets to it
        uow.session.scalar(sa.select(Programme).where(Programme.code == "OAA")).active = False
    intake.work(once=True, now=NOW)
    row = inbound("S-gone")
    assert (row.status, row.attempts, row.grievance_id) == ("failed", intake.MAX_ATTEMPTS, None)
    assert row.error.startswith("ValidationError")
    assert inbound("S-ok").status == "done" and db.session.scalar(sa.select(Grievance.tracking_code)) == ok
    with app.test_request_context():
        assert health._inbound()["inbound_failed"] == 1


def test_the_recorded_complaint_is_what_the_menus_collected(ctx, world):
    confirmed = complaint.Confirmed("S-x", None, "OAA", "payment", "BD-UN-2869", "বাদ পড়া", "bn")
    assert complaint.Confirmed.from_text(confirmed.to_text()) == confirmed
    i = confirmed.intake("482109375514")
    assert (i.channel, i.complainant, i.phone_verified, i.tracking_code, i.source_ref) == (
        "ussd", None, False, "482109375514", "ussd:S-x")
