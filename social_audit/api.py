"""The accountability part of /api/v1: forums, scorecard cycles, social audits, public hearings, and
lodging a grievance from what they raised. A blueprint of its own under the same prefix, with the same
bearer tokens and JSON errors as grs.api; its operations join the OpenAPI document (OPENAPI_PATHS).

Request bodies are checked against the same JSON Schemas the OpenAPI document publishes (SCHEMAS), by
jsonschema, so the description and the check cannot drift; the service then applies the rules (sums that
add up, dates in order, scores on the scale, who may record) and names each field it refuses.
"""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, jsonify, request, url_for
from jsonschema import Draft202012Validator

from grs.api.auth import api_user, require_token
from grs.api.schemas import parse_body
from grs.errors import NotFound, ValidationError
from grs.timeutil import utcnow
from grs.uow import unit_of_work

from . import services as svc
from .models import (ACTIVITY_STATUSES, AWARENESS_TYPES, FINDING_TYPES, FORUM_TIERS, GROUP_KINDS, ITEM_STATUSES,
                     MEMBER_ROLES, Activity, Forum, Item)

bp = Blueprint("accountability_api", __name__, url_prefix="/api/v1")
require_token(bp, public=set())

MAX_LIST = 200
KIND_OF = {"scorecards": ("scorecard",), "audits": ("audit",), "hearings": ("hearing", "dialogue")}

# ---------------------------------------------------------------- schemas (published and enforced)

_text = {"type": "string", "maxLength": 4000}
_short = {"type": "string", "maxLength": 200}
_count = {"type": "integer", "minimum": 0, "maximum": 10_000_000}
_date = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_opt = lambda s: {"anyOf": [s, {"type": "null"}]}  # noqa: E731
_attendance = {"type": "object", "additionalProperties": False, "properties": {
    "women": _opt(_count), "men": _opt(_count), "other": _opt(_count), "total": _opt(_count)},
    "description": "By sex; women + men + other must equal total when both are given."}
_group = {"type": "object", "additionalProperties": False, "required": ["name"], "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 120}, "kind": {"enum": list(GROUP_KINDS)},
    "women": _count, "men": _count, "other": _count, "with_disability": _count,
    "age_band": _opt({"enum": ["under_18", "18_34", "35_59", "60_plus"]})}}
_common = {
    "forum_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    "area": {"type": "string", "maxLength": 40, "description": "Area code, within the forum's area."},
    "programme": _opt({"type": "string", "maxLength": 40}),
    "title": {"type": "string", "minLength": 1, "maxLength": 200},
    "held_on": _date, "status": {"enum": list(ACTIVITY_STATUSES)}, "notes": _opt(_text),
}
_followup_item = {"title": {"type": "string", "minLength": 1, "maxLength": 300}, "description": _opt(_text),
                  "action": _opt(_text), "responsible": _opt(_short), "due_on": _opt(_date),
                  "status": {"enum": list(ITEM_STATUSES)}}

