"""Blueprint `open311`: Open311 GeoReport v2 under /open311/v2 — discovery, services, service definitions,
requests (GET public, POST with an api_key) and tokens, in XML and JSON, errors in the spec's format.

Thin: it reads the request, asks the database and `grs.services.lodge`, and renders with `georeport`.
"""
from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, request, url_for
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from grs import queries, ratelimit, services, tracking
from grs.countries import profile
from grs.errors import DomainError
from grs.extensions import db, limiter
from grs.models import AGE_BANDS, SEXES, Area, Category, Event, Grievance, Programme, User
from grs.permissions import Capability, can
from grs.services.accounts import user_for_token
from grs.services.actors import Actor
from grs.timeutil import utcnow
from grs.uow import unit_of_work

from . import georeport as geo

log = logging.getLogger(__name__)

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
CHANNEL = "api"
ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Service-layer field names as the Open311 parameters that carry them.
PARAMETER = {"name": "first_name / last_name", "area": "attribute[area] / address_id",
             "sex": "attribute[sex]", "age_band": "attribute[age_band]", "language": "attribute[language]",
             "programme": "service_code", "category": "service_code", "channel": "service_code"}


def _lookup_limit() -> str:
    # The same budget as the public track page: a request id is what a citizen tracks with.
    return f"{current_app.config['TRACK_RATE_LIMIT']} per minute"


# ---------------------------------------------------------------- formats and errors


def _format() -> str:
    fmt = (request.view_args or {}).get("fmt")
    return fmt if fmt in geo.FORMATS else geo.DEFAULT_FORMAT


def _reply(root: str, body, status: int = 200) -> Response:
    fmt = _format()
    return Response(geo.render(fmt, root, body), status=status, content_type=geo.FORMATS[fmt])


def _errors(status: int, *descriptions: str) -> Response:
    return _reply("errors", geo.errors(status, descriptions), status)


def _check_format(fmt: str) -> None:
    if fmt not in geo.FORMATS:
        raise geo.Problem(404, "No such format: add .xml or .json to the resource.")


def _spec_status(status: int) -> int:
    """The spec: 404 for what does not exist, 403 for the api_key, 400 for the rest; codes HTTP gives a
    meaning of their own (405, 413, 429, 5xx) keep it."""
    return status if status in (403, 404, 405, 413, 429) or status >= 500 else 400


@bp.errorhandler(geo.Problem)
def problem(e: geo.Problem):
    return _errors(e.status, *e.descriptions)


@bp.errorhandler(DomainError)
def domain_error(e: DomainError):
    described = [f"{PARAMETER.get(k, k)}: {v}" for k, v in e.fields.items()] or [e.message]
    return _errors(_spec_status(e.status), *described)


@bp.errorhandler(HTTPException)
def http_error(e: HTTPException):
    if e.code == 429:
        return _errors(429, f"Too many look-ups from this client (at most {e.description}); try again later.")
    return _errors(_spec_status(e.code or 400), e.description or e.name)


@bp.after_request
def errors_in_the_spec_format(response: Response) -> Response:
    """Errors answered before these views run (the app's NUL-character check) or by the app's last-resort
    handler come in the contract's {"error": ...}: rewritten as the spec's array."""
    if response.status_code >= 400 and response.is_json:
        body = response.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            err = body["error"]
            described = [f"{k}: {v}" for k, v in (err.get("fields") or {}).items()] or [err.get("message")]
            return _errors(_spec_status(response.status_code), *[str(d) for d in described])
    return response


# ---------------------------------------------------------------- who is asking


def _api_user(*, required: bool) -> User | None:
    """The account whose API token is the api_key; 403 in the spec's words when it is missing or wrong."""
    key = (request.form.get("api_key") if request.method == "POST" else None) or request.args.get("api_key")
    key = (key or "").strip()
    if not key:
        if required:
            raise geo.Problem(403, "api_key is missing -- can't proceed with create_request.")
        return None
    user = user_for_token(db.session, key, utcnow()) if len(key) <= 200 else None
    if user is None:
        raise geo.Problem(403, "Invalid api_key received -- can't proceed."
                          if not required else "Invalid api_key received -- can't proceed with create_request.")
    return user


