"""Helpers for the concurrent-sweep proofs: a set of overdue grievances, and the check that each was
escalated exactly once with the counters still equal to a recount."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import sqlalchemy as sa

import builders
from builders import BARIA, BASAN
from grs import statistics
from grs.extensions import db
from grs.models import Event, Grievance


def overdue_and_fresh(now: datetime, n_overdue: int, n_fresh: int) -> tuple[list[str], list[str]]:
    """`n_overdue` grievances lodged 60 days before `now` (long past every limit) and `n_fresh` lodged at
    `now`, in two unions; their tracking codes. Runs in the caller's app context and commits."""
    overdue = [builders.lodge(BARIA if i % 2 else BASAN, now=now - timedelta(days=60, minutes=i)).tracking_code
               for i in range(n_overdue)]
    fresh = [builders.lodge(BARIA, now=now - timedelta(minutes=i)).tracking_code for i in range(n_fresh)]
    return overdue, fresh


def assert_each_escalated_once(overdue: list[str], fresh: list[str]) -> None:
    """Each overdue grievance escalated exactly once (row and events), the fresh ones untouched, the counters
    equal to a recount from the events. Runs in an app context."""
    db.session.expire_all()
    rows = {g.tracking_code: g for g in db.session.scalars(sa.select(Grievance))}
    events = Counter(db.session.execute(sa.select(Grievance.tracking_code, Event.type).join(Event.grievance)
                                        .where(Event.type.in_(("escalated", "deadline_breached")))).all())
    for code in overdue:
        g = rows[code]
        assert (g.escalation_count, g.level) == (1, "upazila"), (code, g.escalation_count, g.level)
        assert events[(code, "escalated")] == 1, f"{code}: {events[(code, 'escalated')]} escalation events"
        assert events[(code, "deadline_breached")] == 1, code
    for code in fresh:
        assert (rows[code].escalation_count, rows[code].level) == (0, "union"), code
    assert statistics.stored_counts(db.session) == statistics.recount(db.session), "counters differ from a recount"
