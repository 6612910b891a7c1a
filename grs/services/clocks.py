"""A grievance's clock as stored on its row, computed by the one clock function (escalation/sla.py).

Every change of the clock (start, pause, resume, extension, a change of limits or days off) updates
the facts on the row and asks `sla.deadlines` for the deadlines: step by step and from scratch are
the same computation.
"""
from __future__ import annotations

from datetime import date, datetime

from escalation import sla

from ..models import Grievance


def limits(uow, g: Grievance):
    return uow.policies.limits(g.level, g.category_id, g.clock_kind)


def calendar(uow, g: Grievance, around: datetime) -> sla.Calendar:
    return uow.policies.calendar(g.area, around)


def facts(uow, g: Grievance, *, fresh: bool = False) -> sla.ClockFacts:
    """The facts of the grievance's running clock, with today's limits for its tier and category.

    The acknowledgement clock has stopped once its deadline was cleared (only acknowledging clears it,
    only a new clock sets it): a case transferred back to `received` within its tier keeps it stopped.
    `fresh` is for a clock starting now.
    """
    lim = limits(uow, g)
    return sla.ClockFacts(
        started_at=g.clock_started_at, ack_days=lim.ack_days, resolve_days=lim.resolve_days,
        kind=g.clock_kind, extension_days=lim.extension_days if g.extended else None,
        paused_working_days=g.paused_working_days or 0, paused_at=g.paused_at,
        acknowledged=False if fresh else g.ack_due_at is None, day_kind=lim.day_kind, warn_days=lim.warn_days)


def deadlines(uow, g: Grievance, now: datetime | None = None, *, fresh: bool = False) -> sla.Deadlines:
    """The clock's deadlines, from scratch (the same computation at every step).

    A pure function of the facts, the calendar and `now`, kept for the unit of work: the grievances a
    sweep batch moves share a few (facts, calendar) pairs, so each distinct deadline is computed once."""
    f, cal = facts(uow, g, fresh=fresh), calendar(uow, g, g.clock_started_at)
    key = ("deadlines", f, cal, now)
    found = uow.memo.get(key)
    if found is None:
        found = uow.memo[key] = sla.deadlines(f, cal, now=now)
    return found


def apply(uow, g: Grievance, *, ack: bool = True, fresh: bool = False) -> None:
    """Store the deadlines the clock's facts give; `ack=False` leaves the acknowledgement deadline
    alone (a pause or an extension never moves it)."""
    d = deadlines(uow, g, fresh=fresh)
    g.due_at = d.due_at
    if ack:
        g.ack_due_at = d.ack_due_at


def start(uow, g: Grievance, now: datetime, kind: str = "grievance") -> None:
    """Start the acknowledgement and resolution clocks at the grievance's current office."""
    g.clock_started_at = now
    g.clock_kind = kind
    g.paused_at = None
    g.paused_working_days = 0
    g.extended = False
    g.warned_at = None
    g.ack_breached = False
    g.overdue_flagged = False
    apply(uow, g, fresh=True)


def queue_day(uow, g: Grievance, now: datetime) -> date | None:
    """The working day a grievance arriving at an office now is in that office's queue, when that is not
    today: it arrived on a weekend day or a day off (or, with OFFICE_HOURS_END set, after office hours).
    Messages about the arrival are dated that day; None when the office can take it up today."""
    cal = calendar(uow, g, now)
    local = now.astimezone(cal.tz)
    end = uow.settings.office_hours_end
    if cal.is_working_day(local.date()) and (end is None or local.time() < end):
        return None
    return cal.next_working_day(local.date())


def start_triage(uow, g: Grievance, now: datetime) -> None:
    """A complaint no office covers yet: placing it is the acknowledgement, on the lowest tier's limit."""
    g.clock_started_at = now
    lim = uow.policies.limits(uow.policies.lowest_tier(), g.category_id)
    g.ack_due_at = sla.deadlines(sla.ClockFacts(now, lim.ack_days, lim.resolve_days, day_kind=lim.day_kind),
                                 uow.policies.calendar(None, now)).ack_due_at


def pause(g: Grievance, now: datetime) -> None:
    g.paused_at = now


def resume(uow, g: Grievance, now: datetime) -> int:
    """End a running pause, pushing the deadline by the working days waited; returns them."""
    if g.paused_at is None:
        return 0
    waited = sla.paused_days(calendar(uow, g, g.clock_started_at), g.paused_at, now, limits(uow, g).day_kind)
    g.paused_working_days = (g.paused_working_days or 0) + waited
    g.paused_at = None
    apply(uow, g, ack=False)
    return waited


def extend(uow, g: Grievance) -> int:
    """Use the clock's one extension; returns the working days it added."""
    g.extended = True
    g.warned_at = None
    apply(uow, g, ack=False)
    return limits(uow, g).extension_days


def acknowledged(g: Grievance) -> None:
    """The acknowledgement clock stops; its events keep the record."""
    g.ack_due_at = None


def within_limit(uow, g: Grievance, at: datetime) -> bool | None:
    """Whether a decision at `at` meets the running clock's limit (None: the grievance had no clock)."""
    if g.due_at is None or g.office_id is None:
        return None
    return sla.within_limit(facts(uow, g), calendar(uow, g, g.clock_started_at), at)


def stop(g: Grievance) -> None:
    """A decision stops the clock."""
    g.ack_due_at = g.due_at = None
    g.paused_at = None


def feedback_due(uow, g: Grievance, decided_at: datetime) -> datetime:
    return sla.feedback_due(calendar(uow, g, decided_at), decided_at, uow.settings.feedback_window_days)


def working_days_over(uow, g: Grievance, now: datetime) -> int:
    """Working days from the grievance's deadline to `now` (what a breach event says), kept for the unit of
    work like `deadlines`: a batch's grievances share a few deadlines."""
    cal = calendar(uow, g, now)
    key = ("days_over", cal, g.due_at, now)
    found = uow.memo.get(key)
    if found is None:
        found = uow.memo[key] = cal.working_days_between(g.due_at, now)
    return found


def warn_at(uow, g: Grievance) -> datetime:
    return sla.warn_at(calendar(uow, g, g.due_at), g.due_at, limits(uow, g).warn_days)


def data(g: Grievance) -> dict:
    """The deadlines just set, kept in the event so statistics can judge them later."""
    return {"ack_due_at": g.ack_due_at.isoformat() if g.ack_due_at else None,
            "due_at": g.due_at.isoformat() if g.due_at else None, "clock": g.clock_kind}