SCHEMAS = {
    "ForumIn": {"type": "object", "additionalProperties": False, "required": ["name", "tier", "ngo", "area"],
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 200}, "tier": {"enum": list(FORUM_TIERS)},
                    "ngo": {"type": "string", "minLength": 1, "maxLength": 200}, "area": {"type": "string", "maxLength": 40},
                    "members": {"type": "array", "maxItems": 200, "items": {
                        "type": "object", "additionalProperties": False, "required": ["name"], "properties": {
                            "name": {"type": "string", "minLength": 1, "maxLength": 200},
                            "role": {"enum": list(MEMBER_ROLES)}, "sex": _opt({"enum": ["female", "male", "other"]}),
                            "organisation": _opt(_short),
                            "user_email": _opt({"type": "string", "maxLength": 200,
                                                "description": "A facilitator's account, who records."})}}}}},
    "ScorecardIn": {"type": "object", "additionalProperties": False,
                    "required": ["forum_id", "area", "programme", "title", "held_on"], "properties": {
        **_common,
        "service_point": _opt(_short),
        "scale": {"type": "object", "additionalProperties": False, "properties": {
            "min": {"type": "integer", "minimum": 0, "maximum": 10}, "max": {"type": "integer", "minimum": 0, "maximum": 10}}},
        "interface_meeting": {"type": "object", "additionalProperties": False, "properties": {
            "attendees": _opt(_text), **_attendance["properties"]}},
        "groups": {"type": "array", "maxItems": 50, "items": _group},
        "inputs": {"type": "array", "maxItems": 100, "items": {
            "type": "object", "additionalProperties": False, "required": ["item", "entitlement", "actual"],
            "properties": {"item": _short, "entitlement": _short, "actual": _short, "remarks": _opt(_text)}}},
        "indicators": {"type": "array", "maxItems": 50, "items": {"type": "string", "minLength": 1, "maxLength": 300},
                       "description": "Library indicator codes, or the cycle's own wording."},
        "scores": {"type": "array", "maxItems": 2500, "items": {
            "type": "object", "additionalProperties": False, "required": ["indicator", "score"], "properties": {
                "indicator": {"type": "integer", "minimum": 0, "maximum": 49,
                              "description": "Position in `indicators`."},
                "group": {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 49}, {"type": "null"}],
                          "description": "Position in `groups`; null for the providers' self-assessment."},
                "score": {"type": "integer", "minimum": 0, "maximum": 10},
                "reason": _opt(_text), "suggestion": _opt(_text)}}},
        "action_plan": {"type": "array", "maxItems": 200, "items": {
            "type": "object", "additionalProperties": False, "required": ["title", "responsible", "due_on"],
            "properties": _followup_item}}}},
    "AuditIn": {"type": "object", "additionalProperties": False,
                "required": ["forum_id", "area", "programme", "title", "held_on", "period_from", "period_to"],
                "properties": {
        **_common, "period_from": _date, "period_to": _date, "records_examined": _opt(_text),
        "verification": {"type": "object", "additionalProperties": False, "properties": {
            "checked": _opt(_count), "found": _opt(_count), "not_found": _opt(_count), "ineligible": _opt(_count),
            "amount_due": _opt({"type": "integer", "minimum": 0, "maximum": 10**12}),
            "amount_paid": _opt({"type": "integer", "minimum": 0, "maximum": 10**12})}},
        "public_meeting": _attendance,
        "team": {"type": "array", "maxItems": 50, "items": {
            "type": "object", "additionalProperties": False, "required": ["name"], "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 200}, "role": _opt({"type": "string", "maxLength": 60}),
                "resident_area": _opt({"type": "string", "maxLength": 40})}}},
        "findings": {"type": "array", "maxItems": 500, "items": {
            "type": "object", "additionalProperties": False, "required": ["title", "finding_type"], "properties": {
                **_followup_item, "finding_type": {"enum": list(FINDING_TYPES)},
                "amount": _opt({"type": "integer", "minimum": 0, "maximum": 10**12})}}}}},
    "HearingIn": {"type": "object", "additionalProperties": False, "required": ["forum_id", "area", "title", "held_on"],
                  "properties": {
        **_common, "kind": {"enum": ["hearing", "dialogue"]}, "panel": _opt(_text), "attendance": _attendance,
        "issues": {"type": "array", "maxItems": 500, "items": {
            "type": "object", "additionalProperties": False, "required": ["title"], "properties": {
                "title": {"type": "string", "minLength": 1, "maxLength": 300}, "description": _opt(_text)}}},
        "commitments": {"type": "array", "maxItems": 500, "items": {
            "type": "object", "additionalProperties": False, "required": ["title", "responsible", "due_on"],
            "properties": _followup_item}}}},
    "LodgeFromItem": {"type": "object", "additionalProperties": False, "required": ["item_id", "category"],
                      "properties": {
        "item_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1,
                    "description": "The finding, issue, commitment or action item (its `id` in the record)."},
        "category": {"type": "string", "maxLength": 40}, "programme": _opt({"type": "string", "maxLength": 40}),
        "description": _opt(_text), "language": {"type": "string", "maxLength": 8}}},
}
_VALIDATORS = {name: Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
               for name, schema in SCHEMAS.items()}


