"""Moving a grievance through its lifecycle: every status change goes through `_enter`, which checks
the transition table (grs/lifecycle.py) and sets the status, `is_open` and the acknowledgement clock;
each action writes its event in the caller's unit of work."""
from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from .. import lifecycle, notifications, permissions, queries, tracking
from ..events import REJECT_REASONS
from ..errors import N_, Forbidden, InvalidTransition, NotFound, ValidationError
from ..models import Area, Category, Grievance, Office, Tier, User
from ..timeutil import as_utc
from ..uow import unit_of_work
from . import asking, clocks, routing, storage
from .actors import Actor
from .effects import Effects
from .history import record
from .intake import MAX_DESCRIPTION, ActionRequest

log = logging.getLogger(__name__)

DECISIONS = ("upheld", "partly_upheld", "not_upheld", "referred")


def find(session, code: str | None) -> Grievance:
    """The grievance with this tracking code (typed with spaces or dashes is fine), or NotFound."""
    norm = tracking.normalise(code)
    g = session.scalar(sa.select(Grievance).where(Grievance.tracking_code == norm)) if norm else None
    if g is None:
        raise NotFound("no grievance with that tracking code")
    return g


def _lock(uow, code: str) -> Grievance:
    """Load a grievance for change, locking its row where the database can."""
    norm = tracking.normalise(code) or code
    g = uow.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == norm).with_for_update())
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


def _day(uow, at: datetime) -> str:
    """A date as the English service messages write it ('13 Dec 2026'), in the country's time zone."""
    from zoneinfo import ZoneInfo

    from ..countries import profile

    return as_utc(at).astimezone(ZoneInfo(profile(uow.settings.country).timezone)).strftime("%-d %b %Y")


def _check_timing(uow, g: Grievance, action: str, role: str | None, now: datetime) -> None:
    """InvalidTransition (409) for an action the clock does not allow yet: an appeal of an undecided
    grievance before its deadline, or closing a decision the complainant may still answer (admins only)."""
    if action == "appeal" and g.status in lifecycle.WORKING and not permissions.overdue(g, now):
        when = f" ({_day(uow, g.due_at)})" if g.due_at is not None else ""
        raise InvalidTransition(f"an undecided grievance can be appealed only once its deadline{when} has passed")
    if action == "close" and role not in (None, "admin") and permissions.answer_window_open(g, now):
        raise InvalidTransition(f"the complainant may answer until {_day(uow, g.feedback_due_at)}; before then "
                                "only the answer, the end of the window or an admin giving a reason closes it")
    if action == "close" and role not in (None, "admin") and g.review_flagged_at is not None:
        raise InvalidTransition("the grievance is on the national review list: an admin closes it, giving a reason")


def _check_permission(uow, g: Grievance, action: str, actor: Actor, now: datetime) -> None:
    """Forbidden unless the actor may take this action here; a wrong state is a 409 for anyone who
    may see the grievance, so staff learn what is wrong rather than that they are refused."""
    if actor.is_system:
        _check_state(g, action)
        return
    if actor.is_citizen:
        if action not in permissions.CITIZEN_ACTIONS:
            raise Forbidden("citizens cannot take that action")
        _check_state(g, action)
        _check_timing(uow, g, action, None, now)
        return
    user = uow.session.get(User, actor.user_id)
    if user is None or not user.active:
        raise Forbidden("account disabled")
    if not queries.can_view(user, g):
        raise Forbidden("this grievance is outside your area or permissions")
    _check_state(g, action)
    _check_timing(uow, g, action, user.role, now)
    if action not in permissions.actions_for(user, g, visible=True, now=now):
        raise Forbidden(f"you may not {action.replace('_', ' ')} this grievance")


