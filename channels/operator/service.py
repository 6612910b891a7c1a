"""Call-centre use cases: open a call, lodge on a caller's behalf, close the call with its outcome."""
from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from grs import permissions, phones, queries
from grs.errors import N_, Forbidden, InvalidTransition, NotFound, ValidationError
from grs.models import CallLog, Complainant, Grievance, User
from grs.services import ActionRequest, Intake, act, find, lodge
from grs.services.actors import Actor
from grs.services.asking import pending_question
from grs.timeutil import as_utc

log = logging.getLogger(__name__)

OUTCOMES = ("lodged", "status_given", "info_only", "dropped")
RECENT_CALLS = 25


def _phone(uow, raw: str | None) -> str | None:
    return phones.normalise(raw, uow.settings.country)


def caller_grievances(uow, user: User, raw_phone: str) -> list[Grievance]:
    """The grievances of the person with this phone number that the user may see, newest first."""
    phone = _phone(uow, raw_phone)
    if phone is None:
        raise ValidationError("phone number required", {"phone": N_("Enter the caller's phone number.")})
    return list(uow.session.scalars(
        sa.select(Grievance).join(Complainant, Complainant.id == Grievance.complainant_id)
        .where(Complainant.phone == phone, queries.visible_filter(user))
        .order_by(Grievance.received_at.desc(), Grievance.id.desc())))


def recent_calls(session, user: User, limit: int = RECENT_CALLS) -> list[CallLog]:
    """The operator's own latest calls; an admin sees everyone's."""
    query = sa.select(CallLog).order_by(CallLog.started_at.desc(), CallLog.id.desc()).limit(limit)
    if not permissions.can(user, permissions.Capability.SEE_ALL_CALLS):
        query = query.where(CallLog.operator_id == user.id)
    return list(session.scalars(query))


def start_call(uow, user: User, raw_phone: str | None, *, now: datetime) -> CallLog:
    """Open a call log for the number the caller rings from (None: number withheld)."""
    call = CallLog(operator_id=user.id, phone=_phone(uow, raw_phone), started_at=as_utc(now))
    uow.session.add(call)
    uow.session.flush()
    log.info("call %s started by user %s", call.id, user.id)
    return call


def _own_call(uow, user: User, call_id: int) -> CallLog:
    call = uow.session.get(CallLog, call_id)
    if call is None:
        raise NotFound("no such call")
    if not permissions.may_see_call(user, call.operator_id):
        raise Forbidden("this call was taken by another operator")
    return call


def end_call(uow, user: User, call_id: int, outcome: str, *, grievance_code: str | None = None,
             notes: str | None = None, now: datetime) -> CallLog:
    """Close a call with what came of it, linking the grievance it was about if there is one."""
    call = _own_call(uow, user, call_id)
    if call.ended_at is not None:
        raise InvalidTransition("the call has already ended")
    if outcome not in OUTCOMES:
        raise ValidationError("unknown outcome", {"outcome": N_("Choose what came of the call.")})
    if grievance_code and grievance_code.strip():
        g = find(uow.session, grievance_code)
        if not queries.can_view(user, g):
            raise NotFound("no grievance with that tracking code")
        call.grievance_id = g.id
    if outcome == "lodged" and call.grievance_id is None:
        raise ValidationError("which grievance was lodged?",
                              {"grievance": N_("Give the tracking code of the grievance lodged in this call.")})
    call.outcome = outcome
    call.notes = (notes or "").strip() or None
    call.ended_at = max(as_utc(now), call.started_at)
    uow.session.flush()
    log.info("call %s ended by user %s: %s", call.id, user.id, outcome)
    return call


def lodge_for_caller(uow, user: User, intake: Intake, *, call_id: int | None = None, now: datetime) -> Grievance:
    """Lodge on the caller's behalf, recorded as lodged by the operator, and link it to the open call,
    in one unit of work (lodge is idempotent per source_ref, so a resubmitted form is harmless)."""
    if intake.channel != "operator":
        raise ValidationError("the console lodges on the operator channel", {"channel": N_("Use 'operator'.")})
    call = _own_call(uow, user, call_id) if call_id is not None else None
    g = lodge(uow, intake, actor=Actor.staff(user), now=now)
    if call is not None and call.ended_at is None and call.grievance_id is None:
        call.grievance_id = g.id
        if intake.complainant is None:
            call.phone = None  # an anonymous complaint must not be traceable through the call log
    return g


def waiting_for_caller(grievances: list[Grievance]) -> list[tuple[Grievance, str | None]]:
    """The caller's grievances waiting for information from them, each with the office's question."""
    return [(g, pending_question(g)) for g in grievances if g.status == "awaiting_info"]


def add_info_for_caller(uow, user: User, code: str, text: str | None, *, call_id: int | None = None,
                        now: datetime) -> Grievance:
    """The caller's answer to an information request, recorded as the operator acting on their behalf
    (the event's actor is the operator, its channel "operator"); links the open call to the grievance."""
    call = _own_call(uow, user, call_id) if call_id is not None else None
    g = act(uow, code, ActionRequest("add_info", note=text, channel="operator"), actor=Actor.staff(user), now=now)
    if call is not None and call.ended_at is None and call.grievance_id is None:
        call.grievance_id = g.id
    return g


def appeal_for_caller(uow, user: User, code: str, note: str | None, *, call_id: int | None = None,
                      now: datetime) -> Grievance:
    """The caller's appeal, recorded as the operator acting on their behalf: after a decision it is their NO
    (an appeal one tier up, or the national review list at the top), before one an appeal once overdue."""
    call = _own_call(uow, user, call_id) if call_id is not None else None
    g = find(uow.session, code)
    decided = g.status in ("resolved", "rejected")
    req = ActionRequest("feedback", satisfied=False, note=note) if decided else ActionRequest("appeal", note=note)
    g = act(uow, g.tracking_code, req, actor=Actor.staff(user), now=now)
    if call is not None and call.ended_at is None and call.grievance_id is None:
        call.grievance_id = g.id
    return g
