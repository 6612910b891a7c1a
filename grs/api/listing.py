"""The grievance list: the caller's visible grievances, filtered, overdue first, one page at a time."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from .. import queries
from ..countries import profile
from ..errors import ValidationError
from ..extensions import db
from ..models import Area, Category, Grievance, Programme, Tier, User
from .schemas import ListQuery


def _known(model, code: str) -> bool:
    return db.session.scalar(sa.select(model.code).where(model.code == code)) is not None


def check_codes(q: ListQuery) -> None:
    """ValidationError naming each filter whose code does not exist (a typo must not read as "none")."""
    errors = {}
    for name, model in (("level", Tier), ("area", Area), ("programme", Programme), ("category", Category)):
        value = getattr(q, name)
        if value is not None and not _known(model, value):
            errors[name] = f"Unknown {name}."
    if errors:
        raise ValidationError("the query names unknown codes", errors)


def grievance_filter(q: ListQuery) -> queries.GrievanceFilter:
    return queries.GrievanceFilter(status=q.status, level=q.level, programme=q.programme, category=q.category,
                                   area=q.area, overdue=q.overdue, code=q.code)


def _local_midnight(day: date, tz: ZoneInfo) -> datetime | None:
    """The instant a local day starts, in UTC; None where it falls outside what datetimes hold."""
    try:
        return datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


def extra_conditions(q: ListQuery) -> list:
    """What the API's list filters on beyond the inbox's filters: channel, received dates, open or not.

    `from` and `to` are local dates in the country's time zone, both inclusive, on received_at.
    """
    conditions = []
    if q.channel:
        conditions.append(Grievance.channel == q.channel)
    if q.open is not None:
        conditions.append(Grievance.is_open.is_(q.open))
    if q.date_from or q.date_to:
        tz = ZoneInfo(profile(current_app.config["COUNTRY"]).timezone)
        # A bound beyond what datetimes hold (1 January of year 1 east of UTC, the last day of 9999) is no bound.
        start = _local_midnight(q.date_from, tz) if q.date_from else None
        if start is not None:
            conditions.append(Grievance.received_at >= start)
        end = _local_midnight(q.date_to + timedelta(days=1), tz) if q.date_to and q.date_to < date.max else None
        if end is not None:
            conditions.append(Grievance.received_at < end)
    return conditions


def list_query(user: User, q: ListQuery, now: datetime):
    """SELECT of every grievance of the list, in worklist order (the export reads it in batches)."""
    return queries.grievance_list(user, grievance_filter(q), now).where(*extra_conditions(q))


def visible_page(user: User, q: ListQuery, *, now: datetime) -> tuple[list[Grievance], int]:
    """One page of the grievances `user` may see that match `q`, and how many match in all."""
    f = grievance_filter(q)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Grievance).where(
        *queries.list_conditions(user, f, now), *extra_conditions(q)))
    query = list_query(user, q, now)
    rows = db.session.scalars(
        query.options(selectinload(Grievance.office), selectinload(Grievance.area),
                      selectinload(Grievance.programme), selectinload(Grievance.category),
                      selectinload(Grievance.complainant))
        .limit(q.per_page).offset((q.page - 1) * q.per_page)
    ).all()
    return list(rows), total