def _enter(g: Grievance, action: str) -> tuple[lifecycle.Transition, str]:
    """The one path of a status change: checked against the table; sets the status, `is_open`, and
    stops the acknowledgement clock once the grievance is beyond `received`. Returns (transition,
    status before)."""
    t = lifecycle.transition(g.status, action)
    before = g.status
    if t.target is not None:
        g.status = t.target
    g.is_open = g.status in lifecycle.OPEN
    if g.status != "received":
        clocks.acknowledged(g)
    return t, before


def act(uow, code: str, req: ActionRequest, *, actor: Actor, now: datetime) -> Grievance:
    """Apply one lifecycle action, checked against the transition table and the actor's rights.

    On a domain error nothing of the action stays: it runs in a savepoint of the caller's unit of work.
    """
    now = as_utc(now)
    g = _lock(uow, code)
    if req.action not in lifecycle.TRANSITIONS:
        raise ValidationError(f"unknown action '{req.action}'",
                              {"action": f"Use one of {', '.join(lifecycle.ACTIONS)}."})
    _check_permission(uow, g, req.action, actor, now)
    before = g.status
    # A handler may fail after a first change (feedback "no" with no tier to appeal to records the
    # feedback first): the savepoint drops it all, so no event rides without its change.
    with unit_of_work(savepoint=True):
        _HANDLERS[req.action](uow, g, req, actor, now)
    log.info("grievance id=%s %s: %s -> %s", g.id, req.action, before, g.status)
    return g


def _do_place(uow, g, req, actor, now):
    code = _require(req.area, "area", N_("Choose the area."))
    area = uow.session.scalar(sa.select(Area).where(Area.code == code))
    if area is None:
        raise ValidationError("unknown area", {"area": N_("Unknown area.")})
    user = uow.session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is not None and not permissions.may_place_in(user, area.path):
        raise ValidationError("that area is outside your own", {"area": N_("That area is outside your own.")})
    sensitive = bool(g.sensitive or g.category.sensitive)
    office = (routing.confidential_route if sensitive else routing.route)(uow, area, g.category)
    if office is None:
        raise ValidationError("no office covers that area", {"area": N_("No office covers that area.")})
    guard_sensitive(uow, g, office)
    t, before = _enter(g, "place")
    g.area = area
    if g.complainant is not None and g.complainant.area_id is None:
        g.complainant.area = area
    routing.arrive(uow, g, office, now)
    clocks.start(uow, g, now)
    record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=req.note,
           data={"area": area.code, "office": office.code, **clocks.data(g)})
    notifications.tell_office(uow, g, office, "case_arrived", now=now)


def _do_acknowledge(uow, g, req, actor, now):
    t, before = _enter(g, "acknowledge")
    g.acknowledged_at = now
    record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=req.note)


def _do_start(uow, g, req, actor, now):
    t, before = _enter(g, "start")
    if g.acknowledged_at is None:
        g.acknowledged_at = now
    record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=req.note)


def _do_request_info(uow, g, req, actor, now):
    question = _require(req.note, "note", N_("Say what information is needed."))
    asking.check_question(uow, g, question)  # the whole question must reach the complainant
    t, before = _enter(g, "request_info")
    clocks.pause(g, now)
    record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=question)
    notifications.tell_citizen(uow, g, "info_requested", now=now, question=question)


def _do_resume(uow, g, req, actor, now):
    t, before = _enter(g, "resume")
    waited = clocks.resume(uow, g, now)
    g.warned_at = None
    record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=req.note,
           data={"paused_working_days": waited, "due_at": g.due_at.isoformat() if g.due_at else None})


def pause_limit_passed(uow, g: Grievance, now: datetime) -> bool:
    """Whether the information request pausing this grievance has waited longer than its policy allows."""
    if g.status != "awaiting_info" or g.paused_at is None:
        return False
    limit = clocks.limits(uow, g).pause_days
    return now >= clocks.calendar(uow, g, g.clock_started_at).add_working_days(g.paused_at, limit)


