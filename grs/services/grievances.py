"""Grievance use cases: lodge one, and move it through its lifecycle. Each call is one transaction."""
from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask import g as flask_g

from escalation import rules
from escalation.policy import calendar_for, feedback_window_days, limits_for

from .. import lifecycle, notifications, permissions, phones, queries, tracking
from ..errors import DomainError, Forbidden, InvalidTransition, NotFound, ValidationError
from ..extensions import db
from ..models import (AGE_BANDS, CHANNELS, SEXES, Area, Attachment, Category, Complainant, Grievance,
                      GrievanceOffice, Office, PhoneContact, Programme, Tier, User)
from ..timeutil import as_utc
from .actors import Actor
from .history import record

log = logging.getLogger(__name__)

MAX_DESCRIPTION = 4000
DECISIONS = ("upheld", "partly_upheld", "not_upheld", "referred")


@dataclass(frozen=True)
class ComplainantIn:
    """What a complainant chose to tell about themselves; every field optional."""

    name: str | None = None
    phone: str | None = None
    sex: str | None = None
    age_band: str | None = None
    disability: bool | None = None
    beneficiary_id: str | None = None


@dataclass(frozen=True)
class AttachmentIn:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Intake:
    """One complaint as any channel hands it over; codes, not database ids."""

    channel: str
    programme: str
    category: str
    description: str
    area: str | None = None  # None: the triage queue places it
    language: str = "en"
    complainant: ComplainantIn | None = None  # None: anonymous
    attachments: tuple[AttachmentIn, ...] = ()
    source_ref: str | None = None  # provider message id etc.: a repeat returns the first grievance
    received_at: datetime | None = None  # when a paper form was filled in, if earlier than now
    receipt_by_channel: bool = False  # the channel replies with the receipt itself (Twilio TwiML): queue none


@dataclass(frozen=True)
class ActionRequest:
    """A lifecycle action with its parameters, as the API, case page or a channel states it."""

    action: str
    note: str | None = None
    decision: str | None = None
    resolution: str | None = None
    office: str | None = None  # transfer target
    area: str | None = None  # place target
    satisfied: bool | None = None  # feedback
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------- lookups


def _by_code(model, code: str | None, field_name: str, label: str):
    if not code:
        raise ValidationError(f"{label} is required", {field_name: f"Choose a {label}."})
    obj = db.session.scalar(sa.select(model).where(model.code == code))
    if obj is None or not getattr(obj, "active", True):
        raise ValidationError(f"unknown {label} '{code}'", {field_name: f"Unknown {label}."})
    return obj


def find(code: str | None) -> Grievance:
    """The grievance with this tracking code (typed with spaces or dashes is fine), or NotFound."""
    norm = tracking.normalise(code)
    g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == norm)) if norm else None
    if g is None:
        raise NotFound("no grievance with that tracking code")
    return g


def tier_ranks() -> dict[str, int]:
    """Tier code → rank, read once per application context (tiers change only with the country)."""
    ranks = flask_g.get("_grs_tier_ranks")
    if ranks is None:
        ranks = flask_g._grs_tier_ranks = dict(db.session.execute(sa.select(Tier.code, Tier.rank)).all())
    return ranks


def office_chain(area: Area) -> list[rules.OfficeChoice]:
    """The active offices on the area and every area above it, for routing and escalation."""
    ranks = tier_ranks()
    rows = db.session.execute(
        sa.select(Office.id, Office.tier).join(Area, Area.id == Office.area_id)
        .where(Area.code.in_(area.ancestor_codes()), Office.active.is_(True))
    ).all()
    return [rules.OfficeChoice(oid, tier, ranks[tier]) for oid, tier in rows]


def _start_rank(category: Category) -> int:
    return tier_ranks().get(category.start_tier, 1) if category.start_tier else 1


# ---------------------------------------------------------------- clocks


def _start_clock(g: Grievance, now: datetime, kind: str = "grievance") -> None:
    """Start the acknowledgement and resolution clocks at the grievance's current office."""
    limits = limits_for(g.level, g.category_id, kind)
    cal = calendar_for(g.area, now)
    g.clock_started_at = now
    g.clock_kind = kind
    g.ack_due_at = cal.add_working_days(now, limits.ack_days)
    g.due_at = cal.add_working_days(now, limits.resolve_days)
    g.paused_at = None
    g.paused_working_days = 0
    g.extended = False
    g.warned_at = None
    g.ack_breached = False
    g.overdue_flagged = False


