"""The escalation pass: everything that happens because time passed, idempotent and safe to run twice.

Each grievance is handled in its own short transaction, claimed with `FOR UPDATE SKIP LOCKED` on
PostgreSQL and protected everywhere by the grievance's version column, so two sweeps running at once
never act on the same grievance twice. Every query starts from an index on a deadline, so a pass
costs time in proportion to what is due, not to the number of open grievances.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from grs import notifications, queries
from grs.database import is_postgres
from grs.extensions import db
from grs.models import Grievance
from grs.services.actors import Actor
from grs.services.grievances import escalate_one
from grs.services.history import record
from grs.timeutil import as_utc

from .policy import calendar_for, country_calendar

log = logging.getLogger(__name__)

SWEEP = Actor.system("sweep")


@dataclass
class SweepResult:
    """What one pass did, for the CLI and the scheduler log (codes only, no personal data)."""

    now: datetime
    escalated: list[tuple[str, str, str]] = field(default_factory=list)  # code, from office, to office
    flagged: list[str] = field(default_factory=list)
    ack_breached: list[str] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    conflicts: int = 0

    @property
    def did_anything(self) -> bool:
        return bool(self.escalated or self.flagged or self.ack_breached or self.warned or self.closed)

    def lines(self) -> list[str]:
        out = [f"sweep at {self.now.isoformat()}: {len(self.escalated)} escalated, {len(self.flagged)} "
               f"flagged overdue at the top tier, {len(self.ack_breached)} acknowledgement breaches, "
               f"{len(self.warned)} warnings, {len(self.closed)} closed without an answer"
               + (f", {self.conflicts} left to another sweep" if self.conflicts else "")]
        out += [f"  escalated {code}: {a} -> {b}" for code, a, b in self.escalated]
        out += [f"  overdue at the top tier: {code}" for code in self.flagged]
        out += [f"  not acknowledged in time: {code}" for code in self.ack_breached]
        out += [f"  warned: {code}" for code in self.warned]
        out += [f"  closed: {code}" for code in self.closed]
        return out


def sweep(now: datetime, batch: int = 200) -> SweepResult:
    """One pass at time `now`: escalate overdue grievances, record acknowledgement breaches, warn
    offices a working day ahead, and close resolutions nobody answered within the window."""
    now = as_utc(now)
    result = SweepResult(now)
    # Acknowledgement breaches first: they belong to the office that held the grievance when the
    # acknowledgement limit passed, before an escalation hands it on with a fresh clock.
    _each_due(_ack_due(now), now, batch, result, _ack_breach)
    _each_due(_overdue(now), now, batch, result, _escalate)
    _each_due(_warn_due(now), now, batch, result, _warn)
    _each_due(_unanswered(now), now, batch, result, _close_unanswered)
    if result.did_anything:
        log.info("%s", result.lines()[0])
    return result


# ---------------------------------------------------------------- what is due
# Each "due" set is a list of conditions on Grievance plus the deadline column that orders it. The
# same conditions are checked again on the locked row, so a grievance another sweep has just handled
# no longer qualifies.


def _overdue(now: datetime):
    # Overdue as everywhere else, less those already flagged at the top tier.
    return [*queries.overdue_conditions(now), Grievance.overdue_flagged.is_(False)], Grievance.due_at


def _ack_due(now: datetime):
    return [Grievance.is_open.is_(True), Grievance.ack_breached.is_(False), Grievance.ack_due_at < now,
            Grievance.status == "received"], Grievance.ack_due_at


def _warn_due(now: datetime):
    # The precise test needs each area's calendar; the index narrows candidates to deadlines before the
    # end of the next country working day, plus a margin for local days off.
    cal = country_calendar(now)
    horizon = cal.end_of_day(cal.next_working_day(cal.local_date(now))) + timedelta(days=3)
    return [Grievance.is_open.is_(True), Grievance.overdue_flagged.is_(False), Grievance.due_at >= now,
            Grievance.due_at <= horizon, Grievance.warned_at.is_(None),
            Grievance.status != "awaiting_info"], Grievance.due_at


def _unanswered(now: datetime):
    return [Grievance.status.in_(("resolved", "rejected")), Grievance.feedback_due_at < now], \
        Grievance.feedback_due_at


def _each_due(due, now: datetime, batch: int, result: SweepResult, handle) -> None:
    """Run `handle` on every grievance in the due set, batch by batch, one transaction each."""
    conditions, deadline = due
    skipped: set[int] = set()
    while True:
        q = sa.select(Grievance.id).where(*conditions).order_by(deadline, Grievance.id).limit(batch)
        if skipped:
            q = q.where(Grievance.id.not_in(skipped))
        ids = db.session.scalars(q).all()
        db.session.rollback()  # end the read transaction before the per-grievance ones
        if not ids:
            return
        for gid in ids:
            if not _one(gid, conditions, now, result, handle):
                skipped.add(gid)


def _one(gid: int, conditions, now: datetime, result: SweepResult, handle) -> bool:
    """Claim one grievance if it is still due and handle it; False when it was left alone."""
    claim = sa.select(Grievance).where(Grievance.id == gid, *conditions)
    if is_postgres(db.engine):
        claim = claim.with_for_update(skip_locked=True)
    try:
        g = db.session.scalar(claim)
        if g is None or not handle(g, now, result):
            db.session.rollback()
            return False
        db.session.commit()
        return True
    except (StaleDataError, OperationalError) as e:
        # Another sweep or an officer changed it first: theirs stands, ours is dropped.
        db.session.rollback()
        result.conflicts += 1
        log.info("sweep left grievance id=%s to a concurrent change (%s)", gid, type(e).__name__)
        return False


# ---------------------------------------------------------------- what happens


def _escalate(g: Grievance, now: datetime, result: SweepResult) -> bool:
    cal = calendar_for(g.area, now)
    overdue_days = cal.working_days_between(g.due_at, now)
    record(g, "deadline_breached", actor=SWEEP, at=now, status_from=g.status, status_to=g.status,
           data={"due_at": g.due_at.isoformat(), "working_days_over": overdue_days, "kind": g.clock_kind})
    origin = g.office.code
    target = escalate_one(g, actor=SWEEP, now=now, reason="time limit passed", breach=True)
    if target is None:
        g.overdue_flagged = True
        record(g, "flagged_overdue", actor=SWEEP, at=now, status_from=g.status, status_to=g.status,
               note="overdue at the highest tier")
        notifications.tell_office(g, g.office, "deadline_passed", now=now)
        result.flagged.append(g.tracking_code)
    else:
        result.escalated.append((g.tracking_code, origin, target.code))
    return True


def _ack_breach(g: Grievance, now: datetime, result: SweepResult) -> bool:
    g.ack_breached = True
    record(g, "ack_breached", actor=SWEEP, at=now, status_from=g.status, status_to=g.status,
           data={"ack_due_at": g.ack_due_at.isoformat()})
    result.ack_breached.append(g.tracking_code)
    return True


def _warn(g: Grievance, now: datetime, result: SweepResult) -> bool:
    cal = calendar_for(g.area, now)
    if now < cal.previous_working_day_end(g.due_at):
        return False  # not yet: a later pass warns it
    g.warned_at = now
    record(g, "warned", actor=SWEEP, at=now, status_from=g.status, status_to=g.status,
           data={"due_at": g.due_at.isoformat()})
    notifications.tell_office(g, g.office, "deadline_warning", now=now)
    result.warned.append(g.tracking_code)
    return True


def _close_unanswered(g: Grievance, now: datetime, result: SweepResult) -> bool:
    before = g.status
    g.status = "closed"
    g.is_open = False
    g.closed_at = now
    g.feedback_due_at = None
    record(g, "closed", actor=SWEEP, at=now, status_from=before, status_to="closed",
           data={"reason": "no answer within the feedback window"})
    notifications.tell_citizen(g, "closed", now=now)
    result.closed.append(g.tracking_code)
    return True