def end_pause(uow, g: Grievance, *, actor: Actor, now: datetime, effects: Effects | None = None) -> None:
    """No answer came within the pause limit (the sweep): the clock resumes by itself, the office is
    told, and the complainant learns the office will decide on what it has."""
    fx = effects or Effects(uow)
    t, before = _enter(g, "resume")
    waited = clocks.resume(uow, g, now)
    g.warned_at = None
    fx.record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status,
              note="no answer within the pause limit",
              data={"paused_working_days": waited, "pause_limit": True, **clocks.data(g)})
    if g.office is not None:
        fx.tell_office(g, g.office, "pause_ended_office", now=now)
    fx.tell_citizen(g, "pause_ended", now=now, dedupe_key=f"pause_ended:{g.tracking_code}:{g.event_count}")


def _do_add_info(uow, g, req, actor, now):
    """The complainant's answer to the information request (by SMS, the web, the hotline or the API):
    attached to the grievance, the clock resumes as with `resume`, and the office is told."""
    text = _require(req.note, "text", N_("Write the information the office asked for."))
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError("the information is too long",
                              {"text": f"Keep the information under {MAX_DESCRIPTION} characters."})
    storage.check_files(uow, req.attachments)
    t, before = _enter(g, "add_info")
    storage.attach(uow, g, req.attachments)
    waited = clocks.resume(uow, g, now)
    g.warned_at = None
    channel = req.channel or (actor.label.split(":", 1)[1] if actor.is_citizen else
                              "operator" if actor.role == "operator" else "staff")
    data = {"paused_working_days": waited, "channel": channel, **clocks.data(g)}
    if req.attachments:
        data["attachments"] = len(req.attachments)
    record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=text, data=data)
    if g.office is not None:
        notifications.tell_office(uow, g, g.office, "info_added", now=now)


def _do_extend(uow, g, req, actor, now):
    if g.extended:
        raise InvalidTransition("the time limit has already been extended once")
    lim = clocks.limits(uow, g)
    if not lim.extension_allowed:  # an extension of 0 days: this tier's policy allows none
        raise InvalidTransition(N_("This office's time limit cannot be extended: its policy allows no extension."))
    if lim.extension_needs_reason:
        reason = _require(req.note, "note", N_("Give the reason for the extension."))
    else:
        reason = (req.note or "").strip() or None
    t, before = _enter(g, "extend")
    days = clocks.extend(uow, g)
    record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=reason,
           data={"days": days, "due_at": g.due_at.isoformat()})
    notifications.tell_citizen(uow, g, "extended", now=now)


def _decide(uow, g, action: str, now: datetime) -> tuple[lifecycle.Transition, str, dict]:
    """Resolve or reject: judged against the clock in force, which then stops; the answer window opens."""
    within = clocks.within_limit(uow, g, now)
    due = g.due_at.isoformat() if g.due_at else None
    t, before = _enter(g, action)
    g.resolved_at = now
    g.feedback_due_at = clocks.feedback_due(uow, g, now)
    clocks.stop(g)
    # Working days from receipt to this decision on the country's calendar, kept for the statistics.
    days = uow.policies.country_calendar(g.received_at).working_days_between(g.received_at, now)
    return t, before, {"within_limit": within, "due_at": due, "working_days": days}


def _do_resolve(uow, g, req, actor, now):
    decision = _require(req.decision, "decision", N_("Choose the decision."))
    if decision not in DECISIONS:
        raise ValidationError("unknown decision", {"decision": f"Use one of {', '.join(DECISIONS)}."})
    resolution = _require(req.resolution, "resolution", N_("Write the resolution for the complainant."))
    t, before, judged = _decide(uow, g, "resolve", now)
    g.decision, g.resolution = decision, resolution
    g.satisfied = None
    record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=resolution,
           data={"decision": decision, **judged})
    notifications.tell_citizen(uow, g, "resolved", now=now,
                               dedupe_key=f"resolved:{g.tracking_code}:{g.event_count}",
                               resolution=_fitted(uow, g, "resolved", "resolution", resolution))


