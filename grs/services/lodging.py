"""Lodging a complaint: store it once, route it to its office (or the triage queue), start its clocks
and queue the receipt, all in the caller's unit of work."""
from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, time, timedelta
from time import monotonic as _monotonic
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

# The batch sweep's writer and reference copies, shared by lodge_batch (imported as a module: it imports
# these services in turn).
from escalation import batch as sweep_batch
from escalation import rules

from .. import notifications, phones, statistics, tracking
from ..database import is_postgres
from ..errors import N_, ValidationError
from ..models import Area, Category, Complainant, Grievance, Office, PhoneContact, Programme, User
from ..timeutil import as_utc, utcnow
from ..uow import unit_of_work
from . import clocks, routing, storage
from .actors import Actor
from .history import record
from .intake import (PERSON_FIELDS, Checked, Intake, _shape_errors, check, complainant_for, same_person,
                     tells_anything, told)

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


# ---------------------------------------------------------------- many at once (the SMS intake worker)


def lodge_batch(uow, intakes: list[Intake], *, actor: Actor, now: datetime, world) -> list:
    """Lodge many complaints exactly as `lodge` lodges each, in a few bulk statements per batch.

    `world` is the pass's reference data (Offices: offices along the chains met, their officers, categories,
    programmes), so routing reads nothing per complaint; clocks come from the unit of work's calendars,
    events are chained per grievance, and the counters, events, office notices and receipts are written
    by the batch sweep's writer (escalation.batch.BatchEffects) in one statement per table. Returns, for
    each intake, the lodged grievance (as an escalation.batch.Case: id, tracking_code, office, ...) or None
    for one this path leaves to `lodge` (attachments, a date received, no reserved code, a source or code
    already lodged, a second complaint from one phone, or anything `check` would refuse). Call it in a
    savepoint: a failure leaves the batch to be lodged one by one.
    """
    now = as_utc(now)
    session = uow.session
    settings = uow.settings
    out: list = [None] * len(intakes)
    programmes = {p.code: p for p in world.programmes.values()}
    categories = {c.code: c for c in world.categories.values()}
    areas = _areas_by_code(session, world, {i.area for i in intakes if i.area})
    taken = _already_lodged(session, intakes)
    todo, phones_seen = [], set()
    for n, intake in enumerate(intakes):
        if (intake.attachments or intake.received_at is not None or not intake.tracking_code
                or not intake.source_ref or _shape_errors(intake, settings)):
            continue
        programme, category = programmes.get(intake.programme), categories.get(intake.category)
        area = areas.get(intake.area) if intake.area else None
        if (programme is None or not getattr(programme, "active", True) or category is None
                or not getattr(category, "active", True) or (intake.area and area is None)):
            continue
        if intake.tracking_code in taken or (intake.channel, intake.source_ref) in taken:
            continue
        phone = phones.normalise(intake.complainant.phone, settings.country) if intake.complainant else None
        if phone in phones_seen:
            continue  # its person record is the first one's: lodged after it, singly
        if phone:
            phones_seen.add(phone)
        todo.append((n, intake, programme, category, area, phone))
    if not todo:
        return out

    world.load([area for *_, area, _ in todo if area is not None])  # every chain the batch needs, in one read
    people = _people(uow, [(intake, area, phone) for _, intake, _, _, area, phone in todo])
    ids = _new_ids(session, Grievance.__table__, len(todo))
    fx = sweep_batch.BatchEffects(uow, world)
    cases, rows = [], []
    for k, ((n, intake, programme, category, area, phone), gid) in enumerate(zip(todo, ids)):
        person = people.get(k)
        received = now
        clock_start = _clock_start(uow, received, area)
        office = _batch_office(uow, world, area, category)
        c = sweep_batch.Case()
        c.__dict__.update(_GRIEVANCE_DEFAULTS)
        c.__dict__.update(
            id=gid, tracking_code=intake.tracking_code, channel=intake.channel, source_ref=intake.source_ref,
            programme_id=programme.id, category_id=category.id, area_id=area.id if area else None,
            status="received", is_open=True, sensitive=category.sensitive, description=intake.description.strip(),
            language=intake.language, complainant_id=person["id"] if person else None, lodged_by_id=actor.user_id,
            received_at=received, clock_started_at=clock_start, sex=person["sex"] if person else None,
            age_band=person["age_band"] if person else None, disability=person["disability"] if person else None,
            # 0, so that the writer's one version-checked UPDATE (event count and head hash) leaves it at 1,
            # as `lodge` leaves it
            version=0, updated_at=utcnow())
        c.programme, c.category, c.area, c.office = programme, category, area, None
        c.complainant = SimpleNamespace(phone=person["phone"], language=person["language"]) if person else None
        fx.record(c, "lodged", actor=actor, at=now, status_to="received",
                  data={"channel": intake.channel, "anonymous": person is None})
        if office is not None:
            fx.arrive(c, office, now)
            clocks.start(uow, c, clock_start)
            fx.record(c, "routed", actor=ROUTING, at=now, status_to="received",
                      data={"office": office.code, "tier": office.tier, **clocks.data(c)})
            fx.tell_office(c, office, "case_arrived", now=now)
        else:
            clocks.start_triage(uow, c, clock_start)
            fx.record(c, "triaged", actor=ROUTING, at=now, status_to="received",
                      note="area unknown" if area is None else "no office covers this area",
                      data={"ack_due_at": c.ack_due_at.isoformat()})
        if intake.queue_receipt:
            fx.tell_citizen(c, "receipt", now=now, dedupe_key=f"receipt:{c.tracking_code}")
        # The row as inserted is the head of the chain before the writer's UPDATE.
        rows.append({name: getattr(c, name) for name in _GRIEVANCE_COLUMNS})
        c._before = {name: getattr(c, name) for name in sweep_batch.LOADED}
        cases.append(c)
        out[n] = c
    sweep_batch._insert(session, Grievance.__table__, rows)
    fx.write(cases)  # counters, the version-checked UPDATE, events, offices seen, notices and receipts
    log.info("lodged %s grievances in one batch", len(cases))
    return out


