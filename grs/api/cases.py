"""What the case page shows of one grievance besides its summary: its history and its attachments."""
from __future__ import annotations

import os
import re

import sqlalchemy as sa
from flask import current_app, jsonify, request, send_from_directory, url_for
from sqlalchemy.orm import selectinload

from .. import permissions, queries, services
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..models import Attachment, Event, Grievance
from . import schemas, serialize
from .auth import api_user
from .views import bp


def visible(code: str) -> Grievance:
    """The grievance if the caller may see it: 404 for an unknown code, 403 outside its sight."""
    g = services.find(db.session, code)
    if not queries.can_view(api_user(), g):
        raise Forbidden("this grievance is outside your area or permissions")
    return g


def with_personal_data(code: str) -> Grievance:
    """`visible`, and its personal data shown to the caller (attachments are ID photos and payment slips)."""
    g = visible(code)
    if not permissions.sees_personal_data_of(api_user(), g):
        raise Forbidden("this grievance's attachments are personal data, not shown to your role")
    return g


def attachment(g: Grievance, a: Attachment) -> dict:
    return {"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size,
            "sha256": a.sha256, "created_at": serialize.iso(a.created_at),
            "url": url_for("api.get_attachment", code=g.tracking_code, attachment_id=str(a.id))}


@bp.get("/grievances/<code>/events")
def list_events(code: str):
    """The grievance's history, oldest first (the same events as in its detail)."""
    schemas.parse_args(request.args, schemas.query_keys(request.args), {})
    g = visible(code)
    events = db.session.scalars(sa.select(Event).where(Event.grievance_id == g.id).order_by(Event.seq)
                                .options(selectinload(Event.actor), selectinload(Event.office)))
    return jsonify({"tracking_code": g.tracking_code, "items": [serialize.event(e) for e in events]})


@bp.get("/grievances/<code>/attachments")
def list_attachments(code: str):
    schemas.parse_args(request.args, schemas.query_keys(request.args), {})
    g = with_personal_data(code)
    rows = db.session.scalars(sa.select(Attachment).where(Attachment.grievance_id == g.id).order_by(Attachment.id))
    return jsonify({"tracking_code": g.tracking_code, "items": [attachment(g, a) for a in rows]})


@bp.get("/grievances/<code>/attachments/<attachment_id>")
def get_attachment(code: str, attachment_id: str):
    g = with_personal_data(code)
    att = None
    if re.fullmatch(r"[0-9]{1,9}", attachment_id):
        att = db.session.get(Attachment, int(attachment_id))
    if att is None or att.grievance_id != g.id:
        raise NotFound("this grievance has no attachment with that id")
    ext = current_app.config["ALLOWED_UPLOAD_TYPES"].get(att.content_type)
    folder = current_app.config["UPLOAD_DIR"]
    if ext is None or not os.path.exists(os.path.join(folder, att.sha256 + ext)):
        raise NotFound("the attachment's file is no longer stored")
    response = send_from_directory(folder, att.sha256 + ext, mimetype=att.content_type, as_attachment=True,
                                   download_name=att.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
