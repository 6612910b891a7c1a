"""The OpenAPI 3.1 description of the JSON API, built from plain dicts so each new endpoint adds its own.

To describe a new endpoint: add its schemas to SCHEMAS (or `field_schema(...)` of a schemas.py spec)
and its operations to PATHS; `document()` assembles the whole.
"""
from __future__ import annotations

import copy
from typing import Mapping

from ..lifecycle import ACTIONS
from ..models import AGE_BANDS, CHANNELS, SEXES, STATUSES
from .. import webhooks
from . import schemas
from .schemas import Field

VERSION = "1.0.0"


def field_schema(spec: Mapping[str, Field], *, title: str = "") -> dict:
    """A JSON Schema object for a schemas.py spec, so the validator and the document never differ."""
    props, required = {}, []
    for name, f in spec.items():
        if f.type == "object" and f.members is not None:
            prop = field_schema(f.members)
        elif f.type == "array":
            prop = {"type": "array", "items": field_schema(f.members) if f.members is not None else {}}
            if f.max_items is not None:
                prop["maxItems"] = f.max_items
        else:
            prop = {"type": f.type}
        if f.nullable and not f.required:
            prop["type"] = [prop["type"], "null"]
        if f.max_length is not None:
            prop["maxLength"] = f.max_length
        if f.minimum is not None:
            prop["minimum"] = f.minimum
        if f.maximum is not None:
            prop["maximum"] = f.maximum
        if f.format is not None:
            prop["format"] = f.format
        if f.enum is not None:
            prop["enum"] = list(f.enum) + ([None] if f.nullable and not f.required else [])
        if f.description:
            prop["description"] = f.description
        if f.example is not None:
            prop["examples"] = [f.example]
        props[name] = prop
        if f.required:
            required.append(name)
    out = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    if title:
        out["title"] = title
    return out


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


STRING_OR_NULL = {"type": ["string", "null"]}
TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "examples": ["invalid"]},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "Each bad field (dotted path for nested ones) with what is wrong."},
            },
        }},
    },
    "NewGrievance": field_schema(schemas.LODGE, title="NewGrievance"),
    "Action": field_schema(schemas.ACTION, title="Action"),
    "OfficeRef": {"type": "object", "required": ["code", "name"],
                  "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
    "Complainant": {
        "type": "object",
        "description": "Only for officers, supervisors, operators and admins; null when anonymous.",
        "properties": {"name": STRING_OR_NULL, "phone": STRING_OR_NULL, "gender": STRING_OR_NULL,
                       "age_band": STRING_OR_NULL, "disability": {"type": ["boolean", "null"]},
                       "beneficiary_id": STRING_OR_NULL},
    },
    "Grievance": {
        "type": "object",
        "required": ["tracking_code", "status", "level", "office", "channel", "programme", "category", "area",
                     "received_at", "due_at", "ack_due_at", "sensitive", "language", "anonymous", "overdue"],
        "properties": {
            "tracking_code": {"type": "string", "pattern": "^[0-9]{12}$"},
            "status": {"type": "string", "enum": list(STATUSES)},
            "level": STRING_OR_NULL,
            "office": _nullable({"$ref": "#/components/schemas/OfficeRef"}),
            "channel": {"type": "string", "enum": list(CHANNELS)},
            "programme": {"type": "string"},
            "category": {"type": "string"},
            "area": STRING_OR_NULL,
            "sensitive": {"type": "boolean"},
            "language": {"type": "string"},
            "anonymous": {"type": "boolean"},
            "description": {"type": "string"},
            "received_at": {"type": "string", "format": "date-time"},
            "ack_due_at": TIME_OR_NULL,
            "due_at": TIME_OR_NULL,
            "acknowledged_at": TIME_OR_NULL,
            "resolved_at": TIME_OR_NULL,
            "closed_at": TIME_OR_NULL,
            "feedback_due_at": TIME_OR_NULL,
            "overdue": {"type": "boolean", "description": "Open, clock running, past due_at."},
            "paused": {"type": "boolean", "description": "Awaiting information: the clock is stopped."},
            "extended": {"type": "boolean"},
            "escalation_count": {"type": "integer"},
            "appeal_count": {"type": "integer"},
            "appeal": {"type": "boolean", "description": "On the appeal clock now: a complainant's appeal, or a "
                                                        "missed deadline handed to the appellate officer."},
            "decision": STRING_OR_NULL,
            "resolution": STRING_OR_NULL,
            "satisfied": {"type": ["boolean", "null"]},
            "national_review_since": {**TIME_OR_NULL, "description": "When a NO at the top tier (no tier left "
                                                                     "to appeal to) put it on the national review "
                                                                     "list; null when it is not on it."},
            "complainant": _nullable({"$ref": "#/components/schemas/Complainant"}),
        },
    },
    "Event": {
        "type": "object",
        "required": ["seq", "type", "at", "actor"],
        "properties": {
            "seq": {"type": "integer"},
            "type": {"type": "string", "examples": ["lodged", "routed", "acknowledged", "resolved"]},
            "at": {"type": "string", "format": "date-time"},
            "actor": {"type": "object", "required": ["label", "kind"], "properties": {
                "label": {"type": "string"}, "kind": {"type": "string", "enum": ["staff", "citizen", "system"]},
                "name": {"type": "string"}, "email": {"type": "string"}, "role": {"type": "string"}}},
            "level": STRING_OR_NULL,
            "office": _nullable({"$ref": "#/components/schemas/OfficeRef"}),
            "status_from": STRING_OR_NULL,
            "status_to": STRING_OR_NULL,
            "note": STRING_OR_NULL,
            "data": {"type": "object"},
        },
    },
    "GrievanceDetail": {
        "allOf": [
            {"$ref": "#/components/schemas/Grievance"},
            {"type": "object", "required": ["events", "allowed_actions", "reason_code", "question"], "properties": {
                "reason_code": {**STRING_OR_NULL, "description": "Why the decision in force rejected the grievance "
                                                                 "(one of the reject reasons); null otherwise."},
                "question": {**STRING_OR_NULL, "description": "The office's information request waiting for the "
                                                              "complainant's answer (status awaiting_info); null "
                                                              "otherwise."},
                "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"},
                           "description": "Every step, info_added (the complainant's answer, its text in note) "
                                          "and feedback among them."},
                "allowed_actions": {"type": "array", "items": {"type": "string", "enum": list(ACTIONS)},
                                    "description": "Extension: the actions this caller may take now."},
            }},
        ],
    },
    "Receipt": {
        "type": "object",
        "description": "What the public track page shows: the answer to a caller who lodged a grievance it may "
                       "not see (sensitive, or routed outside its area).",
        "required": ["tracking_code", "status", "level", "office", "received_at", "due_at"],
        "properties": {
            "tracking_code": {"type": "string", "pattern": "^[0-9]{12}$"},
            "status": {"type": "string", "enum": list(STATUSES)},
            "level": STRING_OR_NULL,
            "office": _nullable({"$ref": "#/components/schemas/OfficeRef"}),
            "received_at": {"type": "string", "format": "date-time"},
            "due_at": TIME_OR_NULL,
        },
    },
    "Lodged": {"anyOf": [{"$ref": "#/components/schemas/GrievanceDetail"}, {"$ref": "#/components/schemas/Receipt"}],
               "description": "The grievance with its events, or only its receipt when the caller may not see it."},
    "GrievancePage": {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Grievance"}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "next": {"type": ["string", "null"], "description": "Path of the next page, null on the last."},
        },
    },
}


