"""backfill within_limit on resolved events

Revision ID: 66e703d51fbe
Revises: 569aced77eee
Create Date: 2026-12-01 20:49:30.340713

Until this revision every `resolved` event stored `within_limit: null` (the service cleared the clock
before judging it). This fills `within_limit` and `due_at` in from each grievance's own events: the
deadline in force is followed through the chain in seq order, as the service moved it, and a
resolution is within the limit when it falls at or before that deadline. Where the events do not
say the deadline (an old transfer to another tier restarted the clock without recording it) the
event is left as it was.

Events are hash-chained (`grs audit verify`), so a grievance whose event changed gets that event
and every later one rehashed, and its head_hash moved. A chain that does not verify before the
change is left alone and named in the log: rehashing it would bless whatever altered it.

Self-contained on purpose: the tables are declared here as they are at this revision, and the hash
is a copy of grs.services.history.event_hash as it was when these events were written (that module
imports the app's models and session, which follow the newest schema, not this revision's; and the
formula an old migration reproduces must not move if the app's ever does). The working-day
arithmetic is escalation.sla.Calendar and the country's week comes from grs.countries: both pure,
and they are the very definitions the service used.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import sqlalchemy as sa
from alembic import op

from escalation.sla import Calendar
from grs.countries import profile

# revision identifiers, used by Alembic.
revision = '66e703d51fbe'
down_revision = '569aced77eee'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.env")

BATCH = 500

events = sa.table(
    "events", sa.column("id", sa.Integer), sa.column("grievance_id", sa.Integer), sa.column("seq", sa.Integer),
    sa.column("type", sa.String), sa.column("at", sa.DateTime), sa.column("actor_id", sa.Integer),
    sa.column("actor_label", sa.String), sa.column("office_id", sa.Integer), sa.column("level", sa.String),
    sa.column("status_from", sa.String), sa.column("status_to", sa.String), sa.column("note", sa.Text),
    sa.column("data", sa.JSON), sa.column("prev_hash", sa.String), sa.column("hash", sa.String),
)
grievances = sa.table(
    "grievances", sa.column("id", sa.Integer), sa.column("tracking_code", sa.String),
    sa.column("area_id", sa.Integer), sa.column("event_count", sa.Integer), sa.column("head_hash", sa.String),
)
areas = sa.table("areas", sa.column("id", sa.Integer), sa.column("path", sa.String))
days_off = sa.table("holidays", sa.column("day", sa.Date), sa.column("area_id", sa.Integer))

# Events that start a clock at an office and state its deadline.
CLOCK_STARTS = ("routed", "placed", "escalated", "appealed")


def event_hash(code, seq, type_, at, actor_id, actor_label, office_id, level, status_from, status_to, note,
               data, prev_hash) -> str:
    """grs.services.history.event_hash, frozen: SHA-256 over the canonical JSON form of an event."""
    payload = json.dumps(
        [code, seq, type_, at.isoformat(timespec="microseconds"), actor_id, actor_label, office_id, level,
         status_from, status_to, note, data or {}, prev_hash],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _instant(text) -> datetime | None:
    return _utc(datetime.fromisoformat(text)) if text else None


def _country() -> str:
    try:
        from flask import current_app
        return current_app.config.get("COUNTRY") or "BD"
    except RuntimeError:  # plain alembic, outside the app
        return os.environ.get("GRS_COUNTRY") or "BD"


@lru_cache(maxsize=None)
def _public_holidays(country: str, year: int) -> frozenset:
    return frozenset(holidays_lib.country_holidays(country, years=year).keys())


class Calendars:
    """The calendar the service used for a grievance: the country's week and public holidays, plus
    the days off admins added for the whole country or for an area above the grievance's."""

    def __init__(self, conn, country: str):
        prof = profile(country)
        self.country, self.tz, self.weekend = country, ZoneInfo(prof.timezone), prof.weekend
        self.days_off = conn.execute(
            sa.select(days_off.c.day, areas.c.path).select_from(
                days_off.outerjoin(areas, areas.c.id == days_off.c.area_id))).all()
        self._made: dict = {}

    def get(self, area_path: str | None, first: datetime, last: datetime) -> Calendar:
        years = range(first.year - 1, last.year + 3)
        key = (area_path, years.start, years.stop)
        if key not in self._made:
            days = set()
            for y in years:
                days |= _public_holidays(self.country, y)
            for day, path in self.days_off:
                if path is None or (area_path is not None and area_path.startswith(path)):
                    days.add(day)
            self._made[key] = Calendar(tz=self.tz, weekend=self.weekend, holidays=frozenset(days))
        return self._made[key]