# ---------------------------------------------------------------- services


def _languages() -> dict[str, str]:
    return dict(current_app.config["LANGUAGES"])


def _catalogue() -> dict[str, geo.Service]:
    """Every active programme × active category, by service code, in code order."""
    others = [lang for lang in _languages() if lang != "en"]
    programmes = db.session.scalars(sa.select(Programme).where(Programme.active.is_(True))
                                    .order_by(Programme.code)).all()
    categories = db.session.scalars(sa.select(Category).where(Category.active.is_(True))
                                    .order_by(Category.code)).all()
    out = {}
    for p in programmes:
        for c in categories:
            synonyms = [n for lang in others for n in (p.name(lang), c.name(lang))]
            s = geo.Service(p.code, p.name("en"), c.code, c.name("en"), c.sensitive,
                            tuple(n for n in synonyms if n not in (p.name("en"), c.name("en"))))
            out[s.code] = s
    return out


def _attributes() -> tuple[geo.Attribute, ...]:
    return geo.attributes(SEXES, AGE_BANDS, _languages())


def _endpoint_url() -> str:
    public = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    return public + bp.url_prefix if public else request.host_url.rstrip("/") + bp.url_prefix


@bp.get("/discovery.<fmt>")
def discovery(fmt: str):
    _check_format(fmt)
    config = current_app.config
    return _reply("discovery", {
        "changeset": geo.CHANGESET,
        "contact": config.get("OPEN311_CONTACT") or "The grievance redress system's administrators; "
                                                    "the API is described in docs/api.md.",
        "key_service": config.get("OPEN311_KEY_SERVICE") or "An api_key is the API token of a staff account "
                                                            "that may lodge complaints; an administrator "
                                                            "issues one (grs create-token --email E).",
        "endpoints": [{"specification": geo.SPECIFICATION, "url": _endpoint_url(), "changeset": geo.CHANGESET,
                       "type": "production", "formats": ["text/xml", "application/json"]}],
    })


@bp.get("/services.<fmt>")
def service_list(fmt: str):
    _check_format(fmt)
    with unit_of_work(read_only=True):
        return _reply("services", [geo.service_entry(s) for s in _catalogue().values()])


@bp.get("/services/<service_code>.<fmt>")
def service_definition(service_code: str, fmt: str):
    _check_format(fmt)
    with unit_of_work(read_only=True):
        if service_code not in _catalogue():
            raise geo.Problem(404, f"service_code {service_code[:60]!r} was not found; GET services lists them.")
    return _reply("service_definition", geo.service_definition(service_code, _attributes()))


# ---------------------------------------------------------------- requests


def _local_date():
    zone = ZoneInfo(profile(current_app.config["COUNTRY"]).timezone)
    return lambda value: value.astimezone(zone).date().isoformat()


def _facts(rows: list[Grievance], *, readable: set[int]) -> list[geo.RequestFacts]:
    """What each grievance shows; its description only where the caller's account may read the case."""
    ids = [g.id for g in rows]
    updated = dict(db.session.execute(sa.select(Event.grievance_id, sa.func.max(Event.at))
                                      .where(Event.grievance_id.in_(ids)).group_by(Event.grievance_id)).all()) \
        if ids else {}
    codes = {c for g in rows if g.area is not None for c in g.area.ancestor_codes()}
    names = dict(db.session.execute(sa.select(Area.code, Area.name_en).where(Area.code.in_(codes))).all()) \
        if codes else {}
    out = []
    for g in rows:
        service = geo.Service(g.programme.code, g.programme.name("en"), g.category.code, g.category.name("en"))
        address = None
        if g.area is not None:
            address = ", ".join(names.get(c, c) for c in reversed(g.area.ancestor_codes()))
        out.append(geo.RequestFacts(
            service_request_id=g.tracking_code, service_code=service.code, service_name=service.name,
            status=g.status, is_open=g.is_open, received_at=g.received_at,
            updated_at=updated.get(g.id) or g.received_at, due_at=g.due_at, ack_due_at=g.ack_due_at,
            paused=g.paused_at is not None, office=g.office.name("en") if g.office is not None else None,
            tier=g.level, decision=g.decision, escalations=g.escalation_count, address=address,
            address_id=g.area.code if g.area is not None else None,
            description=g.description if g.id in readable else None))
    return out