_COUNT = {"type": "integer", "minimum": 0}
_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_DAYS = {"type": ["number", "null"], "minimum": 0}
_REASONS = ["unrelated", "out_of_scope", "duplicate", "insufficient_information", "withdrawn", "unspecified"]
SCHEMAS["StatFigures"] = {
    "type": "object",
    "required": ["received", "resolved", "rejected", "rejected_by_reason", "pending", "overdue",
                 "resolved_within_limit", "median_working_days", "mean_working_days", "escalated", "appealed",
                 "satisfied"],
    "properties": {
        "received": _COUNT, "resolved": _COUNT, "rejected": _COUNT,
        "rejected_by_reason": {"type": "object", "properties": {r: _COUNT for r in _REASONS},
                               "additionalProperties": False},
        "pending": _COUNT, "overdue": _COUNT, "resolved_within_limit": _COUNT, "within_limit_share": _SHARE,
        "median_working_days": _DAYS, "mean_working_days": _DAYS, "escalated": _COUNT, "appealed": _COUNT,
        "satisfied": _COUNT, "feedback": _COUNT, "ack_breached": _COUNT, "escalation_rate": _SHARE,
        "appeal_rate": _SHARE, "satisfaction_rate": _SHARE,
        "key": {"type": ["string", "null"], "description": "The group (a code, month or quarter); null: none."},
        "share_resolved": {**_SHARE, "description": "group_by=level: this tier's resolved / all decisions."},
    },
}
SCHEMAS["Stats"] = {
    "type": "object",
    "required": ["group_by", "area", "total"],
    "properties": {
        "group_by": {"type": ["string", "null"]},
        "area": {"type": ["string", "null"],
                 "description": "The area the figures cover (the caller's scope by default); null before any areas exist."},
        "total": {"$ref": "#/components/schemas/StatFigures"},
        "groups": {"type": "array", "items": {"$ref": "#/components/schemas/StatFigures"}},
        "shares": {"type": "object", "description": "group_by=level: share resolved at each tier and rejected.",
                   "properties": {"resolved_at": {"type": "object", "additionalProperties": _SHARE},
                                  "rejected_unrelated": _SHARE, "rejected_other": _SHARE, "decided": _COUNT}},
        "league": {"type": "object",
                   "description": "group_by=office: offices with at least min_cases decisions, ranked by the share "
                                  "resolved within the limit, then by median working days.",
                   "properties": {"min_cases": _COUNT,
                                  "ranked": {"type": "array", "items": {
                                      "type": "object",
                                      "description": "An office's rank and what it is ranked by; its other "
                                                     "figures are in its group.",
                                      "required": ["rank", "key", "decided", "resolved", "rejected",
                                                   "resolved_within_limit", "within_limit_share",
                                                   "median_working_days"],
                                      "properties": {
                                          "rank": _COUNT, "key": {"type": ["string", "null"]}, "decided": _COUNT,
                                          "resolved": _COUNT, "rejected": _COUNT, "resolved_within_limit": _COUNT,
                                          "within_limit_share": _SHARE,
                                          "median_working_days": {"type": ["number", "null"]}}}}}},
    },
}