def _body(schema: str) -> dict:
    body = parse_body(request.get_data())
    errors = {}
    for e in sorted(_VALIDATORS[schema].iter_errors(body), key=lambda e: list(e.absolute_path)):
        path = ".".join(f"[{p}]" if isinstance(p, int) else p for p in e.absolute_path).replace(".[", "[")
        if e.validator == "required":
            missing = e.message.split("'")[1] if "'" in e.message else ""
            path = f"{path}.{missing}" if path else missing
        elif e.validator == "additionalProperties":
            path = path or "body"
        errors.setdefault(path or "body", e.message[:300])
    if errors:
        raise ValidationError("the request has invalid fields", errors)
    return body


def _today() -> date:
    from zoneinfo import ZoneInfo

    from flask import current_app

    from grs.countries import profile

    return utcnow().astimezone(ZoneInfo(profile(current_app.config["COUNTRY"]).timezone)).date()


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _attend(d: dict | None) -> dict:
    d = d or {}
    return {"women": d.get("women"), "men": d.get("men"), "other_sex": d.get("other"), "total": d.get("total")}


# ---------------------------------------------------------------- what the API answers


def _item(i: Item) -> dict:
    g = i.grievance
    return {"id": i.id, "kind": i.kind, "title": i.title, "description": i.description, "action": i.action,
            "responsible": i.responsible, "due_on": i.due_on.isoformat() if i.due_on else None, "status": i.status,
            "done_on": i.done_on.isoformat() if i.done_on else None, "finding_type": i.finding_type,
            "amount": i.amount, "results": i.results, "overdue": i.overdue(_today()),
            "follow_ups": [{"on": f.on.isoformat(), "note": f.note, "status": f.status} for f in i.followups],
            "grievance": None if g is None else {"tracking_code": g.tracking_code, "status": g.status,
                                                 "url": url_for("api.get_grievance", code=g.tracking_code)}}


def _activity(a: Activity, *, full: bool) -> dict:
    out = {"id": a.id, "kind": a.kind, "forum_id": a.forum_id, "title": a.title, "area": a.area.code,
           "programme": a.programme.code if a.programme else None, "held_on": a.held_on.isoformat(),
           "status": a.status, "period_from": a.period_from.isoformat() if a.period_from else None,
           "period_to": a.period_to.isoformat() if a.period_to else None,
           "attendance": {"women": a.women, "men": a.men, "other": a.other_sex, "total": a.total}}
    if not full:
        return out
    out["notes"] = a.notes
    if a.kind == "scorecard":
        out.update(service_point=a.service_point, scale={"min": a.scale_min, "max": a.scale_max},
                   interface_attendees=a.interface_attendees,
                   groups=[_group_out(g) for g in a.groups],
                   inputs=[{"item": i.item, "entitlement": i.entitlement, "actual": i.actual, "remarks": i.remarks}
                           for i in a.inputs],
                   indicators=[{"id": c.indicator.id, "text": c.indicator.text,
                                "library_code": c.indicator.indicator.code if c.indicator.indicator else None,
                                "community_mean": c.community, "provider": c.provider,
                                "scores": [{"group_id": s.group_id, "score": s.score, "reason": s.reason,
                                            "suggestion": s.suggestion} for s in c.indicator.scores]}
                               for c in svc.comparison(a)])
    elif a.kind == "audit":
        out.update(records_examined=a.records_examined,
                   verification={"checked": a.checked, "found": a.found, "not_found": a.not_found,
                                 "ineligible": a.ineligible, "amount_due": a.amount_due, "amount_paid": a.amount_paid},
                   team=[{"name": m.name, "role": m.role,
                          "resident_area": m.resident_area.code if m.resident_area else None,
                          "resident_in_audited_area": m.resident_in_audited_area} for m in a.team])
    elif a.kind in ("hearing", "dialogue"):
        out["panel"] = a.panel
    out["items"] = [_item(i) for i in a.items]
    return out


def _group_out(g) -> dict:
    return {"id": g.id, "name": g.name, "kind": g.kind, "women": g.women, "men": g.men, "other": g.other_sex,
            "with_disability": g.with_disability, "age_band": g.age_band}


