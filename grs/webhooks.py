"""Event webhooks for programme systems: subscriptions, the signed payload, and its place in the outbox.

An admin subscribes a URL to event types (only those the catalogue in grs/events.py lets out). Every
event of such a type becomes, in the unit of work that records it, one outbox row (medium "webhook")
and one `WebhookDelivery` per subscription; the dispatcher (channels/outbox.py) POSTs it with an
HMAC-SHA256 signature over "<timestamp>.<body>" and retries with backoff. The payload carries codes,
statuses and the event's catalogued data, never notes, names, phones or descriptions.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa

from .errors import N_, NotFound, ValidationError
from .events import WEBHOOK, EventType
from .models import Event, Grievance, OutboxMessage, WebhookDelivery, WebhookSubscription
from .services import admin_audit
from .services.actors import Actor
from .timeutil import as_utc, utcnow
from .uow import current_uow

SIGNATURE_HEADER = "X-GRS-Signature"  # t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
TIMESTAMP_HEADER = "X-GRS-Timestamp"  # the same <unix seconds>, for receivers that read it first
EVENT_HEADER = "X-GRS-Event"          # the event type
DELIVERY_HEADER = "X-GRS-Delivery"    # this delivery's id: the same on every retry of it
TOLERANCE_SECONDS = 300  # what docs/api.md advises receivers to accept between our clock and theirs
MAX_URL = 500
MIN_SECRET, MAX_SECRET = 16, 200
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
# The subscribable types, in the catalogue's order (pages list them; the API validates against them).
EVENT_TYPES: tuple[str, ...] = tuple(t.value for t in EventType if t in WEBHOOK)

_CACHE = "grs_webhook_subscriptions"


# ---------------------------------------------------------------- signing (receivers do the same)


def sign(secret: str, timestamp: int, body: bytes | str) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" under the subscription's secret."""
    raw = body.encode() if isinstance(body, str) else body
    return hmac.new(secret.encode(), str(int(timestamp)).encode() + b"." + raw, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes | str) -> str:
    return f"t={int(timestamp)},v1={sign(secret, timestamp, body)}"


