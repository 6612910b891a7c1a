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
    rows = db.session.scalars(
        sa.select(SlaPolicy).where(SlaPolicy.tier == tier, SlaPolicy.kind == kind,
                                   sa.or_(SlaPolicy.category_id == category_id, SlaPolicy.category_id.is_(None)))
    ).all()
    rows.sort(key=lambda p: p.category_id is None)  # category-specific first
    if rows:
        p = rows[0]
        return Limits(p.ack_days, p.resolve_days, p.extension_days)
    if kind == "appeal":
        return Limits(DEFAULT_ACK_DAYS, DEFAULT_APPEAL_DAYS, DEFAULT_EXTENSION_DAYS)
    return Limits(DEFAULT_ACK_DAYS, DEFAULT_RESOLVE_DAYS.get(tier, DEFAULT_RESOLVE_DAYS_OTHER),
                  DEFAULT_EXTENSION_DAYS)


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


def _build_calendar(area: Area | None, around: datetime) -> Calendar:
    country = current_app.config["COUNTRY"]
    prof = profile(country)
    years = range(around.year - 1, around.year + 3)
    days = set(public_holidays(country, years))
    scope = [None]
    if area is not None:
        codes = area.ancestor_codes()
        ids = db.session.scalars(sa.select(Area.id).where(Area.code.in_(codes))).all()
        scope = ids
    q = sa.select(Holiday.day).where(
        Holiday.day >= date(years.start, 1, 1), Holiday.day <= date(years.stop, 12, 31),
        sa.or_(Holiday.area_id.is_(None), Holiday.area_id.in_([i for i in scope if i is not None])),
    )
    days |= set(db.session.scalars(q).all())
    return Calendar(tz=ZoneInfo(prof.timezone), weekend=prof.weekend, holidays=frozenset(days))


def country_calendar(around: datetime) -> Calendar:
    """The calendar with national days off only, for views that show durations."""
    return calendar_for(None, around)