def _forum(f: Forum) -> dict:
    return {"id": f.id, "name": f.name, "tier": f.tier, "ngo": f.ngo, "area": f.area.code, "active": f.active,
            "members": [{"id": m.id, "name": m.name, "role": m.role, "sex": m.sex, "organisation": m.organisation,
                         "has_account": m.user_id is not None} for m in f.members]}


def _created(payload: dict, location: str):
    response = jsonify(payload)
    response.status_code = 201
    response.headers["Location"] = location
    return response


# ---------------------------------------------------------------- forums


@bp.get("/forums")
def list_forums():
    with unit_of_work(read_only=True) as uow:
        return jsonify({"items": [_forum(f) for f in svc.forums_for(uow, _reader())]})


@bp.post("/forums")
def create_forum():
    body = _body("ForumIn")
    members = tuple(svc.MemberIn(name=m["name"], role=m.get("role") or "member", sex=m.get("sex"),
                                 organisation=m.get("organisation"), user_email=m.get("user_email"))
                    for m in body.get("members") or ())
    with unit_of_work() as uow:
        f = svc.create_forum(uow, svc.ForumIn(name=body["name"], tier=body["tier"], ngo=body["ngo"], area=body["area"],
                                              members=members), user=api_user())
        payload = _forum(f)
    return _created(payload, url_for(".list_forums"))


def _reader():
    from grs import permissions
    from grs.errors import Forbidden
    from grs.permissions import Capability

    user = api_user()
    if not (permissions.can(user, Capability.ACCOUNTABILITY_VIEW) or permissions.can(user, Capability.ACCOUNTABILITY)):
        raise Forbidden(f"the {user.role} role cannot read accountability records")
    return user


# ---------------------------------------------------------------- scorecards, audits, hearings


def _list(collection: str):
    user = _reader()
    forum = request.args.get("forum", type=int)
    with unit_of_work(read_only=True) as uow:
        rows = []
        for kind in KIND_OF[collection]:
            rows += svc.activities_for(uow, user, kind=kind, forum_id=forum, programme=request.args.get("programme"),
                                       area=request.args.get("area"), limit=MAX_LIST)
        rows.sort(key=lambda a: (a.held_on, a.id), reverse=True)
        return jsonify({"items": [_activity(a, full=False) for a in rows[:MAX_LIST]]})


def _record_id(raw: str) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", raw):  # ASCII digits within INTEGER: anything else names no record
        raise NotFound("no record has that id")
    return int(raw)


def _get(collection: str, record_id: str):
    record_id = _record_id(record_id)
    user = _reader()
    with unit_of_work(read_only=True) as uow:
        a = svc.get_activity(uow, record_id, user=user)
        if a.kind not in KIND_OF[collection]:
            raise NotFound("no such record")
        return jsonify(_activity(a, full=True))


def _route_collection(collection: str, name: str) -> None:
    """GET /<collection>, GET /<collection>/<id>, POST /<collection>/<id>/grievances for one kind of record
    (endpoints list_<collection>, get_<name>, lodge_from_<name>)."""
    bp.add_url_rule(f"/{collection}", f"list_{collection}", lambda: _list(collection), methods=["GET"])
    bp.add_url_rule(f"/{collection}/<record_id>", f"get_{name}", lambda record_id: _get(collection, record_id),
                    methods=["GET"])
    bp.add_url_rule(f"/{collection}/<record_id>/grievances", f"lodge_from_{name}",
                    lambda record_id: _lodge(collection, record_id), methods=["POST"])


def _common_in(body: dict, kind: str, **extra) -> svc.ActivityIn:
    return svc.ActivityIn(kind=kind, forum_id=body["forum_id"], area=body["area"], title=body["title"],
                          held_on=_day(body["held_on"]), programme=body.get("programme"),
                          status=body.get("status") or "completed", notes=body.get("notes"), **extra)


def _items_in(uow, activity_id: int, kind: str, entries, user, **fixed) -> None:
    for i, e in enumerate(entries or ()):
        try:
            svc.add_item(uow, activity_id, svc.ItemIn(
                kind=kind, title=e["title"], description=e.get("description"), action=e.get("action"),
                responsible=e.get("responsible"), due_on=_day(e.get("due_on")), status=e.get("status") or "open",
                finding_type=e.get("finding_type"), amount=e.get("amount"), **fixed), user=user)
        except ValidationError as err:
            raise ValidationError(err.message, {f"{fixed.get('path', kind)}[{i}].{k}": v
                                                for k, v in err.fields.items()}) from None