def _clock_data(g: Grievance) -> dict:
    """The deadlines just set, kept in the event so statistics can judge them later."""
    return {"ack_due_at": g.ack_due_at.isoformat() if g.ack_due_at else None,
            "due_at": g.due_at.isoformat() if g.due_at else None, "clock": g.clock_kind}


def _clear_clock(g: Grievance) -> None:
    g.ack_due_at = g.due_at = None
    g.paused_at = None


def _arrive(g: Grievance, office: Office, now: datetime) -> None:
    """Make `office` the owner of the grievance (records it among the offices it has been at)."""
    g.office = office
    g.office_id = office.id
    g.level = office.tier
    seen = db.session.get(GrievanceOffice, (g.id, office.id)) if g.id else None
    if seen is None:
        db.session.add(GrievanceOffice(grievance_id=g.id, office_id=office.id))


# ---------------------------------------------------------------- lodge


def _validate_intake(intake: Intake) -> dict[str, str]:
    errors: dict[str, str] = {}
    if intake.channel not in CHANNELS:
        errors["channel"] = f"Unknown channel; use one of {', '.join(CHANNELS)}."
    text = (intake.description or "").strip()
    if not text:
        errors["description"] = "Describe the complaint."
    elif len(text) > MAX_DESCRIPTION:
        errors["description"] = f"Keep the description under {MAX_DESCRIPTION} characters."
    if intake.language not in current_app.config["LANGUAGES"]:
        errors["language"] = f"Unsupported language; use one of {', '.join(current_app.config['LANGUAGES'])}."
    c = intake.complainant
    if c is not None:
        if c.sex and c.sex not in SEXES:
            errors["sex"] = f"Use one of {', '.join(SEXES)}."
        if c.age_band and c.age_band not in AGE_BANDS:
            errors["age_band"] = f"Use one of {', '.join(AGE_BANDS)}."
        if c.name and len(c.name) > 200:
            errors["name"] = "Name is too long."
        try:  # checked here too so that a bad number is reported with every other mistake at once
            phones.normalise(c.phone, current_app.config["COUNTRY"])
        except ValidationError as e:
            errors.update(e.fields)
    return errors


def _complainant(c: ComplainantIn, language: str, area: Area | None) -> Complainant | None:
    region = current_app.config["COUNTRY"]
    phone = phones.normalise(c.phone, region)
    if not any([c.name, phone, c.beneficiary_id, c.sex, c.age_band, c.disability is not None]):
        return None
    person = None
    if phone:
        # The same caller again: reuse the record so the operator sees one history per person.
        person = db.session.scalar(
            sa.select(Complainant).where(Complainant.phone == phone).order_by(Complainant.id.desc()).limit(1)
        )
        if person and c.name and person.name and person.name.strip().lower() != c.name.strip().lower():
            person = None
    if person is None:
        person = Complainant(phone=phone)
        db.session.add(person)
    for attr in ("name", "sex", "age_band", "disability", "beneficiary_id"):
        value = getattr(c, attr)
        if value is not None and value != "":
            setattr(person, attr, value.strip() if isinstance(value, str) else value)
    person.language = language
    if area is not None:
        person.area = area
    if phone:
        contact = db.session.get(PhoneContact, phone) or PhoneContact(phone=phone)
        contact.language = contact.language or language
        if area is not None:
            contact.last_area_id = area.id
        db.session.add(contact)
    return person


def _store_attachments(g: Grievance, files: tuple[AttachmentIn, ...]) -> None:
    allowed = current_app.config["ALLOWED_UPLOAD_TYPES"]
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    for f in files:
        if f.content_type not in allowed:
            raise ValidationError("attachment type not allowed",
                                  {"attachment": "Attach a JPEG, PNG or PDF file."})
        if len(f.data) > limit:
            raise ValidationError("attachment too large", {"attachment": f"Attach at most {limit // 1048576} MB."})
        if not _looks_like(f.content_type, f.data):
            raise ValidationError("attachment content does not match its type",
                                  {"attachment": "The file is not a real JPEG, PNG or PDF."})
        digest = hashlib.sha256(f.data).hexdigest()
        folder = current_app.config["UPLOAD_DIR"]
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, digest + allowed[f.content_type])
        if not os.path.exists(path):
            with open(path, "wb") as out:
                out.write(f.data)
        safe_name = os.path.basename(f.filename or "attachment")[:200]
        g.attachments.append(Attachment(filename=safe_name, content_type=f.content_type, size=len(f.data),
                                        sha256=digest))


