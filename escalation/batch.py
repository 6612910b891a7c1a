"""The batch sweep: a due set handled thousands of grievances to a unit of work, read and written in bulk.

A batch is claimed in one transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two sweeps never
claim the same grievance; every write checks the version column, so a grievance changed meanwhile
rolls the batch back and its grievances are claimed again in smaller batches). Each claimed grievance is then
moved by the very rules the per-grievance path runs (escalation/sweep.py `_escalate` and friends,
actions.escalate_one, close, end_pause), on a plain copy of its row, through `BatchEffects`: the
events are chained by history.chain, the messages addressed and rendered by notifications, the
webhook copies made by webhooks.deliveries_for, the counters counted by statistics.change, exactly
as one grievance at a time would. What differs is only how the rows reach the database: a few bulk
statements per batch instead of a dozen per grievance (COPY on PostgreSQL), the offices, officers, calendars
and limits read once per pass, and each message text rendered once per pass for all the grievances it is the
same for (`Texts`). The outbox carries the messages, sent after the commit as always.
"""
from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timezone
from decimal import Decimal
from contextlib import contextmanager
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from grs import notifications, statistics, webhooks
from grs.database import is_postgres
from grs.models import (Area, NameMixin, Category, Complainant, Event, Grievance, GrievanceOffice, Office, OutboxMessage,
                        PhoneContact, Programme, StatContribution, StatCount, User, WebhookDelivery)
from grs.services import history, routing
from grs.timeutil import utcnow

from . import rules

log = logging.getLogger(__name__)

TABLE = Grievance.__table__
# The columns a batch loads and may write back: all but the long texts (no sweep rule reads them) and
# the bookkeeping the write itself sets.
LOADED = tuple(c.name for c in TABLE.c if c.name not in ("description", "resolution", "version", "updated_at"))
CHUNK = 1000  # rows per bulk statement (bound parameters stay under PostgreSQL's 65,535)
# Seconds spent in each part of the batch writes since the process started (bench/sweep.py reports them).
TIMINGS: Counter = Counter()


@contextmanager
def timed(part: str):
    t = time.perf_counter()
    try:
        yield
    finally:
        TIMINGS[part] += time.perf_counter() - t


class Conflict(Exception):
    """A grievance of the batch changed after it was claimed: the batch rolls back."""


class Case:
    """A claimed grievance as plain attributes (the row, and the offices, area, category, programme and
    complainant the rules read), which the shared rules change as they change a Grievance."""

    def __repr__(self) -> str:
        return f"<Case {self.tracking_code}>"


class AreaRef(SimpleNamespace):
    """An area as the rules read it: its code and path (calendars, the office chain)."""

    def ancestor_codes(self) -> list[str]:
        return [c for c in self.path.split("/") if c]


class Ref(SimpleNamespace):
    """A copy of a reference row (office, officer, category, programme) that outlives the transaction it
    was read in, with the names as the models give them."""

    name = NameMixin.name


def _copy(obj, **extra) -> Ref:
    return Ref(**{a.key: getattr(obj, a.key) for a in sa.inspect(obj).mapper.column_attrs}, **extra)


class _Uncacheable(Exception):
    """A value a text's key cannot hold (one that may not outlive its batch): render this text afresh."""


class _Reads:
    """A stand-in for a grievance that notes which of its attributes a template reads, and their values."""

    def __init__(self, obj):
        self._obj = obj
        self._read: dict[str, object] = {}

    def __getattr__(self, name):
        value = getattr(self._obj, name)
        self._read.setdefault(name, value)
        return value


