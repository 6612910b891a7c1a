"""The menu's reference data read from the database: programmes, categories, areas, a grievance's status."""
from __future__ import annotations

from functools import cached_property
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from grs.countries import profile
from grs.extensions import db
from grs.models import OPEN_STATUSES, Area, AreaLevel, Category, Grievance, Programme, Tier

from grs.services.asking import decision_of

from .menu import Option, StatusInfo, area_number


def _option(row) -> Option:
    """A named row (programme, category, level, area, tier) as a menu choice."""
    return Option(row.code, row.name_en, dict(row.names or {}))


class DbReference:
    """Loads only what the current screen needs: one list of areas, never the whole tree."""

    def __init__(self, country: str, languages=("en", "bn")):
        self.country = country
        self.languages = tuple(languages)  # offered on the language menu, default first

    @cached_property
    def programmes(self) -> list[Option]:
        rows = db.session.scalars(sa.select(Programme).where(Programme.active.is_(True)).order_by(Programme.id))
        return [_option(p) for p in rows]

    @cached_property
    def categories(self) -> list[Option]:
        rows = db.session.scalars(sa.select(Category).where(Category.active.is_(True)).order_by(Category.id))
        return [_option(c) for c in rows]

    @cached_property
    def levels(self) -> list[Option]:
        """The area levels of the office tiers below national, top first (district, upazila, union)."""
        rows = db.session.execute(
            sa.select(AreaLevel).join(Tier, Tier.area_level == AreaLevel.code)
            .where(AreaLevel.depth > 0).order_by(AreaLevel.depth)).scalars().unique()
        return [_option(lv) for lv in rows]

    def areas(self, parent: str | None) -> list[Option]:
        codes = [lv.code for lv in self.levels]
        if parent is None:
            query = sa.select(Area).where(Area.level == codes[0])
        else:
            above = db.session.scalar(sa.select(Area).where(Area.code == parent))
            if above is None or above.level not in codes[:-1]:
                return []
            below = codes[codes.index(above.level) + 1]
            query = sa.select(Area).where(Area.level == below, Area.path.startswith(above.path, autoescape=True))
        return [_option(a) for a in db.session.scalars(query.order_by(Area.name_en))]

    def area_by_number(self, number: str) -> Option | None:
        number = number.lstrip("0") or "0"
        rows = db.session.scalars(sa.select(Area).where(
            Area.level == self.levels[-1].code, Area.code.endswith("-" + number, autoescape=True)))
        found = [a for a in rows if area_number(a.code) == number]
        return _option(found[0]) if len(found) == 1 else None

    def status(self, code: str) -> StatusInfo | None:
        g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))
        if g is None:
            return None
        tier = db.session.get(Tier, g.level) if g.office_id is not None and g.level else None
        level = _option(tier) if tier else None
        due = None
        if g.status in OPEN_STATUSES and g.status != "awaiting_info" and g.due_at is not None:
            due = g.due_at.astimezone(ZoneInfo(profile(self.country).timezone)).date()
        decided = decision_of(g)
        key = None if decided is None else decided.decision if decided.kind == "resolved" else decided.reason_code
        return StatusInfo(g.tracking_code, g.status, level, due, decided=key)
