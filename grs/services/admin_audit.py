"""Admin actions as events in a hash chain of their own (`admin_events`): what changed, who did it, when.

Every admin service (time limits, days off, staff accounts, reference data, areas, webhook subscriptions,
retention and subject exports) calls `append` in the caller's unit of work, so the action and its event
commit together or not at all. Each row's SHA-256 covers its content and the hash of the row before, so
`grs audit verify` (`verify_admin_chain`) finds an edited, deleted or truncated row. `data` never holds a
password (or its hash), a token or a webhook secret: say that it changed (`"secret": "changed"`).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..countries import profile
from ..errors import N_, ValidationError
from ..models import AdminEvent
from ..timeutil import as_utc
from .actors import Actor


class AdminEventKind(StrEnum):
    """Every kind of admin action the chain records (the value is stored)."""

    POLICY_SAVED = "policy_saved"
    POLICY_DELETED = "policy_deleted"
    POLICIES_LOADED = "policies_loaded"
    HOLIDAY_ADDED = "holiday_added"
    HOLIDAY_DELETED = "holiday_deleted"
    HOLIDAYS_LOADED = "holidays_loaded"
    USER_CREATED = "user_created"
    TOKEN_CREATED = "token_created"
    REFERENCE_SEEDED = "reference_seeded"
    REFERENCE_LOADED = "reference_loaded"
    PROGRAMME_SAVED = "programme_saved"
    CATEGORY_SAVED = "category_saved"
    AREAS_IMPORTED = "areas_imported"
    WEBHOOK_CREATED = "webhook_created"
    WEBHOOK_ACTIVE = "webhook_active"
    WEBHOOK_DELETED = "webhook_deleted"
    RETENTION_ANONYMISED = "retention_anonymised"
    SUBJECT_EXPORTED = "subject_exported"


K = AdminEventKind

# Each kind's words for the /admin/audit page.
LABELS: Mapping[AdminEventKind, Any] = {
    K.POLICY_SAVED: _l("Time limit saved"),
    K.POLICY_DELETED: _l("Time limit removed"),
    K.POLICIES_LOADED: _l("Time limits loaded from a file"),
    K.HOLIDAY_ADDED: _l("Day off added"),
    K.HOLIDAY_DELETED: _l("Day off removed"),
    K.HOLIDAYS_LOADED: _l("Days off loaded from a file"),
    K.USER_CREATED: _l("Staff account created"),
    K.TOKEN_CREATED: _l("API token created"),
    K.REFERENCE_SEEDED: _l("Programmes and categories loaded"),
    K.REFERENCE_LOADED: _l("Programmes and categories loaded from a file"),
    K.PROGRAMME_SAVED: _l("Programme added or edited"),
    K.CATEGORY_SAVED: _l("Category added or edited"),
    K.AREAS_IMPORTED: _l("Areas imported"),
    K.WEBHOOK_CREATED: _l("Webhook subscription created"),
    K.WEBHOOK_ACTIVE: _l("Webhook subscription paused or resumed"),
    K.WEBHOOK_DELETED: _l("Webhook subscription removed"),
    K.RETENTION_ANONYMISED: _l("Old grievances anonymised"),
    K.SUBJECT_EXPORTED: _l("A complainant's records exported"),
}
del K

# Keys that could carry a secret: refused in `data` whatever the kind (a programming error).
SECRET_WORDS = ("password", "token", "secret", "hash", "api_key")


def _check(kind: AdminEventKind | str, data: Mapping[str, Any]) -> AdminEventKind:
    try:
        k = AdminEventKind(kind)
    except ValueError:
        raise ValueError(f"unknown admin event kind '{kind}': add it to grs/services/admin_audit.py") from None
    for key, value in data.items():
        if any(w in key.lower() for w in SECRET_WORDS) and value != "changed":
            raise TypeError(f"admin event data may not carry '{key}': record only that it changed")
    return k


def _plain(value: Any) -> Any:
    """JSON-safe: dates as ISO text, tuples as lists."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def admin_event_hash(seq: int, at: datetime, actor_id, actor_label: str, kind: str, target: str, data,
                     prev_hash) -> str:
    """SHA-256 over a canonical JSON form of everything an admin event says, chained to the one before."""
    payload = json.dumps([seq, as_utc(at).isoformat(timespec="microseconds"), actor_id, actor_label, kind,
                          target or "", data or {}, prev_hash],
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_chain(session) -> None:
    """One writer at a time extends the chain. PostgreSQL: a transaction advisory lock, so the second
    writer reads the head only once the first committed. SQLite: writers are serialised already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('grs_admin_events'))"))


def append(uow, kind: AdminEventKind | str, *, actor: Actor | None, at: datetime, target: str = "",
           data: Mapping[str, Any] | None = None) -> AdminEvent:
    """Append one admin event to the chain in the caller's unit of work (flushed, not committed)."""
    data = _plain(dict(data or {}))
    kind = _check(kind, data).value
    actor = actor or Actor.system("system")
    session = uow.session
    _lock_chain(session)
    session.flush()  # this transaction's earlier admin events are in the head we read
    head = session.execute(sa.select(AdminEvent.seq, AdminEvent.hash).order_by(AdminEvent.seq.desc())
                           .limit(1)).first()
    seq, prev = (head[0] + 1, head[1]) if head else (1, None)
    at = as_utc(at)
    target = (target or "")[:200]
    h = admin_event_hash(seq, at, actor.user_id, actor.label, kind, target, data, prev)
    ev = AdminEvent(seq=seq, at=at, actor_id=actor.user_id, actor_label=actor.label[:60], kind=kind,
                    target=target, data=data, prev_hash=prev, hash=h)
    session.add(ev)
    session.flush()
    return ev


@dataclass(frozen=True)
class AdminProblem:
    seq: int
    problem: str


def verify_admin_chain(session, batch: int = 1000) -> tuple[int, list[AdminProblem]]:
    """Recompute the admin chain; returns (events, problems), the first broken link first."""
    problems: list[AdminProblem] = []
    n = 0
    expected = 1
    prev = None
    last = 0
    while True:
        rows = session.scalars(sa.select(AdminEvent).where(AdminEvent.seq > last).order_by(AdminEvent.seq)
                               .limit(batch)).all()
        if not rows:
            break
        for e in rows:
            n += 1
            if e.seq != expected:
                problems.append(AdminProblem(expected, "admin event missing"))
                expected = e.seq
            elif e.prev_hash != prev:
                problems.append(AdminProblem(e.seq, "chain broken"))
            h = admin_event_hash(e.seq, e.at, e.actor_id, e.actor_label, e.kind, e.target, e.data, e.prev_hash)
            if h != e.hash:
                problems.append(AdminProblem(e.seq, "admin event altered"))
            prev = e.hash
            expected += 1
        last = rows[-1].seq
    return n, problems


@dataclass(frozen=True)
class AuditFilter:
    """Which admin events a list shows: one kind, and local days from and to (both included)."""

    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def audit_filter(kind: str | None, date_from: str | None, date_to: str | None) -> AuditFilter:
    """The filter from what a page or API call was given; ValidationError naming each bad value."""
    errors = {}
    kind = (kind or "").strip() or None
    if kind is not None and kind not in AdminEventKind.__members__.values():
        errors["kind"] = N_("Unknown kind of admin event.")
    days = {}
    for name, raw in (("from", date_from), ("to", date_to)):
        raw = (raw or "").strip()
        if raw:
            try:
                days[name] = date.fromisoformat(raw) if len(raw) == 10 else None
            except ValueError:
                days[name] = None
            if days[name] is None:
                errors[name] = N_("Give a date as YYYY-MM-DD.")
    if not errors and days.get("from") and days.get("to") and days["from"] > days["to"]:
        errors["to"] = N_("The end date is before the start date.")
    if errors:
        raise ValidationError("the filter has errors", errors)
    return AuditFilter(kind, days.get("from"), days.get("to"))


def events_page(session, f: AuditFilter, *, country: str, page: int = 1,
                per_page: int = 50) -> tuple[list[AdminEvent], int]:
    """One page of admin events, newest first, and how many match in all (days in the country's time)."""
    tz = ZoneInfo(profile(country).timezone)
    conditions = []
    if f.kind:
        conditions.append(AdminEvent.kind == f.kind)
    if f.date_from is not None:
        conditions.append(AdminEvent.at >= as_utc(datetime.combine(f.date_from, time.min, tz)))
    if f.date_to is not None:
        conditions.append(AdminEvent.at < as_utc(datetime.combine(f.date_to + timedelta(days=1), time.min, tz)))
    total = session.scalar(sa.select(sa.func.count()).select_from(AdminEvent).where(*conditions)) or 0
    rows = session.scalars(sa.select(AdminEvent).where(*conditions).order_by(AdminEvent.seq.desc())
                           .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return list(rows), total