def _do_reject(uow, g, req, actor, now):
    code = _require(req.reason_code, "reason_code", N_("Choose why the grievance is rejected."))
    offered = uow.settings.reject_reasons
    if code not in offered:
        raise ValidationError("unknown reason_code", {"reason_code": f"Use one of {', '.join(offered)}."})
    reason = _require(req.note, "note", N_("Give the reason for rejecting."))
    t, before, judged = _decide(uow, g, "reject", now)
    record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=reason,
           data={"reason_code": code, **judged})
    notifications.tell_citizen(uow, g, "rejected", now=now, reason_code=code,
                               reason=_fitted(uow, g, "rejected", "reason", reason, reason_code=code))


def _fitted(uow, g, template: str, key: str, text: str, **context) -> str:
    """The decision's text cut to what lets its SMS fit in three segments (the track page has it all)."""
    language = (g.language or (g.complainant.language if g.complainant else None) or "en")
    return asking.fit(uow.render, template, language, key, text, **asking.citizen_context(g), **context)


def guard_sensitive(uow, g: Grievance, office: Office, category=None) -> None:
    """InvalidTransition (409) when a sensitive grievance (or one of a sensitive `category`) would go to an office
    below its category's start tier, or to one with no officer holding the sensitive permission: there it would
    sit where nobody may open it, or with staff the complainant may be complaining about."""
    category = category if category is not None else g.category
    if not (category.sensitive or (category is g.category and g.sensitive)):
        return
    ranks = uow.policies.tier_ranks()
    if ranks[office.tier] < routing.start_rank(uow, category):
        raise InvalidTransition(
            f"a sensitive grievance ({category.code}) stays at the {routing.start_tier_code(uow, category)} tier "
            f"or above: {office.code} is a {office.tier} office")
    if not routing.has_sensitive_holder(uow, office.id):
        raise InvalidTransition(
            f"a sensitive grievance ({category.code}) goes only to an office with an officer who may see "
            f"sensitive cases: {office.code} has none")


def transfer_targets(uow, user: User, g: Grievance):
    """SELECT of the offices this user may transfer this grievance to (`permissions.transfer_reach`), never below
    the start tier of its category, higher tiers first: the case page offers these, and the service accepts
    no other."""
    reach = permissions.transfer_reach(user, g)
    if reach is None:
        return sa.select(Office).where(sa.false())
    query = (sa.select(Office).join(Area, Area.id == Office.area_id).join(Tier, Tier.code == Office.tier)
             .where(Area.path.startswith(reach.path, autoescape=True), Office.active.is_(True),
                    Office.id != g.office_id, Tier.rank >= routing.start_rank(uow, g.category))
             .order_by(Tier.rank.desc(), Office.name_en, Office.id))
    if g.sensitive or g.category.sensitive:
        query = query.where(routing.sensitive_holders(uow, Office.id).exists())
    return query.where(Office.tier == reach.tier) if reach.tier is not None else query


def _do_transfer(uow, g, req, actor, now):
    reason = _require(req.note, "note", N_("Give the reason for the transfer."))
    code = _require(req.office, "office", N_("Choose the office."))
    target = uow.session.scalar(sa.select(Office).where(Office.code == code))
    if target is None or not target.active:
        raise ValidationError("unknown office", {"office": N_("Unknown office.")})
    if target.id == g.office_id:
        raise ValidationError("already at that office", {"office": N_("The grievance is already there.")})
    guard_sensitive(uow, g, target)
    user = uow.session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is not None and uow.session.scalar(
            transfer_targets(uow, user, g).where(Office.id == target.id).with_only_columns(Office.id)) is None:
        raise ValidationError("you may not transfer the grievance to that office", {"office": N_(
            "You may not transfer the grievance to that office: choose one of the offices offered (a neighbouring "
            "office of the same tier; a supervisor's own area; never below the tier the category starts at).")})
    t, before = _enter(g, "transfer")
    same_tier = target.tier == g.level
    origin = g.office.code if g.office else None
    routing.arrive(uow, g, target, now)
    if same_tier and g.due_at is not None:
        # Same tier: the citizen's clock keeps running; the new office inherits what is left.
        clocks.resume(uow, g, now)
    else:
        clocks.start(uow, g, now, g.clock_kind)
    record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=reason,
           data={**clocks.data(g), "from": origin, "to": target.code,
                 "clock": "kept" if same_tier else "restarted"})
    notifications.tell_office(uow, g, target, "case_arrived", now=now)
    notifications.tell_citizen(uow, g, "forwarded", now=now, office_name=target.name(g.language), why="transfer")


