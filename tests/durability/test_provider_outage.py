"""A provider outage of many minutes: the outbox keeps every queued SMS, retries with its backoff on the
one clock (grs.timeutil.utcnow, read by `grs outbox send`), and after recovery delivers each exactly once."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
import sqlalchemy as sa

import builders
import grs.timeutil
from channels import gateways
from channels.outbox import BACKOFF_CAP, MAX_ATTEMPTS, backoff
from grs.extensions import db
from grs.models import OutboxMessage
from grs.notifications import queue_sms

pytestmark = pytest.mark.both_backends

OUTAGE = timedelta(minutes=95)
ROUND = timedelta(seconds=30)  # how often the dispatcher runs here (the scheduler: every 5 s)
BEFORE = [f"+8801711{n:06d}" for n in range(20)]  # queued before the provider went down
DURING = [f"+8801812{n:06d}" for n in range(10)]  # queued while it was down, one every 8 minutes


@pytest.fixture
def clock(pinned_clock):
    """Set grs.timeutil's clock for the test; the suite's pinned time again afterwards."""
    yield grs.timeutil.fix_clock
    grs.timeutil.fix_clock(pinned_clock)


def _queue(app, phones, now):
    with app.app_context():
        for phone in phones:
            builders.run(queue_sms, phone, "closed", "en", now=now, code="4821 0937 5512")


def _attempts(app) -> dict[str, tuple[int, str]]:
    with app.app_context():
        rows = db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.attempts, OutboxMessage.status))
        out = {r: (a, s) for r, a, s in rows}
        db.session.remove()
        return out


def test_a_long_provider_outage_loses_nothing_sends_nothing_twice_and_keeps_the_backoff(app, runner, clock,
                                                                                      pinned_clock):
    start = pinned_clock
    fake = gateways.fake(app)
    _queue(app, BEFORE, start)
    fake.fail_next(10_000, reason="HTTP 503 from provider")  # down from the start...
    recovered_at = start + OUTAGE
    tried_at: dict[str, list] = defaultdict(list)  # recipient -> the instants the gateway was called for it
    seen = {r: 0 for r in BEFORE}
    now, during = start, list(DURING)
    while now <= recovered_at + BACKOFF_CAP + 2 * ROUND:
        if now >= recovered_at and fake.failures:
            fake.failures.clear()  # ...and back up: the next attempt of each row goes through
        if during and now >= start + timedelta(minutes=8) * (len(DURING) - len(during) + 1):
            phone = during.pop(0)
            _queue(app, [phone], now)
            seen[phone] = 0
        clock(now)
        out = runner.invoke(args=["outbox", "send"])  # no --now: the command reads the one clock
        assert out.exit_code == 0, out.output
        for recipient, (attempts, _status) in _attempts(app).items():
            tried_at[recipient] += [now] * (attempts - seen[recipient])
            seen[recipient] = attempts
        now += ROUND

    everyone = BEFORE + DURING
    sent = Counter(r for r, _, _ in fake.sent)
    assert sent == Counter(everyone), "every queued message reaches the provider exactly once"
    rows = _attempts(app)
    assert {r: s for r, (_, s) in rows.items()} == {r: "sent" for r in everyone}, "none lost, none failed"
    assert fake.calls == sum(a for a, _ in rows.values()), "every gateway call is counted on its row"
    for recipient, times in tried_at.items():
        assert len(times) < MAX_ATTEMPTS, f"{recipient}: the outage used up its attempts"
        assert any(t < recovered_at for t in times), f"{recipient} was never tried during the outage"
        assert times[-1] >= recovered_at, f"{recipient} was sent while the provider was down"
        for n, (earlier, later) in enumerate(zip(times, times[1:]), start=1):
            wait = later - earlier
            # Not before its backoff (30 s doubling to the hour), and not stalled beyond it: taken at the first
            # dispatcher round once due.
            assert backoff(n) <= wait < backoff(n) + ROUND, (recipient, n, wait)
        assert times[-1] - recovered_at < BACKOFF_CAP + ROUND, f"{recipient}: delivered too late after recovery"
    assert max(len(t) for t in tried_at.values()) >= 8, "the outage spanned many retry rounds"