class Texts:
    """A pass's message texts, each rendered once for everything its template read but the tracking code, which
    is put in afterwards: a text goes to thousands of grievances of the same office, deadline and language, and
    rendering it (Jinja and Babel's dates) took a third of the rules' time. A text is kept under its template,
    language, the other context values and the grievance attributes its template read with their values (the
    same values lead a template down the same path, so it reads the same and writes the same); the first text
    of each key is rendered the ordinary way too and compared, and a template whose text differs is never
    cached. At most LIMIT texts are kept (memory does not grow with what is due)."""

    CODE = "\x00code\x00"
    LIMIT = 20_000

    def __init__(self, render):
        self._render = render
        self._shapes: dict[tuple, list[tuple[str, ...]]] = defaultdict(list)  # the attribute sets read
        self._texts: dict[tuple, str] = {}
        self._unsafe: set[str] = set()

    def render(self, template: str, language: str, **context) -> str:
        code, g = context.get("code"), context.get("grievance")
        if not isinstance(code, str) or g is None or template in self._unsafe:
            return self._render(template, language, **context)
        try:
            shape = (template, language, tuple(sorted((k, _value(v)) for k, v in context.items()
                                                      if k not in ("code", "grievance"))))
            for attrs in self._shapes.get(shape, ()):
                text = self._texts.get((shape, attrs, tuple(_value(getattr(g, a)) for a in attrs)))
                if text is not None:
                    return text.replace(self.CODE, code)
            reads = _Reads(g)
            text = self._render(template, language, **{**context, "code": self.CODE, "grievance": reads})
            attrs = tuple(reads._read)
            key = (shape, attrs, tuple(_value(v) for v in reads._read.values()))
        except _Uncacheable:  # it reads what outlives no batch: render it afresh from now on, once a time
            self._unsafe.add(template)
            return self._render(template, language, **context)
        plain = self._render(template, language, **context)
        if text.replace(self.CODE, code) != plain:
            self._unsafe.add(template)
            return plain
        if len(self._texts) >= self.LIMIT:
            self._texts.clear()
            self._shapes.clear()
        if attrs not in self._shapes[shape]:
            self._shapes[shape].append(attrs)
        self._texts[key] = text
        return plain


def _value(v):
    """A context value as part of a text's key: itself when it is a plain value, a reference row read once per
    pass by its identity (the World holds it for the pass)."""
    if isinstance(v, (Ref, AreaRef)):
        return ("ref", id(v))
    if v is None or isinstance(v, (str, int, float, bool, date, datetime, Decimal)):
        return v
    raise _Uncacheable


class World:
    """What a pass reads once and its batches share: every office (active ones make the chains), the
    officers each office's messages go to, categories, programmes, and the areas met so far."""

    def __init__(self, session, ranks: dict[str, int]):
        self.ranks = ranks
        self.areas: dict[int, AreaRef] = {}
        self._chains: dict[int, list[rules.OfficeChoice]] = {}
        self.offices: dict[int, Ref] = {}
        self.by_area: dict[str, list[Ref]] = defaultdict(list)
        for o in session.scalars(sa.select(Office).options(joinedload(Office.area))):
            ref = self.offices[o.id] = _copy(o, area=self._area(o.area))
            if o.active:
                self.by_area[o.area.code].append(ref)
        self.officers: dict[int, list[Ref]] = defaultdict(list)
        for u in session.scalars(sa.select(User).where(*notifications.office_officers()).order_by(User.id)
                                 .options(selectinload(User.area))):
            self.officers[u.office_id].append(_copy(u, office=self.offices.get(u.office_id),
                                                    area=self._area(u.area)))
        self.texts: Texts | None = None  # made by the first batch, from its unit of work's renderer
        self.categories = {c.id: _copy(c) for c in session.scalars(sa.select(Category))}
        self.programmes = {p.id: _copy(p) for p in session.scalars(sa.select(Programme))}

    def _area(self, a: Area | None) -> AreaRef | None:
        if a is None:
            return None
        found = self.areas.get(a.id)
        if found is None:
            found = self.areas[a.id] = AreaRef(id=a.id, code=a.code, path=a.path)
        return found

    def area(self, session, ids) -> None:
        missing = {i for i in ids if i is not None and i not in self.areas}
        for chunk in _chunks(sorted(missing)):
            for r in session.execute(sa.select(Area.id, Area.code, Area.path).where(Area.id.in_(chunk))):
                self.areas[r.id] = AreaRef(id=r.id, code=r.code, path=r.path)

    def chain(self, area: AreaRef) -> list[rules.OfficeChoice]:
        """routing.office_chain from the offices read once."""
        found = self._chains.get(area.id)
        if found is None:
            found = self._chains[area.id] = [rules.OfficeChoice(o.id, o.tier, self.ranks[o.tier])
                                             for code in area.ancestor_codes() for o in self.by_area.get(code, ())]
        return found