def escalate_one(uow, g: Grievance, *, actor: Actor, now: datetime, reason: str, breach: bool,
                 clock: str | None = None, effects: Effects | None = None) -> Office | None:
    """Move a grievance one tier up (the sweep and the manual action share this); None at the top.
    `clock="appeal"`: the tier's policy hands a missed deadline to the appellate officer one tier up, on
    the appeal clock (an appeal level used); else the clock kind stays. `effects`: where the writes go
    (the batch sweep's bulk writer; default the session, for this grievance alone)."""
    fx = effects or Effects(uow)
    target = fx.next_office_up(g)
    if target is None:
        return None
    t, before = _enter(g, "escalate")
    origin = g.office.code
    fx.arrive(g, target, now)
    g.escalation_count += 1
    if clock == "appeal":
        g.appeal_count += 1
    clocks.start(uow, g, now, clock or g.clock_kind)
    queued_on = clocks.queue_day(uow, g, now)
    fx.record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=reason,
              data={"from": origin, "to": target.code, "tier": target.tier, "breach": breach, **clocks.data(g),
                    **({"queued_on": queued_on.isoformat()} if queued_on else {})})
    fx.tell_office(g, target, "case_arrived", now=now, queued_on=queued_on)
    fx.tell_citizen(g, "forwarded", now=now, office_name=target.name(g.language),
                    why="overdue" if breach else "escalated", queued_on=queued_on,
                    dedupe_key=f"forwarded:{g.tracking_code}:{g.event_count}")
    return target


def _do_escalate(uow, g, req, actor, now):
    reason = _require(req.note, "note", N_("Give the reason for escalating."))
    if escalate_one(uow, g, actor=actor, now=now, reason=reason, breach=False) is None:
        raise InvalidTransition("the grievance is already at the highest tier")


def open_appeal(uow, g: Grievance, *, actor: Actor, now: datetime, note: str | None) -> Office:
    """Send a grievance to the appellate office one tier up, on the appeal clock: after a decision (within the
    answer window), or when its resolution deadline passed without one. Both offices are told it is an appeal."""
    undecided = g.status in lifecycle.WORKING
    if undecided and not permissions.overdue(g, now):
        raise InvalidTransition("an undecided grievance can be appealed only once its deadline has passed")
    if g.feedback_due_at is not None and now > g.feedback_due_at:
        raise InvalidTransition("the time to appeal has passed")
    target = routing.next_office_up(uow, g)
    if target is None:
        raise InvalidTransition("there is no higher tier to appeal to")
    if appeals_used_up(uow, g):
        raise InvalidTransition(N_("No appeal level is left: the complainant's answer goes to the final review."))
    overdue_since = g.due_at.isoformat() if undecided else None
    t, before = _enter(g, "appeal")
    origin_office = g.office
    origin = origin_office.code
    g.satisfied = False if before == "resolved" else g.satisfied
    g.appeal_count += 1
    g.resolved_at = None
    g.feedback_due_at = None
    g.decision = None
    routing.arrive(uow, g, target, now)
    clocks.start(uow, g, now, "appeal")
    queued_on = clocks.queue_day(uow, g, now)
    record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=note,
           data={"from": origin, "to": target.code, "tier": target.tier, "appeal": g.appeal_count,
                 **({"undecided": True, "overdue_since": overdue_since} if undecided else {}), **clocks.data(g),
                 **({"queued_on": queued_on.isoformat()} if queued_on else {})})
    notifications.tell_office(uow, g, target, "case_arrived", now=now, appeal=True, queued_on=queued_on)
    notifications.tell_office(uow, g, origin_office, "appeal_left", now=now, to_office=target)
    notifications.tell_citizen(uow, g, "appeal_opened", now=now, office_name=target.name(g.language),
                               queued_on=queued_on, dedupe_key=f"appeal:{g.tracking_code}:{g.appeal_count}")
    return target