class Offices:
    """What lodge_batch routes and addresses by, in the shape of the batch sweep's World (offices, officers,
    categories, programmes, areas, chains): the categories and programmes read at once, the offices and their
    officers only along the chains of the areas met, so that the cost follows the complaints, not the size of
    the country. A copy outlives its transaction; the worker reads it anew now and then (its Reference)."""

    def __init__(self, session, ranks: dict[str, int]):
        self.session = session
        self.ranks = ranks
        self.areas: dict[int, object] = {}
        self.offices: dict[int, object] = {}
        self.by_area: dict[str, list] = {}
        self.officers: dict[int, list] = {}
        self._chains: dict[int, list] = {}
        self.texts = None  # the batch writer's message texts for the pass (escalation.batch.Texts), made by it
        self.categories = {c.id: _ref(c) for c in session.scalars(sa.select(Category))}
        self.programmes = {p.id: _ref(p) for p in session.scalars(sa.select(Programme))}

    def load(self, areas) -> None:
        """Read the active offices (and their officers) on the chains of these areas not read yet: one query."""
        codes = sorted({code for a in areas for code in a.ancestor_codes()} - set(self.by_area))
        if not codes:
            return
        for code in codes:
            self.by_area[code] = []
        found = self.session.execute(sa.select(Office, Area.id, Area.code, Area.path).join(Area, Area.id == Office.area_id)
                                     .where(Area.code.in_(codes), Office.active.is_(True)).order_by(Office.id)).all()
        for o, area_id, code, path in found:
            area = self.areas.setdefault(area_id, sweep_batch.AreaRef(id=area_id, code=code, path=path))
            ref = self.offices[o.id] = _ref(o, area=area)
            self.by_area[code].append(ref)
            self.officers[o.id] = []
        if found:
            for u in self.session.scalars(sa.select(User).where(*notifications.office_officers(),
                                                                 User.office_id.in_([o.id for o, *_ in found]))
                                          .order_by(User.id)):
                self.officers[u.office_id].append(_ref(u, office=self.offices.get(u.office_id)))

    def chain(self, area) -> list[rules.OfficeChoice]:
        """routing.office_chain from the offices read."""
        found = self._chains.get(area.id)
        if found is None:
            self.load([area])
            found = self._chains[area.id] = [rules.OfficeChoice(o.id, o.tier, self.ranks[o.tier])
                                             for code in area.ancestor_codes() for o in self.by_area.get(code, ())]
        return found


