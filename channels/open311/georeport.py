"""Open311 GeoReport v2 as the specification names it (http://wiki.open311.org/GeoReport_v2): service codes,
the open/closed status, what a public request shows, the POST parameters read into plain values, and the
XML and JSON renderings (the XML tree, and JSON by the spec's "Spark convention" mapping of it).

Pure: no Flask, no database. The views hand in plain values and send out what this returns.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The last change to what the discovery document and the service definitions say (the spec's sortable
# "changeset"): change it when the attributes or the mapping below change.
CHANGESET = "2026-12-01 00:00"
FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
DEFAULT_FORMAT = "xml"  # the one format the spec requires: errors in an unknown format are written in it
MAX_SPAN = timedelta(days=90)  # "may not span more than 90 days"; also the default range
MAX_REQUESTS = 1000  # "first 1000 requests returned"
MAX_IDS = 1000
MAX_IDEMPOTENCY_KEY = 80  # Grievance.source_ref holds 120 characters, with our "open311:<account id>:" prefix
MAX_ACCOUNT_ID = 100
MAX_ADDRESS = 400

# Plural XML elements and the name of each member (the spec's "⇊" lists).
MEMBER = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
          "endpoints": "endpoint", "formats": "format", "errors": "error"}

# ---------------------------------------------------------------- services: programme × category


def service_code(programme: str, category: str) -> str:
    """One service per programme and category: 'OAA-payment' (no '.', which starts the format suffix)."""
    return f"{programme}-{category}"


@dataclass(frozen=True)
class Service:
    """A programme × category pair as Open311 lists it."""

    programme: str
    programme_name: str
    category: str
    category_name: str
    sensitive: bool = False
    other_names: tuple[str, ...] = ()  # the pair's names in the other languages: synonyms for keywords

    @property
    def code(self) -> str:
        return service_code(self.programme, self.category)

    @property
    def name(self) -> str:
        return f"{self.programme_name}: {self.category_name}"


def service_entry(s: Service) -> dict:
    """GET services: one <service>."""
    description = s.category_name
    if s.sensitive:
        description += (". Confidential: handled by designated officers at a higher level; such requests are "
                        "never listed publicly.")
    # Commas separate keywords, so a name with commas in it is kept as one keyword without them.
    keywords = [s.programme, s.category, *(re.sub(r"\s*,\s*", " ", n) for n in s.other_names if n)]
    return {"service_code": s.code, "service_name": s.name,
            "description": description, "metadata": True, "type": "realtime",
            "keywords": ", ".join(dict.fromkeys(keywords)), "group": s.programme_name}


@dataclass(frozen=True)
class Attribute:
    """One attribute of every service definition: what POST reads from attribute[code]."""

    code: str
    description: str
    datatype: str = "string"  # string | number | datetime | text | singlevaluelist | multivaluelist
    values: tuple[tuple[str, str], ...] = ()  # (key, name) for the value lists
    datatype_description: str | None = None
    max_length: int | None = None


def attributes(sexes, age_bands, languages: Mapping[str, str]) -> tuple[Attribute, ...]:
    """The attributes, in the order the definition presents them (all optional)."""
    return (
        Attribute("area", "The area the complaint is about, as its code (a union, upazila, district...). It "
                  "decides the office that handles it; without it an operator chooses (the triage queue).",
                  datatype_description="An area code, e.g. BD-UN-2869; the same as address_id.", max_length=40),
        Attribute("sex", "The complainant's sex (for statistics; never shown publicly).", "singlevaluelist",
                  tuple((v, v.replace("_", " ")) for v in sexes)),
        Attribute("age_band", "The complainant's age band (for statistics; never shown publicly).",
                  "singlevaluelist", tuple((v, _age_band_name(v)) for v in age_bands)),
        Attribute("disability", "Whether the complainant has a disability (for statistics; never shown "
                  "publicly).", "singlevaluelist", (("yes", "yes"), ("no", "no"))),
        Attribute("beneficiary_id", "The complainant's beneficiary number in the programme's MIS.",
                  datatype_description="At most 60 characters.", max_length=60),
        Attribute("language", "The language the complainant is told each step in (SMS).", "singlevaluelist",
                  tuple(languages.items())),
    )


def _age_band_name(band: str) -> str:
    return {"under_18": "under 18", "60_plus": "60 and over"}.get(band, band.replace("_", " to "))


def service_definition(code: str, attrs: tuple[Attribute, ...]) -> dict:
    """GET services/<service_code>: the <service_definition>."""
    return {"service_code": code, "attributes": [
        {"variable": True, "code": a.code, "datatype": a.datatype, "required": False,
         "datatype_description": a.datatype_description, "order": i, "description": a.description,
         **({"values": [{"key": k, "name": n} for k, n in a.values]} if a.values else {})}
        for i, a in enumerate(attrs, start=1)]}


# ---------------------------------------------------------------- requests: what the public sees

STATUS_NOTES = {
    "received": "Received; the office has not acknowledged it yet.",
    "acknowledged": "Acknowledged by the office.",
    "in_progress": "Being investigated by the office.",
    "awaiting_info": "Waiting for information from the complainant; the time limit is paused.",
    "resolved": "Resolved by the office.",
    "rejected": "Rejected as outside what the office can handle.",
    "closed": "Closed.",
}
DECISION_NOTES = {"upheld": "The complaint was upheld.", "partly_upheld": "The complaint was partly upheld.",
                  "not_upheld": "The complaint was not upheld.", "referred": "The complaint was referred elsewhere."}


def open_or_closed(is_open: bool) -> str:
    """The spec has two statuses: open (reported, being handled) and closed (decided, rejected or closed)."""
    return "open" if is_open else "closed"


@dataclass(frozen=True)
class RequestFacts:
    """What a grievance may show through Open311: no name, phone, sex, age or notes; the description only
    when the caller's api_key may read the case (`description` is None otherwise)."""

    service_request_id: str
    service_code: str
    service_name: str
    status: str  # the grievance's own status
    is_open: bool
    received_at: datetime
    updated_at: datetime
    due_at: datetime | None = None
    ack_due_at: datetime | None = None
    paused: bool = False
    office: str | None = None
    tier: str | None = None
    decision: str | None = None
    escalations: int = 0
    address: str | None = None
    address_id: str | None = None
    description: str | None = None


