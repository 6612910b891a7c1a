"""Working-time arithmetic: pure functions of a calendar, no clock and no database."""
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

    def is_working_day(self, d: date) -> bool:
        return d.weekday() not in self.weekend and d not in self.holidays

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
            count = full_weeks * (7 - len(self.weekend)) - holidays_in
            d = a + timedelta(days=7 * full_weeks)
        while d < b:
            d += timedelta(days=1)
            if self.is_working_day(d):
                count += 1
        return count

    def previous_working_day_end(self, deadline: datetime) -> datetime:
        """The end of the working day before the deadline's day: when a warning is due."""
        d = self.local_date(deadline) - timedelta(days=1)
        while not self.is_working_day(d):
            d -= timedelta(days=1)
        return self.end_of_day(d)

    def working_days_left(self, now: datetime, deadline: datetime) -> int:
        """Whole working days from now to the deadline; negative when overdue by that many."""
        if deadline >= now:
            return self.working_days_between(now, deadline)
        return -max(1, self.working_days_between(deadline, now))
