"""Working-time arithmetic: pure functions of a calendar, no clock and no database.

The clock rules (one definition: `deadlines`; services, the sweep and recomputation all call it)
- A clock starts when a grievance arrives at an office (routing, placing, a transfer to another tier,
  an escalation, an appeal). Working days are the calendar's: its weekend and holidays, in its zone.
- Every deadline is the end (23:59:59 local) of a working day. `n` working days after an instant is
  the end of the n-th working day after its local day; the start's own day never counts. Zero days is
  the end of the start's day if it is a working day, else of the next working day.
- Acknowledgement: `ack_days` working days after the start, while the case has not been acknowledged
  on this clock. Pauses and the extension never move it.
- Resolution: the base limit is `resolve_days` working days after the start. Every working day the
  office waited for the complainant (a pause: from asking for information to resuming; the day of
  asking is the office's, the day of resuming is the waiting's) and the one extension push it by
  that many working days, counted on from the base limit. Because the push is counted from the base
  limit, adding pauses and the extension one by one, in any order, gives the same deadline as adding
  their sum at once (`Calendar.add_working_days` is additive once at least one day was added).
- A pause still running counts only when a moment is given (`now`): the deadline as if the case
  resumed then. Stored deadlines leave it out; resuming folds it into `paused_working_days`.
- A resolution is within the limit when it falls at or before that deadline, a running pause
  counted up to the resolution (the days spent waiting were the complainant's, not the office's).
- Limits may be counted in calendar days instead (`day_kind="calendar"`): `n` calendar days after an
  instant is the end of the local day n days later (zero: the end of its own day), weekends and
  holidays included; pauses and the extension are then counted in calendar days too.
- The warning falls at the end of the working day `warn_days` working days before the deadline's day
  (1: the working day before).
- The feedback (and appeal) window ends `window_days` working days after the decision.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class Calendar:
    """A country's working week and non-working days, in its own time zone."""

    tz: ZoneInfo
    weekend: frozenset[int]  # Monday = 0
    holidays: frozenset[date] = field(default_factory=frozenset)
    # Weekend days declared working days (Bangladesh's Saturdays that offset Eid); never also holidays.
    working_days: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, d: date) -> bool:
        return d in self.working_days or (d.weekday() not in self.weekend and d not in self.holidays)

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def end_of_day(self, d: date) -> datetime:
        """The last second of a local day, in UTC: where every deadline falls."""
        return datetime.combine(d, END_OF_DAY, tzinfo=self.tz).astimezone(timezone.utc)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after d."""
        d += timedelta(days=1)
        guard = 0
        while not self.is_working_day(d):
            d += timedelta(days=1)
            guard += 1
            if guard > 366:
                raise ValueError("calendar has no working day within a year")
        return d

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The deadline `days` working days after `start`: the end of that working day, in UTC.

        The day of `start` itself never counts; zero days means the end of `start`'s day if it is a
        working day, else of the next working day.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        d = self.local_date(start)
        if days == 0:
            return self.end_of_day(d if self.is_working_day(d) else self.next_working_day(d))
        for _ in range(days):
            d = self.next_working_day(d)
        return self.end_of_day(d)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days d with start's local day < d <= end's local day (0 when end <= start)."""
        a, b = self.local_date(start), self.local_date(end)
        if b <= a:
            return 0
        count, d = 0, a
        # Whole weeks at once keeps long spans (a year-old case in a report) cheap.
        full_weeks = (b - a).days // 7
        if full_weeks:
            holidays_in = sum(1 for h in self.holidays
                              if a < h <= a + timedelta(days=7 * full_weeks) and h.weekday() not in self.weekend)
            working_weekend_days = sum(1 for w in self.working_days
                                       if a < w <= a + timedelta(days=7 * full_weeks) and w.weekday() in self.weekend)
            count = full_weeks * (7 - len(self.weekend)) - holidays_in + working_weekend_days
            d = a + timedelta(days=7 * full_weeks)
        while d < b:
            d += timedelta(days=1)
            if self.is_working_day(d):
                count += 1
        return count

    def previous_working_day_end(self, deadline: datetime, days: int = 1) -> datetime:
        """The end of the working day `days` working days before the deadline's day: when a warning is due."""
        d = self.local_date(deadline)
        for _ in range(max(1, days)):
            d -= timedelta(days=1)
            while not self.is_working_day(d):
                d -= timedelta(days=1)
        return self.end_of_day(d)

    def add_calendar_days(self, start: datetime, days: int) -> datetime:
        """The end of the local day `days` calendar days after `start`'s (zero: the end of its own day)."""
        if days < 0:
            raise ValueError("days must not be negative")
        return self.end_of_day(self.local_date(start) + timedelta(days=days))

    def add_days(self, start: datetime, days: int, day_kind: str = "working") -> datetime:
        """`days` working or calendar days after `start`, by the policy's day kind."""
        if day_kind == "calendar":
            return self.add_calendar_days(start, days)
        return self.add_working_days(start, days)

    def days_between(self, start: datetime, end: datetime, day_kind: str = "working") -> int:
        """Working (or calendar) days d with start's local day < d <= end's local day."""
        if day_kind == "calendar":
            return max(0, (self.local_date(end) - self.local_date(start)).days)
        return self.working_days_between(start, end)

    def working_days_left(self, now: datetime, deadline: datetime) -> int:
        """Whole working days from now to the deadline; negative when overdue by that many."""
        if deadline >= now:
            return self.working_days_between(now, deadline)
        return -max(1, self.working_days_between(deadline, now))


