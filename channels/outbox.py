"""The outbound dispatcher: sends due outbox rows through a gateway, with claims, retries and backoff.

A row moves queued → sending (claimed) → sent → delivered, or → retry → ... → failed, or → suppressed
(the number opted out). A claim sets `next_attempt_at` to a lease in the future, so a dispatcher that
died mid-send releases its rows when the lease ends, and a second dispatcher never takes a claimed row.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app

from grs import webhooks
from grs.extensions import db
from grs.models import OutboxMessage
from grs.notifications import opted_out
from grs.phones import mask
from grs.timeutil import as_utc, utcnow
from grs.uow import unit_of_work

from . import gateways
from .gateways import GatewayError, PermanentFailure, TemporaryFailure, Throttled

log = logging.getLogger(__name__)

DUE = ("queued", "retry", "sending")  # "sending" only once its lease has run out (a crashed dispatcher)
BATCH = 25
CLAIM_LEASE = timedelta(minutes=5)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 12  # 30 s doubling to the one-hour cap: about six hours of trying in all
IDLE_SECONDS = 1.0  # how long an idle dispatcher (grs outbox work) waits before looking again
THROTTLE_PAUSE = 60.0  # seconds every dispatcher leaves a provider alone after it throttled us, unless it said
THROTTLE_PAUSE_CAP = 3600.0  # a provider's Retry-After is followed up to an hour


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 30 s, 1 min, 2 min, ... capped at one hour."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


@dataclass
class DispatchResult:
    """What one pass did, by outcome."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    suppressed: int = 0
    deferred: int = 0  # put back unsent: the send rate (OUTBOX_SMS_RATE_LIMIT) used up, or the provider throttling
    throttled: int = 0  # of those, held back because the provider asked every dispatcher to slow down
    errors: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"sent": self.sent, "retry": self.retried, "failed": self.failed, "suppressed": self.suppressed}

    @property
    def attempted(self) -> int:
        return self.sent + self.retried + self.failed + self.suppressed

    def summary(self) -> str:
        return (f"outbox: {self.sent} sent, {self.retried} to retry, {self.failed} failed, "
                f"{self.suppressed} suppressed (opted out)"
                + (f", {self.deferred - self.throttled} left for the next second (send rate)"
                   if self.deferred > self.throttled else "")
                + (f", {self.throttled} held while the provider is throttling" if self.throttled else ""))


def dispatch(now: datetime, *, limit: int = 200) -> DispatchResult:
    """One pass: claim due rows in small batches, send each outside any transaction, record the outcome."""
    now = as_utc(now)
    result = DispatchResult()
    max_attempts = int(current_app.config.get("OUTBOX_MAX_ATTEMPTS") or MAX_ATTEMPTS)
    while result.attempted < limit:
        ids = _claim(now, min(BATCH, limit - result.attempted))
        if not ids:
            break
        for i, row_id in enumerate(ids):
            if _send_one(row_id, now, max_attempts, result) is DEFERRED:
                _release(ids[i:], now)  # the rest of the claim too: they are not stuck behind a 5-minute lease
                result.deferred += len(ids) - i
                return result
    return result


DEFERRED = object()  # what _send_one answers when the send rate is used up (nothing sent, nothing counted)
RATE_SETTING = "OUTBOX_SMS_RATE_LIMIT"


def _within_send_rate(provider: str) -> bool:
    """Count one SMS handed to `provider` against OUTBOX_SMS_RATE_LIMIT, in the counters every dispatcher
    shares (grs.ratelimit); False when this second's (or minute's) share is spent."""
    from grs import ratelimit

    if not current_app.config.get(RATE_SETTING):
        return True
    return ratelimit.allow(RATE_SETTING, provider)


def _release(ids: list[int], now: datetime, reason: str | None = None) -> None:
    """Give claimed rows back, due again at `now` and with no attempt counted (they were never sent)."""
    values = {"status": "queued", "next_attempt_at": now}
    if reason:
        values["last_error"] = reason
    with unit_of_work() as uow:
        uow.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(ids),
                                                           OutboxMessage.status == "sending").values(**values))


def _pause_key(provider: str) -> str:
    return f"grs/outbox/throttled/{provider}"


def _paused_until(provider: str) -> float | None:
    """When a provider that throttled us may be tried again (epoch seconds), in the store every dispatcher
    shares (the rate limits' counters), or None."""
    from grs.extensions import limiter

    # One read: a key not set (or its window over) has its expiry at "now" in every `limits` storage.
    until = limiter.storage.get_expiry(_pause_key(provider))
    return until if until > datetime.now(timezone.utc).timestamp() else None