def claim(session, world: World, conditions, deadline, skipped: set[int], size: int) -> list[Case]:
    """Up to `size` due grievances, locked for this transaction where the database can, as Cases."""
    q = (sa.select(*(TABLE.c[n] for n in LOADED), TABLE.c.version, Complainant.phone.label("c_phone"),
                   Complainant.language.label("c_language"))
         .select_from(TABLE).outerjoin(Complainant, Complainant.id == TABLE.c.complainant_id)
         .where(*conditions).order_by(deadline, TABLE.c.id).limit(size))
    if skipped:
        q = q.where(TABLE.c.id.not_in(skipped))
    if is_postgres(session.get_bind()):
        q = q.with_for_update(skip_locked=True, of=TABLE)
    rows = session.execute(q).all()
    world.area(session, {r.area_id for r in rows})
    cases = []
    for r in rows:
        c = Case()
        m = r._mapping
        c.__dict__.update({n: m[n] for n in LOADED})
        c.version = m["version"]
        c._before = {n: m[n] for n in LOADED}
        c.area = world.areas.get(c.area_id)
        c.office = world.offices.get(c.office_id)
        c.category = world.categories.get(c.category_id)
        c.programme = world.programmes.get(c.programme_id)
        c.complainant = (SimpleNamespace(phone=m["c_phone"], language=m["c_language"])
                         if c.complainant_id is not None else None)
        cases.append(c)
    return cases


