"""Which office holds a grievance: the database side of the pure routing rules in escalation/rules.py."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from escalation import rules

from ..models import Area, Category, Grievance, GrievanceOffice, Office, User


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


def resolve_start_rank(ranks: dict[str, int], spec: str | None) -> int:
    """The rank a category's `start_tier` names on this country's ladder (`ranks`: tier code → rank).

    None: the lowest tier. A tier code: that tier. "+N": N tiers above the lowest (skip the lowest N), so
    one setting works in every country profile ("+2" is Bangladesh's district, Nigeria's state, Somalia's
    state); past the top it is the top. A code this country lacks (a category copied from another
    profile) fails closed: the top tier, the national cell, never the lowest."""
    ladder = sorted(ranks.values())
    if not ladder:
        return 1
    if not spec:
        return ladder[0]
    spec = spec.strip()
    if spec.startswith("+") and spec[1:].isdigit():
        return ladder[min(int(spec[1:]), len(ladder) - 1)]
    return ranks.get(spec, ladder[-1])


def start_rank(uow, category: Category) -> int:
    """The rank of the lowest tier that handles the category (the lowest unless it names a start tier)."""
    return resolve_start_rank(uow.policies.tier_ranks(), category.start_tier)


def start_tier_code(uow, category: Category) -> str:
    """The code of the tier `start_rank` resolves to (for messages)."""
    rank = start_rank(uow, category)
    return next(code for code, r in uow.policies.tier_ranks().items() if r == rank)


def sensitive_holders(uow, office_id: int):
    """SELECT of the active officers of this office who may see sensitive cases (the permission and the
    account's own flag): a sensitive case at an office without one would be a case nobody there can open."""
    return (sa.select(User.id).where(User.office_id == office_id, User.active.is_(True),
                                     User.can_see_sensitive.is_(True), User.role == "officer"))


def has_sensitive_holder(uow, office_id: int) -> bool:
    return uow.session.scalar(sensitive_holders(uow, office_id).limit(1)) is not None


def confidential_route(uow, area: Area, category: Category) -> Office | None:
    """Where a sensitive case about this area goes when staff place or reclassify it: the lowest office at or
    above its category's start tier that has an officer with the sensitive permission (else the one `route`
    gives, which the caller's guard then refuses)."""
    choices, offices = _chain(uow, area)
    floor = start_rank(uow, category)
    for choice in sorted((c for c in choices if c.rank >= floor), key=lambda c: c.rank):
        if has_sensitive_holder(uow, choice.office_id):
            return offices[choice.office_id]
    choice = rules.route(choices, floor)
    return offices[choice.office_id] if choice else None


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


def at_office(g, office: Office) -> None:
    """The grievance's office and tier become `office`'s (arrive, and the batch sweep's arrival)."""
    g.office = office
    g.office_id = office.id
    g.level = office.tier


def arrive(uow, g: Grievance, office: Office, now: datetime) -> None:
    """Make `office` the owner of the grievance, recording it among the offices it has been at
    (staff scope covers current and past offices)."""
    at_office(g, office)
    seen = uow.session.get(GrievanceOffice, (g.id, office.id)) if g.id else None
    if seen is None:
        uow.session.add(GrievanceOffice(grievance=g, office_id=office.id))
