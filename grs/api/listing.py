"""The grievance list: the caller's visible grievances, filtered, overdue first, one page at a time."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from .. import scoping
from ..errors import ValidationError
from ..extensions import db
from ..models import Area, Category, Grievance, Programme, Tier, User
from .schemas import ListQuery


def overdue_condition(now: datetime):
    """SQL for "overdue": open, clock not paused (awaiting information), past the resolution date."""
    return sa.and_(Grievance.is_open.is_(True), Grievance.paused_at.is_(None),
                   Grievance.due_at.is_not(None), Grievance.due_at < now)


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


def visible_page(user: User, q: ListQuery, *, now: datetime) -> tuple[list[Grievance], int]:
    """One page of the grievances `user` may see that match `q`, and how many match in all."""
    conditions = [scoping.visible_filter(user)]
    if q.status:
        conditions.append(Grievance.status == q.status)
    if q.level:
        conditions.append(Grievance.level == q.level)
    if q.programme:
        conditions.append(Grievance.programme_id == sa.select(Programme.id).where(
            Programme.code == q.programme).scalar_subquery())
    if q.category:
        conditions.append(Grievance.category_id == sa.select(Category.id).where(
            Category.code == q.category).scalar_subquery())
    if q.area:
        root = db.session.scalar(sa.select(Area.path).where(Area.code == q.area))
        in_area = aliased(Area)
        conditions.append(Grievance.area_id.in_(
            sa.select(in_area.id).where(in_area.path.startswith(root, autoescape=True))))
    if q.overdue is not None:
        overdue = overdue_condition(now)
        conditions.append(overdue if q.overdue else sa.not_(overdue))
    where = sa.and_(*conditions)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Grievance).where(where))
    rows = db.session.scalars(
        sa.select(Grievance).where(where)
        .options(selectinload(Grievance.office), selectinload(Grievance.area),
                 selectinload(Grievance.programme), selectinload(Grievance.category),
                 selectinload(Grievance.complainant))
        .order_by(sa.case((overdue_condition(now), 0), else_=1),
                  sa.case((Grievance.due_at.is_(None), 1), else_=0),
                  Grievance.due_at, Grievance.received_at, Grievance.id)
        .limit(q.per_page).offset((q.page - 1) * q.per_page)
    ).all()
    return list(rows), total
