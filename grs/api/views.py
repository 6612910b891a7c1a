"""Blueprint `api`: the JSON API under /api/v1 for programme MIS, call centres and other systems."""
from __future__ import annotations

import base64
import binascii
import dataclasses

import logging
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request, url_for
from sqlalchemy.orm.exc import StaleDataError

from .. import permissions, queries, ratelimit, services, statistics
from ..countries import profile
from ..errors import Conflict, Forbidden, ValidationError
from ..extensions import db
from ..http_errors import error_response
from ..models import Grievance
from ..services.actors import Actor
from ..timeutil import utcnow
from ..uow import unit_of_work
from . import exports, listing, openapi, schemas, serialize
from .auth import api_user, require_token

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
require_token(bp, public={"api.openapi_json"})

def _detail(g: Grievance, now) -> dict:
    user = api_user()
    if not queries.can_view(user, g):
        # Lodged by this caller but out of its sight (sensitive, or moved on): a retry of the same
        # external_ref must not become a way to read the case, so answer with the receipt only.
        return serialize.receipt(g)
    return serialize.grievance_detail(g, user, now=now, allowed_actions=permissions.actions_for(user, g, visible=True))


def _source_ref(body: dict, user_id: int) -> str | None:
    """The caller's idempotency key, namespaced per account so callers never see each other's."""
    ref = body.get("external_ref")
    header = request.headers.get("Idempotency-Key", "").strip()
    if header and ref and header != ref:
        raise ValidationError("external_ref and Idempotency-Key differ",
                              {"external_ref": "Send the same value as the Idempotency-Key header, or one of them."})
    ref = ref or header
    if not ref:
        return None
    errors = schemas.problems({"external_ref": ref}, {"external_ref": schemas.LODGE["external_ref"]})
    if errors:
        raise ValidationError("invalid Idempotency-Key", {"Idempotency-Key": errors["external_ref"]})
    return f"api:{user_id}:{ref}"


def _intake(body: dict, source_ref: str | None) -> services.Intake:
    person = body.get("complainant")
    complainant = None
    if person:
        complainant = services.ComplainantIn(
            name=person.get("name"), phone=person.get("phone"), sex=person.get("gender"),
            age_band=person.get("age_band"), disability=person.get("disability"),
            beneficiary_id=person.get("beneficiary_id"))
    received_at = None
    if body.get("received_on"):  # the start of that day in the country's time zone
        tz = ZoneInfo(profile(current_app.config["COUNTRY"]).timezone)
        received_at = datetime.combine(date.fromisoformat(body["received_on"]), time(0), tz)
    return services.Intake(
        channel=body["channel"], programme=body["programme"], category=body["category"],
        description=body["description"], area=body.get("area") or None,
        language=body.get("language") or "en", complainant=complainant, source_ref=source_ref,
        received_at=received_at)


def _earlier(channel: str, source_ref: str | None) -> Grievance | None:
    if source_ref is None:
        return None
    return db.session.scalar(sa.select(Grievance).where(Grievance.channel == channel,
                                                        Grievance.source_ref == source_ref))


@bp.post("/grievances")
def lodge_grievance():
    user = api_user()
    if not permissions.can(user, permissions.Capability.LODGE):
        raise Forbidden(f"the {user.role} role cannot lodge grievances")
    body = schemas.check(schemas.parse_body(request.get_data()), schemas.LODGE)
    source_ref = _source_ref(body, user.id)
    now = utcnow()
    # Counted before the first query here: on SQLite the counters' own connection must not wait for this
    # request's pending writes (the token's last use) to commit.
    if not ratelimit.allow("API_LODGE_RATE_LIMIT", f"user:{user.id}"):
        return error_response(429, "too_many_requests",
                              "Too many grievances lodged with this account in a short time; nothing was saved. "
                              "Try again in a minute.")
    # Per destination phone, as on the web form: over its share of receipts the grievance is kept, not texted.
    intake = ratelimit.receipt_allowed(_intake(body, source_ref), current_app.config["COUNTRY"])
    if not queries.may_lodge_from(user, intake.area):
        raise Forbidden("this account lodges complaints from its own area only: name an area within it")
    g = _earlier(body["channel"], source_ref)
    if g is not None:
        return jsonify(_detail(g, now)), 200
    try:
        # Two retries racing past the look-up are one grievance: lodge answers the second with the first.
        with unit_of_work() as uow:
            g = services.lodge(uow, intake, actor=Actor.staff(user), now=now)
    except ValidationError as e:
        raise schemas.rename_service_fields(e) from e
    response = jsonify(_detail(g, now))
    response.headers["Location"] = url_for("api.get_grievance", code=g.tracking_code)
    return response, 201