@bp.post("/scorecards")
def create_scorecard():
    body = _body("ScorecardIn")
    user = api_user()
    meeting = body.get("interface_meeting") or {}
    scale = body.get("scale") or {}
    data = _common_in(
        body, "scorecard", service_point=body.get("service_point"), scale_min=scale.get("min"),
        scale_max=scale.get("max"), interface_attendees=meeting.get("attendees"), **_attend(meeting),
        groups=tuple(svc.GroupIn(name=g["name"], kind=g.get("kind") or "mixed", women=g.get("women", 0),
                                 men=g.get("men", 0), other_sex=g.get("other", 0),
                                 with_disability=g.get("with_disability", 0), age_band=g.get("age_band"))
                     for g in body.get("groups") or ()),
        inputs=tuple(svc.InputIn(i["item"], i["entitlement"], i["actual"], i.get("remarks"))
                     for i in body.get("inputs") or ()),
        indicators=tuple(body.get("indicators") or ()))
    with unit_of_work() as uow:
        a = svc.record_activity(uow, data, user=user, now=utcnow())
        entries, errors = [], {}
        for n, s in enumerate(body.get("scores") or ()):
            if s["indicator"] >= len(a.indicators):
                errors[f"scores[{n}].indicator"] = "no indicator at that position"
                continue
            group = s.get("group")
            if group is not None and group >= len(a.groups):
                errors[f"scores[{n}].group"] = "no group at that position"
                continue
            entries.append(svc.ScoreIn(a.indicators[s["indicator"]].id, s["score"],
                                       a.groups[group].id if group is not None else None,
                                       s.get("reason"), s.get("suggestion")))
        if errors:
            raise ValidationError("the request has invalid fields", errors)
        if entries:
            svc.set_scores(uow, a.id, entries, user=user)
        _items_in(uow, a.id, "action", body.get("action_plan"), user)
        payload = _activity(a, full=True)
    return _created(payload, url_for(".get_scorecard", record_id=payload["id"]))


@bp.post("/audits")
def create_audit():
    body = _body("AuditIn")
    user = api_user()
    v = body.get("verification") or {}
    data = _common_in(
        body, "audit", period_from=_day(body["period_from"]), period_to=_day(body["period_to"]),
        records_examined=body.get("records_examined"), **_attend(body.get("public_meeting")),
        checked=v.get("checked"), found=v.get("found"), not_found=v.get("not_found"), ineligible=v.get("ineligible"),
        amount_due=v.get("amount_due"), amount_paid=v.get("amount_paid"),
        team=tuple(svc.TeamIn(t["name"], t.get("role"), t.get("resident_area")) for t in body.get("team") or ()))
    with unit_of_work() as uow:
        a = svc.record_activity(uow, data, user=user, now=utcnow())
        _items_in(uow, a.id, "finding", body.get("findings"), user)
        payload = _activity(a, full=True)
    return _created(payload, url_for(".get_audit", record_id=payload["id"]))


@bp.post("/hearings")
def create_hearing():
    body = _body("HearingIn")
    user = api_user()
    data = _common_in(body, body.get("kind") or "hearing", panel=body.get("panel"), **_attend(body.get("attendance")))
    with unit_of_work() as uow:
        a = svc.record_activity(uow, data, user=user, now=utcnow())
        _items_in(uow, a.id, "issue", body.get("issues"), user)
        _items_in(uow, a.id, "commitment", body.get("commitments"), user)
        payload = _activity(a, full=True)
    return _created(payload, url_for(".get_hearing", record_id=payload["id"]))


