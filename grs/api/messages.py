"""GET /api/v1/messages: the outbox as operations reads it — what each citizen and office was sent, and what
failed (admins and supervisors, within their area; grs.queries.visible_messages says which rows)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, jsonify, request, url_for

from .. import permissions, phones, queries, tracking
from ..errors import Forbidden, ValidationError
from ..extensions import db
from ..models import OutboxMessage, User
from . import schemas, serialize
from .auth import api_user
from .views import bp

FILTERS = {"grievance": "code", "recipient": "code", "status": "code"}


def message_filter(args, country: str) -> queries.MessageFilter:
    """The filters of a query string (the API's or /admin/messages'); ValidationError naming each bad one."""
    errors: dict[str, str] = {}
    code = recipient = status = None
    raw = (args.get("grievance") or "").strip()
    if raw:
        code = tracking.normalise(raw)
        if code is None:
            errors["grievance"] = "Not a tracking code (12 digits)."
    raw = (args.get("recipient") or "").strip()
    if raw:
        recipient = raw if "@" in raw else _phone(raw, country)
        if recipient is None:
            errors["recipient"] = "Not a phone number or an e-mail address."
    raw = (args.get("status") or "").strip()
    if raw:
        if raw in queries.MESSAGE_STATUSES:
            status = raw
        else:
            errors["status"] = f"Use one of {', '.join(queries.MESSAGE_STATUSES)}."
    if errors:
        raise ValidationError("the query has invalid parameters", errors)
    return queries.MessageFilter(grievance=code, recipient=recipient, status=status)


def _phone(raw: str, country: str) -> str | None:
    try:
        return phones.normalise(raw, country)
    except ValidationError:
        return None


def delivery_status(m: OutboxMessage) -> str | None:
    """What the provider said about the handset: delivered, undelivered (sent, then reported failed), awaiting
    a report (sent, nothing heard yet); None before it was sent or when it never will be."""
    if m.delivered_at is not None or m.status == "delivered":
        return "delivered"
    if m.status == "failed" and m.sent_at is not None:
        return "undelivered"
    if m.status == "sent":
        return "awaiting_report"
    return None


def message(m: OutboxMessage) -> dict:
    return {
        "id": m.id, "grievance": m.grievance.tracking_code if m.grievance is not None else None,
        "medium": m.medium, "recipient": m.recipient, "template": m.template, "language": m.language,
        "body": m.body, "encoding": m.encoding, "segments": m.segments, "status": m.status,
        "attempts": m.attempts, "last_error": m.last_error, "provider": m.provider,
        "provider_message_id": m.provider_message_id, "delivery_status": delivery_status(m),
        "created_at": serialize.iso(m.created_at), "sent_at": serialize.iso(m.sent_at),
        "delivered_at": serialize.iso(m.delivered_at), "next_attempt_at": serialize.iso(m.next_attempt_at),
    }


def page(user: User, f: queries.MessageFilter, number: int, per_page: int) -> tuple[list[OutboxMessage], int]:
    """One page of the messages `user` may read that match `f`, and how many match in all."""
    query = queries.visible_messages(user, f)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.options(sa.orm.selectinload(OutboxMessage.grievance))
                              .limit(per_page).offset((number - 1) * per_page)).all()
    return list(rows), total


@bp.get("/messages")
def list_messages():
    user = api_user()
    if not permissions.can(user, permissions.Capability.READ_MESSAGES):
        raise Forbidden(f"the {user.role} role cannot read the outbox")
    q = schemas.parse_args(request.args, schemas.query_keys(request.args), FILTERS, paged=True)
    f = message_filter(request.args, current_app.config["COUNTRY"])
    rows, total = page(user, f, q["page"], q["per_page"])
    more = q["page"] * q["per_page"] < total
    filters = {k: request.args[k] for k in FILTERS if (request.args.get(k) or "").strip()}
    return jsonify({
        "items": [message(m) for m in rows], "page": q["page"], "per_page": q["per_page"], "total": total,
        "next": url_for("api.list_messages", **filters, page=q["page"] + 1, per_page=q["per_page"]) if more else None,
    })


_TIME = {"type": ["string", "null"], "format": "date-time"}
_TEXT = {"type": ["string", "null"]}
OPENAPI_SCHEMAS = {
    "Message": {
        "type": "object",
        "required": ["id", "grievance", "medium", "recipient", "template", "language", "body", "encoding",
                     "segments", "status", "attempts", "last_error", "provider", "provider_message_id",
                     "delivery_status", "created_at", "sent_at", "delivered_at", "next_attempt_at"],
        "properties": {
            "id": {"type": "integer"},
            "grievance": {**_TEXT, "description": "Tracking code; null: about no grievance (a reply to an "
                                                  "unknown number, an office's digest)."},
            "medium": {"type": "string", "enum": list(queries.MESSAGE_MEDIA)},
            "recipient": {"type": "string", "description": "Phone in E.164, or an e-mail address."},
            "template": {"type": "string", "description": "templates/messages/<language>/<template>.txt"},
            "language": {"type": "string"}, "body": {"type": "string", "description": "The text as sent."},
            "encoding": {**_TEXT, "enum": ["GSM-7", "UCS-2", None], "description": "SMS only."},
            "segments": {"type": ["integer", "null"], "description": "SMS parts it takes (SMS only)."},
            "status": {"type": "string", "enum": list(queries.MESSAGE_STATUSES)},
            "attempts": {"type": "integer", "description": "Tries to hand it to the provider."},
            "last_error": {**_TEXT, "description": "Why the last try or the delivery failed."},
            "provider": {**_TEXT, "description": "The gateway that took it."},
            "provider_message_id": {**_TEXT, "description": "The provider's id, which delivery reports name."},
            "delivery_status": {**_TEXT, "enum": ["delivered", "undelivered", "awaiting_report", None],
                                "description": "What the provider reported about the handset."},
            "created_at": {"type": "string", "format": "date-time"}, "sent_at": _TIME, "delivered_at": _TIME,
            "next_attempt_at": _TIME,
        },
    },
}


def openapi_paths(query, page_of, page_params, ref, error) -> tuple[dict, dict]:
    """The operation and its page schema for grs/api/openapi.py (its helpers passed in, to keep one style)."""
    schemas_out = {**OPENAPI_SCHEMAS, "MessagePage": page_of("Message")}
    paths = {"/messages": {"get": {
        "operationId": "listMessages",
        "summary": "The outbox, newest first: what each citizen and office was sent and what failed (admins and "
                   "supervisors; messages of the grievances they may see, sensitive ones only with that right)",
        "parameters": [
            query("grievance", {"type": "string", "maxLength": 60},
                  "Tracking code: only that grievance's messages (none if the caller may not see it)."),
            query("recipient", {"type": "string", "maxLength": 200},
                  "Phone number (local or international form) or e-mail address."),
            query("status", {"type": "string", "enum": list(queries.MESSAGE_STATUSES)}, "The row's status."),
            *page_params],
        "responses": {"200": {"description": "A page of messages.", "content": {"application/json": {
                          "schema": {"$ref": "#/components/schemas/MessagePage"}}}},
                      "401": ref("Unauthorized"), "403": error("The role may not read the outbox."),
                      "422": ref("Invalid")}}}}
    return paths, schemas_out
