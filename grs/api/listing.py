"""The grievance list: the caller's visible grievances, filtered, overdue first, one page at a time."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .. import queries
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
                                   area=q.area, overdue=q.overdue)


def visible_page(user: User, q: ListQuery, *, now: datetime) -> tuple[list[Grievance], int]:
    """One page of the grievances `user` may see that match `q`, and how many match in all."""
    f = grievance_filter(q)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Grievance).where(
        *queries.list_conditions(user, f, now)))
    query = queries.grievance_list(user, f, now)
    rows = db.session.scalars(
        query.options(selectinload(Grievance.office), selectinload(Grievance.area),
                      selectinload(Grievance.programme), selectinload(Grievance.category),
                      selectinload(Grievance.complainant))
        .limit(q.per_page).offset((q.page - 1) * q.per_page)
    ).all()
    return list(rows), total