def verify(secret: str, header: str | None, body: bytes | str, *, now: int,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Whether `header` signs `body` with `secret` at a time within `tolerance` seconds of `now`."""
    parts = dict(p.split("=", 1) for p in (header or "").split(",") if "=" in p)
    try:
        t = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - t) > tolerance:
        return False  # a replay, or a clock far off
    return hmac.compare_digest(sign(secret, t, body), parts.get("v1", ""))


# ---------------------------------------------------------------- subscriptions


@dataclass(frozen=True)
class SubscriptionIn:
    """What an admin gives: the receiver's URL, the event types, optionally its own secret and a label."""

    url: str
    events: tuple[str, ...]
    secret: str | None = None
    label: str | None = None
    active: bool = True


def check_url(url: str) -> str:
    """The URL, stripped, if it can receive webhooks: https, or http to this machine only (loopback)."""
    url = (url or "").strip()
    problem = _url_problem(url)
    if problem:
        raise ValidationError(N_("The webhook URL cannot be used."), {"url": problem})
    return url


def _url_problem(url: str) -> str | None:
    if not url:
        return N_("Give the receiver's URL.")
    if len(url) > MAX_URL:
        return N_("The URL is too long (500 characters at most).")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError for a port out of range
    except ValueError:
        return N_("This is not a valid URL.")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return N_("Give a full https:// URL.")
    if parts.username or parts.password:
        return N_("Put no user name or password in the URL; the signature authenticates each delivery.")
    if parts.fragment:
        return N_("A URL with a #fragment cannot receive deliveries.")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        return N_("Use https: plain http is allowed only to this machine (localhost).")
    if any(c.isspace() for c in url):
        return N_("This is not a valid URL.")
    return None


def _loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_events(events) -> tuple[str, ...]:
    """The event types, deduplicated in catalogue order, if each may be subscribed to."""
    if isinstance(events, str) or not isinstance(events, (list, tuple, set, frozenset)):
        raise ValidationError(N_("Choose the event types to receive."), {"events": N_("Give a list of event types.")})
    unknown = [e for e in events if not isinstance(e, str) or e not in EVENT_TYPES]
    if unknown:
        raise ValidationError(N_("Some event types cannot be subscribed to."),
                              {"events": N_("Unknown or not offered to webhooks: %(types)s")
                               % {"types": ", ".join(map(str, unknown))[:200]}})
    chosen = tuple(t for t in EVENT_TYPES if t in set(events))
    if not chosen:
        raise ValidationError(N_("Choose the event types to receive."), {"events": N_("Choose at least one.")})
    return chosen


def new_secret() -> str:
    """A signing key: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def create(uow, data: SubscriptionIn, *, actor_id: int | None, now: datetime) -> tuple[WebhookSubscription, str]:
    """A new subscription and its secret (returned here only: the pages and the API never show it again)."""
    url = check_url(data.url)
    events = check_events(data.events)
    secret = data.secret if data.secret is not None else new_secret()
    if not isinstance(secret, str) or not (MIN_SECRET <= len(secret) <= MAX_SECRET) or secret.strip() != secret:
        raise ValidationError(N_("The secret cannot be used."),
                              {"secret": N_("Give 16 to 200 characters without surrounding spaces, or none "
                                            "to have one made.")})
    label = (data.label or "").strip()[:120] or None
    sub = WebhookSubscription(url=url, label=label, secret=secret, events=list(events), active=bool(data.active),
                              created_at=as_utc(now), created_by_id=actor_id)
    uow.session.add(sub)
    uow.session.flush()
    admin_audit.append(uow, "webhook_created", actor=Actor(f"user:{actor_id}", actor_id) if actor_id else None,
                       at=now, target=f"webhook:{sub.id}",
                       data={"url": _shown_url(url), "label": label, "events": list(events), "active": sub.active,
                             "secret": "changed"})
    return sub, secret


def _shown_url(url: str) -> str:
    """The receiver's address without its query, which may carry the receiver's own key."""
    return urlsplit(url)._replace(query="", fragment="").geturl()


def get(session, subscription_id: int) -> WebhookSubscription:
    sub = session.get(WebhookSubscription, subscription_id)
    if sub is None:
        raise NotFound(N_("No webhook subscription has that number."))
    return sub


def set_active(uow, subscription_id: int, active: bool, *, actor: Actor | None = None,
               now: datetime | None = None) -> WebhookSubscription:
    """Pause or resume a subscription; deliveries still queued for a paused one are dropped when due."""
    sub = get(uow.session, subscription_id)
    before = sub.active
    sub.active = bool(active)
    uow.session.flush()
    admin_audit.append(uow, "webhook_active", actor=actor, at=now or utcnow(), target=f"webhook:{sub.id}",
                       data={"before": before, "active": sub.active})
    return sub


def delete(uow, subscription_id: int, *, actor: Actor | None = None, now: datetime | None = None) -> None:
    """Remove a subscription with its delivery log; what was still queued for it is suppressed."""
    session = uow.session
    sub = get(session, subscription_id)
    pending = sa.select(WebhookDelivery.outbox_id).where(WebhookDelivery.subscription_id == sub.id)
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(pending),
                                                   OutboxMessage.status.in_(("queued", "retry", "sending")))
                    .values(status="suppressed", last_error="webhook subscription removed"),
                    execution_options={"synchronize_session": False})
    session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id),
                    execution_options={"synchronize_session": False})
    target, url = f"webhook:{sub.id}", sub.url
    session.delete(sub)
    session.flush()
    admin_audit.append(uow, "webhook_deleted", actor=actor, at=now or utcnow(), target=target, data={"url": _shown_url(url)})


def subscriptions(session) -> list[WebhookSubscription]:
    return list(session.scalars(sa.select(WebhookSubscription).order_by(WebhookSubscription.id)))


def deliveries(session, subscription_id: int, *, limit: int = 50) -> list:
    """The newest deliveries of a subscription, each (delivery, its outbox row: status, next try, tracking code)."""
    return list(session.execute(
        sa.select(WebhookDelivery, OutboxMessage, Grievance.tracking_code)
        .join(OutboxMessage, OutboxMessage.id == WebhookDelivery.outbox_id)
        .outerjoin(Grievance, Grievance.id == OutboxMessage.grievance_id)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.id.desc()).limit(limit)))


# ---------------------------------------------------------------- the enqueue hook (history.record)


def _active(session) -> tuple[tuple[int, str, frozenset[str]], ...]:
    """(id, url, event types) of the active subscriptions, read once per unit of work.

    record() runs for every event, so the read is cached on the session for as long as the same unit of
    work is open (a new one reads again, so a subscription made or paused counts from the next one).
    """
    uow = current_uow()
    cached = session.info.get(_CACHE)
    if uow is not None and cached is not None and cached[0] is uow:
        return cached[1]
    with session.no_autoflush:  # a lodge writes its grievance once: no early INSERT from this read
        rows = session.execute(sa.select(WebhookSubscription.id, WebhookSubscription.url, WebhookSubscription.events)
                               .where(WebhookSubscription.active.is_(True))).all()
    subs = tuple((r.id, r.url, frozenset(r.events or ())) for r in rows)
    if uow is not None:
        session.info[_CACHE] = (uow, subs)
    return subs


def payload(g: Grievance, ev: Event) -> dict:
    """What a receiver gets: codes, statuses and the event's catalogued data; nothing personal or free text.

    A sensitive grievance (abuse, corruption) goes out without its category, so that a receiver learns
    only that a confidential case moved, not what kind of case it is.
    """
    office = g.office if g.office_id is not None else None
    return {
        "type": ev.type,
        "at": as_utc(ev.at).isoformat(),
        "seq": ev.seq,
        "grievance": {
            "tracking_code": g.tracking_code,
            "programme": g.programme.code if g.programme is not None else None,
            "category": None if g.sensitive or g.category is None else g.category.code,
            "channel": g.channel,
            "sensitive": bool(g.sensitive),
        },
        "status_from": ev.status_from,
        "status_to": ev.status_to,
        "level": ev.level,
        "office": office.code if office is not None else None,
        "data": dict(ev.data or {}),
    }


def enqueue(session, g: Grievance, ev: Event) -> int:
    """Queue the event for every active subscription that asked for its type; how many were queued."""
    rows = deliveries_for(session, g, ev)
    for sub_id, values in rows:
        msg = OutboxMessage(grievance=g, **values)
        session.add(msg)
        session.add(WebhookDelivery(subscription_id=sub_id, event=ev, outbox=msg, event_type=ev.type,
                                    created_at=ev.at))
    return len(rows)


def deliveries_for(session, g, ev) -> list[tuple[int, dict]]:
    """(subscription id, outbox row values without the grievance) for each active subscription that asked
    for the event's type: `enqueue` and the batch sweep both queue these."""
    if ev.type not in WEBHOOK:
        return []
    subs = [s for s in _active(session) if ev.type in s[2]]
    if not subs:
        return []
    with session.no_autoflush:
        body = json.dumps(payload(g, ev), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return [(sub_id, dict(medium="webhook", recipient=url[:200], template=f"webhook:{ev.type}", language="en",
                          body=body, status="queued", next_attempt_at=ev.at, created_at=ev.at))
            for sub_id, url, _ in subs]


# ---------------------------------------------------------------- the dispatcher's side


@dataclass(frozen=True)
class Target:
    """Where and how one outbox row goes: read before the network call, so no transaction spans it."""

    delivery_id: int
    url: str
    secret: str
    event_type: str


def target(session, outbox_id: int) -> Target | None:
    """The active subscription an outbox row is for, or None (paused, or removed)."""
    row = session.execute(
        sa.select(WebhookDelivery.id, WebhookSubscription.url, WebhookSubscription.secret, WebhookDelivery.event_type)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookDelivery.outbox_id == outbox_id, WebhookSubscription.active.is_(True))).first()
    return Target(*row) if row is not None else None


def record_attempt(session, outbox_id: int, *, now: datetime, status_code: int | None, error: str | None) -> None:
    """Write one attempt's outcome into the delivery log."""
    d = session.scalar(sa.select(WebhookDelivery).where(WebhookDelivery.outbox_id == outbox_id))
    if d is None:
        return
    d.attempts += 1
    d.last_attempt_at = as_utc(now)
    d.last_status_code = status_code
    d.last_error = error[:500] if error else None
    if error is None:
        d.delivered_at = as_utc(now)
