"""The shape of API bodies and query strings: pure checks that name every bad field, no database."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from ..errors import DomainError, ValidationError
from ..lifecycle import ACTIONS
from ..models import AGE_BANDS, CHANNELS, SEXES, STATUSES
from ..services import DECISIONS, MAX_DESCRIPTION, REJECT_REASONS

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_EXTERNAL_REF = 100  # Grievance.source_ref holds 120 characters, including our "api:<user id>:" prefix


class BadJson(DomainError):
    """The body is not a JSON object: the request is malformed, not merely invalid."""

    status, code = 400, "bad_json"


@dataclass(frozen=True)
class Field:
    """One member of a JSON object: its JSON type, limits, and a line for the OpenAPI description."""

    type: str  # "string" | "boolean" | "integer" | "object" | "array"
    required: bool = False
    nullable: bool = True
    max_length: int | None = None
    minimum: int | None = None  # for "integer"
    maximum: int | None = None
    format: str | None = None   # "date": a string YYYY-MM-DD
    enum: tuple[str, ...] | None = None
    members: Mapping[str, "Field"] | None = None  # for "object", and each item of an "array"
    max_items: int | None = None  # for "array"
    description: str = ""
    example: Any = None


COMPLAINANT = {
    "name": Field("string", max_length=200, example="Rahima Begum"),
    "phone": Field("string", max_length=40, description="Local or international form; stored as E.164.",
                   example="01712345678"),
    "gender": Field("string", enum=SEXES, example="female"),
    "age_band": Field("string", enum=AGE_BANDS, example="60_plus"),
    "disability": Field("boolean", example=False),
    "beneficiary_id": Field("string", max_length=60, description="The programme MIS's beneficiary number."),
}

LODGE = {
    "channel": Field("string", required=True, nullable=False, enum=CHANNELS, example="api"),
    "programme": Field("string", required=True, nullable=False, max_length=40, description="Programme code.",
                       example="OAA"),
    "category": Field("string", required=True, nullable=False, max_length=40, description="Category code.",
                      example="payment"),
    "area": Field("string", max_length=40,
                  description="Area code; null or absent puts the grievance in the triage queue.",
                  example="BD-UN-2869"),
    "description": Field("string", required=True, nullable=False, max_length=MAX_DESCRIPTION,
                         example="My allowance was not paid this quarter."),
    "language": Field("string", max_length=8, description="Language for messages to the complainant.",
                      example="bn"),
    "complainant": Field("object", members=COMPLAINANT, description="Absent or null: anonymous."),
    "received_on": Field("string", format="date",
                         description="The local day a paper form, complaint-box slip, hearing or audit finding "
                                     "was received (YYYY-MM-DD); its clock starts then. Not in the future; more "
                                     "than GRS_RECEIVED_MAX_AGE_DAYS (60) ago only with a supervisor's or "
                                     "admin's token. Absent: now.",
                         example="2026-11-03"),
    "external_ref": Field("string", max_length=MAX_EXTERNAL_REF,
                          description="Extension: the caller's own id for this complaint; a repeat returns "
                                      "the first grievance (200) instead of a new one.",
                          example="MIS-2026-000123"),
}

# A file sent with add_info: its bytes base64-encoded (JPEG, PNG or PDF within the upload limit).
ATTACHMENT = {
    "filename": Field("string", required=True, nullable=False, max_length=200, example="payment-slip.jpg"),
    "content_type": Field("string", required=True, nullable=False, max_length=100, example="image/jpeg"),
    "content": Field("string", required=True, nullable=False, description="The file's bytes, base64."),
}

ACTION = {
    "action": Field("string", required=True, nullable=False, enum=ACTIONS, example="resolve"),
    "note": Field("string", max_length=MAX_DESCRIPTION,
                  description="Reason or message; required for request_info, extend, reject, transfer, escalate, "
                              "and for close by an admin."),
    "decision": Field("string", enum=DECISIONS, description="Required for resolve."),
    "reason_code": Field("string", enum=REJECT_REASONS,
                         description="Required for reject: why (\"unrelated\" is counted apart in statistics). "
                                     "close by an admin may give \"withdrawn\"."),
    "resolution": Field("string", max_length=MAX_DESCRIPTION,
                        description="Required for resolve: the outcome as the complainant will read it."),
    "office": Field("string", max_length=60, description="Office code: the target of transfer."),
    "area": Field("string", max_length=40, description="Area code: where place puts a triaged grievance."),
    "category": Field("string", max_length=40, description="Required for reclassify: the new category's code "
                                                           "(with note, the reason)."),
    "attachments": Field("array", max_items=5, members=ATTACHMENT,
                         description="add_info: files with the answer, each checked as on the lodge form."),
    "text": Field("string", max_length=MAX_DESCRIPTION,
                  description="Required for add_info: the complainant's answer to the information request "
                              "(given on their behalf; it resumes the clock and tells the office)."),
    "satisfied": Field("boolean", description="Required for feedback; false opens an appeal, or with no "
                                                          "tier left puts it on the national review list."),
}

# Where a service names a complainant field, the API caller knows it by another path.
SERVICE_FIELD_PATHS = {
    "name": "complainant.name", "phone": "complainant.phone", "sex": "complainant.gender",
    "age_band": "complainant.age_band", "received_at": "received_on",
}

_JSON_TYPES = {"string": str, "boolean": bool, "integer": int, "object": dict, "array": list}


def parse_body(raw: bytes) -> dict:
    """The request body as a JSON object, or BadJson (400)."""
    if not raw or not raw.strip():
        raise BadJson("the request body is empty; send a JSON object")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise BadJson("the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadJson("the request body must be a JSON object")
    if _holds_lone_surrogate(body):  # valid JSON ("\ud800") but not text any database can store
        raise BadJson("the request body holds text that is not valid Unicode (an unpaired surrogate such as "
                      "\\ud800); nothing was saved")
    return body


_SURROGATE = re.compile("[\ud800-\udfff]")


def _holds_lone_surrogate(value) -> bool:
    """Whether any key or string in the decoded JSON has a UTF-16 surrogate (json.loads leaves an
    unpaired one as it is; a pair written as two escapes becomes the character it stands for)."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_holds_lone_surrogate(k) or _holds_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_lone_surrogate(v) for v in value)
    return False


