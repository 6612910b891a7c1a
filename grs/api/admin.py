"""/admin's time limits, days off and admin history as API calls (admins, as on /admin/policies, /admin/holidays
and /admin/audit).

A change moves the deadlines of the open grievances it affects, in the same unit of work, and the answer
says how many moved.
"""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from flask import current_app, jsonify, request, url_for

from escalation import admin as service
from escalation.policy import public_holidays
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..models import Holiday, SlaPolicy, Tier, User
from ..permissions import Capability, can
from ..services import admin_audit
from ..services.actors import Actor
from ..timeutil import utcnow
from ..uow import unit_of_work
from . import schemas, serialize
from .auth import api_user
from .schemas import Field
from .views import bp

_DAYS = {"minimum": 0, "maximum": service.MAX_DAYS}
POLICY = {
    "tier": Field("string", required=True, nullable=False, max_length=40, description="Level code.",
                  example="union"),
    "kind": Field("string", nullable=False, enum=("grievance", "appeal"), description="Default grievance.",
                  example="grievance"),
    "category": Field("string", max_length=40, description="Category code; absent or null: the tier's default.",
                      example="payment"),
    "ack_days": Field("integer", required=True, nullable=False, **_DAYS, example=2),
    "resolve_days": Field("integer", required=True, nullable=False, **_DAYS, example=7),
    "extension_days": Field("integer", required=True, nullable=False, **_DAYS, example=10),
    "pause_days": Field("integer", **_DAYS, example=15,
                        description="How long an information request may pause the clock; absent or null: "
                                    "the default (15 working days), after which the sweep resumes it."),
    # The ladder rules (docs/architecture.md "Routing and escalation"); absent or null: left as they are.
    "on_breach": Field("string", enum=("escalate", "appeal", "flag"), example="escalate",
                       description="What a missed deadline does: next tier on a grievance clock, next tier on "
                                   "the appeal clock, or flag and stay."),
    "appeal_levels": Field("integer", minimum=0, maximum=30, example=1,
                           description="Appeals a complainant has before the national review."),
    "extension_needs_reason": Field("boolean", example=True),
    "day_kind": Field("string", enum=("working", "calendar"), example="working"),
    "warn_days": Field("integer", minimum=0, maximum=30, example=2,
                       description="Working days before the due day the office is warned."),
}
RULES = ("on_breach", "appeal_levels", "extension_needs_reason", "day_kind", "warn_days")
HOLIDAY = {
    "day": Field("string", required=True, nullable=False, max_length=10, format="date", example="2026-12-16"),
    "name": Field("string", required=True, nullable=False, max_length=200, example="Victory Day"),
    "area": Field("string", max_length=40, description="Area code: a day off there and below; absent or null: "
                  "the whole country.", example="BD-DIS-41"),
}


def _admin():
    user = api_user()
    if not can(user, Capability.ADMIN_PAGES):
        raise Forbidden(f"the {user.role} role cannot change time limits or days off")
    return user


def _id(raw: str, what: str) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        raise NotFound(f"no {what} has that id")
    return int(raw)


def policy(p: SlaPolicy) -> dict:
    return {"id": p.id, "tier": p.tier, "kind": p.kind, "category": p.category.code if p.category else None,
            "ack_days": p.ack_days, "resolve_days": p.resolve_days, "extension_days": p.extension_days,
            "pause_days": p.pause_days, **{name: getattr(p, name) for name in RULES},
            "updated_at": serialize.iso(p.updated_at)}


def holiday(h: Holiday) -> dict:
    return {"id": h.id, "day": h.day.isoformat(), "name": h.name_en, "area": h.area.code if h.area else None}


@bp.get("/policies")
def list_policies():
    _admin()
    schemas.parse_args(request.args, schemas.query_keys(request.args), {})
    rows = db.session.execute(
        sa.select(SlaPolicy).join(Tier, Tier.code == SlaPolicy.tier)
        .order_by(SlaPolicy.category_id.is_not(None), SlaPolicy.category_id, SlaPolicy.kind, Tier.rank)).scalars()
    return jsonify({"items": [policy(p) for p in rows]})


