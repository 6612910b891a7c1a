"""Time-limit policies, working calendars and tier ranks, read from the database for the pure SLA code.

A `Policies` object belongs to one unit of work (see grs/uow.py) and memoises what it read for that
transaction; `forget()` drops it after a policy or a day off changed. Views, which only show
durations, use `for_request()`, one per application context.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import sqlalchemy as sa
from flask import current_app, g

from grs.countries import profile
from grs.extensions import db
from grs.models import Area, Holiday, SlaPolicy, Tier

from .sla import Calendar

# Built-in defaults, used where no policy row matches (DOMAIN.md "Time limits"; all overridable).
DEFAULT_ACK_DAYS = 2
DEFAULT_RESOLVE_DAYS = {"union": 7, "upazila": 7, "district": 10, "national": 30}
DEFAULT_RESOLVE_DAYS_OTHER = 10
DEFAULT_EXTENSION_DAYS = 10
DEFAULT_APPEAL_DAYS = 20
DEFAULT_PAUSE_DAYS = 15  # an information request pauses the clock at most this long
SENSITIVE_ACK_DAYS = 1
SENSITIVE_RESOLVE_DAYS = 5
DEFAULT_ON_BREACH = "escalate"  # a missed deadline hands the case to the next tier on a grievance clock
ON_BREACH = ("escalate", "appeal", "review", "flag")
DAY_KINDS = ("working", "calendar")
DEFAULT_WARN_DAYS = 2  # the deadline warning, working days before the due day


@dataclass(frozen=True)
class Limits:
    """The working-day limits that apply to one grievance at one office."""

    ack_days: int
    resolve_days: int
    extension_days: int
    pause_days: int = DEFAULT_PAUSE_DAYS  # working days an information request may pause the clock
    # What a missed deadline does at this tier: "escalate" (next tier, fresh grievance clock), "appeal"
    # (next tier's appellate officer, on the appeal clock), "review" (flagged overdue and put on the national
    # review list, the final review cell: the GRS ladder's missed appeal deadline) or "flag" (flagged, stays).
    on_breach: str = DEFAULT_ON_BREACH
    appeal_levels: int | None = None  # appeals before the final review cell; None: up to the top tier
    extension_needs_reason: bool = True
    day_kind: str = "working"  # working | calendar: what the day counts above count
    warn_days: int = DEFAULT_WARN_DAYS

    @property
    def extension_allowed(self) -> bool:
        return self.extension_days > 0


def _from_row(p: SlaPolicy) -> Limits:
    return Limits(p.ack_days, p.resolve_days, p.extension_days, p.pause_days or DEFAULT_PAUSE_DAYS,
                  on_breach=p.on_breach or DEFAULT_ON_BREACH, appeal_levels=p.appeal_levels,
                  extension_needs_reason=True if p.extension_needs_reason is None else p.extension_needs_reason,
                  day_kind=p.day_kind or "working",
                  warn_days=DEFAULT_WARN_DAYS if p.warn_days is None else p.warn_days)


@lru_cache(maxsize=64)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays_lib.country_holidays(country, years=year).keys())


def public_holidays(country: str, years: range) -> frozenset[date]:
    """The country's public holidays for these years, from the `holidays` package."""
    out: set[date] = set()
    for y in years:
        out |= _public_holidays(country, y)
    return frozenset(out)