def _ref(obj, **extra):
    """A reference row's column values as the batch writer's copy (names as the models give them)."""
    return sweep_batch.Ref(**{a.key: getattr(obj, a.key) for a in sa.inspect(obj).mapper.column_attrs}, **extra)


class Reference:
    """Offices for the batches of one pass: read on first use and again once `max_age` seconds old, so an
    office or officer changed reaches a running worker within that time."""

    def __init__(self, max_age: float = 30.0):
        self.max_age = max_age
        self._offices: Offices | None = None
        self._read_at = 0.0

    def get(self, uow) -> Offices:
        if self._offices is None or _monotonic() - self._read_at > self.max_age:
            self._offices = Offices(uow.session, uow.policies.tier_ranks())
            self._read_at = _monotonic()
        return self._offices


_GRIEVANCE_COLUMNS = tuple(c.name for c in Grievance.__table__.c)
_GRIEVANCE_DEFAULTS = {c.name: (c.default.arg if c.default is not None and c.default.is_scalar else None)
                       for c in Grievance.__table__.c}


def _areas_by_code(session, world, codes: set[str]) -> dict:
    """The areas with these codes as the batch writer's area copies (id, code, path), kept in `world`."""
    known = {a.code: a for a in world.areas.values()}
    missing = sorted(codes - set(known))
    if missing:
        for r in session.execute(sa.select(Area.id, Area.code, Area.path).where(Area.code.in_(missing))):
            known[r.code] = world.areas[r.id] = sweep_batch.AreaRef(id=r.id, code=r.code, path=r.path)
    return {code: known[code] for code in codes if code in known}


def _already_lodged(session, intakes: list[Intake]) -> set:
    """The reserved codes and (channel, source_ref) pairs some grievance has already."""
    codes = sorted({i.tracking_code for i in intakes if i.tracking_code})
    refs = sorted({i.source_ref for i in intakes if i.source_ref})
    if not codes and not refs:
        return set()
    found: set = set()
    for code, channel, ref in session.execute(  # one read for both
            sa.select(Grievance.tracking_code, Grievance.channel, Grievance.source_ref)
            .where(sa.or_(Grievance.tracking_code.in_(codes), Grievance.source_ref.in_(refs)))):
        found.update((code, (channel, ref)))
    return found


def _batch_office(uow, world, area, category):
    """`_office_for` from the pass's offices."""
    if area is None:
        if not category.sensitive:
            return None
        area = _root_area(uow, world)
        if area is None:
            return None
    choice = rules.route(world.chain(area), routing.resolve_start_rank(world.ranks, category.start_tier))
    return world.offices[choice.office_id] if choice else None


def _root_area(uow, world):
    found = uow.memo.get("root_area")
    if found is None:
        r = uow.session.execute(sa.select(Area.id, Area.code, Area.path).where(Area.parent_id.is_(None))
                                .order_by(Area.id).limit(1)).first()
        if r is None:
            return None
        found = uow.memo["root_area"] = world.areas.setdefault(r.id, sweep_batch.AreaRef(id=r.id, code=r.code,
                                                                                        path=r.path))
    return found


