"""OUTBOX_SMS_RATE_LIMIT: the SMS every dispatcher hands the provider share one rate (the provider account's or
short code's throughput); what is over it is put back unsent, due at once, with no attempt counted, and goes
in the next window."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

import builders
from builders import T0
from channels import gateways
from channels.outbox import dispatch
from grs.extensions import db, limiter
from grs.models import OutboxMessage
from grs.notifications import queue_sms
from grs.timeutil import as_utc

PHONES = [f"+88017123458{n:02d}" for n in range(5)]


def _queue(phones):
    for phone in phones:
        builders.run(queue_sms, phone, "closed", "en", now=T0, code="4821 0937 5512")
    db.session.commit()


def _statuses():
    db.session.expire_all()
    return sorted((m.status, m.attempts) for m in db.session.scalars(sa.select(OutboxMessage)))


@pytest.mark.config(OUTBOX_SMS_RATE_LIMIT="3 per minute")
def test_over_the_send_rate_messages_wait_unsent_for_the_next_window(ctx):
    _queue(PHONES)
    first = dispatch(T0)
    assert (first.sent, first.deferred, first.retried) == (3, 2, 0)
    assert len(gateways.fake(ctx).sent) == 3
    # Put back as they were: due now, never attempted, not behind a claim's lease.
    assert _statuses() == [("queued", 0), ("queued", 0), ("sent", 1), ("sent", 1), ("sent", 1)]
    assert "2 left for the next second" in first.summary()
    again = dispatch(T0)  # the same window: nothing more goes
    assert (again.sent, again.deferred) == (0, 2) and len(gateways.fake(ctx).sent) == 3
    limiter.reset()  # the window has passed
    last = dispatch(T0)
    assert (last.sent, last.deferred) == (2, 0)
    assert sorted(r for r, _, _ in gateways.fake(ctx).sent) == sorted(PHONES)
    assert _statuses() == [("sent", 1)] * 5


def test_without_a_send_rate_every_due_message_goes_in_one_pass(ctx):
    _queue(PHONES)
    result = dispatch(T0)
    assert (result.sent, result.deferred) == (5, 0)


# ---------------------------------------------------------------- the provider throttling us


def _email(address: str = "officer@test.grs") -> None:
    db.session.add(OutboxMessage(medium="email", recipient=address, template="digest", body="Your cases today",
                                 next_attempt_at=T0, created_at=T0))
    db.session.commit()


def _rows():
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_throttling_provider_is_left_alone_by_every_dispatcher_and_no_attempt_is_counted(ctx):
    from channels import outbox

    _queue(PHONES)
    fake = gateways.fake(ctx)
    fake.throttle_next(retry_after=120)
    first = dispatch(T0)
    # One call reached the provider; it refused, and no other SMS was tried while it asks us to wait.
    assert fake.calls == 1 and (first.sent, first.retried, first.failed) == (0, 0, 0)
    assert (first.deferred, first.throttled) == (5, 5) and "5 held while the provider is throttling" in first.summary()
    rows = _rows()
    assert {(m.status, m.attempts) for m in rows} == {("queued", 0)}
    waits = {round((as_utc(m.next_attempt_at) - T0).total_seconds() / 10) for m in rows}
    assert waits == {12}  # the provider's Retry-After (120 s), not the backoff of a failed attempt
    assert rows[0].last_error == "fake 429 too many requests"
    assert rows[1].last_error == "fake is throttling: held until it may be tried again"
    # Another dispatcher, at a moment they would be due: the pause is shared, so it does not call the provider.
    later = dispatch(T0 + timedelta(minutes=3))
    assert fake.calls == 1 and later.throttled == 5
    limiter.storage.clear(outbox._pause_key(fake.name))  # the pause is over
    last = dispatch(T0 + timedelta(minutes=10))
    assert last.sent == 5 and {(m.status, m.attempts) for m in _rows()} == {("sent", 1)}


def test_while_sms_are_held_other_messages_go_on(ctx):
    _queue(PHONES[:2])
    _email()
    fake = gateways.fake(ctx)
    fake.throttle_next()
    first = dispatch(T0)
    assert (first.throttled, first.sent) == (2, 1)
    rows = _rows()
    assert [(m.medium, m.status) for m in rows] == [("sms", "queued"), ("sms", "queued"), ("email", "sent")]
    waits = {(as_utc(m.next_attempt_at) - T0).total_seconds() for m in rows[:2]}
    assert all(55 <= w <= 61 for w in waits)  # the dispatcher's own pause (60 s) when the provider says none


def test_twilio_throttling_is_told_apart_from_an_outage():
    assert isinstance(gateways.classify_twilio(429, 20429), gateways.Throttled)
    assert isinstance(gateways.classify_twilio(400, 20429), gateways.Throttled)
    outage = gateways.classify_twilio(503, None)
    assert isinstance(outage, gateways.TemporaryFailure) and not isinstance(outage, gateways.Throttled)
