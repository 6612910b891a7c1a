"""The place names free-text SMS are matched against: one index per process, rebuilt when the areas change.

Building the index reads every union and upazila once (about 150 ms of CPU for the whole of
Bangladesh); matching a message then costs a fraction of a millisecond and no SQL. Changes are seen
two ways:
- in this process, any flush that adds, changes or deletes an area or a tier forgets the index when its
  transaction ends (an import through the CLI, the demo, a test that rolls back);
- in other processes (gunicorn workers while `grs import-areas` runs elsewhere), a cheap fingerprint of
  the areas is compared at most every REFRESH_SECONDS, and a different one rebuilds the index.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, aliased

from grs.flushwatch import FlushWatch
from grs.models import Area, Tier

from .commands import AreaName, PlaceIndex

# How stale another process's area import may be here. Same-process changes are seen at once.
REFRESH_SECONDS = 30.0
_EXTENSION = "grs.sms_places"



@dataclass
class _Cached:
    index: PlaceIndex
    fingerprint: tuple
    generation: int
    checked_at: float  # time.monotonic() of the last fingerprint check


def forget() -> None:
    """Rebuild every place index of this process on its next use (after an area import, say)."""
    _watch.forget()


def index(session: Session, *, clock=time.monotonic) -> PlaceIndex:
    """The place index of the current app's database, built or refreshed as needed."""
    watch_sessions()
    now = clock()
    cached: _Cached | None = current_app.extensions.get(_EXTENSION)
    if cached is not None and cached.generation == _watch.generation and now - cached.checked_at < REFRESH_SECONDS:
        return cached.index
    generation = _watch.generation
    fingerprint = _fingerprint(session)
    if cached is not None and cached.generation == generation and cached.fingerprint == fingerprint:
        cached.checked_at = now
        return cached.index
    built = _Cached(build(session, fingerprint[0]), fingerprint, generation, now)
    current_app.extensions[_EXTENSION] = built
    return built.index


def build(session: Session, levels: tuple[str, ...] | None = None) -> PlaceIndex:
    """A fresh index of the areas at the two lowest tiers' levels, the finer level first."""
    if levels is None:
        levels = _levels(session)
    parent = aliased(Area)
    rows = session.execute(
        sa.select(Area.code, Area.level, Area.name_en, Area.names, parent.code)
        .join(parent, parent.id == Area.parent_id, isouter=True).where(Area.level.in_(levels))
        .order_by(Area.id)
    ).all()
    rank = {lvl: i for i, lvl in enumerate(levels)}
    return PlaceIndex(sorted((area_name(*r) for r in rows), key=lambda a: rank[a.level]))


def area_name(code: str, level: str, name_en: str, names: dict | None, parent_code: str | None) -> AreaName:
    """An area as the index matches it: by its English name and every local name it has (by language)."""
    return AreaName(code, level, name_en, tuple(name for _lang, name in sorted((names or {}).items()) if name),
                    parent_code)


def _levels(session: Session) -> tuple[str, ...]:
    return tuple(session.scalars(sa.select(Tier.area_level).order_by(Tier.rank).limit(2)))


def _fingerprint(session: Session) -> tuple:
    """Changes when areas at the matched levels are added, removed, moved or renamed (to another length;
    the local names count by the length of their JSON text).

    A rename that keeps every name's length is missed across processes until the next restart or
    import in that process; in this process every change is seen (see forget and watch_sessions).
    """
    levels = _levels(session)
    if not levels:
        return (levels,)
    weight = sa.cast(Area.id, sa.BigInteger)
    row = session.execute(
        sa.select(sa.func.count(), sa.func.max(Area.id),
                  sa.func.sum(weight * sa.func.length(Area.name_en)),
                  sa.func.sum(weight * sa.func.coalesce(sa.func.length(sa.cast(Area.names, sa.Text)), 0)),
                  sa.func.sum(weight * sa.func.coalesce(Area.parent_id, 0)))
        .where(Area.level.in_(levels))
    ).one()
    return (levels, *(int(v or 0) for v in row))


# ---------------------------------------------------------------- same-process changes

_watch = FlushWatch("grs.sms_places.dirty", (Area, Tier))


def watch_sessions() -> None:
    """Listen for flushes that change areas or tiers; the app factory calls it (registering the SMS
    blueprint), so a change made before the first SMS is seen too. Idempotent."""
    _watch.start()