def _looks_like(content_type: str, data: bytes) -> bool:
    magic = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n", "application/pdf": b"%PDF-"}
    return data.startswith(magic.get(content_type, b""))


def _new_tracking_code() -> str:
    while True:
        code = tracking.new_code()
        if db.session.scalar(sa.select(Grievance.id).where(Grievance.tracking_code == code)) is None:
            return code


def lodge(intake: Intake, *, actor: Actor, now: datetime) -> Grievance:
    """Register a complaint, route it to its office (or triage), start its clocks, queue the receipt."""
    now = as_utc(now)
    if intake.source_ref:
        earlier = db.session.scalar(sa.select(Grievance).where(
            Grievance.channel == intake.channel, Grievance.source_ref == intake.source_ref))
        if earlier is not None:
            return earlier
    errors = _validate_intake(intake)
    programme = category = area = None
    try:
        programme = _by_code(Programme, intake.programme, "programme", "programme")
    except ValidationError as e:
        errors.update(e.fields)
    try:
        category = _by_code(Category, intake.category, "category", "category")
    except ValidationError as e:
        errors.update(e.fields)
    if intake.area:
        area = db.session.scalar(sa.select(Area).where(Area.code == intake.area))
        if area is None:
            errors["area"] = "Unknown area."
    if errors:
        raise ValidationError("the complaint has errors", errors)

    complainant = _complainant(intake.complainant, intake.language, area) if intake.complainant else None
    given = as_utc(intake.received_at) if intake.received_at else None  # a paper form's date may be naive
    received = given if given and given < now else now
    g = Grievance(
        tracking_code=_new_tracking_code(), channel=intake.channel, source_ref=intake.source_ref,
        programme=programme, category=category, area=area, status="received", is_open=True,
        sensitive=category.sensitive, description=intake.description.strip(), language=intake.language,
        complainant=complainant, lodged_by_id=actor.user_id, received_at=received, clock_started_at=now,
    )
    db.session.add(g)
    try:
        _store_attachments(g, intake.attachments)
    except ValidationError:
        db.session.rollback()  # else the half-made grievance rides on the caller's next commit
        raise
    db.session.flush()
    record(g, "lodged", actor=actor, at=now, status_to="received",
           data={"channel": intake.channel, "anonymous": complainant is None})
    if area is not None:
        office = _route(area, category)
    elif category.sensitive:
        # Never into a queue that local staff work: a sensitive complaint with no area goes to the
        # highest office its category allows from the country's root (the national cell).
        office = _route(_root_area(), category)
    else:
        office = None
    if office is not None:
        _arrive(g, office, now)
        _start_clock(g, now)
        record(g, "routed", actor=Actor.system("routing"), at=now, status_to="received",
               data={"office": office.code, "tier": office.tier, **_clock_data(g)})
        notifications.tell_office(g, office, "case_arrived", now=now)
    else:
        # Placing it is the acknowledgement: the triage queue has that limit, counted by the sweep.
        lowest = min(tier_ranks().items(), key=lambda kv: kv[1])[0]
        g.ack_due_at = calendar_for(None, now).add_working_days(now, limits_for(lowest, category.id).ack_days)
        record(g, "triaged", actor=Actor.system("routing"), at=now, status_to="received",
               note="area unknown" if area is None else "no office covers this area",
               data={"ack_due_at": g.ack_due_at.isoformat()})
    if not intake.receipt_by_channel:
        notifications.tell_citizen(g, "receipt", now=now, dedupe_key=f"receipt:{g.tracking_code}")
    db.session.commit()
    log.info("lodged grievance id=%s channel=%s office=%s", g.id, g.channel, g.office_id)
    return g


def _root_area() -> Area:
    return db.session.scalar(sa.select(Area).where(Area.parent_id.is_(None)).order_by(Area.id).limit(1))


