"""Lodging a complaint: store it once, route it to its office (or the triage queue), start its clocks
and queue the receipt, all in the caller's unit of work."""
from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from .. import notifications, statistics, tracking
from ..errors import N_, ValidationError
from ..models import Grievance, Office
from ..timeutil import as_utc
from ..uow import unit_of_work
from . import clocks, routing, storage
from .actors import Actor
from .history import record
from .intake import Checked, Intake, check, complainant_for

log = logging.getLogger(__name__)

ROUTING = Actor.system("routing")


def _earlier(session, intake: Intake) -> Grievance | None:
    if not intake.source_ref:
        return None
    return session.scalar(sa.select(Grievance).where(
        Grievance.channel == intake.channel, Grievance.source_ref == intake.source_ref))


def _new_grievance(uow, intake: Intake, checked: Checked, office: Office | None, actor: Actor,
                   now: datetime) -> Grievance:
    """The grievance with its complainant, office, clocks and first events, written in one INSERT each."""
    session = uow.session
    area, category = checked.area, checked.category
    complainant = complainant_for(uow, intake.complainant, intake.language, area,
                                  phone_verified=intake.phone_verified) if intake.complainant else None
    received = _received(uow, intake, actor, now)
    clock_start = _clock_start(uow, received, area)
    if office is not None:
        uow.policies.limits(office.tier, category.id)  # read before the row exists: no early flush
    with session.no_autoflush:
        g = Grievance(
            # A code another grievance has fails the insert; lodge then tries again with a new one.
            tracking_code=intake.tracking_code or tracking.new_code(), channel=intake.channel,
            source_ref=intake.source_ref,
            programme=checked.programme, programme_id=checked.programme.id, category=category,
            category_id=category.id, area=area, area_id=area.id if area else None, status="received",
            is_open=True, sensitive=category.sensitive, description=intake.description.strip(),
            language=intake.language, complainant=complainant, lodged_by_id=actor.user_id, received_at=received,
            clock_started_at=clock_start, sex=complainant.sex if complainant else None,
            age_band=complainant.age_band if complainant else None,
            disability=complainant.disability if complainant else None)
        session.add(g)
        record(g, "lodged", actor=actor, at=now, status_to="received",
               data={"channel": intake.channel, "anonymous": complainant is None})
        if office is not None:
            routing.arrive(uow, g, office, now)
            clocks.start(uow, g, clock_start)  # a paper form's clock runs from the day it was received
            record(g, "routed", actor=ROUTING, at=now, status_to="received",
                   data={"office": office.code, "tier": office.tier, **clocks.data(g)})
        else:
            clocks.start_triage(uow, g, clock_start)
            record(g, "triaged", actor=ROUTING, at=now, status_to="received",
                   note="area unknown" if area is None else "no office covers this area",
                   data={"ack_due_at": g.ack_due_at.isoformat()})
    session.flush()
    return g


RECEIVED_LATE_ROLES = ("supervisor", "admin")  # who may enter a complaint received longer ago than the setting
_CLOCK_SKEW = timedelta(minutes=5)  # a device's clock a little ahead is not "the future"


def _received(uow, intake: Intake, actor: Actor, now: datetime) -> datetime:
    """When the complaint was received: now, or the date a paper form, box slip, hearing or audit finding
    was received (its clock starts then; the `lodged` event keeps when it was entered). Never in the
    future; older than `received_max_age_days` only when a supervisor or admin enters it (or the command line)."""
    if intake.received_at is None:
        return now
    given = as_utc(intake.received_at)  # a paper form's date may be naive
    if given > now + _CLOCK_SKEW:
        raise ValidationError("received in the future", {"received_at": N_("The date received is in the future.")})
    officer = actor.user_id is not None and actor.role not in RECEIVED_LATE_ROLES  # (the command line: anyone)
    if given < now - timedelta(days=uow.settings.received_max_age_days) and officer:
        raise ValidationError("received too long ago", {"received_at": N_(
            "Received too long ago for an officer to enter: a supervisor or an admin enters it.")})
    return min(given, now)


def _clock_start(uow, received: datetime, area) -> datetime:
    """When the clock starts: when the complaint was received, or, with office hours set
    (OFFICE_HOURS_END), the start of the next working day for one received after them or on a day off
    (by the area's calendar). The grievance keeps the time it was really received."""
    end = uow.settings.office_hours_end
    if end is None:
        return received
    cal = uow.policies.calendar(area, received)
    local = received.astimezone(cal.tz)
    if cal.is_working_day(local.date()) and local.time() < end:
        return received
    start = datetime.combine(cal.next_working_day(local.date()), time(0), tzinfo=cal.tz)
    return start.astimezone(received.tzinfo)


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
    office = _office_for(uow, checked)
    # In a savepoint: the same source_ref (or a new caller's phone contact, or a tracking code) written
    # at this moment by another request makes the insert fail here alone; the next try finds theirs.
    for attempt in range(3):
        try:
            with unit_of_work(savepoint=True):
                g = _new_grievance(uow, intake, checked, office, actor, now)
            break
        except IntegrityError:
            earlier = _earlier(session, intake)
            if earlier is not None:
                return earlier
            if attempt == 2:
                raise
            if intake.tracking_code:
                # Its reserved code was taken after all (by a complaint of another channel since): a new
                # one, which the receipt names.
                log.warning("reserved tracking code taken; lodging with a new one")
                intake = dataclasses.replace(intake, tracking_code=None)
    storage.attach(uow, g, intake.attachments)
    if office is not None:
        notifications.tell_office(uow, g, office, "case_arrived", now=now)
    if intake.queue_receipt:
        notifications.tell_citizen(uow, g, "receipt", now=now, dedupe_key=f"receipt:{g.tracking_code}")
    session.flush()
    statistics.track(g, fresh=True)  # its events were written before the row had an id
    log.info("lodged grievance id=%s channel=%s office=%s", g.id, g.channel, g.office_id)
    return g


def _office_for(uow, checked: Checked) -> Office | None:
    """Where a new complaint goes: the office for its area and category; a sensitive one with no area
    to the national cell; otherwise none (the triage queue)."""
    if checked.area is not None:
        return routing.route(uow, checked.area, checked.category)
    if checked.category.sensitive:
        return routing.route_without_area(uow, checked.category)
    return None
