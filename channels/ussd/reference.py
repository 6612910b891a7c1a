"""The menu's reference data read from the database: programmes, categories, areas, a grievance's status.

The lists (programmes, categories, area levels, the areas under each area) are kept per process, since every
screen of every session shows one of them: read once, then again after REFRESH_SECONDS (a change made by
another process, an admin's new programme, shows within that time), and at once after a change flushed in
this process (grs import-areas, the admin pages, a test). A grievance's status is always read.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from grs.countries import profile
from grs.extensions import db
from grs.flushwatch import FlushWatch
from grs.models import OPEN_STATUSES, Area, AreaLevel, Category, Grievance, Programme, Tier

from grs.services.asking import decision_of

from .menu import Option, StatusInfo, area_number


_MISSING = object()


def _option(row) -> Option:
    """A named row (programme, category, level, area, tier) as a menu choice."""
    return Option(row.code, row.name_en, dict(row.names or {}))


REFRESH_SECONDS = 30.0  # how stale another process's change of the lists may be here
_EXTENSION = "grs.ussd_reference"
_watch = FlushWatch("grs.ussd_reference.dirty", (Area, AreaLevel, Tier, Programme, Category))


@dataclass
class _Lists:
    """One app's lists as read so far (each on first use)."""

    generation: int
    read_at: float
    found: dict = field(default_factory=dict)


def forget() -> None:
    """Read every list again on its next use."""
    _watch.forget()


def _lists(clock=time.monotonic) -> _Lists:
    watch_sessions()
    cached: _Lists | None = current_app.extensions.get(_EXTENSION)
    now = clock()
    if cached is None or cached.generation != _watch.generation or now - cached.read_at > REFRESH_SECONDS:
        cached = current_app.extensions[_EXTENSION] = _Lists(_watch.generation, now)
    return cached


def watch_sessions() -> None:
    """Forget the lists when a flush in this process changes what they show (idempotent)."""
    _watch.start()


class DbReference:
    """Loads only what the current screen needs: one list of areas, never the whole tree, kept for the process."""

    def __init__(self, country: str, languages=("en", "bn")):
        self.country = country
        self.languages = tuple(languages)  # offered on the language menu, default first
        self._found = _lists().found

    def _kept(self, key, read):
        found = self._found.get(key, _MISSING)
        if found is _MISSING:
            found = self._found[key] = read()
        return found

    @property
    def programmes(self) -> list[Option]:
        return self._kept("programmes", lambda: [_option(p) for p in db.session.scalars(
            sa.select(Programme).where(Programme.active.is_(True)).order_by(Programme.id))])

    @property
    def categories(self) -> list[Option]:
        return self._kept("categories", lambda: [_option(c) for c in db.session.scalars(
            sa.select(Category).where(Category.active.is_(True)).order_by(Category.id))])

    @property
    def levels(self) -> list[Option]:
        """The area levels of the office tiers below national, top first (district, upazila, union)."""
        return self._kept("levels", lambda: [_option(lv) for lv in db.session.execute(
            sa.select(AreaLevel).join(Tier, Tier.area_level == AreaLevel.code)
            .where(AreaLevel.depth > 0).order_by(AreaLevel.depth)).scalars().unique()])

    def areas(self, parent: str | None) -> list[Option]:
        return self._kept(("areas", parent), lambda: self._areas(parent))

    def _areas(self, parent: str | None) -> list[Option]:
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
        found = self._found.get(("number", number))
        if found is None:
            found = self._area_by_number(number)
            if found is not None:  # (only what exists is kept: numbers typed at random do not fill the process)
                self._found[("number", number)] = found
        return found

    def _area_by_number(self, number: str) -> Option | None:
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
