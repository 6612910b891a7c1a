"""Time-limit policies and working calendars, read from the database for the pure SLA code."""
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
from grs.models import Area, Holiday, SlaPolicy

from .sla import Calendar

# Built-in defaults, used where no policy row matches (DOMAIN.md "Time limits"; all overridable).
DEFAULT_ACK_DAYS = 2
DEFAULT_RESOLVE_DAYS = {"union": 7, "upazila": 7, "district": 10, "national": 30}
DEFAULT_RESOLVE_DAYS_OTHER = 10
DEFAULT_EXTENSION_DAYS = 10
DEFAULT_APPEAL_DAYS = 20
DEFAULT_FEEDBACK_WINDOW_DAYS = 10
SENSITIVE_ACK_DAYS = 1
SENSITIVE_RESOLVE_DAYS = 5


@dataclass(frozen=True)
class Limits:
    """The working-day limits that apply to one grievance at one office."""

    ack_days: int
    resolve_days: int
    extension_days: int


def limits_for(tier: str, category_id: int | None, kind: str = "grievance") -> Limits:
    """The most specific policy: this tier and category, else this tier, else the built-in default."""
    table = g.get("_grs_policies")
    if table is None:
        # All policies in one read per application context (a request, a sweep pass): a few dozen rows.
        table = {(p.tier, p.category_id, p.kind): Limits(p.ack_days, p.resolve_days, p.extension_days)
                 for p in db.session.scalars(sa.select(SlaPolicy))}
        g._grs_policies = table
    found = table.get((tier, category_id, kind)) or table.get((tier, None, kind))
    if found:
        return found
    if kind == "appeal":
        return Limits(DEFAULT_ACK_DAYS, DEFAULT_APPEAL_DAYS, DEFAULT_EXTENSION_DAYS)
    return Limits(DEFAULT_ACK_DAYS, DEFAULT_RESOLVE_DAYS.get(tier, DEFAULT_RESOLVE_DAYS_OTHER),
                  DEFAULT_EXTENSION_DAYS)


def forget_policies() -> None:
    """Drop the memoised policies after one changes."""
    g.pop("_grs_policies", None)


def feedback_window_days() -> int:
    return int(current_app.config.get("FEEDBACK_WINDOW_DAYS", DEFAULT_FEEDBACK_WINDOW_DAYS))


@lru_cache(maxsize=64)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays_lib.country_holidays(country, years=year).keys())


def public_holidays(country: str, years: range) -> frozenset[date]:
    """The country's public holidays for these years, from the `holidays` package."""
    out: set[date] = set()
    for y in years:
        out |= _public_holidays(country, y)
    return frozenset(out)


def calendar_for(area: Area | None, around: datetime) -> Calendar:
    """The working calendar for an area: the country's week and holidays plus admin-added days off
    for the whole country or for any area above this one, for the years around `around`.

    Memoised per application context (one request, one sweep pass), keyed by the area's path.
    """
    cache = g.setdefault("_grs_calendars", {})
    key = (area.path if area is not None else None, around.year)
    if key not in cache:
        cache[key] = _build_calendar(area, around)
    return cache[key]


def forget_calendars() -> None:
    """Drop memoised calendars after days off change."""
    g.pop("_grs_calendars", None)
    g.pop("_grs_days_off", None)


def _build_calendar(area: Area | None, around: datetime) -> Calendar:
    country = current_app.config["COUNTRY"]
    prof = profile(country)
    years = range(around.year - 1, around.year + 3)
    days = set(public_holidays(country, years))
    paths = ("/",) if area is None else None
    for day, path in _added_days_off():
        if years.start <= day.year <= years.stop and (path is None or (
                paths is None and area.path.startswith(path))):
            days.add(day)
    return Calendar(tz=ZoneInfo(prof.timezone), weekend=prof.weekend, holidays=frozenset(days))


def _added_days_off() -> list[tuple[date, str | None]]:
    """Every admin-added day off with the path of its area (None: national), read once per context."""
    rows = g.get("_grs_days_off")
    if rows is None:
        rows = db.session.execute(
            sa.select(Holiday.day, Area.path).outerjoin(Area, Area.id == Holiday.area_id)).all()
        g._grs_days_off = rows = [(d, p) for d, p in rows]
    return rows


def country_calendar(around: datetime) -> Calendar:
    """The calendar with national days off only, for views that show durations."""
    return calendar_for(None, around)