# ---------------------------------------------------------------- the clock


@dataclass(frozen=True)
class ClockFacts:
    """What a grievance's running clock is made of: enough to compute its deadlines from scratch."""

    started_at: datetime
    ack_days: int
    resolve_days: int
    kind: str = "grievance"  # grievance | appeal: which limits these are (the arithmetic is the same)
    extension_days: int | None = None  # None: not extended; else the days the one extension added
    paused_working_days: int = 0  # working days waited in pauses that have ended
    paused_at: datetime | None = None  # the pause running now, if any
    acknowledged: bool = False  # acknowledged since this clock started: the acknowledgement clock stopped
    day_kind: str = "working"  # working | calendar: what the limits count
    warn_days: int = 1  # the warning falls this many working days before the deadline's day

    def __post_init__(self) -> None:
        if self.started_at.tzinfo is None or (self.paused_at is not None and self.paused_at.tzinfo is None):
            raise ValueError("clock instants must be aware")
        for name in ("ack_days", "resolve_days", "paused_working_days"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.extension_days is not None and self.extension_days < 0:
            raise ValueError("extension_days must not be negative")
        if self.day_kind not in ("working", "calendar"):
            raise ValueError("day_kind must be working or calendar")


@dataclass(frozen=True)
class Deadlines:
    """A clock's deadlines, in UTC: acknowledgement (None once acknowledged), resolution, warning."""

    ack_due_at: datetime | None
    due_at: datetime
    warn_at: datetime


def deadlines(facts: ClockFacts, calendar: Calendar, now: datetime | None = None) -> Deadlines:
    """The deadlines of a clock; with `now`, a running pause counts as if the case resumed at `now`."""
    pushed = facts.paused_working_days + (facts.extension_days or 0)
    if facts.paused_at is not None and now is not None:
        pushed += paused_days(calendar, facts.paused_at, now, facts.day_kind)
    # Counted on from the base limit, not from the start: the two differ when resolve_days is 0 and
    # the clock starts on a day off, and only this way do pushes one at a time equal pushes at once.
    kind = facts.day_kind
    due = calendar.add_days(calendar.add_days(facts.started_at, facts.resolve_days, kind), pushed, kind)
    ack = None if facts.acknowledged else calendar.add_days(facts.started_at, facts.ack_days, kind)
    return Deadlines(ack_due_at=ack, due_at=due, warn_at=warn_at(calendar, due, facts.warn_days))


def paused_days(calendar: Calendar, paused_at: datetime, resumed_at: datetime, day_kind: str = "working") -> int:
    """Days waited in a pause: those after the day of asking up to the day of resuming."""
    return calendar.days_between(paused_at, resumed_at, day_kind)


def warn_at(calendar: Calendar, due_at: datetime, warn_days: int = 1) -> datetime:
    """When the office is warned of a deadline: the end of the working day `warn_days` working days
    before its day."""
    return calendar.previous_working_day_end(due_at, warn_days)


def within_limit(facts: ClockFacts, calendar: Calendar, resolved_at: datetime) -> bool:
    """Whether a resolution (or rejection) at `resolved_at` met the clock's limit.

    A pause still running at that moment counts up to it, as if the case had resumed just before.
    """
    return resolved_at <= deadlines(facts, calendar, now=resolved_at).due_at


def feedback_due(calendar: Calendar, decided_at: datetime, window_days: int) -> datetime:
    """The end of the window to answer "satisfied?" or to appeal after a resolution or rejection."""
    return calendar.add_working_days(decided_at, window_days)