def _pause(provider: str, error: Throttled) -> float:
    """Record the provider's pause for every dispatcher; when it ends (epoch seconds)."""
    from grs.extensions import limiter

    seconds = min(max(error.retry_after or THROTTLE_PAUSE, 1.0), THROTTLE_PAUSE_CAP)
    key = _pause_key(provider)
    limiter.storage.incr(key, int(seconds))
    log.warning("outbox: %s throttled us (%s); no SMS to it for %.0f s", provider, error.reason, seconds)
    return limiter.storage.get_expiry(key)  # another dispatcher's pause, if it started first


def _hold(row_id: int, until: float, now: datetime, reason: str, result: DispatchResult) -> None:
    """An SMS put back until its provider's pause ends: not sent, no attempt counted, other media go on."""
    wait = max(until - datetime.now(timezone.utc).timestamp(), 0.0)
    _release([row_id], now + timedelta(seconds=wait), reason)
    result.deferred += 1
    result.throttled += 1


def work(*, stop: threading.Event | None = None, limit: int = 200, idle: float = IDLE_SECONDS,
         clock: Callable[[], datetime] = utcnow) -> int:
    """Dispatch passes until `stop` is set (`grs outbox work`: several may run beside the scheduler's pass,
    each claim skips the rows another holds), waiting `idle` seconds after a pass that found nothing due.
    The number of messages attempted."""
    total = 0
    stop = stop or threading.Event()
    while not stop.is_set():
        n = dispatch(clock(), limit=limit).attempted
        total += n
        if n == 0:
            stop.wait(idle)
    return total


def _claim(now: datetime, size: int) -> list[int]:
    """Take up to `size` due rows for this pass, in a unit of work committed before any network call."""
    lease = now + CLAIM_LEASE
    due = sa.and_(OutboxMessage.status.in_(DUE), OutboxMessage.next_attempt_at <= now)
    pick = sa.select(OutboxMessage.id).where(due).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    with unit_of_work() as uow:
        session = uow.session
        if db.engine.dialect.name == "postgresql":
            # Rows another dispatcher is claiming right now are skipped, not waited for.
            ids = list(session.scalars(pick.limit(size).with_for_update(skip_locked=True)))
            if ids:
                session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                                .values(status="sending", next_attempt_at=lease))
            return ids
        # SQLite has no row locks: a conditional update claims a row only if it is still due.
        ids = []
        for row_id in session.scalars(pick.limit(size)).all():
            claimed = session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == row_id, due)
                                      .values(status="sending", next_attempt_at=lease))
            if claimed.rowcount == 1:
                ids.append(row_id)
        return ids


def _send_one(row_id: int, now: datetime, max_attempts: int, result: DispatchResult) -> None:
    # First unit of work: read the row (or suppress it); committed, so no lock or snapshot is held
    # during the network call.
    webhook: tuple[webhooks.Target, str] | None = None
    with unit_of_work() as uow:
        msg = uow.session.get(OutboxMessage, row_id)
        if msg is None:
            return
        if msg.medium == "webhook":
            to = webhooks.target(uow.session, row_id)
            if to is None:  # paused or removed since the event: nobody is waiting for it
                msg.status, msg.last_error = "suppressed", "webhook subscription paused or removed"
                result.suppressed += 1
                return
            webhook = (to, msg.body)
        if msg.medium == "sms" and opted_out(uow.session, msg.recipient):
            # Checked at send time too: the STOP may have come after the message was queued.
            msg.status, msg.last_error = "suppressed", "recipient opted out"
            result.suppressed += 1
            return
        recipient, body, medium = msg.recipient, msg.body, msg.medium
    if webhook is not None:
        _post_webhook(row_id, *webhook, now, max_attempts, result)
        return
    gateway = gateways.for_medium(current_app._get_current_object(), medium)
    if medium == "sms" and (until := _paused_until(gateway.name)) is not None:
        _hold(row_id, until, now, f"{gateway.name} is throttling: held until it may be tried again", result)
        return
    if medium == "sms" and not _within_send_rate(gateway.name):
        return DEFERRED
    sent, error = _attempt(row_id, lambda: gateway.send(recipient, body))
    if medium == "sms" and isinstance(error, Throttled):
        # The provider refused to take it now, and would refuse the next ones too: nobody tries it for a while,
        # and the message keeps its attempts (it was never taken).
        _hold(row_id, _pause(gateway.name, error), now, error.reason, result)
        return
    # Second unit of work: what came of it.
    with unit_of_work() as uow:
        msg = uow.session.get(OutboxMessage, row_id)
        msg.attempts += 1
        if error is not None:
            _failed(msg, error, now, max_attempts, result)
        else:
            msg.status, msg.sent_at, msg.last_error = "sent", now, None
            msg.provider, msg.provider_message_id = sent.provider, sent.message_id
            result.sent += 1
            log.info("outbox id=%s sent by %s to %s", row_id, sent.provider, _masked(medium, recipient))