def w3(value: datetime | None) -> str | None:
    """The spec's date format: ISO 8601 to the second, with the offset (UTC here)."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def status_notes(f: RequestFacts) -> str:
    if f.office is None and f.is_open:
        return "Waiting for an operator to choose the office for it."
    note = STATUS_NOTES.get(f.status, f.status.replace("_", " ").capitalize() + ".")
    if f.status == "resolved" and f.decision in DECISION_NOTES:
        note += " " + DECISION_NOTES[f.decision]
    if f.is_open and f.escalations:
        note += f" Escalated to the {f.tier} level." if f.tier else " Escalated."
    return note


def service_notice(f: RequestFacts, local_date) -> str | None:
    """What is expected next, with the deadlines as local dates (`local_date(datetime) -> 'YYYY-MM-DD'`)."""
    if not f.is_open:
        return None
    if f.office is None:
        return "An operator will choose the office that handles it; that office then has its time limits."
    if f.paused:
        return f"{f.office} is waiting for information from the complainant; its time limit is paused."
    parts = []
    if f.status == "received" and f.ack_due_at is not None:
        parts.append(f"acknowledge it by {local_date(f.ack_due_at)}")
    if f.due_at is not None:
        parts.append(f"decide on it by {local_date(f.due_at)}")
    if not parts:
        return f"{f.office} handles it."
    return f"{f.office} is to {' and '.join(parts)}; past the time limit it moves up a level."


def request_entry(f: RequestFacts, local_date) -> dict:
    """GET requests and GET requests/<id>: one <request>, with every field the spec lists."""
    return {
        "service_request_id": f.service_request_id,
        "status": open_or_closed(f.is_open),
        "status_notes": status_notes(f),
        "service_name": f.service_name,
        "service_code": f.service_code,
        "description": f.description,
        "agency_responsible": f.office,
        "service_notice": service_notice(f, local_date),
        "requested_datetime": w3(f.received_at),
        "updated_datetime": w3(f.updated_at),
        "expected_datetime": w3(f.due_at) if f.is_open and not f.paused else None,
        "address": f.address,
        "address_id": f.address_id,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


# ---------------------------------------------------------------- query and body parameters


class Problem(Exception):
    """A request the spec says to refuse: the HTTP status and one or more descriptions."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions or ("The request cannot be fulfilled.",)