def error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def json_body(ref: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


RESPONSES: dict[str, dict] = {
    "BadJson": error("The body is not a JSON object, or a parameter holds a NUL character."),
    "BadRequest": error("A parameter or the path holds a NUL character."),
    "Unauthorized": error("No bearer token, or an unknown, revoked or disabled one."),
    "Forbidden": error("The grievance is outside the caller's area, or the role may not do this."),
    "NotFound": error("No grievance has that tracking code."),
    "Conflict": error("The grievance's status does not allow that action."),
    "Invalid": error("A field or parameter is missing, unknown or invalid; `fields` names each one."),
    "TooMany": error("Too many grievances lodged with this account in a short time (GRS_API_LODGE_RATE_LIMIT); "
                     "nothing was saved."),
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "Tracking code (spaces and dashes are ignored)."}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


FORMAT = _query("format", {"type": "string", "enum": ["json", "csv", "xlsx"], "default": "json"},
                "Extension: json (default), or every matching row as a file (docs/api.md, Exports).")
_FILES = {"text/csv": {"schema": {"type": "string"}},
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
              {"schema": {"type": "string", "format": "binary"}}}


def with_files(response: dict) -> dict:
    """A JSON 200 that format=csv|xlsx answers as a file instead."""
    return {**response, "content": {**response["content"], **_FILES}}


PATHS: dict[str, dict] = {
    "/grievances": {
        "post": {
            "operationId": "lodgeGrievance",
            "summary": "Lodge a grievance (operator, officer, supervisor, facilitator, admin)",
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                            "schema": {"type": "string", "maxLength": schemas.MAX_EXTERNAL_REF},
                            "description": "Extension: same meaning as body field external_ref."}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/NewGrievance"}}}},
            "responses": {
                "201": {**json_body("Lodged", "Lodged; Location gives its URL."),
                        "headers": {"Location": {"schema": {"type": "string"}}}},
                "200": json_body("Lodged", "A repeat of an earlier external_ref: the first grievance."),
                "400": _ref("BadJson"), "401": _ref("Unauthorized"), "403": _ref("Forbidden"),
                "422": _ref("Invalid"), "429": _ref("TooMany"),
            },
        },
        "get": {
            "operationId": "listGrievances",
            "summary": "A page of the grievances the caller may see, overdue first, then by due date",
            "parameters": [
                _query("status", {"type": "string", "enum": list(STATUSES)}, "Current status."),
                _query("level", {"type": "string"}, "Current tier, e.g. union, upazila."),
                _query("area", {"type": "string"}, "Area code: grievances in that area or below it."),
                _query("programme", {"type": "string"}, "Programme code."),
                _query("category", {"type": "string"}, "Category code."),
                _query("overdue", {"type": "boolean"}, "true: only overdue; false: only not overdue."),
                _query("page", {"type": "integer", "minimum": 1, "maximum": 10**9, "default": 1}, "Page number."),
                _query("per_page", {"type": "integer", "minimum": 1, "maximum": schemas.MAX_PER_PAGE,
                                    "default": schemas.DEFAULT_PER_PAGE}, "Extension: page size."),
                FORMAT,
            ],
            "responses": {"200": with_files(json_body("GrievancePage", "One page, or with format every row.")),
                          "401": _ref("Unauthorized"), "422": _ref("Invalid")},
        },
    },
    "/grievances/{code}": {
        "get": {
            "operationId": "getGrievance",
            "summary": "One grievance with its events and the caller's allowed actions",
            "parameters": [CODE],
            "responses": {"200": json_body("GrievanceDetail", "The grievance."),
                          "401": _ref("Unauthorized"), "403": _ref("Forbidden"), "404": _ref("NotFound")},
        },
    },
    "/grievances/{code}/actions": {
        "post": {
            "operationId": "actOnGrievance",
            "summary": "Take a lifecycle action",
            "parameters": [CODE],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Action"}}}},
            "responses": {"200": json_body("GrievanceDetail", "The updated grievance."),
                          "400": _ref("BadJson"), "401": _ref("Unauthorized"), "403": _ref("Forbidden"),
                          "404": _ref("NotFound"), "409": _ref("Conflict"), "422": _ref("Invalid")},
        },
    },
    "/stats": {
        "get": {
            "operationId": "getStats",
            "summary": "Statistics for the caller's area subtree, overall and per group (see docs/api.md)",
            "parameters": [
                _query("group_by", {"type": "string", "enum": list(schemas.STATS_GROUPS)}, "How to group."),
                _query("area", {"type": "string"}, "Area code: that area and below (inside the caller's scope)."),
                _query("programme", {"type": "string"}, "Programme code."),
                _query("category", {"type": "string"}, "Category code."),
                _query("channel", {"type": "string", "enum": list(CHANNELS)}, "Channel."),
                _query("sex", {"type": "string", "enum": list(SEXES)}, "Complainant's sex."),
                _query("age_band", {"type": "string", "enum": list(AGE_BANDS)}, "Complainant's age band."),
                _query("disability", {"type": "boolean"}, "Complainant with a disability."),
                _query("from", {"type": "string", "format": "date"},
                       "First local date: received date for received, decision date for decisions."),
                _query("to", {"type": "string", "format": "date"}, "Last local date, inclusive."),
                FORMAT,
                _query("min_cases", {"type": "integer", "minimum": 0},
                       "With group_by=office: rank only offices with at least this many decisions (default 20)."),
            ],
            "responses": {"200": with_files(json_body("Stats", "The figures, or with format as a table.")),
                          "401": _ref("Unauthorized"),
                          "403": _ref("Forbidden"), "422": _ref("Invalid")},
        },
    },
    "/openapi.json": {
        "get": {"operationId": "openapi", "summary": "This document", "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1 document.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}}},
    },
}


# ---------------------------------------------------------------- webhooks (grs/api/webhooks.py)

_WEBHOOK_EVENTS = {"type": "array", "minItems": 1, "uniqueItems": True,
                   "items": {"type": "string", "enum": list(webhooks.EVENT_TYPES)},
                   "description": "Event types to receive (the catalogue's types offered to webhooks)."}
SCHEMAS.update({
    "NewWebhook": {
        "type": "object", "title": "NewWebhook", "additionalProperties": False, "required": ["url", "events"],
        "properties": {
            "url": {"type": "string", "maxLength": webhooks.MAX_URL,
                    "description": "https://, or http:// to localhost / a loopback address only.",
                    "examples": ["https://mis.example.org/grs-events"]},
            "events": {**_WEBHOOK_EVENTS, "examples": [["lodged", "resolved"]]},
            "secret": {"type": ["string", "null"], "minLength": webhooks.MIN_SECRET, "maxLength": webhooks.MAX_SECRET,
                       "description": "Signing key; absent or null: one is made and returned once."},
            "label": {"type": ["string", "null"], "maxLength": 120, "description": "Which system this is."},
            "active": {"type": "boolean", "default": True},
        },
    },
    "Webhook": {
        "type": "object", "required": ["id", "url", "label", "events", "active", "created_at"],
        "properties": {"id": {"type": "integer"}, "url": {"type": "string"}, "label": STRING_OR_NULL,
                       "events": _WEBHOOK_EVENTS, "active": {"type": "boolean"},
                       "created_at": {"type": "string", "format": "date-time"}},
    },
    "WebhookCreated": {"allOf": [{"$ref": "#/components/schemas/Webhook"}, {
        "type": "object", "required": ["secret"], "properties": {"secret": {
            "type": "string", "description": "The signing key: shown in this answer only."}}}]},
    "WebhookDelivery": {
        "type": "object",
        "required": ["id", "event_type", "tracking_code", "status", "attempts", "last_status_code", "last_error",
                     "created_at", "last_attempt_at", "delivered_at", "next_attempt_at"],
        "properties": {
            "id": {"type": "integer", "description": "Sent as X-GRS-Delivery; the same on every retry."},
            "event_type": {"type": "string"}, "tracking_code": STRING_OR_NULL,
            "status": {"type": "string", "enum": ["queued", "sending", "retry", "sent", "failed", "suppressed"]},
            "attempts": {"type": "integer"}, "last_status_code": {"type": ["integer", "null"]},
            "last_error": STRING_OR_NULL, "created_at": {"type": "string", "format": "date-time"},
            "last_attempt_at": TIME_OR_NULL, "delivered_at": TIME_OR_NULL, "next_attempt_at": TIME_OR_NULL},
    },
    "WebhookDetail": {"allOf": [{"$ref": "#/components/schemas/Webhook"}, {
        "type": "object", "required": ["deliveries"], "properties": {"deliveries": {
            "type": "array", "items": {"$ref": "#/components/schemas/WebhookDelivery"},
            "description": "The delivery log, newest first (50 at most)."}}}]},
    "WebhookList": {
        "type": "object", "required": ["items", "event_types"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Webhook"}},
                       "event_types": {"type": "array", "items": {"type": "string"},
                                       "description": "Every type a subscription may ask for."}},
    },
})
_WEBHOOK_ID = {"name": "sub_id", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"},
               "description": "The subscription's id."}
_ADMIN_ONLY = error("Not a national admin.")
PATHS.update({
    "/webhooks": {
        "get": {"operationId": "listWebhooks", "summary": "Event subscriptions (national admins)",
                "responses": {"200": json_body("WebhookList", "Every subscription, without secrets."),
                              "401": _ref("Unauthorized"), "403": _ADMIN_ONLY}},
        "post": {"operationId": "createWebhook",
                 "summary": "Subscribe a URL to event types; deliveries are signed X-GRS-Signature: t=<unix>,v1=<hex>",
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": {"$ref": "#/components/schemas/NewWebhook"}}}},
                 "responses": {"201": {**json_body("WebhookCreated", "Created; the secret is in this answer only."),
                                       "headers": {"Location": {"schema": {"type": "string"}}}},
                               "400": _ref("BadJson"), "401": _ref("Unauthorized"), "403": _ADMIN_ONLY,
                               "422": _ref("Invalid")}},
    },
    "/webhooks/{sub_id}": {
        "get": {"operationId": "getWebhook", "summary": "One subscription with its delivery log",
                "parameters": [_WEBHOOK_ID],
                "responses": {"200": json_body("WebhookDetail", "The subscription and its newest deliveries."),
                              "401": _ref("Unauthorized"), "403": _ADMIN_ONLY,
                              "404": error("No subscription has that id.")}},
        "delete": {"operationId": "deleteWebhook", "summary": "Remove a subscription; what is still queued is dropped",
                   "parameters": [_WEBHOOK_ID],
                   "responses": {"204": {"description": "Removed, with its delivery log."},
                                 "401": _ref("Unauthorized"), "403": _ADMIN_ONLY,
                                 "404": error("No subscription has that id.")}},
    },
})


# ---------------------------------------------------------------- list filters, history, reference, console, admin

PATHS["/grievances"]["get"]["parameters"][6:6] = [
    _query("channel", {"type": "string", "enum": list(CHANNELS)}, "Channel it came in on."),
    _query("from", {"type": "string", "format": "date"},
           "Received on or after this date (the country's local date)."),
    _query("to", {"type": "string", "format": "date"}, "Received on or before this local date."),
    _query("open", {"type": "boolean"}, "Extension: true, only open ones; false, only decided or closed ones."),
    _query("code", {"type": "string", "maxLength": 60},
           "Extension: part of a tracking code (spaces, dashes and Bangla digits are ignored)."),
]
PATHS["/grievances"]["get"]["responses"]["422"] = _ref("Invalid")


def _page_of(ref: str) -> dict:
    return {"type": "object", "required": ["items", "page", "per_page", "total", "next"], "properties": {
        "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}},
        "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"},
        "next": {"type": ["string", "null"], "description": "Path of the next page, null on the last."}}}