class BatchEffects:
    """The writes of a batch, gathered as the shared rules make them (the same calls as
    grs.services.effects.Effects) and written by `write` in bulk."""

    def __init__(self, uow, world: World):
        self.uow = uow
        self.world = world
        self.events: dict[int, list[dict]] = defaultdict(list)  # grievance id -> new events' values
        self.deliveries: list[tuple[Case, dict, int, dict]] = []  # case, event values, subscription, outbox row
        self.messages: list[tuple[Case, dict]] = []
        self.links: set[tuple[int, int]] = set()
        if getattr(world, "texts", None) is None:  # the intake worker passes a world of its own (lodging.py)
            world.texts = Texts(uow.render)
        self.renderer = SimpleNamespace(render=world.texts.render)  # what notifications.message renders with

    def touched(self, c: Case) -> bool:
        return bool(self.events.get(c.id)) or any(m[0] is c for m in self.messages) or any(
            link[0] == c.id for link in self.links)

    # -- the Effects interface

    def next_office_up(self, g: Case):
        if g.area is None or g.level is None:
            return None
        choice = rules.next_up(self.world.chain(g.area), self.world.ranks[g.level])
        return self.world.offices[choice.office_id] if choice else None

    def arrive(self, g: Case, office, now) -> None:
        routing.at_office(g, office)
        self.links.add((g.id, office.id))

    def record(self, g: Case, type_, **kw) -> dict:
        values = history.chain(g, type_, **kw)
        self.events[g.id].append(values)
        ev = SimpleNamespace(**values)
        for sub_id, row in webhooks.deliveries_for(self.uow.session, g, ev):
            self.deliveries.append((g, values, sub_id, row))
        return values

    def tell_office(self, g: Case, office, template: str, *, now, **context) -> None:
        officers = self.world.officers.get(office.id, ())
        for medium, address, u, context_u in notifications.office_recipients(g, office, officers, context):
            self.messages.append((g, notifications.message(self.renderer, medium, address, template, u.language,
                                                           now=now, **context_u)))

    def tell_citizen(self, g: Case, template: str, *, now, dedupe_key=None, **context) -> None:
        found = notifications.citizen_recipient(g)
        if found is None:
            return
        phone, language, context_c = found
        self.messages.append((g, notifications.message(self.renderer, "sms", phone, template, language, now=now,
                                                       dedupe_key=dedupe_key, **context_c, **context)))

    # -- the bulk write

    def write(self, cases: list[Case]) -> None:
        """Everything the batch did, in a few statements; Conflict when a grievance changed since its claim."""
        if not cases:
            return
        session = self.uow.session
        with timed("counters"):
            self._count(session, cases)
        with timed("grievances"):
            self._update(session, cases)
        with timed("events"):
            evs = [{"grievance_id": gid, **v} for gid, vs in self.events.items() for v in vs]
            ids = _insert(session, Event.__table__, evs, returning=bool(self.deliveries))
        event_id = {id(v): i for v, i in zip((v for vs in self.events.values() for v in vs), ids)}
        with timed("grievance_offices"):
            _insert(session, GrievanceOffice.__table__,
                    [{"grievance_id": g, "office_id": o} for g, o in sorted(self.links)], ignore_existing=True)
        with timed("outbox"):
            _insert(session, OutboxMessage.__table__, self._messages(session))
        if self.deliveries:
            out_ids = _insert(session, OutboxMessage.__table__, [
                {"grievance_id": c.id, **row} for c, _, _, row in self.deliveries], returning=True)
            _insert(session, WebhookDelivery.__table__, [
                {"subscription_id": sub, "event_id": event_id[id(v)], "outbox_id": oid, "event_type": v["type"],
                 "created_at": v["at"]} for (c, v, sub, row), oid in zip(self.deliveries, out_ids)])

    def _messages(self, session) -> list[dict]:
        """The messages to queue: none to an opted-out number, none whose dedupe key is queued already (as
        notifications.queue_sms decides one at a time)."""
        phones = {m["recipient"] for _, m in self.messages if m["medium"] == "sms"}
        keys = {m["dedupe_key"] for _, m in self.messages if m["dedupe_key"]}
        out_phones, seen = set(), set()
        for chunk in _chunks(sorted(phones)):
            out_phones.update(session.scalars(sa.select(PhoneContact.phone).where(
                PhoneContact.phone.in_(chunk), PhoneContact.opted_out_at.is_not(None))))
        for chunk in _chunks(sorted(keys)):
            seen.update(session.scalars(sa.select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(chunk))))
        rows = []
        for c, m in self.messages:
            if m["medium"] == "sms" and m["recipient"] in out_phones:
                continue
            if m["dedupe_key"]:
                if m["dedupe_key"] in seen:
                    continue
                seen.add(m["dedupe_key"])
            rows.append({"grievance_id": c.id, **m})
        return rows

    def _count(self, session, cases: list[Case]) -> None:
        """statistics.track for the whole batch: each grievance's counters from all its events, the deltas
        summed into one upsert, the contributions stored in another."""
        ids = [c.id for c in cases]
        t = time.perf_counter()
        events: dict[int, list] = defaultdict(list)
        stored: dict[int, list] = {}
        e = Event.__table__.c
        for chunk in _chunks(ids):
            for r in session.execute(sa.select(e.grievance_id, e.seq, e.type, e.at, e.office_id, e.level, e.data)
                                     .where(e.grievance_id.in_(chunk))):
                events[r.grievance_id].append(r)
            stored.update(session.execute(sa.select(StatContribution.grievance_id, StatContribution.counts)
                                          .where(StatContribution.grievance_id.in_(chunk))).all())
        TIMINGS["counters: read"] += time.perf_counter() - t
        t = time.perf_counter()
        tz = statistics._tz()
        total: Counter = Counter()
        contributions = []
        for c in cases:
            new = [SimpleNamespace(**v) for v in self.events.get(c.id, ())]
            deltas, counts = statistics.change(c, [*events.get(c.id, ()), *new], stored.get(c.id), tz)
            if deltas:
                total.update(deltas)
                contributions.append({"grievance_id": c.id, "counts": counts})
        deltas = {k: n for k, n in total.items() if n}
        TIMINGS["counters: count"] += time.perf_counter() - t
        if not is_postgres(session.get_bind()):
            for chunk in _chunks(sorted(deltas.items(), key=repr), 500):
                statistics.upsert(session, dict(chunk))
            for chunk in _chunks(contributions):
                ins = _dialect_insert(session, StatContribution.__table__).values(chunk)
                session.execute(ins.on_conflict_do_update(index_elements=["grievance_id"],
                                                          set_={"counts": ins.excluded.counts}))
            return
        # statistics.upsert's statement, with arrays: one statement whatever the batch's size.
        rows = [{**dict(zip(statistics.KEY_FIELDS, k)), "day": date.fromisoformat(k[0]), "n": n}
                for k, n in sorted(deltas.items(), key=repr)]
        _pg_insert(session, StatCount.__table__, rows, conflict=(
            f"ON CONFLICT ({', '.join(statistics.KEY_FIELDS)}) DO UPDATE SET n = stat_counts.n + excluded.n"))
        _pg_upsert(session, StatContribution.__table__, contributions, "grievance_id", "counts = excluded.counts")

    def _update(self, session, cases: list[Case]) -> None:
        """The grievances' new rows, each only if its version is still the one claimed."""
        changed = [n for n in LOADED if any(getattr(c, n) != c._before[n] for c in cases)]
        if not changed:
            changed = ["event_count"]
        now = utcnow()
        if is_postgres(session.get_bind()):
            # One statement for the batch: the new values as one array per column, joined on id and version.
            arrays, params = _pg_arrays(session, [TABLE.c.id, TABLE.c.version, *(TABLE.c[n] for n in changed)],
                                        [(c.id, c.version, *(getattr(c, n) for n in changed)) for c in cases])
            names = ["b_id", "b_version", *changed]
            sets = ", ".join(f"{n} = v.{n}" for n in changed)
            sql = (f"UPDATE grievances AS g SET {sets}, version = g.version + 1, updated_at = %s "
                   f"FROM unnest({arrays}) AS v({', '.join(names)}) WHERE g.id = v.b_id AND g.version = v.b_version")
            if session.connection().exec_driver_sql(sql, (_naive(now), *params)).rowcount != len(cases):
                raise Conflict("a grievance of the batch changed after it was claimed")
            return
        stmt = (sa.update(TABLE).where(TABLE.c.id == sa.bindparam("b_id"), TABLE.c.version == sa.bindparam("b_version"))
                .values({**{n: sa.bindparam(f"b_{n}") for n in changed}, "version": TABLE.c.version + 1,
                         "updated_at": now}))
        for c in cases:  # SQLite: one statement each, so that each one's version is checked
            params = {"b_id": c.id, "b_version": c.version, **{f"b_{n}": getattr(c, n) for n in changed}}
            if session.execute(stmt, params).rowcount != 1:
                raise Conflict("a grievance of the batch changed after it was claimed")