def _readable(user: User | None, ids: list[int]) -> set[int]:
    """The grievances among `ids` whose text the caller may read: those its account may see."""
    if user is None or not ids:
        return set()
    return set(db.session.scalars(sa.select(Grievance.id).where(Grievance.id.in_(ids),
                                                                queries.visible_filter(user))).all())


def _eager(query):
    return query.options(selectinload(Grievance.office), selectinload(Grievance.area),
                         selectinload(Grievance.programme), selectinload(Grievance.category))


def _service_conditions(codes: tuple[str, ...]) -> list:
    """Grievances of the given service codes (retired programmes and categories included: their cases stay
    findable); a code that is no service is an error, not "none"."""
    if not codes:
        return []
    programmes = db.session.execute(sa.select(Programme.code, Programme.id)).all()
    categories = db.session.execute(sa.select(Category.code, Category.id)).all()
    pairs = {geo.service_code(pc, cc): (pid, cid) for pc, pid in programmes for cc, cid in categories}
    unknown = [c for c in codes if c not in pairs]
    if unknown:
        raise geo.Problem(400, *[f"service_code {c[:60]!r} is not a service; GET services lists them."
                                 for c in unknown[:10]])
    return [sa.or_(*[sa.and_(Grievance.programme_id == pairs[c][0], Grievance.category_id == pairs[c][1])
                     for c in codes])]


@bp.get("/requests.<fmt>")
@limiter.limit(_lookup_limit)
def request_list(fmt: str):
    _check_format(fmt)
    q = geo.request_query(request.args.to_dict(flat=False), utcnow())
    user = _api_user(required=False)
    # Sensitive cases (sexual exploitation and abuse, corruption) are never listed, with or without a key.
    conditions = [Grievance.sensitive.is_(False)]
    if q.ids:  # "This overrides all other arguments."
        codes = [c for c in (tracking.normalise(i) for i in q.ids) if c]
        conditions.append(Grievance.tracking_code.in_(codes) if codes else sa.false())
    else:
        conditions += _service_conditions(q.service_codes)
        if set(q.statuses) == {"open"}:
            conditions.append(Grievance.is_open.is_(True))
        elif set(q.statuses) == {"closed"}:
            conditions.append(Grievance.is_open.is_(False))
        conditions += [Grievance.received_at >= q.start, Grievance.received_at <= q.end]
    with unit_of_work(read_only=True):
        rows = db.session.scalars(_eager(sa.select(Grievance).where(*conditions))
                                  .order_by(Grievance.received_at.desc(), Grievance.id.desc())
                                  .limit(q.page_size).offset((q.page - 1) * q.page_size)).all()
        rows = list(rows)
        facts = _facts(rows, readable=_readable(user, [g.id for g in rows]))
        local = _local_date()
        return _reply("service_requests", [geo.request_entry(f, local) for f in facts])


@bp.get("/requests/<service_request_id>.<fmt>")
@limiter.limit(_lookup_limit)
def request_one(service_request_id: str, fmt: str):
    _check_format(fmt)
    user = _api_user(required=False)
    code = tracking.normalise(service_request_id)
    with unit_of_work(read_only=True):
        g = db.session.scalar(_eager(sa.select(Grievance).where(Grievance.tracking_code == code))) \
            if code else None
        readable = _readable(user, [g.id]) if g is not None else set()
        # A sensitive case answers only its own lodger and the accounts that may see it: to anyone else it
        # does not exist (the answer must not even confirm that it does).
        if g is not None and g.sensitive and not (readable or (user is not None and g.lodged_by_id == user.id)):
            g = None
        if g is None:
            raise geo.Problem(404, "service_request_id was not found.")
        facts = _facts([g], readable=readable)
        return _reply("service_requests", [geo.request_entry(facts[0], _local_date())])