def _items(ref: str, **extra) -> dict:
    return {"type": "object", "required": ["items", *extra], "properties": {
        "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}, **extra}}


_NAMES = {"name": {"type": "string", "description": "English name."},
          "names": {"type": "object", "additionalProperties": {"type": "string"},
                    "description": "Name per language code (en always)."}}
_PAGE_PARAMS = [_query("page", {"type": "integer", "minimum": 1, "maximum": 10**6, "default": 1}, "Page number."),
                _query("per_page", {"type": "integer", "minimum": 1, "maximum": schemas.MAX_PER_PAGE,
                                    "default": schemas.DEFAULT_PER_PAGE}, "Page size.")]
SCHEMAS.update({
    "EventList": {"type": "object", "required": ["tracking_code", "items"], "properties": {
        "tracking_code": {"type": "string"}, "items": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}},
    "Attachment": {"type": "object", "required": ["id", "filename", "content_type", "size", "sha256", "created_at", "url"],
                   "properties": {"id": {"type": "integer"}, "filename": {"type": "string"},
                                  "content_type": {"type": "string"}, "size": {"type": "integer"},
                                  "sha256": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
                                  "url": {"type": "string", "description": "Where to download it (this API)."}}},
    "AttachmentList": {"type": "object", "required": ["tracking_code", "items"], "properties": {
        "tracking_code": {"type": "string"},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Attachment"}}}},
    "Programme": {"type": "object", "required": ["code", "name", "names", "active"],
                  "properties": {"code": {"type": "string"}, **_NAMES, "active": {"type": "boolean"}}},
    "Category": {"type": "object", "required": ["code", "name", "names", "sensitive", "start_tier", "active"],
                 "properties": {"code": {"type": "string"}, **_NAMES, "sensitive": {"type": "boolean"},
                                "start_tier": {**STRING_OR_NULL, "description": "Where a sensitive case starts."},
                                "active": {"type": "boolean"}}},
    "Level": {"type": "object", "required": ["code", "name", "names", "rank", "area_level"],
              "properties": {"code": {"type": "string"}, **_NAMES,
                             "rank": {"type": "integer", "description": "1 = the lowest tier."},
                             "area_level": {"type": "string", "description": "The area level its offices cover."}}},
    "Area": {"type": "object", "required": ["code", "name", "names", "level", "parent"],
             "properties": {"code": {"type": "string"}, **_NAMES, "level": {"type": "string"},
                            "parent": STRING_OR_NULL}},
    "Office": {"type": "object", "required": ["code", "name", "names", "tier", "area", "active"],
               "properties": {"code": {"type": "string"}, **_NAMES, "tier": {"type": "string"},
                              "area": {"type": "string", "description": "The area it covers, with all below."},
                              "active": {"type": "boolean"}}},
    "ActionInfo": {"type": "object", "required": ["action", "from", "to", "event", "requires"], "properties": {
        "action": {"type": "string", "enum": list(ACTIONS)},
        "from": {"type": "array", "items": {"type": "string", "enum": list(STATUSES)}},
        "to": {"type": ["string", "null"], "description": "The status it leads to; null: unchanged."},
        "event": {"type": "string"},
        "requires": {"type": "array", "items": {"type": "string"}, "description": "Body fields it needs."}}},
    "ActionList": {"type": "object", "required": ["items", "decisions", "reject_reasons"], "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/ActionInfo"}},
        "decisions": {"type": "array", "items": {"type": "string"}},
        "reject_reasons": {"type": "array", "items": {"type": "string"}}}},
    "CallerLookup": {"type": "object", "title": "CallerLookup", "additionalProperties": False, "required": ["phone"],
                     "properties": {"phone": {"type": "string", "maxLength": 40, "examples": ["01712345678"]}}},
    "CallerGrievances": {"type": "object", "required": ["phone", "items"], "properties": {
        "phone": {"type": ["string", "null"], "description": "The number in E.164."},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Grievance"}}}},
    "Call": {"type": "object",
             "required": ["id", "operator", "phone", "started_at", "ended_at", "outcome", "grievance", "notes"],
             "properties": {"id": {"type": "integer"}, "operator": {"type": "string", "description": "E-mail."},
                            "phone": STRING_OR_NULL, "started_at": {"type": "string", "format": "date-time"},
                            "ended_at": TIME_OR_NULL, "outcome": STRING_OR_NULL,
                            "grievance": {**STRING_OR_NULL, "description": "Tracking code."}, "notes": STRING_OR_NULL}},
    "Policy": {"type": "object", "required": ["id", "tier", "kind", "category", "ack_days", "resolve_days",
                                              "extension_days", "updated_at"],
               "properties": {"id": {"type": "integer"}, "tier": {"type": "string"},
                              "kind": {"type": "string", "enum": ["grievance", "appeal"]}, "category": STRING_OR_NULL,
                              "ack_days": {"type": "integer"}, "resolve_days": {"type": "integer"},
                              "extension_days": {"type": "integer"},
                              "pause_days": {"type": ["integer", "null"],
                                             "description": "null: the default, 15 working days."},
                              "on_breach": {**STRING_OR_NULL, "description": "escalate, appeal or flag; null: escalate."},
                              "appeal_levels": {"type": ["integer", "null"],
                                                "description": "null: appeals up to the top tier."},
                              "extension_needs_reason": {"type": ["boolean", "null"], "description": "null: true."},
                              "day_kind": {**STRING_OR_NULL, "description": "working or calendar; null: working."},
                              "warn_days": {"type": ["integer", "null"], "description": "null: 2 working days."},
                              "updated_at": TIME_OR_NULL}},
    "Holiday": {"type": "object", "required": ["id", "day", "name", "area"],
                "properties": {"id": {"type": "integer"}, "day": {"type": "string", "format": "date"},
                               "name": {"type": "string"}, "area": STRING_OR_NULL}},
    "Changed": {"type": "object", "required": ["changed"], "properties": {
        "changed": {"type": "integer", "description": "How many open grievances got new deadlines."}}},
})
SCHEMAS["AreaPage"] = _page_of("Area")
SCHEMAS["OfficePage"] = _page_of("Office")
SCHEMAS["AreaDetail"] = {"allOf": [{"$ref": "#/components/schemas/Area"}, {
    "type": "object", "required": ["ancestors", "offices"], "properties": {
        "ancestors": {"type": "array", "items": {"type": "string"}, "description": "Codes from the root down."},
        "offices": {"type": "array", "items": {"$ref": "#/components/schemas/Office"}}}}]}


def _spec_schema(module_spec, title: str) -> dict:
    return field_schema(module_spec, title=title)


def _init_console_and_admin() -> None:
    from . import admin, calls

    SCHEMAS["NewCall"] = _spec_schema(calls.START, "NewCall")
    SCHEMAS["EndCall"] = _spec_schema(calls.END, "EndCall")
    SCHEMAS["NewPolicy"] = _spec_schema(admin.POLICY, "NewPolicy")
    SCHEMAS["NewHoliday"] = _spec_schema(admin.HOLIDAY, "NewHoliday")


def _body(ref: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


_NONE = []
_READ = {"401": _ref("Unauthorized"), "422": _ref("Invalid")}
_CONSOLE_ONLY = error("The role has no operator console (operators and admins).")
_ADMINS = error("Not an admin.")
_CALL_ID = {"name": "call_id", "in": "path", "required": True, "schema": {"type": "string"},
            "description": "The call's id."}
_ID = {"in": "path", "required": True, "schema": {"type": "string"}}
_NOT_FOUND = error("No such row (or not the caller's).")
PATHS.update({
    "/grievances/{code}/events": {"get": {
        "operationId": "listGrievanceEvents", "summary": "A grievance's history, oldest first", "parameters": [CODE],
        "responses": {"200": json_body("EventList", "The events."), **_READ, "403": _ref("Forbidden"),
                      "404": _ref("NotFound")}}},
    "/grievances/{code}/attachments": {"get": {
        "operationId": "listGrievanceAttachments", "summary": "The files sent with a grievance",
        "parameters": [CODE],
        "responses": {"200": json_body("AttachmentList", "The attachments."), **_READ, "403": _ref("Forbidden"),
                      "404": _ref("NotFound")}}},
    "/grievances/{code}/attachments/{attachment_id}": {"get": {
        "operationId": "getGrievanceAttachment", "summary": "Download one attachment",
        "parameters": [CODE, {**_ID, "name": "attachment_id", "description": "The attachment's id."}],
        "responses": {"200": {"description": "The file, as an attachment.",
                              "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
                      "401": _ref("Unauthorized"), "403": _ref("Forbidden"),
                      "404": error("No grievance, or no such attachment of it.")}}},
    "/programmes": {"get": {"operationId": "listProgrammes", "summary": "Programmes (codes for lodging, filters)",
                            "responses": {"200": json_body("ProgrammeList", "Every programme."), **_READ}}},
    "/categories": {"get": {"operationId": "listCategories", "summary": "Grievance categories",
                            "responses": {"200": json_body("CategoryList", "Every category."), **_READ}}},
    "/levels": {"get": {"operationId": "listLevels", "summary": "The tiers grievances are handled at, lowest first",
                        "responses": {"200": json_body("LevelList", "Every level."), **_READ}}},
    "/areas": {"get": {
        "operationId": "listAreas",
        "summary": "Areas: the children of parent (default: of the country), or with level every area of that "
                   "level under parent",
        "parameters": [_query("parent", {"type": "string"}, "Area code."),
                       _query("level", {"type": "string"}, "Area level code, e.g. district, union."), *_PAGE_PARAMS],
        "responses": {"200": json_body("AreaPage", "A page of areas, by code."), **_READ}}},
    "/areas/{code}": {"get": {
        "operationId": "getArea", "summary": "One area, its ancestors and the offices at it",
        "parameters": [{**_ID, "name": "code", "description": "Area code."}],
        "responses": {"200": json_body("AreaDetail", "The area."), "401": _ref("Unauthorized"),
                      "404": error("No area has that code.")}}},
    "/offices": {"get": {
        "operationId": "listOffices", "summary": "Grievance offices, e.g. the targets of a transfer",
        "parameters": [_query("area", {"type": "string"}, "Area code: offices covering it or any area below."),
                       _query("level", {"type": "string"}, "Tier code."),
                       _query("active", {"type": "boolean"}, "Only active (true) or inactive (false) offices."),
                       *_PAGE_PARAMS],
        "responses": {"200": json_body("OfficePage", "A page of offices, by code."), **_READ}}},
    "/actions": {"get": {"operationId": "listActions",
                         "summary": "The lifecycle actions: from which statuses, to which, and the fields each needs",
                         "responses": {"200": json_body("ActionList", "The transition table."), **_READ}}},
    "/callers/lookup": {"post": {
        "operationId": "lookupCaller",
        "summary": "A caller's grievances by phone number (in the body, to keep it out of URLs)",
        "requestBody": _body("CallerLookup"),
        "responses": {"200": json_body("CallerGrievances", "What the caller may see, newest first."),
                      "400": _ref("BadJson"), "401": _ref("Unauthorized"), "403": _CONSOLE_ONLY,
                      "422": _ref("Invalid")}}},
    "/calls": {
        "get": {"operationId": "listCalls", "summary": "The caller's latest call logs (an admin: everyone's)",
                "responses": {"200": json_body("CallList", "Newest first."), **_READ, "403": _CONSOLE_ONLY}},
        "post": {"operationId": "startCall", "summary": "Open a call log", "requestBody": _body("NewCall"),
                 "responses": {"201": {**json_body("Call", "Opened; Location gives its URL."),
                                       "headers": {"Location": {"schema": {"type": "string"}}}},
                               "400": _ref("BadJson"), "401": _ref("Unauthorized"), "403": _CONSOLE_ONLY,
                               "422": _ref("Invalid")}},
    },
    "/calls/{call_id}": {"get": {
        "operationId": "getCall", "summary": "One call log", "parameters": [_CALL_ID],
        "responses": {"200": json_body("Call", "The call."), "401": _ref("Unauthorized"), "403": _CONSOLE_ONLY,
                      "404": _NOT_FOUND}}},
    "/calls/{call_id}/end": {"post": {
        "operationId": "endCall", "summary": "Close a call with its outcome (and the grievance it was about)",
        "parameters": [_CALL_ID], "requestBody": _body("EndCall"),
        "responses": {"200": json_body("Call", "The closed call."), "400": _ref("BadJson"),
                      "401": _ref("Unauthorized"), "403": _CONSOLE_ONLY,
                      "404": error("No such call, or no visible grievance with that code."),
                      "409": error("The call has ended already."), "422": _ref("Invalid")}}},
    "/policies": {
        "get": {"operationId": "listPolicies", "summary": "Time limits per tier, kind and category (admins)",
                "responses": {"200": json_body("PolicyList", "Tier defaults first."), **_READ, "403": _ADMINS}},
        "post": {"operationId": "savePolicy",
                 "summary": "Create or change one time limit; open grievances' deadlines follow",
                 "requestBody": _body("NewPolicy"),
                 "responses": {"200": json_body("PolicySaved", "Saved."), "400": _ref("BadJson"),
                               "401": _ref("Unauthorized"), "403": _ADMINS, "422": _ref("Invalid")}},
    },
    "/policies/{policy_id}": {"delete": {
        "operationId": "deletePolicy", "summary": "Remove a category's own time limit",
        "parameters": [{**_ID, "name": "policy_id", "description": "The policy's id."}],
        "responses": {"200": json_body("Changed", "Removed."), "401": _ref("Unauthorized"), "403": _ADMINS,
                      "404": _NOT_FOUND, "422": error("A tier's default cannot be removed.")}}},
    "/holidays": {
        "get": {"operationId": "listHolidays", "summary": "Public holidays of a year and the days off added (admins)",
                "parameters": [_query("year", {"type": "integer", "minimum": 1900, "maximum": 9999},
                                      "Year of the public holidays (default: this year).")],
                "responses": {"200": json_body("HolidayList", "The days."), **_READ, "403": _ADMINS}},
        "post": {"operationId": "addHoliday", "summary": "Declare a day off (national or an area's)",
                 "requestBody": _body("NewHoliday"),
                 "responses": {"201": json_body("HolidayAdded", "Added."), "400": _ref("BadJson"),
                               "401": _ref("Unauthorized"), "403": _ADMINS, "422": _ref("Invalid")}},
    },
    "/holidays/{holiday_id}": {"delete": {
        "operationId": "deleteHoliday", "summary": "Remove a day off",
        "parameters": [{**_ID, "name": "holiday_id", "description": "The day off's id."}],
        "responses": {"200": json_body("Changed", "Removed."), "401": _ref("Unauthorized"), "403": _ADMINS,
                      "404": _NOT_FOUND}}},
})
PATHS["/imports"] = {"post": {
    "operationId": "importPaperForms",
    "summary": "Paper forms and complaint-box slips from a CSV or Excel file: every row lands or none "
               "(officers, operators, admins; the columns of /cases/import's template)",
    "requestBody": {"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
            {"schema": {"type": "string", "format": "binary"}}}},
    "responses": {
        "200": json_body("ImportResult", "Every row landed (or had landed before)."),
        "401": _ref("Unauthorized"), "403": error("The role may not import."),
        "413": error("The file is larger than the upload limit."),
        "422": error("Nothing landed: `fields` names each bad row and column (`row 3.programme`), `rows` "
                     "lists them; or the body is neither CSV nor a workbook (`fields.Content-Type`)."),
    }}}
PATHS["/admin/audit"] = {"get": {
    "operationId": "listAdminEvents",
    "summary": "The admin events' hash chain, newest first: time limits, days off, accounts, reference data, "
               "webhooks, retention and subject exports (admins; as /admin/audit)",
    "parameters": [_query("kind", {"type": "string", "maxLength": 60}, "One kind of admin event, e.g. policy_saved."),
                   _query("from", {"type": "string", "format": "date"}, "First local day (YYYY-MM-DD)."),
                   _query("to", {"type": "string", "format": "date"}, "Last local day (YYYY-MM-DD)."),
                   *_PAGE_PARAMS],
    "responses": {"200": json_body("AdminEventPage", "A page of admin events."), **_READ, "403": _ADMINS}}}
SCHEMAS["AdminEvent"] = {"type": "object", "required": ["seq", "at", "actor", "kind", "target", "data", "prev_hash",
                                                        "hash"], "properties": {
    "seq": {"type": "integer", "description": "Position in the chain, from 1."},
    "at": {"type": "string", "format": "date-time"},
    "actor": {"type": "string", "description": "The staff account's e-mail, or the command (cli, cli:retention)."},
    "kind": {"type": "string"}, "target": {"type": "string", "description": "What was changed."},
    "data": {"type": "object", "description": "What changed (never a password, token or secret: only that it "
                                              "changed)."},
    "prev_hash": {"type": ["string", "null"]}, "hash": {"type": "string", "description": "SHA-256 of this row "
                                                                                        "and prev_hash."}}}
SCHEMAS["AdminEventPage"] = _page_of("AdminEvent")
_ROW_CODE = {"type": "object", "required": ["row", "tracking_code"],
             "properties": {"row": {"type": "integer"}, "tracking_code": {"type": "string"}}}
SCHEMAS["ImportResult"] = {"type": "object", "required": ["lodged", "already", "skipped"], "properties": {
    "lodged": {"type": "array", "items": _ROW_CODE, "description": "Rows lodged now (the header is row 1)."},
    "already": {"type": "array", "items": _ROW_CODE, "description": "Rows imported before: not lodged again."},
    "skipped": {"type": "array", "items": {"type": "integer"}, "description": "The template's example row."}}}
PATHS["/webhooks/{sub_id}"]["patch"] = {
    "operationId": "updateWebhook", "summary": "Pause or resume a subscription", "parameters": [_WEBHOOK_ID],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": False, "required": ["active"],
        "properties": {"active": {"type": "boolean"}}}}}},
    "responses": {"200": json_body("Webhook", "The subscription."), "400": _ref("BadJson"),
                  "401": _ref("Unauthorized"), "403": _ADMIN_ONLY, "404": error("No subscription has that id."),
                  "422": _ref("Invalid")}}