def _post_webhook(row_id: int, to: webhooks.Target, body: str, now: datetime, max_attempts: int,
                  result: DispatchResult) -> None:
    """One signed POST of a webhook row (no transaction open), then its outcome in the row and the log."""
    gateway = gateways.webhook(current_app._get_current_object())
    answer, error = _attempt(row_id, lambda: gateway.post(
        to.url, body, secret=to.secret, timestamp=int(now.timestamp()), event_type=to.event_type,
        delivery_id=to.delivery_id))
    status_code = answer.status_code if answer is not None else error.status_code
    with unit_of_work() as uow:
        msg = uow.session.get(OutboxMessage, row_id)
        msg.attempts += 1
        webhooks.record_attempt(uow.session, row_id, now=now, status_code=status_code,
                                error=error.reason if error else None)
        if error is not None:
            _failed(msg, error, now, max_attempts, result)
        else:
            msg.status, msg.sent_at, msg.last_error, msg.provider = "sent", now, None, gateway.name
            result.sent += 1
            log.info("outbox id=%s webhook delivery %s answered %s", row_id, to.delivery_id, status_code)


def _attempt(row_id: int, call):
    """(answer, None) when the gateway call worked, else (None, the error); outside any transaction."""
    try:
        return call(), None
    except GatewayError as e:
        return None, e
    except Exception as e:  # a gateway bug must not stop the pass; keep the row and try again later
        log.exception("outbox id=%s: unexpected gateway error", row_id)
        return None, TemporaryFailure(f"unexpected: {type(e).__name__}")


def _failed(msg: OutboxMessage, error: GatewayError, now: datetime, max_attempts: int,
            result: DispatchResult) -> None:
    msg.last_error = error.reason
    if isinstance(error, PermanentFailure) or msg.attempts >= max_attempts:
        msg.status = "failed"
        result.failed += 1
        result.errors.append(f"{msg.id}: {error.reason}")
        log.warning("outbox id=%s failed after %d attempt(s): %s", msg.id, msg.attempts, error.reason)
    else:
        msg.status = "retry"
        msg.next_attempt_at = now + backoff(msg.attempts)
        result.retried += 1
        log.info("outbox id=%s will retry (attempt %d): %s", msg.id, msg.attempts, error.reason)


def _masked(medium: str, recipient: str) -> str:
    return recipient.split("@")[0][:1] + "•••" if medium == "email" else mask(recipient)


# ---------------------------------------------------------------- delivery reports

# Provider statuses that settle a message; anything else (queued, sent, Buffered...) changes nothing.
DELIVERED = {"africastalking": {"success"}, "twilio": {"delivered", "read"}}
UNDELIVERED = {"africastalking": {"failed", "rejected", "expired", "absentsubscriber"},
               "twilio": {"failed", "undelivered", "canceled"}}


def record_delivery(uow, provider: str, provider_message_id: str | None, status: str | None, reason: str | None,
                    *, now: datetime) -> bool:
    """Apply a delivery report to the outbox row it is about; False (and no change) for unknown ids."""
    if not provider_message_id:
        return False
    msg = uow.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.provider == provider, OutboxMessage.provider_message_id == provider_message_id))
    if msg is None:
        return False
    s = (status or "").strip().lower()
    if msg.status == "delivered":
        pass  # a repeat, or a late "sent" after "delivered": the handset has it, nothing to undo
    elif s in DELIVERED.get(provider, ()):
        msg.status, msg.delivered_at = "delivered", as_utc(now)
    elif s in UNDELIVERED.get(provider, ()):
        msg.status = "failed"
        msg.last_error = f"{provider} delivery report: {status}" + (f" ({reason})" if reason else "")
    return True