def _insert(session, table, rows: list[dict], *, returning: bool = False, ignore_existing: bool = False) -> list[int]:
    """Insert the rows (the new ids, in order, with `returning`); `ignore_existing`: a row whose key is there
    already is left as it is."""
    if not rows:
        return []
    if is_postgres(session.get_bind()):
        ids = None
        if returning:
            ids = list(session.connection().exec_driver_sql(
                f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, %s)",
                (len(rows),)).scalars())
            rows = [{"id": i, **r} for i, r in zip(ids, rows)]
        if ignore_existing:
            _pg_insert(session, table, rows, conflict="ON CONFLICT DO NOTHING")
        else:
            _pg_copy(session, table.name, table, rows)
        return ids or []
    ids: list[int] = []
    for chunk in _chunks(rows):
        if returning:
            ids += session.scalars(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk).all()
        elif ignore_existing:
            session.execute(_insert_ignore(session, table), chunk)
        else:
            session.execute(sa.insert(table), chunk)
    return ids


def _with_defaults(table, rows: list[dict]) -> tuple[list[str], list[dict]]:
    """The rows' column names, and the rows with the columns' Python-side defaults a Core insert would have
    filled in (attempts=0 and the like)."""
    names = list(rows[0])
    for c in table.c:
        if c.name not in names and c.default is not None and not c.primary_key:
            value = c.default.arg if c.default.is_scalar else c.default.arg(None)
            rows = [{**r, c.name: value} for r in rows]
            names.append(c.name)
    return names, rows


