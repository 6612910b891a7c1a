"""The area picker: one level at a time (division → district → upazila → union), never the whole tree."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from grs.countries import profile
from grs.extensions import db
from grs.models import Area, AreaLevel


@dataclass
class Level:
    """One select of the picker: its level, its options (code, name) and what is chosen there."""

    index: int
    level: AreaLevel
    options: list[tuple[str, str]] = field(default_factory=list)
    chosen: Area | None = None

    @property
    def name(self) -> str:
        return f"area_{self.index}"


@dataclass
class Picker:
    levels: list[Level]

    @property
    def chosen(self) -> Area | None:
        """The deepest area chosen so far."""
        picked = [lv.chosen for lv in self.levels if lv.chosen is not None]
        return picked[-1] if picked else None

    @property
    def complete(self) -> bool:
        """True when the chosen area has no areas below it (a union, in Bangladesh)."""
        area = self.chosen
        return area is not None and not db.session.scalar(sa.select(sa.exists().where(Area.parent_id == area.id)))


def root() -> Area | None:
    return db.session.scalar(sa.select(Area).where(Area.code == profile(current_app.config["COUNTRY"]).code))


def children(area: Area, lang: str) -> list[tuple[str, str]]:
    """The areas directly below `area` as (code, name in `lang`), sorted by that name."""
    rows = db.session.execute(
        sa.select(Area.code, Area.name_en, Area.names).where(Area.parent_id == area.id)).all()
    named = [(code, ((names or {}).get(lang) if lang != "en" else None) or en or code) for code, en, names in rows]
    return sorted(named, key=lambda item: item[1])


def build(values, lang: str) -> Picker:
    """The picker for the codes in `values` (area_1, area_2, ...): a choice that does not belong under
    the one above it (the person changed a higher level) is dropped with everything below it."""
    levels = db.session.scalars(sa.select(AreaLevel).where(AreaLevel.depth > 0).order_by(AreaLevel.depth)).all()
    picker = Picker([Level(i, lv) for i, lv in enumerate(levels, start=1)])
    parent = root()
    for lv in picker.levels:
        if parent is None:
            break
        lv.options = children(parent, lang)
        wanted = (values.get(lv.name) or "").strip()
        if not wanted or wanted not in {code for code, _ in lv.options}:
            break
        lv.chosen = db.session.scalar(sa.select(Area).where(Area.code == wanted))
        parent = lv.chosen
    return picker
