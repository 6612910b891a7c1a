"""The outbound dispatcher: sending, retries with backoff, permanent failures, opt-outs, concurrent passes."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

import builders
from builders import T0
from channels import gateways
from channels.outbox import MAX_ATTEMPTS, backoff, dispatch
from grs.extensions import db
from grs.models import OutboxMessage, PhoneContact
from grs.notifications import queue_sms

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

PHONES = [f"+88017123456{n:02d}" for n in range(10)]


def _queue(n: int, *, now=T0, template="closed") -> list[int]:
    """n SMS rows for n different numbers, as services queue them."""
    ids = []
    for phone in PHONES[:n]:
        msg = builders.run(queue_sms, phone, template, "en", now=now, code="4821 0937 5512")
        db.session.flush()
        ids.append(msg.id)
    db.session.commit()
    return ids


def _rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_dispatch_sends_due_messages_and_records_the_provider_id(ctx):
    _queue(3)
    result = dispatch(T0)
    assert result.counts == {"sent": 3, "retry": 0, "failed": 0, "suppressed": 0}
    assert result.summary() == "outbox: 3 sent, 0 to retry, 0 failed, 0 suppressed (opted out)"
    fake = gateways.fake(ctx)
    assert [r for r, _, _ in fake.sent] == PHONES[:3]
    assert fake.sent[0][1] == "GRS 4821 0937 5512: your complaint is closed. Thank you."
    for row, (_, _, message_id) in zip(_rows(), fake.sent):
        assert (row.status, row.provider, row.provider_message_id, row.attempts) == ("sent", "fake", message_id, 1)
        assert row.sent_at == T0
    assert dispatch(T0).attempted == 0  # nothing is sent twice


def test_messages_queued_for_later_wait_until_their_time(ctx):
    _queue(1, now=T0 + timedelta(minutes=5))
    assert dispatch(T0).attempted == 0
    assert dispatch(T0 + timedelta(minutes=5)).sent == 1


def test_a_gateway_that_fails_ten_times_then_recovers_delivers_every_queued_message_exactly_once(ctx):
    _queue(4)
    fake = gateways.fake(ctx)
    fake.fail_next(10)
    now = T0
    for _ in range(40):
        dispatch(now)
        if all(r.status == "sent" for r in _rows()):
            break
        now += timedelta(minutes=1)
    assert sorted(r for r, _, _ in fake.sent) == sorted(PHONES[:4])  # each exactly once
    assert fake.calls == 14
    assert all(r.status == "sent" for r in _rows())
    assert sum(r.attempts for r in _rows()) == 14


def test_a_failed_attempt_waits_with_exponential_backoff(ctx):
    [row_id] = _queue(1)
    fake = gateways.fake(ctx)
    fake.fail_next(3, reason="HTTP 503 from provider")
    waits = []
    now = T0
    for _ in range(3):
        assert dispatch(now).retried == 1
        row = db.session.get(OutboxMessage, row_id)
        assert row.status == "retry" and row.last_error == "HTTP 503 from provider"
        waits.append(row.next_attempt_at - now)
        assert dispatch(row.next_attempt_at - timedelta(seconds=1)).attempted == 0  # not before its time
        now = row.next_attempt_at
    assert waits == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert dispatch(now).sent == 1


def test_backoff_is_capped_at_one_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_a_permanent_failure_is_not_retried_and_keeps_the_reason(ctx):
    [row_id] = _queue(1)
    gateways.fake(ctx).fail_next(1, permanent=True, reason="africastalking 403 InvalidPhoneNumber")
    result = dispatch(T0)
    assert (result.failed, result.retried) == (1, 0)
    row = db.session.get(OutboxMessage, row_id)
    assert (row.status, row.last_error) == ("failed", "africastalking 403 InvalidPhoneNumber")
    assert dispatch(T0 + timedelta(days=1)).attempted == 0


def test_temporary_failures_give_up_after_the_maximum_attempts(ctx):
    [row_id] = _queue(1)
    fake = gateways.fake(ctx)
    fake.fail_next(MAX_ATTEMPTS + 5)
    now = T0
    for _ in range(MAX_ATTEMPTS + 3):
        dispatch(now)
        now += timedelta(hours=2)
    row = db.session.get(OutboxMessage, row_id)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert fake.sent == []


def test_opted_out_numbers_are_never_messaged(ctx):
    _queue(2)
    db.session.add(PhoneContact(phone=PHONES[0], opted_out_at=T0))  # STOP arrived after the rows were queued
    db.session.commit()
    result = dispatch(T0)
    assert (result.sent, result.suppressed) == (1, 1)
    assert [r for r, _, _ in gateways.fake(ctx).sent] == [PHONES[1]]
    stopped = _rows()[0]
    assert (stopped.status, stopped.last_error) == ("suppressed", "recipient opted out")
    assert builders.run(queue_sms, PHONES[0], "closed", "en", now=T0, code="x") is None  # and nothing new is queued
    assert dispatch(T0 + timedelta(days=1)).attempted == 0


def test_email_rows_go_through_the_same_dispatcher(ctx, world):
    builders.lodge(builders.BARIA)  # the union's officer gets "case_arrived" by e-mail (the default)
    emails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.medium == "email")).all()
    assert [m.recipient for m in emails] == ["officer_baria@test.grs"]
    gateways.fake(ctx).fail_next(1)
    dispatch(T0)
    dispatch(T0 + timedelta(minutes=1))
    assert "officer_baria@test.grs" in [r for r, _, _ in gateways.fake(ctx).sent]
    assert all(m.status == "sent" for m in _rows())


def test_a_claim_whose_dispatcher_died_is_taken_again_after_the_lease(ctx):
    [row_id] = _queue(1)
    db.session.execute(sa.update(OutboxMessage).values(status="sending", next_attempt_at=T0 + timedelta(minutes=5)))
    db.session.commit()
    assert dispatch(T0 + timedelta(minutes=1)).attempted == 0  # still claimed by the other pass
    assert dispatch(T0 + timedelta(minutes=5)).sent == 1


def test_dispatch_respects_its_limit(ctx):
    _queue(10)
    assert dispatch(T0, limit=4).sent == 4
    assert dispatch(T0, limit=100).sent == 6


def test_cli_outbox_send_prints_the_summary(app, runner):
    with app.app_context():
        _queue(2)
    out = runner.invoke(args=["outbox", "send", "--now", T0.isoformat()])
    assert out.exit_code == 0, out.output
    assert "outbox: 2 sent, 0 to retry, 0 failed" in out.output


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.committing_db
def test_two_concurrent_dispatch_passes_on_postgresql_never_send_a_row_twice(app):
    with app.app_context():
        for i in range(120):
            builders.run(queue_sms, f"+88017{i:08d}", "closed", "en", now=T0, code="4821 0937 5512")
        db.session.commit()
    fake = gateways.fake(app)
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                for _ in range(10):
                    dispatch(T0, limit=15)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    recipients = [r for r, _, _ in fake.sent]
    assert len(recipients) == 120 and len(set(recipients)) == 120
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.status == "sent")) == 120
