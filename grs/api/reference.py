"""Reference lists a programme system needs to speak to the API: programmes, categories, levels, areas,
offices, and the lifecycle actions with what each one asks for. Read-only, for every signed-in caller."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, jsonify, request
from sqlalchemy.orm import aliased, selectinload

from ..errors import NotFound
from ..extensions import db
from ..lifecycle import TRANSITIONS
from ..models import Area, Category, Office, Programme, Tier
from ..services import DECISIONS
from ..services.routing import resolve_start_rank
from ..uow import reject_reasons
from . import schemas
from .views import bp

# What each action's body must carry besides `action` (grs/services/actions.py asks for the same).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "place": ("area",), "request_info": ("note",), "extend": ("note",), "resolve": ("decision", "resolution"),
    "reject": ("reason_code", "note"), "transfer": ("office", "note"), "escalate": ("note",),
    "feedback": ("satisfied",), "add_info": ("text",), "reclassify": ("category", "note"),
}


def names(obj) -> dict:
    return {"name": obj.name("en"), "names": {"en": obj.name("en"), **(obj.names or {})}}


def programme(p: Programme) -> dict:
    return {"code": p.code, **names(p), "active": bool(p.active)}


def category(c: Category, ranks: dict[str, int] | None = None) -> dict:
    """start_tier: the tier code the category's setting resolves to on this country's ladder (a setting may be
    relative, "+2": grs.services.routing.resolve_start_rank)."""
    start = c.start_tier
    if start is not None and ranks:
        rank = resolve_start_rank(ranks, start)
        start = next(code for code, r in ranks.items() if r == rank)
    return {"code": c.code, **names(c), "sensitive": bool(c.sensitive), "start_tier": start,
            "active": bool(c.active)}


def level(t: Tier) -> dict:
    return {"code": t.code, **names(t), "rank": t.rank, "area_level": t.area_level}


def area(a: Area, parent_code: str | None) -> dict:
    return {"code": a.code, **names(a), "level": a.level, "parent": parent_code}


def office(o: Office) -> dict:
    return {"code": o.code, **names(o), "tier": o.tier, "area": o.area.code, "active": bool(o.active)}


def _page(query, order, args: dict, serialize, endpoint: str, filters: dict):
    from flask import url_for

    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    page, per_page = args["page"], args["per_page"]
    rows = db.session.execute(query.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    more = page * per_page < total
    return jsonify({"items": [serialize(*row) for row in rows], "page": page, "per_page": per_page,
                    "total": total,
                    "next": url_for(endpoint, **filters, page=page + 1, per_page=per_page) if more else None})


def _area_path(code: str, name: str = "area") -> str:
    path = db.session.scalar(sa.select(Area.path).where(Area.code == code))
    if path is None:
        from ..errors import ValidationError
        raise ValidationError("the query names unknown codes", {name: f"Unknown {name}."})
    return path


@bp.get("/programmes")
def list_programmes():
    schemas.parse_args(request.args, schemas.query_keys(request.args), {})
    rows = db.session.scalars(sa.select(Programme).order_by(Programme.code))
    return jsonify({"items": [programme(p) for p in rows]})


@bp.get("/categories")
def list_categories():
    schemas.parse_args(request.args, schemas.query_keys(request.args), {})
    rows = db.session.scalars(sa.select(Category).order_by(Category.code))
    ranks = dict(db.session.execute(sa.select(Tier.code, Tier.rank)).all())
    return jsonify({"items": [category(c, ranks) for c in rows]})


@bp.get("/levels")
def list_levels():
    schemas.parse_args(request.args, schemas.query_keys(request.args), {})
    rows = db.session.scalars(sa.select(Tier).order_by(Tier.rank))
    return jsonify({"items": [level(t) for t in rows]})


@bp.get("/areas")
def list_areas():
    """Areas one level at a time: the children of `parent` (default: of the country), or every area of a
    `level` within `parent`'s subtree."""
    q = schemas.parse_args(request.args, schemas.query_keys(request.args), {"parent": "code", "level": "code"},
                           paged=True)
    parent = aliased(Area)
    query = sa.select(Area, parent.code).outerjoin(parent, parent.id == Area.parent_id)
    filters = {k: q[k] for k in ("parent", "level") if k in q}
    if "level" in q:
        query = query.where(Area.level == q["level"])
        if "parent" in q:
            root = _area_path(q["parent"], "parent")
            query = query.where(Area.path.startswith(root, autoescape=True), Area.path != root)
    elif "parent" in q:
        _area_path(q["parent"], "parent")
        query = query.where(parent.code == q["parent"])
    else:
        root = aliased(Area)
        query = query.where(Area.parent_id.in_(sa.select(root.id).where(root.parent_id.is_(None))))
    return _page(query, (Area.code,), q, area, "api.list_areas", filters)


@bp.get("/areas/<code>")
def get_area(code: str):
    a = db.session.scalar(sa.select(Area).where(Area.code == code).options(selectinload(Area.parent)))
    if a is None:
        raise NotFound("no area has that code")
    out = area(a, a.parent.code if a.parent is not None else None)
    out["ancestors"] = a.ancestor_codes()[:-1]
    out["offices"] = [office(o) for o in db.session.scalars(
        sa.select(Office).where(Office.area_id == a.id).options(selectinload(Office.area)).order_by(Office.code))]
    return jsonify(out)


@bp.get("/offices")
def list_offices():
    """Grievance offices, e.g. the targets of a transfer: those covering an area's subtree, at one tier."""
    q = schemas.parse_args(request.args, schemas.query_keys(request.args),
                           {"area": "code", "level": "code", "active": "bool"}, paged=True)
    query = sa.select(Office).join(Area, Area.id == Office.area_id).options(selectinload(Office.area))
    if "area" in q:
        query = query.where(Area.path.startswith(_area_path(q["area"]), autoescape=True))
    if "level" in q:
        query = query.where(Office.tier == q["level"])
    if "active" in q:
        query = query.where(Office.active.is_(q["active"]))
    filters = {k: q[k] for k in ("area", "level") if k in q}
    if "active" in q:
        filters["active"] = "true" if q["active"] else "false"
    return _page(query, (Office.code,), q, office, "api.list_offices", filters)


@bp.get("/actions")
def list_actions():
    """The lifecycle: every action, the statuses it may start from, where it leads and what it asks for."""
    schemas.parse_args(request.args, schemas.query_keys(request.args), {})
    return jsonify({
        "items": [{"action": t.action, "from": list(t.sources), "to": t.target, "event": t.event,
                   "requires": list(ACTION_FIELDS.get(t.action, ()))} for t in TRANSITIONS.values()],
        "decisions": list(DECISIONS),
        "reject_reasons": list(reject_reasons(current_app.config)),  # those this deployment offers
    })