SCHEMAS.update({
    "ProgrammeList": _items("Programme"), "CategoryList": _items("Category"), "LevelList": _items("Level"),
    "CallList": _items("Call"), "PolicyList": _items("Policy"),
    "PolicySaved": {"type": "object", "required": ["policy", "changed"], "properties": {
        "policy": {"$ref": "#/components/schemas/Policy"}, "changed": {"type": "integer"}}},
    "HolidayAdded": {"type": "object", "required": ["holiday", "changed"], "properties": {
        "holiday": {"$ref": "#/components/schemas/Holiday"}, "changed": {"type": "integer"}}},
    "HolidayList": {"type": "object", "required": ["year", "public", "items"], "properties": {
        "year": {"type": "integer"},
        "public": {"type": "array", "items": {"type": "string", "format": "date"},
                   "description": "The country's public holidays that year."},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Holiday"},
                  "description": "Days off added here, newest first."}}},
})


def _add_accountability() -> None:
    """The accountability operations (social_audit/api.py) join the document; imported here, late, because
    that module imports this package."""
    from social_audit.api import OPENAPI_PATHS, OPENAPI_SCHEMAS

    SCHEMAS.update(OPENAPI_SCHEMAS)
    PATHS.update(OPENAPI_PATHS)


def _add_messages() -> None:
    """GET /messages (grs/api/messages.py), imported late for the same reason."""
    from .messages import openapi_paths

    paths, schemas_out = openapi_paths(_query, _page_of, _PAGE_PARAMS, _ref, error)
    SCHEMAS.update(schemas_out)
    PATHS.update(paths)


def document(server_url: str = "/api/v1") -> dict:
    """The whole OpenAPI document (a fresh copy: callers may change it)."""
    _add_accountability()
    _add_messages()
    if "NewCall" not in SCHEMAS:
        _init_console_and_admin()  # their request specs live with their views, which import this module's users
        for item in PATHS.values():
            for op in item.values():
                # Every call refuses a NUL character anywhere in what it is sent (grs/http_errors.py).
                op["responses"].setdefault("400", _ref("BadRequest"))
    return copy.deepcopy({
        "openapi": "3.1.0",
        "info": {"title": "GRS API", "version": VERSION,
                 "description": "Grievance redress for social protection programmes. Errors are "
                                "{\"error\": {\"code\", \"message\", \"fields\"?}}; times are ISO 8601 with "
                                "an offset. Tokens come from `grs create-token --email E`."},
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "responses": RESPONSES,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    })
