"""Who sees what: staff scope by area subtree, sensitive cases by permission, triage by role."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from .lifecycle import allowed_actions
from .models import Area, Grievance, GrievanceOffice, Office, User

# Roles that work the triage queue (grievances whose area is not known yet).
TRIAGE_ROLES = {"operator", "admin"}
# Roles that work cases and so need to reach the complainant; analysts and facilitators do not.
PERSONAL_DATA_ROLES = frozenset({"officer", "supervisor", "operator", "admin"})


def scope_path(user: User) -> str:
    """The area path a staff account is limited to (an officer's is its office's area)."""
    if user.office is not None:
        return user.office.area.path
    return user.area.path


def is_national(user: User) -> bool:
    return scope_path(user).count("/") <= 2  # "/BD/" is the root


def visible_filter(user: User):
    """A SQL condition on Grievance: the rows this user may see."""
    conditions = []
    if not user.can_see_sensitive:
        conditions.append(Grievance.sensitive.is_(False))
    path = scope_path(user)
    go, off, ar = aliased(GrievanceOffice), aliased(Office), aliased(Area)
    in_subtree = (
        sa.select(go.grievance_id)
        .join(off, off.id == go.office_id)
        .join(ar, ar.id == off.area_id)
        .where(go.grievance_id == Grievance.id, ar.path.startswith(path, autoescape=True))
        .exists()
    )
    if is_national(user):
        scoped = sa.true() if user.role in TRIAGE_ROLES or user.role in ("supervisor", "analyst") \
            else Grievance.office_id.is_not(None)
    elif user.role in TRIAGE_ROLES:
        scoped = sa.or_(in_subtree, Grievance.office_id.is_(None))
    else:
        scoped = in_subtree
    conditions.append(scoped)
    return sa.and_(*conditions)


def sees_personal_data(user: User) -> bool:
    """Whether the complainant's name, phone and details are shown to this user on what they may see."""
    return user.role in PERSONAL_DATA_ROLES


def visible_query(user: User):
    """SELECT of the grievances this user may see."""
    return sa.select(Grievance).where(visible_filter(user))


def can_view(user: User, g: Grievance) -> bool:
    from .extensions import db
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Grievance).where(Grievance.id == g.id, visible_filter(user))
    ) == 1


def _current_office_in_scope(user: User, g: Grievance) -> bool:
    return g.office is not None and g.office.area.path.startswith(scope_path(user))


def actions_for(user: User, g: Grievance, *, visible: bool | None = None) -> list[str]:
    """The lifecycle actions this user may take on this grievance now (empty if none).

    `visible=True` skips the visibility query when the caller has just checked it.
    """
    if not (visible if visible is not None else can_view(user, g)):
        return []
    candidates = allowed_actions(g.status, user.role, in_triage=g.office_id is None)
    if g.office_id is None:
        return candidates if (user.role in TRIAGE_ROLES or is_national(user)) else []
    if user.role == "officer":
        # An officer works the cases of their own office; past cases stay readable, not actionable.
        return candidates if user.office_id == g.office_id else []
    if user.role in ("supervisor", "admin"):
        return candidates if _current_office_in_scope(user, g) else []
    return candidates  # operator: appeal/feedback/place on visible grievances