class Policies:
    """Limits, calendars and tier ranks for one transaction, each read from the database once."""

    def __init__(self, session, country: str):
        self.session = session
        self.country = country
        self.forget()

    def forget(self) -> None:
        """Drop what was read, after a limit, a day off or the tiers changed."""
        self._limits: dict | None = None
        self._days_off: list[tuple[date, str, str | None]] | None = None
        self._calendars: dict = {}
        self._ranks: dict[str, int] | None = None

    def limits(self, tier: str, category_id: int | None, kind: str = "grievance") -> Limits:
        """The most specific policy: this tier and category, else this tier, else the built-in default."""
        if self._limits is None:
            # All policies in one read: a few dozen rows.
            self._limits = {(p.tier, p.category_id, p.kind): _from_row(p)
                            for p in self.session.scalars(sa.select(SlaPolicy))}
        found = self._limits.get((tier, category_id, kind)) or self._limits.get((tier, None, kind))
        if found:
            return found
        if kind == "appeal":
            return Limits(DEFAULT_ACK_DAYS, DEFAULT_APPEAL_DAYS, DEFAULT_EXTENSION_DAYS)
        return Limits(DEFAULT_ACK_DAYS, DEFAULT_RESOLVE_DAYS.get(tier, DEFAULT_RESOLVE_DAYS_OTHER),
                      DEFAULT_EXTENSION_DAYS)

    def shortest_pause(self) -> int:
        """The shortest pause limit of any policy (the sweep's first, coarse test of a pause)."""
        self.limits(self.lowest_tier(), None)  # reads every policy once
        return min([DEFAULT_PAUSE_DAYS, *(lim.pause_days for lim in self._limits.values())])

    def longest_warning(self) -> int:
        """The most working days ahead any policy warns (the sweep's coarse warning horizon)."""
        self.limits(self.lowest_tier(), None)
        return max([DEFAULT_WARN_DAYS, *(lim.warn_days for lim in self._limits.values())])

    def tier_ranks(self) -> dict[str, int]:
        """Tier code → rank (1 = lowest)."""
        if self._ranks is None:
            self._ranks = dict(self.session.execute(sa.select(Tier.code, Tier.rank)).all())
        return self._ranks

    def lowest_tier(self) -> str:
        return min(self.tier_ranks().items(), key=lambda kv: kv[1])[0]

    def calendar(self, area: Area | None, around: datetime) -> Calendar:
        """The working calendar for an area: the country's week and holidays plus admin-added days off
        for the whole country or for any area above this one, for the years around `around`."""
        key = (area.path if area is not None else None, around.year)
        if key not in self._calendars:
            self._calendars[key] = self._build_calendar(area, around)
        return self._calendars[key]

    def country_calendar(self, around: datetime) -> Calendar:
        """The calendar with national days off only, for durations shown country-wide."""
        return self.calendar(None, around)

    def _build_calendar(self, area: Area | None, around: datetime) -> Calendar:
        """The package's holidays, minus the days an admin declared `not_off`, plus the added days off;
        a `working` day is a working day whatever else says (a Saturday offsetting Eid). Corrections for
        the whole country or for an area above this one apply; an area's correction applies after the
        national ones (a local day off on a day the country works)."""
        prof = profile(self.country)
        years = range(around.year - 1, around.year + 3)
        days = set(public_holidays(self.country, years))
        working: set[date] = set()
        applicable = [(day, kind, path) for day, kind, path in self._added_days_off()
                      if years.start <= day.year <= years.stop
                      and (path is None or (area is not None and area.path.startswith(path)))]
        # National first, then by depth: the most local correction of a day has the last word.
        for day, kind, _path in sorted(applicable, key=lambda r: len(r[2] or "")):
            if kind == "off":
                days.add(day)
                working.discard(day)
            elif kind == "not_off":
                days.discard(day)
                working.discard(day)
            elif kind == "working":
                days.discard(day)
                working.add(day)
        return Calendar(tz=ZoneInfo(prof.timezone), weekend=prof.weekend, holidays=frozenset(days),
                        working_days=frozenset(working))

    def _added_days_off(self) -> list[tuple[date, str, str | None]]:
        """Every admin correction (day, kind, the path of its area; None: national)."""
        if self._days_off is None:
            rows = self.session.execute(
                sa.select(Holiday.day, Holiday.kind, Area.path).outerjoin(Area, Area.id == Holiday.area_id)).all()
            self._days_off = [(d, k, p) for d, k, p in rows]
        return self._days_off


def for_request() -> Policies:
    """The policies for the current application context (a request), for views that show durations."""
    found = g.get("_grs_policies")
    if found is None:
        found = g._grs_policies = Policies(db.session, current_app.config["COUNTRY"])
    return found


def calendar_for(area: Area | None, around: datetime) -> Calendar:
    """The working calendar of an area, for views and tests (services use their unit of work's)."""
    return for_request().calendar(area, around)


def country_calendar(around: datetime) -> Calendar:
    return for_request().country_calendar(around)