@bp.get("/grievances")
def list_grievances():
    fmt, keys = exports.export_format(request.args, [k for k, _ in request.args.items(multi=True)])
    q = schemas.parse_list_args(request.args, keys)
    listing.check_codes(q)
    user, now = api_user(), utcnow()
    if fmt is not None:
        return exports.grievances(fmt, user, q, now=now)
    rows, total = listing.visible_page(user, q, now=now)
    more = q.page * q.per_page < total
    return jsonify({
        "items": [serialize.grievance(g, user, now=now) for g in rows],
        "page": q.page,
        "per_page": q.per_page,
        "total": total,
        "next": url_for("api.list_grievances", **q.filters(), page=q.page + 1, per_page=q.per_page)
        if more else None,
    })


@bp.get("/grievances/<code>")
def get_grievance(code: str):
    g = services.find(db.session, code)
    if not queries.can_view(api_user(), g):
        raise Forbidden("this grievance is outside your area or permissions")
    return jsonify(_detail(g, utcnow()))


def _attachments(items) -> tuple[services.AttachmentIn, ...]:
    """add_info's files from their base64 content (the service then checks type, size and bytes)."""
    out = []
    for i, item in enumerate(items):
        try:
            data = base64.b64decode(item["content"], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("an attachment is not base64",
                                  {f"attachments.{i}.content": "Send the file's bytes base64-encoded."}) from None
        out.append(services.AttachmentIn(filename=item["filename"], content_type=item["content_type"], data=data))
    return tuple(out)


@bp.post("/grievances/<code>/actions")
def act_on_grievance(code: str):
    g = services.find(db.session, code)  # 404 for a mistyped code before anything else is said about it
    body = schemas.check(schemas.parse_body(request.get_data()), schemas.ACTION)
    req = services.ActionRequest(
        action=body["action"], note=body.get("note"), decision=body.get("decision"),
        resolution=body.get("resolution"), office=body.get("office"), area=body.get("area"),
        satisfied=body.get("satisfied"), reason_code=body.get("reason_code"),
        extra={"category": body["category"]} if body.get("category") is not None else {})
    if req.action == "add_info":
        req = dataclasses.replace(req, note=body.get("text"), channel="api",
                                  attachments=_attachments(body.get("attachments") or ()))
    now = utcnow()
    try:
        with unit_of_work() as uow:
            g = services.act(uow, g.tracking_code, req, actor=Actor.staff(api_user()), now=now)
    except StaleDataError:
        # Someone else (an officer, the sweep) changed it between our read and our write.
        raise Conflict("the grievance changed while you were acting on it; read it again and retry") from None
    return jsonify(_detail(g, now))


@bp.get("/stats")
def stats():
    """Figures for the caller's area subtree; sensitive grievances only for callers who may see them."""
    fmt, keys = exports.export_format(request.args, [k for k, _ in request.args.items(multi=True)])
    q = schemas.parse_stats_args(request.args, keys)
    user = api_user()
    if not (permissions.can(user, permissions.Capability.DASHBOARD)
            or permissions.can(user, permissions.Capability.VIEW_CASES)):
        raise Forbidden(f"the {user.role} role cannot read statistics")
    f = statistics.StatsFilter(
        date_from=q.get("from"), date_to=q.get("to"), area=q.get("area"), programme=q.get("programme"),
        category=q.get("category"), channel=q.get("channel"), sex=q.get("sex"), age_band=q.get("age_band"),
        disability=q.get("disability"))
    with unit_of_work(read_only=True, replica=True) as uow:
        result = statistics.figures(
            uow.session, f, q.get("group_by"), now=utcnow(), country=uow.settings.country,
            **permissions.statistics_reach(user)._asdict(),
            min_cases=q.get("min_cases", statistics.LEAGUE_MIN_CASES))
    if fmt is not None:
        return exports.stats(fmt, result, today=utcnow().date())
    return jsonify(result)


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi.document(url_for("api.openapi_json").rsplit("/", 1)[0]))


from . import webhooks  # noqa: E402,F401  /api/v1/webhooks: its views join this blueprint
from . import admin, calls, cases, imports, reference  # noqa: E402,F401  (their views join this blueprint too)
from . import messages  # noqa: E402,F401  /api/v1/messages: the outbox
