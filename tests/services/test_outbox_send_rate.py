"""OUTBOX_SMS_RATE_LIMIT: the SMS every dispatcher hands the provider share one rate (the provider account's or
short code's throughput); what is over it is put back unsent, due at once, with no attempt counted, and goes
in the next window."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

import builders
from builders import T0
from channels import gateways
from channels.outbox import dispatch
from grs.extensions import db, limiter
from grs.models import OutboxMessage
from grs.notifications import queue_sms

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