def _route(area: Area, category: Category) -> Office | None:
    choice = rules.route(office_chain(area), _start_rank(category))
    return db.session.get(Office, choice.office_id) if choice else None


# ---------------------------------------------------------------- act


def _lock(code: str) -> Grievance:
    """Load a grievance for change, locking its row where the database can."""
    norm = tracking.normalise(code) or code
    g = db.session.scalar(
        sa.select(Grievance).where(Grievance.tracking_code == norm).with_for_update()
    )
    if g is None:
        raise NotFound("no grievance with that tracking code")
    return g


def _require(value: str | None, field_name: str, message: str) -> str:
    if value is None or not str(value).strip():
        raise ValidationError(message, {field_name: message})
    return str(value).strip()


def _check_state(g: Grievance, action: str) -> None:
    """InvalidTransition (409) when the grievance's state does not allow the action."""
    lifecycle.transition(g.status, action)
    if g.office_id is None and action not in ("place", "reject"):
        raise InvalidTransition("place the grievance in an area first")
    if g.office_id is not None and action == "place":
        raise InvalidTransition("the grievance is already placed")


def _check_permission(g: Grievance, action: str, actor: Actor) -> None:
    """Forbidden unless the actor may take this action here; a wrong state is a 409 for anyone who
    may see the grievance, so staff learn what is wrong rather than that they are refused."""
    if actor.is_system:
        _check_state(g, action)
        return
    if actor.is_citizen:
        if action not in permissions.CITIZEN_ACTIONS:
            raise Forbidden("citizens cannot take that action")
        _check_state(g, action)
        return
    user = db.session.get(User, actor.user_id)
    if user is None or not user.active:
        raise Forbidden("account disabled")
    if not queries.can_view(user, g):
        raise Forbidden("this grievance is outside your area or permissions")
    _check_state(g, action)
    if action not in permissions.actions_for(user, g, visible=True):
        raise Forbidden(f"you may not {action.replace('_', ' ')} this grievance")


def act(code: str, req: ActionRequest, *, actor: Actor, now: datetime) -> Grievance:
    """Apply one lifecycle action, checked against the transition table and the actor's rights."""
    now = as_utc(now)
    g = _lock(code)
    if req.action not in lifecycle.TRANSITIONS:
        raise ValidationError(f"unknown action '{req.action}'",
                              {"action": f"Use one of {', '.join(lifecycle.ACTIONS)}."})
    _check_permission(g, req.action, actor)
    t = lifecycle.transition(g.status, req.action)
    handler = _HANDLERS[req.action]
    before = g.status
    try:
        handler(g, req, actor, now, t)
    except DomainError:
        # A handler may fail after a first change (feedback "no" with no tier to appeal to records
        # the feedback first): drop it all, so no event without its change rides on a later commit.
        db.session.rollback()
        raise
    g.is_open = g.status in lifecycle.OPEN
    if g.status != "received":
        g.ack_due_at = None  # acknowledged (or beyond): that clock has stopped; its events keep the record
    db.session.commit()
    log.info("grievance id=%s %s: %s -> %s", g.id, req.action, before, g.status)
    return g


def _event(g, t, actor, now, before, **kw):
    return record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, **kw)


def _do_place(g, req, actor, now, t):
    area = db.session.scalar(sa.select(Area).where(Area.code == _require(req.area, "area", "Choose the area.")))
    if area is None:
        raise ValidationError("unknown area", {"area": "Unknown area."})
    office = _route(area, g.category)
    if office is None:
        raise ValidationError("no office covers that area", {"area": "No office covers that area."})
    g.area = area
    if g.complainant is not None and g.complainant.area_id is None:
        g.complainant.area = area
    _arrive(g, office, now)
    _start_clock(g, now)
    _event(g, t, actor, now, "received", note=req.note,
           data={"area": area.code, "office": office.code, **_clock_data(g)})
    notifications.tell_office(g, office, "case_arrived", now=now)


def _do_acknowledge(g, req, actor, now, t):
    before, g.status = g.status, t.target
    g.acknowledged_at = now
    _event(g, t, actor, now, before, note=req.note)


def _do_start(g, req, actor, now, t):
    before, g.status = g.status, t.target
    if g.acknowledged_at is None:
        g.acknowledged_at = now
    _event(g, t, actor, now, before, note=req.note)