def _pg_copy(session, target: str, table, rows: list[dict]) -> None:
    """COPY the rows into `target` (the table, or a staging table with its columns): psycopg formats the rows in
    C, where the arrays of `_pg_insert` are built element by element in Python (a third of an events INSERT's
    time went there), and the server parses no statement."""
    if not rows:
        return
    names, rows = _with_defaults(table, rows)
    dialect = session.get_bind().dialect
    binds = [(n, table.c[n].type._cached_bind_processor(dialect)) for n in names]
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {target} ({', '.join(names)}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row([r[n] if bind is None or r[n] is None else bind(r[n]) for n, bind in binds])


def _pg_upsert(session, table, rows: list[dict], key: str, update: str) -> None:
    """INSERT ... ON CONFLICT (key) DO UPDATE SET update, of rows COPYed into a staging table first (dropped at
    commit): one COPY and one statement whatever the number of rows."""
    if not rows:
        return
    names, rows = _with_defaults(table, rows)
    stage = f"_stage_{table.name}"
    conn = session.connection()
    conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "
                         f"SELECT {', '.join(names)} FROM {table.name} WITH NO DATA")
    _pg_copy(session, stage, table, rows)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(names)} FROM {stage} "
                         f"ORDER BY {key} ON CONFLICT ({key}) DO UPDATE SET {update}")
    conn.exec_driver_sql(f"DELETE FROM {stage}")  # the transaction may upsert into this table again


def _pg_insert(session, table, rows: list[dict], *, conflict: str = "") -> None:
    """INSERT ... SELECT FROM unnest(one array per column): a batch of any size in one statement, which
    PostgreSQL parses and plans once (a VALUES list of thousands of rows costs more to build than to run)."""
    if not rows:
        return
    names, rows = _with_defaults(table, rows)
    cols = [table.c[n] for n in names]
    arrays, params = _pg_arrays(session, cols, [tuple(r[n] for n in names) for r in rows])
    select = ", ".join(f"v.{n}::json" if isinstance(c.type, sa.JSON) else f"v.{n}" for n, c in zip(names, cols))
    session.connection().exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {select} FROM unnest({arrays}) "
        f"AS v({', '.join(names)}) {conflict}", tuple(params))


def _pg_arrays(session, cols, rows: list[tuple]) -> tuple[str, list]:
    """'%s::type[], ...' for the columns and one list of values per column, bound as the columns bind them
    (UTC times naive, JSON as its text)."""
    dialect = session.get_bind().dialect
    casts, params = [], []
    for i, col in enumerate(cols):
        if isinstance(col.type, sa.JSON):
            casts.append("%s::text[]")
        else:
            casts.append(f"%s::{col.type.compile(dialect=dialect)}[]")
        bind = col.type._cached_bind_processor(dialect)
        values = [r[i] for r in rows]
        params.append([None if v is None else bind(v) for v in values] if bind else values)
    return ", ".join(casts), params


def _naive(at):
    return at.astimezone(timezone.utc).replace(tzinfo=None)


def _dialect_insert(session, table):
    if is_postgres(session.get_bind()):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _insert_ignore(session, table):
    return _dialect_insert(session, table).on_conflict_do_nothing()


def _chunks(items, size: int = CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]