@bp.post("/policies")
def save_policy():
    """Create or change the limits of one tier (and kind, and category); 200 either way."""
    user = _admin()
    body = schemas.check(schemas.parse_body(request.get_data()), POLICY)
    with unit_of_work() as uow:
        saved, changed = service.save_policy(uow, service.PolicyIn(
            tier=body["tier"], kind=body.get("kind") or "grievance", category=body.get("category") or None,
            ack_days=body["ack_days"], resolve_days=body["resolve_days"], extension_days=body["extension_days"],
            pause_days=body.get("pause_days"), **{name: body.get(name) for name in RULES}),
            actor=Actor.staff(user), now=utcnow())
        uow.session.flush()
        out = {"policy": policy(saved), "changed": changed}
    return jsonify(out)


@bp.delete("/policies/<policy_id>")
def delete_policy(policy_id: str):
    """Remove a category's own limits (a tier's defaults can be changed, not removed: 422)."""
    user = _admin()
    with unit_of_work() as uow:
        changed = service.delete_policy(uow, _id(policy_id, "time limit"), actor=Actor.staff(user), now=utcnow())
    return jsonify({"changed": changed})


@bp.get("/holidays")
def list_holidays():
    """The country's public holidays in `year` (default this year) and the days off added here (all years)."""
    _admin()
    q = schemas.parse_args(request.args, schemas.query_keys(request.args), {"year": "year"})
    year = q.get("year") or utcnow().year
    public = sorted(public_holidays(current_app.config["COUNTRY"], range(year, year + 1)))
    added = db.session.scalars(sa.select(Holiday).order_by(Holiday.day.desc(), Holiday.id))
    return jsonify({"year": year, "public": [d.isoformat() for d in public], "items": [holiday(h) for h in added]})


@bp.post("/holidays")
def add_holiday():
    user = _admin()
    body = schemas.check(schemas.parse_body(request.get_data()), HOLIDAY)
    with unit_of_work() as uow:
        h, changed = service.add_holiday(uow, date.fromisoformat(body["day"]), body["name"], body.get("area") or None,
                                         actor=Actor.staff(user), now=utcnow())
        uow.session.flush()
        out = {"holiday": holiday(h), "changed": changed}
    return jsonify(out), 201


@bp.delete("/holidays/<holiday_id>")
def delete_holiday(holiday_id: str):
    user = _admin()
    with unit_of_work() as uow:
        changed = service.delete_holiday(uow, _id(holiday_id, "day off"), actor=Actor.staff(user), now=utcnow())
    return jsonify({"changed": changed})


def admin_event(e, emails: dict[int, str]) -> dict:
    return {"seq": e.seq, "at": serialize.iso(e.at), "actor": emails.get(e.actor_id) or e.actor_label,
            "kind": e.kind, "target": e.target, "data": e.data, "prev_hash": e.prev_hash, "hash": e.hash}


@bp.get("/admin/audit")
def list_admin_events():
    """The admin events' chain, newest first (admins, as on /admin/audit): `kind`, days `from` and `to`."""
    _admin()
    q = schemas.parse_args(request.args, schemas.query_keys(request.args),
                           {"kind": "code", "from": "code", "to": "code"}, paged=True)
    f = admin_audit.audit_filter(q.get("kind"), q.get("from"), q.get("to"))
    with unit_of_work(read_only=True):
        rows, total = admin_audit.events_page(db.session, f, country=current_app.config["COUNTRY"],
                                              page=q["page"], per_page=q["per_page"])
        ids = {r.actor_id for r in rows if r.actor_id is not None}
        emails = dict(db.session.execute(sa.select(User.id, User.email).where(User.id.in_(ids))).all()) if ids else {}
        items = [admin_event(r, emails) for r in rows]
    filters = {k: q[k] for k in ("kind", "from", "to") if q.get(k)}
    more = q["page"] * q["per_page"] < total
    return jsonify({"items": items, "page": q["page"], "per_page": q["per_page"], "total": total,
                    "next": url_for("api.list_admin_events", **filters, page=q["page"] + 1,
                                    per_page=q["per_page"]) if more else None})