def _do_request_info(g, req, actor, now, t):
    question = _require(req.note, "note", "Say what information is needed.")
    before, g.status = g.status, t.target
    g.paused_at = now
    _event(g, t, actor, now, before, note=question)
    notifications.tell_citizen(g, "info_requested", now=now, question=question)


def _do_resume(g, req, actor, now, t):
    before, g.status = g.status, t.target
    paused_before = g.paused_working_days
    if g.paused_at is not None:
        _unpause(g, now)
    g.warned_at = None
    _event(g, t, actor, now, before, note=req.note,
           data={"paused_working_days": g.paused_working_days - paused_before})


def _do_extend(g, req, actor, now, t):
    if g.extended:
        raise InvalidTransition("the time limit has already been extended once")
    reason = _require(req.note, "note", "Give the reason for the extension.")
    limits = limits_for(g.level, g.category_id, g.clock_kind)
    g.due_at = calendar_for(g.area, now).add_working_days(g.due_at or now, limits.extension_days)
    g.extended = True
    g.warned_at = None
    _event(g, t, actor, now, g.status, note=reason, data={"days": limits.extension_days})


def _do_resolve(g, req, actor, now, t):
    decision = _require(req.decision, "decision", "Choose the decision.")
    if decision not in DECISIONS:
        raise ValidationError("unknown decision", {"decision": f"Use one of {', '.join(DECISIONS)}."})
    resolution = _require(req.resolution, "resolution", "Write the resolution for the complainant.")
    before, g.status = g.status, t.target
    g.decision, g.resolution, g.resolved_at = decision, resolution, now
    g.feedback_due_at = calendar_for(g.area, now).add_working_days(now, feedback_window_days())
    g.satisfied = None
    _clear_clock(g)
    _event(g, t, actor, now, before, note=resolution, data={"decision": decision,
                                                              "within_limit": _within_limit(g, now)})
    notifications.tell_citizen(g, "resolved", now=now, dedupe_key=f"resolved:{g.tracking_code}:{g.event_count}")


def _within_limit(g: Grievance, now: datetime) -> bool | None:
    return None if g.due_at is None else now <= g.due_at


def _do_reject(g, req, actor, now, t):
    reason = _require(req.note, "note", "Give the reason for rejecting.")
    before, g.status = g.status, t.target
    g.resolved_at = now
    g.feedback_due_at = calendar_for(g.area, now).add_working_days(now, feedback_window_days())
    _clear_clock(g)
    _event(g, t, actor, now, before, note=reason)
    notifications.tell_citizen(g, "rejected", now=now, reason=reason)


def _do_transfer(g, req, actor, now, t):
    reason = _require(req.note, "note", "Give the reason for the transfer.")
    target = db.session.scalar(sa.select(Office).where(Office.code == _require(req.office, "office",
                                                                                "Choose the office.")))
    if target is None or not target.active:
        raise ValidationError("unknown office", {"office": "Unknown office."})
    if target.id == g.office_id:
        raise ValidationError("already at that office", {"office": "The grievance is already there."})
    before, g.status = g.status, t.target
    same_tier = target.tier == g.level
    origin = g.office.code if g.office else None
    _arrive(g, target, now)
    if same_tier and g.due_at is not None:
        # Same tier: the citizen's clock keeps running; the new office inherits what is left.
        if g.paused_at is not None:
            _unpause(g, now)
    else:
        _start_clock(g, now, g.clock_kind)
    _event(g, t, actor, now, before, note=reason, data={"from": origin, "to": target.code,
                                                         "clock": "kept" if same_tier else "restarted"})
    notifications.tell_office(g, target, "case_arrived", now=now)
    notifications.tell_citizen(g, "forwarded", now=now, office_name=target.name(g.language))


def _unpause(g: Grievance, now: datetime) -> None:
    cal = calendar_for(g.area, now)
    waited = cal.working_days_between(g.paused_at, now)
    if waited and g.due_at is not None:
        g.due_at = cal.add_working_days(g.due_at, waited)
    g.paused_working_days += waited
    g.paused_at = None


