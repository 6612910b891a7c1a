"""The SMS intake split (channels/sms/intake.py): recording an inbound message reserves its complaint's
code and stores it pending; the worker handles each message once, in order per sender, in batches; a crash
leaves a batch pending, a message that keeps failing is marked failed with its reason."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from builders import T0
from channels.sms import intake
from channels.sms.service import InboundSms
from grs import tracking
from grs.extensions import db
from grs.models import Grievance, InboundMessage, OutboxMessage
from grs.services import history
from grs.uow import unit_of_work

pytestmark = [pytest.mark.both_backends, pytest.mark.no_intake_worker]

RAHIMA = "+8801712345678"
KARIM = "+8801812345678"
COMPLAINT = "আমার বয়স্ক ভাতার টাকা পাইনি। বাড়ীয়া ইউনিয়ন"


def record(msg_id: str, text: str = COMPLAINT, sender: str = RAHIMA, *, now=T0) -> intake.Recorded:
    with unit_of_work() as uow:
        return intake.record(uow, InboundSms("africastalking", msg_id, sender, text), now=now)


def rows() -> list[InboundMessage]:
    db.session.expire_all()
    return db.session.scalars(sa.select(InboundMessage).order_by(InboundMessage.id)).all()


def grievances() -> list[Grievance]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Grievance).where(Grievance.channel == "sms")).all()


def test_recording_reserves_the_code_and_the_worker_lodges_the_complaint_under_it(ctx, world):
    first = record("AT-1")
    assert first.duplicate is False and tracking.normalise(first.tracking_code) == first.tracking_code
    [row] = rows()
    assert (row.status, row.tracking_code, row.grievance_id, row.attempts) == ("pending", first.tracking_code,
                                                                                None, 0)
    assert grievances() == []  # recorded, not handled yet

    assert intake.work(once=True, now=T0) == 1
    [g] = grievances()
    assert g.tracking_code == first.tracking_code and g.office.code == "OFF-BD-UN-2869"
    [row] = rows()
    assert (row.status, row.grievance_id, row.command, row.processed_at is not None) == ("done", g.id, "lodge",
                                                                                         True)
    receipt = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.template == "receipt"))
    assert tracking.display(first.tracking_code) in receipt.body and receipt.recipient == RAHIMA


def test_a_retry_with_the_same_id_is_one_row_one_grievance_and_answers_as_the_first_time(ctx, world):
    first = record("AT-2")
    again = record("AT-2")
    assert again.duplicate is True and again.tracking_code == first.tracking_code
    intake.work(once=True, now=T0)
    after = record("AT-2")  # a retry after it was handled
    assert after.duplicate is True and after.tracking_code == first.tracking_code
    intake.work(once=True, now=T0)
    assert len(rows()) == 1 and [g.tracking_code for g in grievances()] == [first.tracking_code]


def test_commands_need_no_code_and_alphanumeric_senders_are_stored_done(ctx, world):
    assert record("AT-3", "STATUS 1234").tracking_code is None
    assert record("AT-4", "Win a prize!", sender="PROMO").tracking_code is None
    status = {r.provider_message_id: r.status for r in rows()}
    assert status == {"AT-3": "pending", "AT-4": "done"}
    intake.work(once=True, now=T0)
    by_id = {r.provider_message_id: r for r in rows()}
    assert by_id["AT-3"].status == "done" and by_id["AT-3"].reply  # "no such code", in the outbox
    assert by_id["AT-4"].command == "ignored" and by_id["AT-4"].reply is None


def test_a_complaint_then_status_of_its_code_are_handled_in_that_order(ctx, world):
    code = record("AT-10").tracking_code
    record("AT-11", f"STATUS {code}")
    # A worker that took only the complaint holds the sender's later message back from the others.
    with unit_of_work() as uow:
        first = intake.claim(uow, limit=1, now=T0, token="worker-a")
    with unit_of_work() as uow:
        assert intake.claim(uow, limit=10, now=T0, token="worker-b") == []
    with unit_of_work() as uow:
        intake.handle_claimed(uow, first, now=T0, token="worker-a")
    intake.work(once=True, now=T0)
    by_id = {r.provider_message_id: r for r in rows()}
    [g] = grievances()
    assert by_id["AT-11"].command == "status" and by_id["AT-11"].grievance_id == g.id
    assert tracking.display(code) in by_id["AT-11"].reply  # its status, not "no complaint with this code"


def test_another_senders_messages_are_not_held_back(ctx, world):
    record("AT-20")
    record("AT-21", "STATUS 1234")
    record("AT-22", "STATUS 1234", sender=KARIM)
    with unit_of_work() as uow:
        assert len(intake.claim(uow, limit=1, now=T0, token="worker-a")) == 1
    with unit_of_work() as uow:
        taken = intake.claim(uow, limit=10, now=T0, token="worker-b")
    assert [r.provider_message_id for r in rows() if r.id in taken] == ["AT-22"]


def test_a_crash_mid_batch_leaves_the_whole_batch_pending_and_a_later_worker_handles_it(ctx, world, monkeypatch):
    codes = [record(f"AT-3{i}", sender=f"+88017123456{i}0").tracking_code for i in range(3)]
    # The events' chaining, which lodging one by one and in a batch both go through.
    real = history.chain
    calls = []

    def dies_on_the_second(g, *args, **kw):
        calls.append(g.tracking_code)
        if len(set(calls)) == 2:
            raise KeyboardInterrupt  # the process stops here (no `except Exception` catches it)
        return real(g, *args, **kw)

    monkeypatch.setattr(history, "chain", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        intake.work(once=True, now=T0)
    assert [(r.status, r.grievance_id) for r in rows()] == [("pending", None)] * 3
    assert grievances() == []
    monkeypatch.setattr(history, "chain", real)
    assert intake.work(once=True, now=T0) == 0  # the dead worker's lease still holds them
    later = T0 + intake.LEASE + timedelta(seconds=1)
    assert intake.work(once=True, now=later) == 3
    assert sorted(g.tracking_code for g in grievances()) == sorted(codes)
    assert {r.status for r in rows()} == {"done"} and {r.attempts for r in rows()} == {2}


def test_a_message_that_keeps_failing_is_marked_failed_with_its_reason_and_not_retried(ctx, world, monkeypatch):
    record("AT-40", "this one breaks the handler")
    record("AT-41", sender=KARIM)  # (another sender: in the same batch as the bad one)
    real = history.chain  # (lodging one by one and in a batch both chain events here)

    def breaks(g, *args, **kw):
        if "breaks" in g.description:
            raise RuntimeError("no such column: surprise")
        return real(g, *args, **kw)

    monkeypatch.setattr(history, "chain", breaks)
    intake.work(once=True, now=T0)
    by_id = {r.provider_message_id: r for r in rows()}
    bad = by_id["AT-40"]
    assert (bad.status, bad.attempts, bad.grievance_id) == ("failed", intake.MAX_ATTEMPTS, None)
    assert "RuntimeError: no such column: surprise" in bad.error
    assert by_id["AT-41"].status == "done" and len(grievances()) == 1
    assert intake.work(once=True, now=T0 + timedelta(hours=1)) == 0  # never tried again
    assert rows()[0].attempts == intake.MAX_ATTEMPTS


def test_a_message_whose_worker_died_every_time_is_failed(ctx, world):
    record("AT-50")
    with unit_of_work() as uow:
        db.session.execute(sa.update(InboundMessage).values(attempts=intake.MAX_ATTEMPTS, claimed_at=T0,
                                                            claimed_by="dead"))
    assert intake.work(once=True, now=T0 + intake.LEASE * 2) == 0
    [row] = rows()
    assert row.status == "failed" and "stopped" in row.error and grievances() == []


def test_the_command_line_worker_handles_what_is_pending(app, world, runner):
    with app.app_context():
        record("AT-60")
        record("AT-61", "STATUS 1234")
    result = runner.invoke(args=["intake", "work", "--once", "--batch", "1"])
    assert result.exit_code == 0 and "handled 2 inbound messages" in result.output, result.output
    with app.app_context():
        assert {r.status for r in rows()} == {"done"} and len(grievances()) == 1


@pytest.mark.committing_db
def test_two_workers_at_once_handle_each_message_exactly_once(app, world, backend):
    senders = [f"+8801712{n:06d}" for n in range(8)]
    with app.app_context():
        for i in range(40):
            text = COMPLAINT if i % 4 else "STATUS 123412341234"
            record(f"AT-w{i:03d}", text, sender=senders[i % len(senders)])
    barrier = threading.Barrier(2)
    handled, errors = [], []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                handled.append(intake.work(once=True, batch=4, now=T0))
                db.session.remove()
        except Exception as e:  # surfaced by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    with app.app_context():
        intake.work(once=True, now=T0)  # anything held back for its sender's earlier message
        assert {r.status for r in rows()} == {"done"}
        if backend == "postgresql":  # (SQLite has one writer: a worker may wait until the other drained it all)
            assert all(n > 0 for n in handled), handled  # both took part
        assert {r.attempts for r in rows()} == {1}  # nobody handled a message twice
        lodged = grievances()
        assert len(lodged) == 30 and len({g.source_ref for g in lodged}) == 30
        codes = {r.tracking_code for r in rows() if r.tracking_code}
        assert {g.tracking_code for g in lodged} == codes
        receipts = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.template == "receipt"))
        assert receipts == 30
