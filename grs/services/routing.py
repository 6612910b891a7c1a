"""Which office holds a grievance: the database side of the pure routing rules in escalation/rules.py."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from escalation import rules

from ..models import Area, Category, Grievance, GrievanceOffice, Office


def _chain(uow, area: Area) -> tuple[list[rules.OfficeChoice], dict[int, Office]]:
    """The active offices on the area and every area above it, as routing choices and as rows (kept,
    so the office chosen needs no second query)."""
    ranks = uow.policies.tier_ranks()
    offices = {o.id: o for o in uow.session.scalars(
        sa.select(Office).join(Area, Area.id == Office.area_id)
        .where(Area.code.in_(area.ancestor_codes()), Office.active.is_(True)))}
    return [rules.OfficeChoice(o.id, o.tier, ranks[o.tier]) for o in offices.values()], offices


def office_chain(uow, area: Area) -> list[rules.OfficeChoice]:
    """The active offices on the area and every area above it, for routing and escalation."""
    return _chain(uow, area)[0]


def start_rank(uow, category: Category) -> int:
    """The rank of the lowest tier that handles the category (1 unless it names a start tier)."""
    return uow.policies.tier_ranks().get(category.start_tier, 1) if category.start_tier else 1


def route(uow, area: Area, category: Category) -> Office | None:
    """The office a new complaint about this area and category goes to (None: no office covers it)."""
    choices, offices = _chain(uow, area)
    choice = rules.route(choices, start_rank(uow, category))
    return offices[choice.office_id] if choice else None


def route_without_area(uow, category: Category) -> Office | None:
    """A sensitive complaint with no area: the highest office its category allows from the root
    (the national cell), never a queue that local staff work."""
    root = uow.session.scalar(sa.select(Area).where(Area.parent_id.is_(None)).order_by(Area.id).limit(1))
    return route(uow, root, category) if root is not None else None


def next_office_up(uow, g: Grievance) -> Office | None:
    """The office one tier above the grievance's, on its area's chain; None at the top."""
    if g.area is None or g.level is None:
        return None
    choices, offices = _chain(uow, g.area)
    choice = rules.next_up(choices, uow.policies.tier_ranks()[g.level])
    return offices[choice.office_id] if choice else None


def arrive(uow, g: Grievance, office: Office, now: datetime) -> None:
    """Make `office` the owner of the grievance, recording it among the offices it has been at
    (staff scope covers current and past offices)."""
    g.office = office
    g.office_id = office.id
    g.level = office.tier
    seen = uow.session.get(GrievanceOffice, (g.id, office.id)) if g.id else None
    if seen is None:
        uow.session.add(GrievanceOffice(grievance=g, office_id=office.id))