def complainant_appeal(uow, code: str, *, channel: str, now: datetime, note: str | None = None) -> Grievance:
    """The complainant asks for an appeal (the track page; SMS NO/APPEAL does the same): after a decision it
    is their NO (feedback: an appeal one tier up, or the national review list at the top); before a decision,
    an appeal once the resolution deadline has passed (InvalidTransition otherwise)."""
    g = _lock(uow, code)
    decided = g.status in ("resolved", "rejected")
    req = ActionRequest("feedback", satisfied=False, note=note) if decided else ActionRequest("appeal", note=note)
    return act(uow, g.tracking_code, req, actor=Actor.citizen(channel), now=now)


def appeals_used_up(uow, g: Grievance) -> bool:
    """Whether the grievance has had every appeal level its policy (`appeal_levels`, read from the clock
    in force) allows; then a NO goes to the final (national) review instead of one tier up."""
    levels = clocks.limits(uow, g).appeal_levels
    return levels is not None and g.appeal_count >= levels


def may_appeal(g: Grievance, now: datetime) -> bool:
    """Whether the complainant may ask for an appeal now (what the track page and the operator offer): in the
    answer window after a decision (a NO at the top tier goes to national review), or past the deadline
    without one when there is a tier above to appeal to."""
    if g.review_flagged_at is not None:
        return False
    if permissions.answer_window_open(g, now):
        return True
    if not permissions.overdue(g, now):
        return False
    with unit_of_work(read_only=True) as uow:  # joins the caller's, or reads in its own
        return routing.next_office_up(uow, g) is not None and not appeals_used_up(uow, g)


def _do_appeal(uow, g, req, actor, now):
    open_appeal(uow, g, actor=actor, now=now, note=req.note)


def _do_feedback(uow, g, req, actor, now):
    if req.satisfied is None:
        raise ValidationError("say whether the complainant is satisfied",
                              {"satisfied": N_("Answer true (satisfied) or false (not satisfied).")})
    if not req.satisfied and g.feedback_due_at is not None and now > g.feedback_due_at:
        raise InvalidTransition("the time to appeal has passed")
    # NO with no tier left to appeal to is not dropped: recorded, and the grievance goes to national review.
    to_review = not req.satisfied and (routing.next_office_up(uow, g) is None or appeals_used_up(uow, g))
    t, before = _enter(g, "feedback")
    g.satisfied = bool(req.satisfied)
    record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=req.note,
           data={"satisfied": g.satisfied, **({"national_review": True} if to_review else {})})
    if req.satisfied:
        close(uow, g, actor=actor, now=now, reason="satisfied")
    elif to_review:
        # Off the sweep's "no answer" list (it was answered); on the national review list until an admin closes it.
        g.review_flagged_at = now
        g.feedback_due_at = None
        notifications.tell_citizen(uow, g, "national_review", now=now,
                                   dedupe_key=f"review:{g.tracking_code}:{g.event_count}")
    else:
        open_appeal(uow, g, actor=actor, now=now, note=req.note)