def problems(body: Mapping[str, Any], spec: Mapping[str, Field], prefix: str = "") -> dict[str, str]:
    """Every way `body` departs from `spec`, keyed by the field's dotted path (empty when it fits)."""
    errors: dict[str, str] = {}
    for name in body:
        if name not in spec:
            errors[prefix + str(name)] = "Unknown field."
    for name, f in spec.items():
        path = prefix + name
        if name not in body:
            if f.required:
                errors[path] = "This field is required."
            continue
        value = body[name]
        if value is None:
            if f.required or not f.nullable:
                errors[path] = "This field is required." if f.required else "Must not be null."
            continue
        # bool is an int in Python but not a string in JSON; type() keeps true/false out of strings.
        if type(value) is not _JSON_TYPES[f.type]:
            errors[path] = f"Must be a{'n' if f.type in ('object', 'integer') else ''} {f.type}."
            continue
        if f.type == "string":
            if "\x00" in value:
                errors[path] = "Must not contain NUL characters."
            elif f.max_length is not None and len(value) > f.max_length:
                errors[path] = f"Use at most {f.max_length} characters."
            elif f.enum is not None and value not in f.enum:
                errors[path] = f"Use one of {', '.join(f.enum)}."
            elif f.format == "date" and _date_param(value, path, errors) is None:
                errors[path] = "Use a date as YYYY-MM-DD."
        elif f.type == "integer":
            if (f.minimum is not None and value < f.minimum) or (f.maximum is not None and value > f.maximum):
                errors[path] = f"Use a whole number from {f.minimum} to {f.maximum}."
        elif f.type == "object" and f.members is not None:
            errors.update(problems(value, f.members, path + "."))
        elif f.type == "array":
            if f.max_items is not None and len(value) > f.max_items:
                errors[path] = f"Give at most {f.max_items}."
            for i, item in enumerate(value):
                if type(item) is not dict:
                    errors[f"{path}.{i}"] = "Must be an object."
                elif f.members is not None:
                    errors.update(problems(item, f.members, f"{path}.{i}."))
    return errors