def parse_w3(name: str, text: str) -> datetime:
    """A start_date / end_date in the w3 format (a time without an offset is taken as UTC)."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, TypeError):
        raise Problem(400, f"{name}: use the w3 date format, e.g. 2026-01-01T00:00:00Z.") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    try:
        return value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise Problem(400, f"{name}: the date is out of range.") from None


def comma_list(values: list[str]) -> list[str]:
    """A parameter "declared multiple times, comma delimited": every non-empty item, in order, once."""
    items = [part.strip() for v in values for part in v.split(",")]
    return list(dict.fromkeys(i for i in items if i))


@dataclass(frozen=True)
class RequestQuery:
    """GET requests: the spec's filters. `ids` overrides every other argument."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # "open", "closed"
    start: datetime | None = None
    end: datetime | None = None
    page: int = 1
    page_size: int = MAX_REQUESTS


def _positive(name: str, text: str, maximum: int) -> int:
    if not text.strip().isdigit() or not text.strip().isascii():
        raise Problem(400, f"{name}: use a whole number from 1 to {maximum}.")
    value = int(text.strip()[:12])
    if not 1 <= value <= maximum:
        raise Problem(400, f"{name}: use a whole number from 1 to {maximum}.")
    return value


def request_query(args: Mapping[str, list[str]], now: datetime) -> RequestQuery:
    """Read GET requests' arguments; a Problem names every one that is wrong."""
    problems: list[str] = []

    def one(name: str) -> str | None:
        values = [v for v in args.get(name, []) if v.strip()]
        if len(values) > 1:
            problems.append(f"{name}: send it once.")
        return values[0] if values else None

    ids = comma_list(args.get("service_request_id", []))
    if len(ids) > MAX_IDS:
        problems.append(f"service_request_id: at most {MAX_IDS} ids at once.")
    statuses = comma_list(args.get("status", []))
    wrong = [s for s in statuses if s not in ("open", "closed")]
    if wrong:
        problems.append("status: use open, closed or both (comma delimited).")
    start = end = None
    page, page_size = 1, MAX_REQUESTS
    for name in ("start_date", "end_date", "page", "page_size"):
        text = one(name)
        if text is None:
            continue
        try:
            if name == "start_date":
                start = parse_w3(name, text)
            elif name == "end_date":
                end = parse_w3(name, text)
            elif name == "page":
                page = _positive(name, text, 10**6)
            else:
                page_size = _positive(name, text, MAX_REQUESTS)
        except Problem as p:
            problems.extend(p.descriptions)
    if start is not None and end is not None and start > end:
        problems.append("start_date is after end_date.")
    if problems:
        raise Problem(400, *problems)
    # "When not specified, the range defaults to most recent 90 days", and it may not span more.
    if start is None and end is None:
        end, start = now, now - MAX_SPAN
    elif start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN if start + MAX_SPAN < now else now
    elif end - start > MAX_SPAN:
        raise Problem(400, "start_date and end_date may not span more than 90 days.")
    return RequestQuery(tuple(ids), tuple(comma_list(args.get("service_code", []))), tuple(statuses),
                        start, end, page, page_size)


_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]*)\](\[\])?$")


@dataclass(frozen=True)
class NewRequest:
    """POST requests, read: what the complainant and the client said, in the spec's terms."""

    service_code: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    address_id: str | None = None
    address_string: str | None = None
    lat: float | None = None
    long: float | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    email: str | None = None
    account_id: str | None = None
    description: str | None = None

    @property
    def area(self) -> str | None:
        return self.attributes.get("area") or self.address_id

    @property
    def name(self) -> str | None:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or None


# The POST parameters the spec names; the rest of a form is refused (a misspelt name must not vanish).
POST_FIELDS = {"api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
               "email", "device_id", "account_id", "first_name", "last_name", "phone", "description", "media_url"}