def _lodge(collection: str, record_id: str):
    record_id = _record_id(record_id)
    body = _body("LodgeFromItem")
    user = api_user()
    with unit_of_work() as uow:
        a = svc.get_activity(uow, record_id, user=user)
        if a.kind not in KIND_OF[collection]:
            raise NotFound("no such record")
        item = next((i for i in a.items if i.id == body["item_id"]), None)
        if item is None:
            raise ValidationError("the request has invalid fields", {"item_id": "no such item in this record"})
        existed = item.grievance is not None
        g = svc.lodge_item(uow, item.id, svc.LodgeIn(category=body["category"], programme=body.get("programme"),
                                                     description=body.get("description"),
                                                     language=body.get("language") or "en"), user=user, now=utcnow())
        payload = {"tracking_code": g.tracking_code, "status": g.status, "channel": g.channel, "item_id": item.id,
                   "url": url_for("api.get_grievance", code=g.tracking_code)}
    response = jsonify(payload)
    response.status_code = 200 if existed else 201
    response.headers["Location"] = payload["url"]
    return response


for _collection, _name in (("scorecards", "scorecard"), ("audits", "audit"), ("hearings", "hearing")):
    _route_collection(_collection, _name)


# ---------------------------------------------------------------- the OpenAPI description of the above

_ERR = {"400": {"$ref": "#/components/responses/BadJson"}, "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Forbidden"}}
_INVALID = {"422": {"$ref": "#/components/responses/Invalid"}}
_NOT_FOUND = {"404": {"$ref": "#/components/responses/NotFound"}}
_int_or_null = {"type": ["integer", "null"]}
_str_or_null = {"type": ["string", "null"]}
_attendance_out = {"type": "object", "properties": {k: _int_or_null for k in ("women", "men", "other", "total")}}
RESPONSE_SCHEMAS = {
    "Forum": {"type": "object", "required": ["id", "name", "tier", "ngo", "area", "members"], "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "tier": {"enum": list(FORUM_TIERS)},
        "ngo": {"type": "string"}, "area": {"type": "string"}, "active": {"type": "boolean"},
        "members": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "role": {"enum": list(MEMBER_ROLES)},
            "sex": _str_or_null, "organisation": _str_or_null, "has_account": {"type": "boolean"}}}}}},
    "AccountabilityItem": {"type": "object", "required": ["id", "kind", "title", "status", "grievance"], "properties": {
        "id": {"type": "integer"}, "kind": {"enum": ["finding", "issue", "commitment", "action", "result"]},
        "title": {"type": "string"}, "description": _str_or_null, "action": _str_or_null, "responsible": _str_or_null,
        "due_on": {"type": ["string", "null"], "format": "date"}, "status": {"enum": list(ITEM_STATUSES)},
        "done_on": {"type": ["string", "null"], "format": "date"}, "finding_type": _str_or_null,
        "amount": _int_or_null, "results": {"type": ["object", "null"], "additionalProperties": {"type": "integer"}},
        "overdue": {"type": "boolean", "description": "Has a date, is not done, and the date has passed."},
        "follow_ups": {"type": "array", "items": {"type": "object", "properties": {
            "on": {"type": "string", "format": "date"}, "note": {"type": "string"}, "status": {"type": "string"}}}},
        "grievance": {"type": ["object", "null"], "description": "The grievance lodged from this item, if any.",
                      "properties": {"tracking_code": {"type": "string"}, "status": {"type": "string"},
                                     "url": {"type": "string"}}}}},
    "ActivitySummary": {"type": "object", "required": ["id", "kind", "forum_id", "title", "area", "held_on"],
                        "properties": {
        "id": {"type": "integer"}, "kind": {"enum": ["scorecard", "audit", "hearing", "dialogue"]},
        "forum_id": {"type": "integer"}, "title": {"type": "string"}, "area": {"type": "string"},
        "programme": _str_or_null, "held_on": {"type": "string", "format": "date"},
        "status": {"enum": list(ACTIVITY_STATUSES)}, "period_from": {"type": ["string", "null"], "format": "date"},
        "period_to": {"type": ["string", "null"], "format": "date"}, "attendance": _attendance_out}},
}
RESPONSE_SCHEMAS["Activity"] = {
    "allOf": [{"$ref": "#/components/schemas/ActivitySummary"}, {"type": "object", "required": ["items"], "properties": {
        "notes": _str_or_null, "items": {"type": "array", "items": {"$ref": "#/components/schemas/AccountabilityItem"}},
        "groups": {"type": "array", "items": {"type": "object"}}, "inputs": {"type": "array", "items": {"type": "object"}},
        "indicators": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "text": {"type": "string"}, "library_code": _str_or_null,
            "community_mean": {"type": ["number", "null"]}, "provider": _int_or_null,
            "scores": {"type": "array", "items": {"type": "object"}}}}},
        "team": {"type": "array", "items": {"type": "object"}}, "verification": {"type": "object"},
        "scale": {"type": "object"}, "panel": _str_or_null}}],
    "description": "The whole record; scorecards add groups, inputs, indicators (community mean and providers' "
                   "score side by side, every score); audits add verification and team; hearings the panel."}
