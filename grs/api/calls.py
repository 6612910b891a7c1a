"""The call-centre console as API calls: find a caller's grievances by phone, open and close call logs.

For accounts with the operator console (operators, admins). A phone number travels in a POST body, never
in a URL, so that it stays out of access logs (as on the console).
"""
from __future__ import annotations

import re

from flask import jsonify, request, url_for

from channels.operator import service
from .. import permissions, phones
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..models import CallLog
from ..timeutil import utcnow
from ..uow import unit_of_work
from . import schemas, serialize
from .auth import api_user
from .schemas import Field
from .views import bp

LOOKUP = {"phone": Field("string", required=True, nullable=False, max_length=40, example="01712345678")}
START = {"phone": Field("string", max_length=40, description="The number the caller rings from; null: withheld.",
                        example="01712345678")}
END = {
    "outcome": Field("string", required=True, nullable=False, enum=service.OUTCOMES, example="status_given"),
    "grievance": Field("string", max_length=40, description="Tracking code the call was about; required for "
                       "outcome lodged.", example="123456789012"),
    "notes": Field("string", max_length=2000),
}


def _operator():
    user = api_user()
    if not permissions.can(user, permissions.Capability.OPERATOR_CONSOLE):
        raise Forbidden(f"the {user.role} role has no operator console")
    return user


def call(c: CallLog) -> dict:
    return {"id": c.id, "operator": c.operator.email, "phone": c.phone, "started_at": serialize.iso(c.started_at),
            "ended_at": serialize.iso(c.ended_at), "outcome": c.outcome,
            "grievance": c.grievance.tracking_code if c.grievance is not None else None, "notes": c.notes}


def _call(call_id: str) -> CallLog:
    c = db.session.get(CallLog, int(call_id)) if re.fullmatch(r"[0-9]{1,9}", call_id) else None
    if c is None or not permissions.may_see_call(api_user(), c.operator_id):
        raise NotFound("no call of yours has that id")
    return c


@bp.post("/callers/lookup")
def lookup_caller():
    """The grievances of the person with this phone number that the caller may see, newest first."""
    user = _operator()
    body = schemas.check(schemas.parse_body(request.get_data()), LOOKUP)
    now = utcnow()
    with unit_of_work(read_only=True) as uow:
        found = service.caller_grievances(uow, user, body["phone"])
        return jsonify({"phone": phones.normalise(body["phone"], uow.settings.country),
                        "items": [serialize.grievance(g, user, now=now) for g in found]})


@bp.get("/calls")
def list_calls():
    """The caller's latest calls (an admin's: everyone's), newest first."""
    user = _operator()
    schemas.parse_args(request.args, schemas.query_keys(request.args), {})
    return jsonify({"items": [call(c) for c in service.recent_calls(db.session, user)]})


@bp.post("/calls")
def start_call():
    user = _operator()
    body = schemas.check(schemas.parse_body(request.get_data()), START)
    with unit_of_work() as uow:
        c = service.start_call(uow, user, body.get("phone"), now=utcnow())
        out = call(c)
    response = jsonify(out)
    response.headers["Location"] = url_for("api.get_call", call_id=str(out["id"]))
    return response, 201


@bp.get("/calls/<call_id>")
def get_call(call_id: str):
    _operator()
    return jsonify(call(_call(call_id)))


@bp.post("/calls/<call_id>/end")
def end_call(call_id: str):
    user = _operator()
    c = _call(call_id)
    body = schemas.check(schemas.parse_body(request.get_data()), END)
    with unit_of_work() as uow:
        c = service.end_call(uow, user, c.id, body["outcome"], grievance_code=body.get("grievance"),
                             notes=body.get("notes"), now=utcnow())
        out = call(c)
    return jsonify(out)
