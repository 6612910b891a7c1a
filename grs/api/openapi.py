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
        else:
            prop = {"type": f.type}
        if f.nullable and not f.required:
            prop["type"] = [prop["type"], "null"]
        if f.max_length is not None:
            prop["maxLength"] = f.max_length
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
            "decision": STRING_OR_NULL,
            "resolution": STRING_OR_NULL,
            "satisfied": {"type": ["boolean", "null"]},
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
            {"type": "object", "required": ["events", "allowed_actions"], "properties": {
                "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
                "allowed_actions": {"type": "array", "items": {"type": "string", "enum": list(ACTIONS)},
                                    "description": "Extension: the actions this caller may take now."},
            }},
        ],
    },
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
                                  "ranked": {"type": "array", "items": {"allOf": [
                                      {"$ref": "#/components/schemas/StatFigures"},
                                      {"type": "object", "properties": {"rank": _COUNT}}]}}}},
    },
}


def error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def json_body(ref: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


RESPONSES: dict[str, dict] = {
    "BadJson": error("The body is not a JSON object."),
    "Unauthorized": error("No bearer token, or an unknown, revoked or disabled one."),
    "Forbidden": error("The grievance is outside the caller's area, or the role may not do this."),
    "NotFound": error("No grievance has that tracking code."),
    "Conflict": error("The grievance's status does not allow that action."),
    "Invalid": error("A field or parameter is missing, unknown or invalid; `fields` names each one."),
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
                "201": {**json_body("GrievanceDetail", "Lodged; Location gives its URL."),
                        "headers": {"Location": {"schema": {"type": "string"}}}},
                "200": json_body("GrievanceDetail", "A repeat of an earlier external_ref: the first grievance."),
                "400": _ref("BadJson"), "401": _ref("Unauthorized"), "403": _ref("Forbidden"),
                "422": _ref("Invalid"),
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
                _query("page", {"type": "integer", "minimum": 1, "default": 1}, "Page number."),
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


def _add_accountability() -> None:
    """The accountability operations (social_audit/api.py) join the document; imported here, late, because
    that module imports this package."""
    from social_audit.api import OPENAPI_PATHS, OPENAPI_SCHEMAS

    SCHEMAS.update(OPENAPI_SCHEMAS)
    PATHS.update(OPENAPI_PATHS)


def document(server_url: str = "/api/v1") -> dict:
    """The whole OpenAPI document (a fresh copy: callers may change it)."""
    _add_accountability()
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
