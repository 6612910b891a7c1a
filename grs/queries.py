"""Shared reads of grievances: which ones a user may see, the list filters, and what "overdue" means.

The staff inbox, the API list, the case page, the serializers, the digest and the sweep all use these,
so that a case counts as overdue, or as visible, in the same way everywhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from . import permissions
from .extensions import db
from .models import Area, Category, Grievance, GrievanceOffice, Office, OutboxMessage, Programme, User
from .permissions import Capability

# ---------------------------------------------------------------- overdue


def overdue_conditions(now: datetime) -> list:
    """"Overdue" as SQL: open, placed at an office, clock running (not paused for the complainant),
    and past its resolution time. `is_overdue` is the same rule on a loaded row."""
    return [Grievance.is_open.is_(True), Grievance.office_id.is_not(None), Grievance.paused_at.is_(None),
            Grievance.due_at.is_not(None), Grievance.due_at < now]


def overdue(now: datetime):
    """`overdue_conditions` as one SQL condition."""
    return sa.and_(*overdue_conditions(now))


def is_overdue(g: Grievance, now: datetime) -> bool:
    """The Python twin of `overdue`, for a grievance already loaded."""
    return bool(g.is_open and g.office_id is not None and g.paused_at is None
                and g.due_at is not None and g.due_at < now)


# ---------------------------------------------------------------- visible to


def visible_filter(user: User):
    """A SQL condition on Grievance: the rows this user may see.

    A case is seen by the offices in whose area it is or has been (it stays readable after it moves
    on), by accounts with the triage grant while no office holds it (an area's grant: only those of its
    area), and only with the sensitive grant when it is sensitive.
    """
    if not permissions.can(user, Capability.VIEW_CASES):
        return sa.false()
    conditions = []
    if not permissions.can(user, Capability.SEE_SENSITIVE):
        conditions.append(Grievance.sensitive.is_(False))
    if permissions.is_national(user):
        # Every placed case has been at an office in the country: no need to look at its offices.
        placed = Grievance.office_id.is_not(None)
    else:
        go, off, ar = aliased(GrievanceOffice), aliased(Office), aliased(Area)
        placed = (
            sa.select(go.grievance_id)
            .join(off, off.id == go.office_id)
            .join(ar, ar.id == off.area_id)
            .where(go.grievance_id == Grievance.id,
                   ar.path.startswith(permissions.scope_path(user), autoescape=True))
            .exists()
        )
    if permissions.can(user, Capability.SEE_TRIAGE):
        triage = Grievance.office_id.is_(None)
        if not permissions.is_national(user):
            # An area's triage grant reaches the complaints whose area is known to lie in it
            # (permissions.in_triage_reach); those of no known area wait for the country's accounts.
            in_area = aliased(Area)
            triage = sa.and_(triage, Grievance.area_id.in_(sa.select(in_area.id).where(
                in_area.path.startswith(permissions.scope_path(user), autoescape=True))))
        conditions.append(sa.or_(placed, triage))
    else:
        conditions.append(placed)
    return sa.and_(*conditions)


def visible_query(user: User):
    """SELECT of the grievances this user may see."""
    return sa.select(Grievance).where(visible_filter(user))


def can_view(user: User, g: Grievance) -> bool:
    """Whether this user may see this grievance: the same rule as the lists, asked of one row."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Grievance).where(Grievance.id == g.id, visible_filter(user))
    ) == 1


def may_lodge_from(user: User, area_code: str | None) -> bool:
    """`permissions.may_lodge_in` for an area named by its code, as a lodge's body names it. A code no area has
    passes: the lodge itself refuses it, naming the field."""
    if area_code is None:
        return permissions.may_lodge_in(user, None)
    path = db.session.scalar(sa.select(Area.path).where(Area.code == area_code))
    return path is None or permissions.may_lodge_in(user, path)


# ---------------------------------------------------------------- list filters

_BANGLA_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


@dataclass(frozen=True)
class GrievanceFilter:
    """What a list of grievances is narrowed to; None (or False) leaves that side open."""

    open_only: bool = False
    status: str | None = None
    level: str | None = None
    programme: str | None = None    # code
    category: str | None = None     # code
    area: str | None = None         # code: that area and every area below it
    overdue: bool | None = None     # True: only overdue; False: only not overdue
    code: str | None = None         # part of a tracking code, as typed (spaces, dashes, Bangla digits)
    national_review: bool = False   # only the national review list (see `national_review`)
    appeals: bool = False           # only appeals: grievances on the appeal clock (`permissions.is_appeal`)


