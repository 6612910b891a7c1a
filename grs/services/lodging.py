"""Lodging a complaint: store it once, route it to its office (or the triage queue), start its clocks
and queue the receipt, all in the caller's unit of work."""
from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from .. import notifications, tracking
from ..models import Grievance
from ..timeutil import as_utc
from ..uow import unit_of_work
from . import clocks, routing, storage
from .actors import Actor
from .history import record
from .intake import Intake, check, complainant_for

log = logging.getLogger(__name__)

ROUTING = Actor.system("routing")


def new_tracking_code(session) -> str:
    """A fresh 12-digit keypad code that no grievance has."""
    while True:
        code = tracking.new_code()
        if session.scalar(sa.select(Grievance.id).where(Grievance.tracking_code == code)) is None:
            return code


def _earlier(session, intake: Intake) -> Grievance | None:
    if not intake.source_ref:
        return None
    return session.scalar(sa.select(Grievance).where(
        Grievance.channel == intake.channel, Grievance.source_ref == intake.source_ref))


def _new_grievance(uow, intake: Intake, checked, actor: Actor, now: datetime) -> Grievance:
    """The grievance row and its complainant, flushed."""
    area = checked.area
    complainant = complainant_for(uow, intake.complainant, intake.language, area) if intake.complainant else None
    given = as_utc(intake.received_at) if intake.received_at else None  # a paper form's date may be naive
    received = given if given and given < now else now
    g = Grievance(
        tracking_code=new_tracking_code(uow.session), channel=intake.channel, source_ref=intake.source_ref,
        programme=checked.programme, category=checked.category, area=area, status="received", is_open=True,
        sensitive=checked.category.sensitive, description=intake.description.strip(), language=intake.language,
        complainant=complainant, lodged_by_id=actor.user_id, received_at=received, clock_started_at=now,
    )
    uow.session.add(g)
    uow.session.flush()
    return g


def lodge(uow, intake: Intake, *, actor: Actor, now: datetime) -> Grievance:
    """Register a complaint, route it to its office (or triage), start its clocks, queue the receipt.

    A repeated `source_ref` on the same channel returns the grievance lodged the first time, also when
    the two arrive at once (the second waits for the first and finds it).
    """
    now = as_utc(now)
    session = uow.session
    earlier = _earlier(session, intake)
    if earlier is not None:
        return earlier
    checked = check(uow, intake)
    storage.check_files(uow, intake.attachments)
    # In a savepoint: the same source_ref (or a new caller's phone contact) written at this moment by
    # another request makes the insert fail here alone; the second try finds what the other wrote.
    for attempt in (1, 2):
        try:
            with unit_of_work(savepoint=True):
                g = _new_grievance(uow, intake, checked, actor, now)
            break
        except IntegrityError:
            earlier = _earlier(session, intake)
            if earlier is not None:
                return earlier
            if attempt == 2:
                raise
    category, area = checked.category, checked.area
    storage.attach(uow, g, intake.attachments)
    record(g, "lodged", actor=actor, at=now, status_to="received",
           data={"channel": intake.channel, "anonymous": g.complainant is None})
    if area is not None:
        office = routing.route(uow, area, category)
    elif category.sensitive:
        office = routing.route_without_area(uow, category)
    else:
        office = None
    if office is not None:
        routing.arrive(uow, g, office, now)
        clocks.start(uow, g, now)
        record(g, "routed", actor=ROUTING, at=now, status_to="received",
               data={"office": office.code, "tier": office.tier, **clocks.data(g)})
        notifications.tell_office(uow, g, office, "case_arrived", now=now)
    else:
        clocks.start_triage(uow, g, now)
        record(g, "triaged", actor=ROUTING, at=now, status_to="received",
               note="area unknown" if area is None else "no office covers this area",
               data={"ack_due_at": g.ack_due_at.isoformat()})
    if not intake.receipt_by_channel:
        notifications.tell_citizen(uow, g, "receipt", now=now, dedupe_key=f"receipt:{g.tracking_code}")
    session.flush()
    log.info("lodged grievance id=%s channel=%s office=%s", g.id, g.channel, g.office_id)
    return g
