"""/api/v1/webhooks: event subscriptions for programme systems (national admins), with their delivery logs."""
from __future__ import annotations

import re

from flask import jsonify, request, url_for

from .. import webhooks
from ..errors import Forbidden, NotFound, ValidationError
from ..extensions import db
from ..permissions import Capability, can, is_national
from ..services.actors import Actor
from ..timeutil import utcnow
from ..uow import unit_of_work
from . import schemas
from .auth import api_user
from .serialize import iso
from .views import bp

FIELDS = {"url": str, "events": list, "secret": str, "label": str, "active": bool}
LOG_LIMIT = 50


def _admin():
    user = api_user()
    # A subscription receives the whole country's events: only an admin scoped to the whole country.
    if not can(user, Capability.ADMIN_PAGES) or not is_national(user):
        raise Forbidden("only a national admin may manage webhook subscriptions")
    return user


def _subscription(sub) -> dict:
    return {"id": sub.id, "url": sub.url, "label": sub.label, "events": list(sub.events or ()),
            "active": bool(sub.active), "created_at": iso(sub.created_at)}


def _delivery(d, row, code) -> dict:
    return {"id": d.id, "event_type": d.event_type, "tracking_code": code, "status": row.status,
            "attempts": d.attempts, "last_status_code": d.last_status_code, "last_error": d.last_error,
            "created_at": iso(d.created_at), "last_attempt_at": iso(d.last_attempt_at),
            "delivered_at": iso(d.delivered_at),
            "next_attempt_at": iso(row.next_attempt_at) if row.status in ("queued", "retry") else None}


def _checked(body: dict) -> dict:
    errors = {}
    for name, value in body.items():
        t = FIELDS.get(name)
        if t is None:
            errors[name] = "Unknown field."
        elif value is None and name in ("secret", "label"):
            continue
        elif not isinstance(value, t) or (t is not bool and isinstance(value, bool)):
            errors[name] = {str: "Must be a string.", list: "Must be a list of event types.",
                            bool: "Must be true or false."}[t]
    for name in ("url", "events"):
        if name not in body:
            errors[name] = "This field is required."
    if errors:
        raise ValidationError("the request has invalid fields", errors)
    return body


@bp.get("/webhooks")
def list_webhooks():
    _admin()
    return jsonify({"items": [_subscription(s) for s in webhooks.subscriptions(db.session)],
                    "event_types": list(webhooks.EVENT_TYPES)})


@bp.post("/webhooks")
def create_webhook():
    user = _admin()
    body = _checked(schemas.parse_body(request.get_data()))
    with unit_of_work() as uow:
        sub, secret = webhooks.create(uow, webhooks.SubscriptionIn(
            url=body["url"], events=tuple(body["events"]), secret=body.get("secret"), label=body.get("label"),
            active=body.get("active", True)), actor_id=user.id, now=utcnow())
        out = {**_subscription(sub), "secret": secret}  # the only answer that ever carries it
    response = jsonify(out)
    response.headers["Location"] = url_for("api.get_webhook", sub_id=out["id"])
    response.headers["Cache-Control"] = "no-store"
    return response, 201


def _id(sub_id: str) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", sub_id):  # within INTEGER, ASCII digits: anything else names none
        raise NotFound("no webhook subscription has that id")
    return int(sub_id)


@bp.get("/webhooks/<sub_id>")
def get_webhook(sub_id: str):
    _admin()
    sub = webhooks.get(db.session, _id(sub_id))
    log = webhooks.deliveries(db.session, sub.id, limit=LOG_LIMIT)
    return jsonify({**_subscription(sub), "deliveries": [_delivery(*row) for row in log]})


@bp.delete("/webhooks/<sub_id>")
def delete_webhook(sub_id: str):
    user = _admin()
    with unit_of_work() as uow:
        webhooks.delete(uow, _id(sub_id), actor=Actor.staff(user), now=utcnow())
    return "", 204


@bp.patch("/webhooks/<sub_id>")
def update_webhook(sub_id: str):
    """Pause or resume a subscription (`{"active": false}`), as /admin/webhooks does."""
    user = _admin()
    body = schemas.check(schemas.parse_body(request.get_data()),
                         {"active": schemas.Field("boolean", required=True, nullable=False)})
    with unit_of_work() as uow:
        sub = webhooks.set_active(uow, _id(sub_id), body["active"], actor=Actor.staff(user), now=utcnow())
        out = _subscription(sub)
    return jsonify(out)
