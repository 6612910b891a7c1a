"""The append-only event history: writing events into each grievance's hash chain, and verifying it."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .. import webhooks
from .. import statistics
from ..events import EventType, checked
from ..extensions import db
from ..models import Event, Grievance
from ..timeutil import as_utc
from .actors import Actor


def event_hash(code: str, seq: int, type_: str, at: datetime, actor_id, actor_label: str, office_id,
               level, status_from, status_to, note, data, prev_hash) -> str:
    """SHA-256 over a canonical JSON form of everything an event says, chained to the one before."""
    payload = json.dumps(
        [code, seq, type_, at.isoformat(timespec="microseconds"), actor_id, actor_label, office_id, level,
         status_from, status_to, note, data or {}, prev_hash],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def record(g: Grievance, type_: EventType | str, *, actor: Actor, at: datetime, status_from: str | None = None,
           status_to: str | None = None, note: str | None = None, data: dict | None = None) -> Event:
    """Append one event to a grievance, extending its chain; the caller's transaction commits it.

    ValueError for a type the catalogue (grs/events.py) lacks, TypeError for data that does not fit it.
    """
    type_ = checked(type_, data).value  # the plain string: stored and hashed as before
    if g.tracking_code is None:
        raise ValueError("grievance needs its tracking code before events")
    at = as_utc(at)  # hashed as stored: UTC, microseconds
    seq = (g.event_count or 0) + 1
    office_id = g.office_id
    h = event_hash(g.tracking_code, seq, type_, at, actor.user_id, actor.label, office_id, g.level,
                   status_from, status_to, note, data, g.head_hash)
    ev = Event(grievance=g, seq=seq, type=type_, at=at, actor_id=actor.user_id, actor_label=actor.label,
               office_id=office_id, level=g.level, status_from=status_from, status_to=status_to, note=note,
               data=data or {}, prev_hash=g.head_hash, hash=h)
    db.session.add(ev)
    g.event_count = seq
    g.head_hash = h
    webhooks.enqueue(db.session, g, ev)  # subscribers' copies ride the same transaction as the event
    statistics.track(g, ev)  # the per-day counters follow the events, in the same transaction
    return ev


@dataclass(frozen=True)
class AuditProblem:
    tracking_code: str
    seq: int | None
    problem: str


def verify_chains(batch: int = 500) -> tuple[int, int, list[AuditProblem]]:
    """Recompute every grievance's chain; returns (grievances, events, problems found)."""
    problems: list[AuditProblem] = []
    n_grievances = n_events = 0
    last_id = 0
    while True:
        gs = db.session.scalars(
            sa.select(Grievance).where(Grievance.id > last_id).order_by(Grievance.id).limit(batch)
        ).all()
        if not gs:
            break
        ids = [g.id for g in gs]
        rows = db.session.scalars(
            sa.select(Event).where(Event.grievance_id.in_(ids)).order_by(Event.grievance_id, Event.seq)
        ).all()
        by_g: dict[int, list[Event]] = {}
        for e in rows:
            by_g.setdefault(e.grievance_id, []).append(e)
        for g in gs:
            n_grievances += 1
            prev = None
            events = by_g.get(g.id, [])
            n_events += len(events)
            for expected_seq, e in enumerate(events, start=1):
                if e.seq != expected_seq:
                    problems.append(AuditProblem(g.tracking_code, expected_seq, "event missing"))
                    break
                if e.prev_hash != prev:
                    problems.append(AuditProblem(g.tracking_code, e.seq, "chain broken"))
                h = event_hash(g.tracking_code, e.seq, e.type, e.at, e.actor_id, e.actor_label, e.office_id,
                               e.level, e.status_from, e.status_to, e.note, e.data, e.prev_hash)
                if h != e.hash:
                    problems.append(AuditProblem(g.tracking_code, e.seq, "event altered"))
                prev = e.hash
            if len(events) != g.event_count or prev != g.head_hash:
                problems.append(AuditProblem(g.tracking_code, None, "events missing at the end of the chain"))
        last_id = ids[-1]
        db.session.expunge_all()
    return n_grievances, n_events, problems