def new_request(form: Mapping[str, list[str]], attrs: tuple[Attribute, ...]) -> NewRequest:
    """Read POST requests' form; a Problem (400) lists every parameter that is wrong."""
    problems: list[str] = []
    known = {a.code: a for a in attrs}
    values: dict[str, str] = {}
    chosen: dict[str, str] = {}
    for key, given in form.items():
        m = _ATTRIBUTE.match(key)
        if m:
            code, many = m.group(1), m.group(2)
            a = known.get(code)
            if a is None:
                problems.append(f"{key}: no such attribute; see the service definition.")
            elif many or len(given) > 1:
                problems.append(f"{key}: attribute[{code}] takes one value.")
            elif given[0].strip():
                value = given[0].strip()
                if a.values and value not in dict(a.values):
                    problems.append(f"attribute[{code}]: use one of {', '.join(k for k, _ in a.values)}.")
                elif a.max_length and len(value) > a.max_length:
                    problems.append(f"attribute[{code}]: at most {a.max_length} characters.")
                else:
                    chosen[code] = value
            continue
        if key not in POST_FIELDS:
            problems.append(f"{key}: not a parameter of POST Service Request.")
        elif len(given) > 1:
            problems.append(f"{key}: send it once.")
        elif given[0].strip():
            values[key] = given[0].strip()
    code = values.get("service_code")
    if code is None:
        problems.append("service_code: required; GET services lists them.")
    lat = _coordinate("lat", values.get("lat"), 90, problems)
    long = _coordinate("long", values.get("long"), 180, problems)
    if (lat is None) != (long is None) and not any(f"{n}:" in " ".join(problems) for n in ("lat", "long")):
        problems.append("lat and long: send both or neither.")
    area = chosen.get("area")
    if area and values.get("address_id") and area != values["address_id"]:
        problems.append("attribute[area] and address_id name different areas; send one.")
    if not (area or values.get("address_id") or values.get("address_string") or lat is not None):
        problems.append("A location is required: address_id (an area code), attribute[area], address_string, "
                        "or lat and long.")
    if len(values.get("account_id", "")) > MAX_ACCOUNT_ID:
        problems.append(f"account_id: at most {MAX_ACCOUNT_ID} characters.")
    if len(values.get("address_string", "")) > MAX_ADDRESS:
        problems.append(f"address_string: at most {MAX_ADDRESS} characters.")
    if len(values.get("email", "")) > 200:
        problems.append("email: at most 200 characters.")
    if problems:
        raise Problem(400, *problems)
    return NewRequest(service_code=code, attributes=chosen, address_id=values.get("address_id"),
                      address_string=values.get("address_string"), lat=lat, long=long,
                      first_name=values.get("first_name"), last_name=values.get("last_name"),
                      phone=values.get("phone"), email=values.get("email"), account_id=values.get("account_id"),
                      description=values.get("description"))


def _coordinate(name: str, text: str | None, limit: float, problems: list[str]) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not -limit <= value <= limit:  # NaN fails too
        problems.append(f"{name}: a WGS84 coordinate from -{limit:g} to {limit:g}.")
        return None
    return value


def description_with_location(r: NewRequest) -> str:
    """The complaint's text, with the place the client gave when it is not an area code, so that the operator
    who places it from the triage queue can read it (it is never shown publicly)."""
    text = r.description or ""
    where = []
    if r.area is None and r.address_string:
        where.append(r.address_string)
    if r.area is None and r.lat is not None:
        where.append(f"lat {r.lat:.6f}, long {r.long:.6f}")
    if where:
        text = (text + "\n\n" if text else "") + "Location given: " + "; ".join(where)
    return text


def idempotency_key(header: str | None) -> str | None:
    """The Idempotency-Key header (an extension: the spec has none), checked; None when absent."""
    key = (header or "").strip()
    if not key:
        return None
    if len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise Problem(400, f"Idempotency-Key: at most {MAX_IDEMPOTENCY_KEY} printable characters.")
    return key


# ---------------------------------------------------------------- rendering


def errors(status: int, descriptions) -> list[dict]:
    """The spec's error body: an array of {code, description}; the code is the HTTP status."""
    return [{"code": status, "description": d} for d in descriptions]


def render(fmt: str, root: str, body: Any) -> bytes:
    """The body as JSON or as XML with `root` as its root element (a list becomes its MEMBER children)."""
    if fmt == "json":
        return json.dumps(body, ensure_ascii=False).encode("utf-8", "replace")
    element = ET.Element(root)
    _fill(element, root, body)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode").encode(
        "utf-8", "replace")


# Characters XML 1.0 cannot hold at all (control characters, surrogates, U+FFFE/U+FFFF): left out.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if value is True or value is False:
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, tag: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            sub = ET.SubElement(element, key)
            _fill(sub, key, child)
    elif isinstance(value, (list, tuple)):
        member = MEMBER.get(tag, "item")
        for child in value:
            sub = ET.SubElement(element, member)
            _fill(sub, member, child)
    else:
        element.text = _text(value)