@bp.post("/requests.<fmt>")
def request_create(fmt: str):
    _check_format(fmt)
    user = _api_user(required=True)
    if not can(user, Capability.LODGE):
        raise geo.Problem(403, f"This api_key's account ({user.role}) may not lodge complaints.")
    # As the JSON API: lodges per account, receipts per phone; counted before the first query (SQLite: the
    # counters' connection must not wait for this request's pending write of the token's last use).
    if not ratelimit.allow("API_LODGE_RATE_LIMIT", f"user:{user.id}"):
        raise geo.Problem(429, "Too many requests lodged with this api_key in a short time; nothing was saved. "
                               "Try again in a minute.")
    form = request.form.to_dict(flat=False)
    r = geo.new_request(form, _attributes())
    texted = ratelimit.may_text(r.phone, current_app.config["COUNTRY"])
    service = _catalogue().get(r.service_code)
    if service is None:
        raise geo.Problem(404, f"service_code {r.service_code[:60]!r} was not found; GET services lists them.")
    key = geo.idempotency_key(request.headers.get("Idempotency-Key"))
    source_ref = f"open311:{user.id}:{key}" if key else None
    now = utcnow()
    earlier = db.session.scalar(sa.select(Grievance).where(Grievance.channel == CHANNEL,
                                                           Grievance.source_ref == source_ref)) \
        if source_ref else None
    if earlier is not None:
        return _created(earlier, r, 200)
    intake = _intake(r, service, source_ref)
    if not queries.may_lodge_from(user, intake.area):
        raise geo.Problem(403, "This api_key's account lodges complaints from its own area only.")
    if not texted:  # the phone had its share of receipts: lodged all the same, its code in the answer
        intake = dataclasses.replace(intake, queue_receipt=False)
    with unit_of_work() as uow:
        g = services.lodge(uow, intake, actor=Actor.staff(user), now=now)
    log.info("open311 request lodged id=%s by user=%s", g.id, user.id)
    return _created(g, r, 201)


def _intake(r: geo.NewRequest, service: geo.Service, source_ref: str | None) -> services.Intake:
    a = r.attributes
    person = services.ComplainantIn(
        name=r.name, phone=r.phone, sex=a.get("sex"), age_band=a.get("age_band"),
        disability={"yes": True, "no": False}.get(a.get("disability", "")), beneficiary_id=a.get("beneficiary_id"))
    anonymous = person == services.ComplainantIn()
    return services.Intake(
        channel=CHANNEL, programme=service.programme, category=service.category,
        description=geo.description_with_location(r), area=r.area, language=a.get("language") or "en",
        complainant=None if anonymous else person, source_ref=source_ref)


def _created(g: Grievance, r: geo.NewRequest, status: int) -> Response:
    facts = _facts([g], readable=set())[0]
    return _reply("service_requests", [{"service_request_id": g.tracking_code,
                                        "service_notice": geo.service_notice(facts, _local_date()),
                                        "account_id": r.account_id}], status)


# ---------------------------------------------------------------- tokens, and everything else


@bp.get("/tokens/<token>.<fmt>")
@limiter.limit(_lookup_limit)
def token(token: str, fmt: str):
    _check_format(fmt)
    # Every service is "realtime": POST answers with the service_request_id itself, so no token is issued.
    raise geo.Problem(404, "No such token: this endpoint issues none (every service is realtime; POST "
                           "requests returns the service_request_id at once).")


@bp.route("/", methods=ANY_METHOD)
def root():
    return elsewhere("")


@bp.route("/<path:rest>", methods=ANY_METHOD)
def elsewhere(rest: str):
    """Anything else under the prefix: 405 for a resource asked with the wrong method, 404 otherwise."""
    try:
        endpoint, _ = current_app.url_map.bind_to_environ(request.environ).match(method="GET")
    except HTTPException:
        endpoint = None
    if endpoint not in (None, "open311.elsewhere", "open311.root"):
        raise geo.Problem(405, f"{request.method} is not allowed on this resource.")
    if request.method == "GET":  # POST is the only other method a resource takes
        try:
            endpoint, _ = current_app.url_map.bind_to_environ(request.environ).match(method="POST")
        except HTTPException:
            endpoint = None
        if endpoint not in (None, "open311.elsewhere", "open311.root"):
            raise geo.Problem(405, "GET is not allowed on this resource.")
    raise geo.Problem(404, "No such resource: see discovery.xml, services.xml and requests.xml.")