def escalate_one(g: Grievance, *, actor: Actor, now: datetime, reason: str, breach: bool) -> Office | None:
    """Move a grievance one tier up (the sweep and the manual action share this); None at the top."""
    choice = rules.next_up(office_chain(g.area), tier_ranks()[g.level]) if g.area is not None else None
    if choice is None:
        return None
    target = db.session.get(Office, choice.office_id)
    before = g.status
    origin = g.office.code
    g.status = "received"
    _arrive(g, target, now)
    g.escalation_count += 1
    _start_clock(g, now, g.clock_kind)
    record(g, "escalated", actor=actor, at=now, status_from=before, status_to=g.status, note=reason,
           data={"from": origin, "to": target.code, "tier": target.tier, "breach": breach, **_clock_data(g)})
    notifications.tell_office(g, target, "case_arrived", now=now)
    notifications.tell_citizen(g, "forwarded", now=now, office_name=target.name(g.language),
                               dedupe_key=f"forwarded:{g.tracking_code}:{g.event_count}")
    return target


def _do_escalate(g, req, actor, now, t):
    reason = _require(req.note, "note", "Give the reason for escalating.")
    if escalate_one(g, actor=actor, now=now, reason=reason, breach=False) is None:
        raise InvalidTransition("the grievance is already at the highest tier")


def open_appeal(g: Grievance, *, actor: Actor, now: datetime, note: str | None) -> Office:
    """Send a resolved or rejected grievance to the appellate office one tier up, on the appeal clock."""
    if g.feedback_due_at is not None and now > g.feedback_due_at:
        raise InvalidTransition("the time to appeal has passed")
    choice = rules.next_up(office_chain(g.area), tier_ranks()[g.level]) if g.area is not None else None
    if choice is None:
        raise InvalidTransition("there is no higher tier to appeal to")
    target = db.session.get(Office, choice.office_id)
    before, origin = g.status, g.office.code
    g.status = "received"
    g.satisfied = False if before == "resolved" else g.satisfied
    g.appeal_count += 1
    g.resolved_at = None
    g.feedback_due_at = None
    g.decision = None
    _arrive(g, target, now)
    _start_clock(g, now, "appeal")
    record(g, "appealed", actor=actor, at=now, status_from=before, status_to="received", note=note,
           data={"from": origin, "to": target.code, "tier": target.tier, "appeal": g.appeal_count,
                 **_clock_data(g)})
    notifications.tell_office(g, target, "case_arrived", now=now)
    notifications.tell_citizen(g, "appeal_opened", now=now, office_name=target.name(g.language),
                               dedupe_key=f"appeal:{g.tracking_code}:{g.appeal_count}")
    return target


def _do_appeal(g, req, actor, now, t):
    open_appeal(g, actor=actor, now=now, note=req.note)


def _do_feedback(g, req, actor, now, t):
    if req.satisfied is None:
        raise ValidationError("say whether the complainant is satisfied",
                              {"satisfied": "Answer true (satisfied) or false (not satisfied)."})
    if req.satisfied:
        g.satisfied = True
        record(g, "feedback", actor=actor, at=now, status_from=g.status, status_to=g.status,
               note=req.note, data={"satisfied": True})
        before, g.status = g.status, "closed"
        g.closed_at = now
        g.feedback_due_at = None
        record(g, "closed", actor=actor, at=now, status_from=before, status_to="closed",
               data={"reason": "satisfied"})
        notifications.tell_citizen(g, "closed", now=now)
    else:
        record(g, "feedback", actor=actor, at=now, status_from=g.status, status_to=g.status,
               note=req.note, data={"satisfied": False})
        open_appeal(g, actor=actor, now=now, note=req.note)


def _do_close(g, req, actor, now, t):
    before, g.status = g.status, t.target
    g.closed_at = now
    g.feedback_due_at = None
    _event(g, t, actor, now, before, note=req.note)
    notifications.tell_citizen(g, "closed", now=now)


_HANDLERS = {
    "place": _do_place, "acknowledge": _do_acknowledge, "start": _do_start,
    "request_info": _do_request_info, "resume": _do_resume, "extend": _do_extend,
    "resolve": _do_resolve, "reject": _do_reject, "transfer": _do_transfer, "escalate": _do_escalate,
    "appeal": _do_appeal, "feedback": _do_feedback, "close": _do_close,
}
assert set(_HANDLERS) == set(lifecycle.TRANSITIONS), "every transition needs a handler"
