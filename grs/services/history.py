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


def chain(g, type_: EventType | str, *, actor: Actor, at: datetime, status_from: str | None = None,
          status_to: str | None = None, note: str | None = None, data: dict | None = None) -> dict:
    """The next event of a grievance's chain as column values (seq, hash, the office and tier it is at
    now), and the grievance's count and head hash moved on to it: `record` and the batch sweep
    (escalation/batch.py) both chain through here.

    ValueError for a type the catalogue (grs/events.py) lacks, TypeError for data that does not fit it.
    """
    type_ = checked(type_, data).value  # the plain string: stored and hashed as before
    if g.tracking_code is None:
        raise ValueError("grievance needs its tracking code before events")
    at = as_utc(at)  # hashed as stored: UTC, microseconds
    seq = (g.event_count or 0) + 1
    office_id, prev = g.office_id, g.head_hash
    h = event_hash(g.tracking_code, seq, type_, at, actor.user_id, actor.label, office_id, g.level,
                   status_from, status_to, note, data, prev)
    g.event_count = seq
    g.head_hash = h
    return dict(seq=seq, type=type_, at=at, actor_id=actor.user_id, actor_label=actor.label, office_id=office_id,
                level=g.level, status_from=status_from, status_to=status_to, note=note, data=data or {},
                prev_hash=prev, hash=h)


def record(g: Grievance, type_: EventType | str, *, actor: Actor, at: datetime, status_from: str | None = None,
           status_to: str | None = None, note: str | None = None, data: dict | None = None) -> Event:
    """Append one event to a grievance, extending its chain; the caller's transaction commits it.

    ValueError for a type the catalogue (grs/events.py) lacks, TypeError for data that does not fit it.
    """
    ev = Event(grievance=g, **chain(g, type_, actor=actor, at=at, status_from=status_from, status_to=status_to,
                                    note=note, data=data))
    db.session.add(ev)
    webhooks.enqueue(db.session, g, ev)  # subscribers' copies ride the same transaction as the event
    statistics.track(g, ev)  # the per-day counters follow the events, in the same transaction
    return ev


def seal_hash(code: str, e: Event) -> str:
    """SHA-256 over what an event says now and its stored hash: the `anonymised` event keeps one per earlier
    event, so an event whose note was redacted (and so no longer matches its own hash) is still checked."""
    return event_hash(code, e.seq, e.type, e.at, e.actor_id, e.actor_label, e.office_id, e.level, e.status_from,
                      e.status_to, e.note, e.data, f"{e.prev_hash}|{e.hash}")


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
            events = by_g.get(g.id, [])
            n_events += len(events)
            problems.extend(check_chain(g.tracking_code, g.event_count, g.head_hash, events))
        last_id = ids[-1]
        db.session.expunge_all()
    return n_grievances, n_events, problems


def check_chain(code: str, event_count: int | None, head_hash: str | None, events: list[Event]) -> list[AuditProblem]:
    """The problems of one grievance's chain (events in seq order); empty when it is intact.

    An event before an `anonymised` one is checked against that event's seal of it (its notes were
    replaced after it was hashed); its own hash still links it to the next, so nothing can be cut out.
    """
    problems: list[AuditProblem] = []
    seals: dict[int, str] = {}  # seq -> the seal the first later `anonymised` event keeps for it
    for e in reversed(events):
        if e.type == "anonymised":
            sealed = (e.data or {}).get("sealed")
            for i, s in enumerate(sealed if isinstance(sealed, list) else [], start=1):
                if i < e.seq:
                    seals[i] = s
    prev = None
    for expected_seq, e in enumerate(events, start=1):
        if e.seq != expected_seq:
            problems.append(AuditProblem(code, expected_seq, "event missing"))
            return problems
        if e.prev_hash != prev:
            problems.append(AuditProblem(code, e.seq, "chain broken"))
        if e.seq in seals:
            intact = seal_hash(code, e) == seals[e.seq]
        else:
            intact = event_hash(code, e.seq, e.type, e.at, e.actor_id, e.actor_label, e.office_id, e.level,
                                e.status_from, e.status_to, e.note, e.data, e.prev_hash) == e.hash
        if not intact:
            problems.append(AuditProblem(code, e.seq, "event altered"))
        prev = e.hash
    if len(events) != event_count or prev != head_hash:
        problems.append(AuditProblem(code, None, "events missing at the end of the chain"))
    return problems