RESPONSE_SCHEMAS["LodgedFromItem"] = {"type": "object", "required": ["tracking_code", "status", "channel", "item_id"],
                                      "properties": {"tracking_code": {"type": "string"}, "status": {"type": "string"},
                                                     "channel": {"enum": ["audit", "hearing", "scorecard"]},
                                                     "item_id": {"type": "integer"}, "url": {"type": "string"}}}


def _json(ref: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _list_of(ref: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {
        "type": "object", "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}}}}}}


def _paths() -> dict:
    record_id = {"name": "record_id", "in": "path", "required": True,
                 "schema": {"type": "string", "pattern": "^[0-9]{1,9}$"}, "description": "The record's id."}
    filters = [{"name": n, "in": "query", "required": False, "schema": s, "description": d} for n, s, d in (
        ("forum", {"type": "integer"}, "Only this forum's records."),
        ("programme", {"type": "string"}, "Programme code."),
        ("area", {"type": "string"}, "Area code: that area and everything below it."))]
    out = {"/forums": {
        "get": {"operationId": "listForums", "summary": "Social protection forums in the caller's area",
                "tags": ["accountability"], "responses": {"200": _list_of("Forum", "Forums, the caller's own first."), **_ERR}},
        "post": {"operationId": "createForum", "summary": "Set up a forum (administrators)", "tags": ["accountability"],
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ForumIn"}}}},
                 "responses": {"201": _json("Forum", "The forum."), **_ERR, **_INVALID}}}}
    for collection, name, what in (("scorecards", "Scorecard", "community scorecard cycles"),
                                   ("audits", "Audit", "social audits"), ("hearings", "Hearing", "public hearings and LGU dialogues")):
        out[f"/{collection}"] = {
            "get": {"operationId": f"list{name}s", "summary": f"The {what} in the caller's area, newest first",
                    "tags": ["accountability"], "parameters": filters,
                    "responses": {"200": _list_of("ActivitySummary", f"Up to {MAX_LIST} {what}."), **_ERR, **_INVALID}},
            "post": {"operationId": f"create{name}", "summary": f"Record one of the {what}, whole",
                     "tags": ["accountability"],
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"$ref": f"#/components/schemas/{name}In"}}}},
                     "responses": {"201": _json("Activity", "The record as stored."), **_ERR, **_INVALID}}}
        out[f"/{collection}/{{record_id}}"] = {"get": {
            "operationId": f"get{name}", "summary": f"One of the {what}, with everything it raised",
            "tags": ["accountability"], "parameters": [record_id],
            "responses": {"200": _json("Activity", "The record."), **_ERR, **_NOT_FOUND}}}
        out[f"/{collection}/{{record_id}}/grievances"] = {"post": {
            "operationId": f"lodgeFrom{name}", "tags": ["accountability"], "parameters": [record_id],
            "summary": "Lodge a grievance from one of the record's items, linked both ways",
            "description": "Received on the day the record was held, on channel audit, hearing or scorecard; "
                           "lodging the same item again answers 200 with the first grievance.",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/LodgeFromItem"}}}},
            "responses": {"201": _json("LodgedFromItem", "The new grievance."),
                          "200": _json("LodgedFromItem", "The item had been lodged: its grievance."),
                          **_ERR, **_NOT_FOUND, **_INVALID}}}
    return out


OPENAPI_SCHEMAS = {**SCHEMAS, **RESPONSE_SCHEMAS}
OPENAPI_PATHS = _paths()