def close(uow, g: Grievance, *, actor: Actor, now: datetime, note: str | None = None,
          reason: str | None = None, effects: Effects | None = None) -> None:
    """Close a decided grievance (by staff, on the complainant's YES, or when nobody answered in time)."""
    fx = effects or Effects(uow)
    t, before = _enter(g, "close")
    g.closed_at = now
    g.feedback_due_at = None
    fx.record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=note,
              data={"reason": reason} if reason else None)
    fx.tell_citizen(g, "closed", now=now, why=CLOSE_WHY.get(reason or "", "office"))


# Why a grievance was closed, as the citizen's "closed" text says it (anything else: "the office closed it").
CLOSE_WHY = {"satisfied": "satisfied", "no answer within the feedback window": "no_answer", "withdrawn": "withdrawn"}
CLOSE_REASON_CODES = ("withdrawn",)


def _do_close(uow, g, req, actor, now):
    user = uow.session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or user.role != "admin":
        close(uow, g, actor=actor, now=now, note=req.note)
        return
    # An admin may close at any time, the answer window included, and says why.
    note = _require(req.note, "note", N_("Give the reason for closing."))
    if req.reason_code is not None and req.reason_code not in CLOSE_REASON_CODES:
        raise ValidationError("unknown reason_code", {"reason_code": f"Use one of {', '.join(CLOSE_REASON_CODES)}."})
    close(uow, g, actor=actor, now=now, note=note, reason=req.reason_code or "closed by an admin")


def _do_reclassify(uow, g, req, actor, now):
    code = _require((req.extra or {}).get("category"), "category", N_("Choose the category."))
    reason = _require(req.note, "note", N_("Give the reason for the change of category."))
    new = uow.session.scalar(sa.select(Category).where(Category.code == code))
    if new is None or not new.active:
        raise ValidationError("unknown category", {"category": N_("Unknown category.")})
    if new.id == g.category_id:
        raise ValidationError("already in that category", {"category": N_("The grievance is already in that category.")})
    old_code = g.category.code
    target = None
    ranks = uow.policies.tier_ranks()
    here_ok = ranks[g.level] >= routing.start_rank(uow, new) if g.level is not None else False
    if new.sensitive and here_ok:
        here_ok = routing.has_sensitive_holder(uow, g.office_id)
    if not here_ok:
        # Higher start tier, or a sensitive category the office holding it may not handle: the confidential office.
        if g.area is not None:
            target = (routing.confidential_route if new.sensitive else routing.route)(uow, g.area, new)
        else:
            target = routing.route_without_area(uow, new)
        if target is None:
            raise InvalidTransition(f"no office at or above the {routing.start_tier_code(uow, new)} tier covers "
                                    "the grievance's area")
        guard_sensitive(uow, g, target, category=new)
    g.category = new
    g.category_id = new.id
    g.sensitive = bool(new.sensitive)
    data = {"from": old_code, "to": new.code, "sensitive": g.sensitive}
    if target is None:
        t, before = _enter(g, "reclassify")
    else:
        _t, before = _enter(g, "transfer")  # a move to another office: received there, with a fresh clock
        t = lifecycle.TRANSITIONS["reclassify"]
        routing.arrive(uow, g, target, now)
        clocks.start(uow, g, now, g.clock_kind)
        data.update(moved_to=target.code, **clocks.data(g))
    record(g, t.event, actor=actor, at=now, status_from=before, status_to=g.status, note=reason, data=data)
    if target is not None:
        notifications.tell_office(uow, g, target, "case_arrived", now=now)
        notifications.tell_citizen(uow, g, "forwarded", now=now, office_name=target.name(g.language),
                                   why="transfer")


_HANDLERS = {
    "place": _do_place, "acknowledge": _do_acknowledge, "start": _do_start,
    "request_info": _do_request_info, "resume": _do_resume, "add_info": _do_add_info, "extend": _do_extend,
    "resolve": _do_resolve, "reject": _do_reject, "transfer": _do_transfer, "escalate": _do_escalate,
    "appeal": _do_appeal, "feedback": _do_feedback, "close": _do_close, "reclassify": _do_reclassify,
}