def check(body: Mapping[str, Any], spec: Mapping[str, Field]) -> Mapping[str, Any]:
    """`body` unchanged if it fits `spec`, else ValidationError (422) naming each bad field."""
    errors = problems(body, spec)
    if errors:
        raise ValidationError("the request has invalid fields", errors)
    return body


def rename_service_fields(e: ValidationError) -> ValidationError:
    """The same error with the service's field names turned into the API's paths."""
    fields = {SERVICE_FIELD_PATHS.get(k, k): v for k, v in e.fields.items()}
    return ValidationError(e.message, fields)


# ---------------------------------------------------------------- list query string

LIST_PARAMS = ("status", "level", "area", "programme", "category", "channel", "from", "to", "overdue", "open", "code",
               "page", "per_page")
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


@dataclass(frozen=True)
class ListQuery:
    """The filters and page of GET /grievances, checked for shape; codes are resolved by the view."""

    status: str | None = None
    level: str | None = None
    area: str | None = None
    programme: str | None = None
    category: str | None = None
    channel: str | None = None
    date_from: date | None = None  # received on or after this local date (the country's time zone)
    date_to: date | None = None    # received on or before this local date
    overdue: bool | None = None
    open: bool | None = None       # True: open statuses only; False: decided and closed only
    code: str | None = None        # part of a tracking code, as the inbox's search box takes it
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def filters(self) -> dict[str, str]:
        """The filters as query-string values, to build the link to another page."""
        out = {k: getattr(self, k) for k in ("status", "level", "area", "programme", "category", "channel", "code")}
        for name in ("overdue", "open"):
            value = getattr(self, name)
            out[name] = None if value is None else ("true" if value else "false")
        out["from"] = self.date_from.isoformat() if self.date_from else None
        out["to"] = self.date_to.isoformat() if self.date_to else None
        return {k: v for k, v in out.items() if v is not None}


def _int_param(raw: str, name: str, low: int, high: int, errors: dict) -> int | None:
    if not raw.isdigit() or len(raw) > 9:
        errors[name] = f"Must be a whole number from {low} to {high}."
        return None
    value = int(raw)
    if not low <= value <= high:
        errors[name] = f"Must be a whole number from {low} to {high}."
        return None
    return value


def _date_param(raw: str, name: str, errors: dict) -> date | None:
    try:
        if len(raw) != 10:
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = "Use a date as YYYY-MM-DD."
        return None


def parse_list_args(args: Mapping[str, str], keys: list[str]) -> ListQuery:
    """The list filters from a query string, or ValidationError naming each bad parameter.

    `keys` are every name in the query string, so that repeated or misspelled ones are caught.
    """
    errors: dict[str, str] = {}
    for k in keys:
        if k not in LIST_PARAMS:
            errors[k] = f"Unknown parameter; use {', '.join(LIST_PARAMS)}."
        elif keys.count(k) > 1:
            errors[k] = "Give this parameter once."
    values: dict[str, Any] = {}
    for name in ("status", "level", "area", "programme", "category", "channel", "code"):
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        if "\x00" in raw or len(raw) > 60:
            errors[name] = "Not a valid code."
        elif name == "status" and raw not in STATUSES:
            errors[name] = f"Use one of {', '.join(STATUSES)}."
        elif name == "channel" and raw not in CHANNELS:
            errors[name] = f"Use one of {', '.join(CHANNELS)}."
        else:
            values[name] = raw
    for name in ("overdue", "open"):
        raw = (args.get(name) or "").strip().lower()
        if raw in _TRUE:
            values[name] = True
        elif raw in _FALSE:
            values[name] = False
        elif raw:
            errors[name] = "Use true or false."
    for name, key in (("from", "date_from"), ("to", "date_to")):
        raw = (args.get(name) or "").strip()
        if raw:
            values[key] = _date_param(raw, name, errors)
    if values.get("date_from") and values.get("date_to") and values["date_from"] > values["date_to"]:
        errors["from"] = "The start date must not be after the end date."
    for name, default, high in (("page", 1, 10**9), ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)):
        raw = (args.get(name) or "").strip()
        values[name] = _int_param(raw, name, 1, high, errors) if raw else default
    if errors:
        raise ValidationError("the query has invalid parameters", errors)
    return ListQuery(**values)