def within_limit_updates(rows, cal: Calendar) -> dict[int, dict]:
    """seq → the new data of each resolved event that lacks within_limit and whose deadline is known.

    Follows the deadline in force through the events in seq order, moving it as the service did.
    """
    changes: dict[int, dict] = {}
    due = paused_at = None
    for ev in rows:
        data = ev.data or {}
        at = _utc(ev.at)
        if ev.type in CLOCK_STARTS:
            due, paused_at = _instant(data.get("due_at")), None
        elif ev.type == "deadline_changed":
            due = _instant(data.get("to"))
        elif ev.type == "info_requested":
            paused_at = at
        elif ev.type == "resumed":
            waited = data.get("paused_working_days") or 0
            if due is not None and waited:
                due = cal.add_working_days(due, waited)
            paused_at = None
        elif ev.type == "extended":
            if due is not None:
                due = cal.add_working_days(due, data.get("days") or 0)
        elif ev.type == "transferred":
            if data.get("clock") == "restarted":
                due = paused_at = None  # a new clock whose deadline the old event does not state
            else:
                # The same tier kept the clock; a running pause ended there, unrecorded in the event.
                if due is not None and paused_at is not None:
                    waited = cal.working_days_between(paused_at, at)
                    if waited:
                        due = cal.add_working_days(due, waited)
                paused_at = None
        elif ev.type in ("resolved", "rejected"):
            if ev.type == "resolved" and data.get("within_limit") is None and due is not None:
                in_force = due
                if paused_at is not None:  # the wait up to the resolution was the complainant's
                    waited = cal.working_days_between(paused_at, at)
                    if waited:
                        in_force = cal.add_working_days(due, waited)
                changes[ev.seq] = {**data, "within_limit": at <= in_force, "due_at": in_force.isoformat()}
            due = paused_at = None
            continue
        # An event that states the deadline (a warning, a breach, newer events) is the last word on it.
        if data.get("due_at") and ev.type not in CLOCK_STARTS:
            due = _instant(data["due_at"])
    return changes


def _chain_intact(g, rows) -> bool:
    prev = None
    for expected_seq, ev in enumerate(rows, start=1):
        if ev.seq != expected_seq or ev.prev_hash != prev or ev.hash != _hash(g, ev, ev.data, prev):
            return False
        prev = ev.hash
    return len(rows) == g.event_count and prev == g.head_hash


def _hash(g, ev, data, prev_hash) -> str:
    return event_hash(g.tracking_code, ev.seq, ev.type, _utc(ev.at), ev.actor_id, ev.actor_label, ev.office_id,
                      ev.level, ev.status_from, ev.status_to, ev.note, data, prev_hash)


def upgrade():
    conn = op.get_bind()
    calendars = Calendars(conn, _country())
    ids = conn.execute(sa.select(events.c.grievance_id).where(events.c.type == "resolved")
                       .distinct().order_by(events.c.grievance_id)).scalars().all()
    filled = rehashed = skipped = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        gs = conn.execute(
            sa.select(grievances.c.id, grievances.c.tracking_code, grievances.c.event_count,
                      grievances.c.head_hash, areas.c.path)
            .select_from(grievances.outerjoin(areas, areas.c.id == grievances.c.area_id))
            .where(grievances.c.id.in_(batch))).all()
        by_g: dict[int, list] = {}
        for ev in conn.execute(sa.select(events).where(events.c.grievance_id.in_(batch))
                               .order_by(events.c.grievance_id, events.c.seq)):
            by_g.setdefault(ev.grievance_id, []).append(ev)
        event_rows, head_rows = [], []
        for g in gs:
            rows = by_g.get(g.id, [])
            cal = calendars.get(g.path, _utc(rows[0].at), _utc(rows[-1].at))
            changes = within_limit_updates(rows, cal)
            if not changes:
                continue
            if not _chain_intact(g, rows):
                skipped += 1
                log.warning("within_limit backfill: %s left as it is, its event chain does not verify",
                            g.tracking_code)
                continue
            first, prev = min(changes), None
            for ev in rows:
                data = changes.get(ev.seq, ev.data)
                if ev.seq >= first:
                    h = _hash(g, ev, data, prev)
                    event_rows.append({"eid": ev.id, "new_data": data, "new_prev": prev, "new_hash": h})
                    prev = h
                else:
                    prev = ev.hash
            head_rows.append({"gid": g.id, "new_head": prev})
            filled += len(changes)
            rehashed += 1
        if event_rows:
            conn.execute(events.update().where(events.c.id == sa.bindparam("eid")).values(
                data=sa.bindparam("new_data", type_=sa.JSON), prev_hash=sa.bindparam("new_prev"),
                hash=sa.bindparam("new_hash")), event_rows)
            conn.execute(grievances.update().where(grievances.c.id == sa.bindparam("gid"))
                         .values(head_hash=sa.bindparam("new_head")), head_rows)
    log.info("within_limit backfill: %d resolved events filled in on %d grievances (chains rehashed); "
             "%d grievances with a broken chain left alone", filled, rehashed, skipped)


def downgrade():
    # Nothing to undo: within_limit and due_at are facts the events imply, which the code before this
    # revision ignores; blanking them would rewrite every chain again and could not tell backfilled
    # values from those written since by the fixed service.
    pass