def _people(uow, items: list[tuple[Intake, object, str | None]]) -> dict[int, dict]:
    """complainant_for for each (intake, area, normalised phone), written in bulk: the person record found
    again by a verified phone (or a new one) and the phone's contact. {place in `items`: the person's values
    with its id}; none for an anonymous complaint."""
    session = uow.session
    verified = sorted({phone for intake, _, phone in items if phone and intake.phone_verified})
    found: dict[str, dict] = {}
    contacts: dict[str, dict] = {}
    if verified:
        t = Complainant.__table__
        for r in session.execute(sa.select(t).where(t.c.phone.in_(verified), t.c.verified.is_(True))
                                 .order_by(t.c.id)).mappings():
            found[r["phone"]] = dict(r)  # the latest wins
        pc = PhoneContact.__table__
        contacts = {r["phone"]: dict(r) for r in session.execute(sa.select(pc).where(pc.c.phone.in_(verified)))
                    .mappings()}
    people: dict[int, dict] = {}
    new, changed, new_contacts, changed_contacts = [], [], [], []
    stamp = utcnow()
    for n, (intake, area, phone) in enumerate(items):
        c = intake.complainant
        if c is None or not tells_anything(c, phone):
            continue
        mine = phone is not None and intake.phone_verified
        person = dict(found[phone]) if mine and phone in found else None
        if person and not same_person(person["name"], c):
            person = None
        if person is None:
            person = {"id": None, "phone": phone, "verified": bool(mine), "name": None, "sex": None,
                      "age_band": None, "disability": None, "beneficiary_id": None, "language": "en",
                      "area_id": None, "created_at": stamp}
            new.append(person)
        else:
            changed.append(person)
        person.update(told(c))
        person["language"] = intake.language
        if area is not None:
            person["area_id"] = area.id
        if mine:
            contact = contacts.get(phone)
            if contact is None:
                contact = contacts[phone] = {"phone": phone, "language": None, "last_area_id": None,
                                             "opted_out_at": None, "updated_at": stamp}
                new_contacts.append(contact)
            else:
                changed_contacts.append((contact, dict(contact)))
            contact["language"] = contact["language"] or intake.language
            if area is not None:
                contact["last_area_id"] = area.id
        people[n] = person
    if new:
        ids = sweep_batch._insert(session, Complainant.__table__, [{k: v for k, v in p.items() if k != "id"}
                                                                   for p in new], returning=True)
        for p, i in zip(new, ids):
            p["id"] = i
    t = Complainant.__table__
    if changed:
        session.execute(sa.update(t).where(t.c.id == sa.bindparam("b_id")).values(
            {a: sa.bindparam(f"b_{a}") for a in (*PERSON_FIELDS, "language", "area_id")}),
            [{"b_id": p["id"], **{f"b_{a}": p[a] for a in (*PERSON_FIELDS, "language", "area_id")}} for p in changed],
            execution_options={"synchronize_session": False})
    if new_contacts:
        sweep_batch._insert(session, PhoneContact.__table__, new_contacts)
    pc = PhoneContact.__table__
    moved = [c for c, before in changed_contacts if c != before]
    if moved:  # (as the ORM writes a contact only when something of it changed, stamping updated_at)
        session.execute(sa.update(pc).where(pc.c.phone == sa.bindparam("b_phone")).values(
            language=sa.bindparam("b_language"), last_area_id=sa.bindparam("b_area"), updated_at=stamp),
            [{"b_phone": c["phone"], "b_language": c["language"], "b_area": c["last_area_id"]} for c in moved],
            execution_options={"synchronize_session": False})
    return people


def _new_ids(session, table, n: int) -> list[int]:
    """n ids for new rows of `table`, before they are inserted (their events are chained by id): from the
    sequence on PostgreSQL; on SQLite, whose one writer this transaction is by now, after the largest."""
    if is_postgres(session.get_bind()):
        return list(session.connection().exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, %s)",
            (n,)).scalars())
    top = session.scalar(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)))
    return list(range(top + 1, top + 1 + n))