def filter_conditions(f: GrievanceFilter, now: datetime) -> list:
    """The SQL conditions on Grievance for the filter (an unknown code matches nothing)."""
    conditions = []
    if f.open_only:
        conditions.append(Grievance.is_open.is_(True))
    if f.status:
        conditions.append(Grievance.status == f.status)
    if f.appeals:
        conditions.append(Grievance.clock_kind == "appeal")
    if f.level:
        conditions.append(Grievance.level == f.level)
    if f.programme:
        conditions.append(Grievance.programme_id == sa.select(Programme.id).where(
            Programme.code == f.programme).scalar_subquery())
    if f.category:
        conditions.append(Grievance.category_id == sa.select(Category.id).where(
            Category.code == f.category).scalar_subquery())
    if f.area:
        root = db.session.scalar(sa.select(Area.path).where(Area.code == f.area))
        if root is None:
            conditions.append(sa.false())
        else:
            in_area = aliased(Area)
            conditions.append(Grievance.area_id.in_(
                sa.select(in_area.id).where(in_area.path.startswith(root, autoescape=True))))
    if f.overdue is not None:
        conditions.append(overdue(now) if f.overdue else sa.not_(overdue(now)))
    if f.national_review:
        conditions.append(national_review())
    if f.code is not None:
        digits = re.sub(r"\D", "", f.code.translate(_BANGLA_DIGITS))
        # Part of a code finds every code containing it; no digits at all finds nothing.
        conditions.append(Grievance.tracking_code.contains(digits, autoescape=True) if digits else sa.false())
    return conditions


def national_review():
    """The national review list: a complainant said NO with no tier left to appeal to (grs.services.actions
    _do_feedback flags it), and no admin has closed it yet."""
    return sa.and_(Grievance.review_flagged_at.is_not(None), Grievance.status != "closed")


def worklist_order(now: datetime) -> tuple:
    """Overdue first, then soonest due, then those without a clock, then oldest."""
    return (sa.case((overdue(now), 0), else_=1), sa.case((Grievance.due_at.is_(None), 1), else_=0),
            Grievance.due_at, Grievance.received_at, Grievance.id)


def list_conditions(user: User, f: GrievanceFilter, now: datetime) -> list:
    """The grievances `user` may see that match `f`, as SQL conditions (to count them, say)."""
    return [visible_filter(user), *filter_conditions(f, now)]


def grievance_list(user: User, f: GrievanceFilter, now: datetime):
    """SELECT of the grievances `user` may see that match `f`, in worklist order."""
    return sa.select(Grievance).where(*list_conditions(user, f, now)).order_by(*worklist_order(now))


# ---------------------------------------------------------------- messages (the outbox)

# What the outbox holds for people: SMS and e-mails (webhook deliveries have their own log, /api/v1/webhooks).
MESSAGE_MEDIA = ("sms", "email")
# A row's way through channels/outbox.py: queued → sending → sent → delivered, or retry → failed, or suppressed.
MESSAGE_STATUSES = ("queued", "sending", "retry", "sent", "delivered", "failed", "suppressed")


@dataclass(frozen=True)
class MessageFilter:
    """What a list of outbox messages is narrowed to; None leaves that side open."""

    grievance: str | None = None   # a tracking code, normalised
    recipient: str | None = None   # E.164 phone or e-mail, as stored
    status: str | None = None


def visible_messages(user: User, f: MessageFilter):
    """SELECT of the messages `user` may read, newest first: those about grievances the user may see (so a
    sensitive case's only with the sensitive grant, another area's never); those about no grievance (replies
    to unknown numbers, offices' digests) only for national accounts."""
    if not permissions.can(user, Capability.READ_MESSAGES):
        return sa.select(OutboxMessage).where(sa.false())
    about_visible = OutboxMessage.grievance_id.in_(sa.select(Grievance.id).where(visible_filter(user)))
    seen = (sa.or_(about_visible, OutboxMessage.grievance_id.is_(None)) if permissions.is_national(user)
            else about_visible)
    query = sa.select(OutboxMessage).where(OutboxMessage.medium.in_(MESSAGE_MEDIA), seen)
    if f.grievance is not None:
        query = query.where(OutboxMessage.grievance_id.in_(
            sa.select(Grievance.id).where(Grievance.tracking_code == f.grievance)))
    if f.recipient is not None:
        query = query.where(OutboxMessage.recipient == f.recipient)
    if f.status is not None:
        query = query.where(OutboxMessage.status == f.status)
    return query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
