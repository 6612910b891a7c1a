"""Blueprint `open_data`: GET /public/open-data/grievances.csv, depersonalised open data, no sign-in.

Every non-sensitive grievance, one line each, streamed (rows read in batches). No names, phones or
other complainant details, no free text (description, notes, decision text, resolution), no tracking
code (it opens the track page): each row has a stable opaque id, an HMAC of the grievance's id under the
app's secret key. The area is coarsened: a grievance is reported at its own area only if that area had
at least MIN_CELL non-sensitive grievances received in the same month, else at the next level up where
the cell reaches MIN_CELL, never above the district; if even the district's cell is smaller, the area is
blank. Sex and age band are left out altogether (their cells would be too small to publish safely).
docs/api.md ("Open data") describes each field.
"""
from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Iterator

import sqlalchemy as sa
from flask import Blueprint, current_app

from grs import statistics
from grs.api.exports import file_response
from grs.extensions import db, limiter
from grs.models import Area, Category, Event, Grievance, Programme
from grs.timeutil import utcnow

bp = Blueprint("open_data", __name__, url_prefix="/public/open-data")

MIN_CELL = 5
BATCH = 1000
TOP_LEVEL = "district"  # the coarsest level an area is reported at
COLUMNS = ("id", "programme", "category", "channel", "status", "tier", "area", "area_level",
           "received_month", "outcome", "decision_month", "within_limit", "working_days")


def _lookup_limit() -> str:
    return f"{current_app.config['TRACK_RATE_LIMIT']} per minute"


def opaque_id(grievance_id: int, secret: str) -> str:
    """The same grievance gets the same id in every download; the id tells nothing without the key."""
    return hmac.new(secret.encode(), f"open-data:{grievance_id}".encode(), hashlib.sha256).hexdigest()[:20]


def _chain(areas: dict, area_id: int | None) -> list[int]:
    """The area and its ancestors, finest first, up to the district (or the level below the root)."""
    out = []
    while area_id is not None and area_id in areas:
        _, parent_id, level = areas[area_id]
        if parent_id is None:  # the country itself is not an area to publish
            break
        out.append(area_id)
        if level == TOP_LEVEL:
            break
        area_id = parent_id
    return out


def coarsen(cells: Counter, areas: dict, area_id: int | None, month: str) -> tuple[str, str]:
    """(area code, level) to publish for a grievance of `area_id` received in `month`, or blanks."""
    for candidate in _chain(areas, area_id):
        if cells[(candidate, month)] >= MIN_CELL:
            code, _, level = areas[candidate]
            return code, level
    return "", ""


def rows(country: str, secret: str, *, batch: int = BATCH) -> Iterator[dict]:
    tz = statistics._tz(country)
    public = Grievance.sensitive.is_(False)
    areas = {a.id: (a.code, a.parent_id, a.level)
             for a in db.session.execute(sa.select(Area.id, Area.code, Area.parent_id, Area.level))}
    # First pass, two columns only: how many grievances each area (and each of its ancestors) received
    # in each month. The counts are per cell, not per row.
    cells: Counter = Counter()
    for area_id, received_at in db.session.execute(
            sa.select(Grievance.area_id, Grievance.received_at).where(public)
            .execution_options(yield_per=batch)):
        month = received_at.astimezone(tz).strftime("%Y-%m")
        for candidate in _chain(areas, area_id):
            cells[(candidate, month)] += 1
    programmes = dict(db.session.execute(sa.select(Programme.id, Programme.code)).all())
    categories = dict(db.session.execute(sa.select(Category.id, Category.code)).all())
    query = (sa.select(Grievance.id, Grievance.programme_id, Grievance.category_id, Grievance.channel,
                       Grievance.status, Grievance.level, Grievance.area_id, Grievance.received_at)
             .where(public).order_by(Grievance.id).execution_options(yield_per=batch))
    for partition in db.session.execute(query).partitions():
        ids = [r.id for r in partition]
        decisions: dict[int, Event | None] = {}
        events = db.session.scalars(
                sa.select(Event).where(Event.grievance_id.in_(ids),
                                       Event.type.in_(("resolved", "rejected", "appealed")))
                .order_by(Event.grievance_id, Event.seq)).all()
        for e in events:
            decisions[e.grievance_id] = e if e.type != "appealed" else None  # an appeal reopens it
        for r in partition:
            month = r.received_at.astimezone(tz).strftime("%Y-%m")
            area, level = coarsen(cells, areas, r.area_id, month)
            e = decisions.get(r.id)
            data = (e.data or {}) if e is not None else {}
            wd = data.get("working_days") if e is not None and e.type == "resolved" else None
            within = data.get("within_limit") if e is not None and e.type == "resolved" else None
            yield {
                "id": opaque_id(r.id, secret), "programme": programmes.get(r.programme_id),
                "category": categories.get(r.category_id), "channel": r.channel, "status": r.status,
                "tier": r.level, "area": area, "area_level": level, "received_month": month,
                "outcome": e.type if e is not None else None,
                "decision_month": e.at.astimezone(tz).strftime("%Y-%m") if e is not None else None,
                "within_limit": within if isinstance(within, bool) else None,
                "working_days": wd if isinstance(wd, int) and wd >= 0 else None,
            }
        for e in events:  # written out: no need to keep them in the session
            db.session.expunge(e)


@bp.get("/grievances.csv")
@limiter.limit(_lookup_limit)
def grievances_csv():
    country = current_app.config["COUNTRY"]
    secret = current_app.config["SECRET_KEY"]
    return file_response("csv", "open-data-grievances", COLUMNS, rows(country, secret), today=utcnow().date())