# ---------------------------------------------------------------- statistics query string

STATS_GROUPS = ("level", "programme", "channel", "category", "area", "month", "quarter", "office", "sex",
                "age_band", "disability")
STATS_PARAMS = ("group_by", "area", "programme", "category", "channel", "sex", "age_band", "disability", "from", "to",
                "min_cases")


def parse_stats_args(args: Mapping[str, str], keys: list[str]) -> dict[str, Any]:
    """The filters and grouping of GET /stats, checked for shape, or ValidationError naming each bad one."""
    from datetime import date

    errors: dict[str, str] = {}
    for k in keys:
        if k not in STATS_PARAMS:
            errors[k] = f"Unknown parameter; use {', '.join(STATS_PARAMS)}."
        elif keys.count(k) > 1:
            errors[k] = "Give this parameter once."
    out: dict[str, Any] = {}
    for name, allowed in (("group_by", STATS_GROUPS), ("channel", CHANNELS), ("sex", SEXES),
                          ("age_band", AGE_BANDS), ("area", None), ("programme", None), ("category", None)):
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        if "\x00" in raw or len(raw) > 60:
            errors[name] = "Not a valid code."
        elif allowed is not None and raw not in allowed:
            errors[name] = f"Use one of {', '.join(allowed)}."
        else:
            out[name] = raw
    raw = (args.get("disability") or "").strip().lower()
    if raw in _TRUE:
        out["disability"] = True
    elif raw in _FALSE:
        out["disability"] = False
    elif raw:
        errors["disability"] = "Use true or false."
    for name in ("from", "to"):
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        try:
            if len(raw) != 10:
                raise ValueError
            out[name] = date.fromisoformat(raw)
        except ValueError:
            errors[name] = "Use a date as YYYY-MM-DD."
    if "from" in out and "to" in out and out["from"] > out["to"]:
        errors["from"] = "The start date must not be after the end date."
    raw = (args.get("min_cases") or "").strip()
    if raw:
        if raw.isdigit() and len(raw) <= 6:
            out["min_cases"] = int(raw)
        else:
            errors["min_cases"] = "Use a whole number of cases, 0 or more."
    if errors:
        raise ValidationError("the query has invalid parameters", errors)
    return out


# ---------------------------------------------------------------- other lists' query strings


def parse_args(args: Mapping[str, str], keys: list[str], spec: Mapping[str, str], *,
               paged: bool = False) -> dict[str, Any]:
    """Query parameters by kind (`code`: a short string; `bool`: true/false; `year`: 1900-9999), plus page
    and per_page when `paged`; ValidationError naming each unknown, repeated or bad one. Absent: left out."""
    allowed = tuple(spec) + (("page", "per_page") if paged else ())
    errors: dict[str, str] = {}
    for k in keys:
        if k not in allowed:
            errors[k] = f"Unknown parameter; use {', '.join(allowed)}." if allowed else "This call takes no parameters."
        elif keys.count(k) > 1:
            errors[k] = "Give this parameter once."
    out: dict[str, Any] = {}
    for name, kind in spec.items():
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        if kind == "code":
            if "\x00" in raw or len(raw) > 60:
                errors[name] = "Not a valid code."
            else:
                out[name] = raw
        elif kind == "bool":
            if raw.lower() in _TRUE:
                out[name] = True
            elif raw.lower() in _FALSE:
                out[name] = False
            else:
                errors[name] = "Use true or false."
        elif kind == "year":
            value = _int_param(raw, name, 1900, 9999, errors)
            if value is not None:
                out[name] = value
    if paged:
        for name, default, high in (("page", 1, 10**6), ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)):
            raw = (args.get(name) or "").strip()
            out[name] = _int_param(raw, name, 1, high, errors) if raw else default
    if errors:
        raise ValidationError("the query has invalid parameters", errors)
    return out


def query_keys(args) -> list[str]:
    """Every parameter name in the query string, repeats included."""
    return [k for k, _ in args.items(multi=True)]
