"""Intake at the database's pace: the split SMS aggregators use.

The Africa's Talking webhook only records the message (`record`: one small transaction, one row of
`inbound_messages`, `pending`, with the tracking code a complaint will carry already reserved) and answers;
"acknowledged means stored", since the 2xx goes out only after that commit. The USSD callback does the same
with the complaint confirmed on its last screen (channels/ussd/service.py: a row of provider and command
`ussd` keyed by the session id, what the menus collected as JSON, channels/ussd/complaint.py), so its END
screen shows the reserved code. The intake worker (`grs intake work`, or the scheduler's `intake` job) then
claims pending rows in batches, one transaction per batch, so a batch costs one commit and a crash of the
worker leaves its rows pending. The plain complaints and the USSD complaints of a batch are lodged together
(`lodge_in_bulk`: grs/services/lodging.py `lodge_batch`, a few bulk statements for the whole batch, the same
rows as one by one: tests/services/test_intake_batch.py, test_intake_ussd.py); everything else, and a batch
whose bulk lodging fails, is handled one message at a time with the code of a message handled on receipt
(channels/sms/service.handle: commands, replies, lodging; `_lodge_ussd` for a USSD complaint), each in a
savepoint.

- A provider retry with the same id is the same row (the unique provider id): answered as the first time.
- Two workers never take the same row: a claim is an UPDATE of rows picked `FOR UPDATE SKIP LOCKED` on
  PostgreSQL (SQLite has one writer) that leases them to the worker (`claimed_by`, `claimed_at`); the batch's
  transaction locks them again, and a lease that ran out (a worker that died) is claimed anew.
- Messages of one sender are handled in the order they came: a sender whose earlier message is still
  pending elsewhere waits for it (a complaint, then STATUS of its code), whichever channel each came by.
- A message whose handling raises (also a USSD complaint whose programme was withdrawn since) is tried
  MAX_ATTEMPTS times (a worker that died holding it counts as one), then marked `failed` with its reason:
  counted on /readyz (`inbound_failed`), never retried forever.
"""
from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from grs import services, tracking
from channels.ussd import complaint as ussd
from grs.models import Area, Complainant, Grievance, InboundMessage, PhoneContact, UssdSession
from grs.services import lodging
from grs.services.actors import Actor
from grs.services.intake import MAX_DESCRIPTION
from grs.timeutil import as_utc, utcnow
from grs.uow import unit_of_work

from . import commands, places, service

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
LEASE = timedelta(seconds=60)  # a claimed batch not finished by then is another worker's (its worker died)
BATCH = 100
BATCH_SECONDS = 0.25  # a batch's length in time, at most (its size adapts to it)
IDLE_SECONDS = 0.2  # how long an idle worker waits before looking again
# Complaints in a batch for lodging.lodge_batch. A lone one costs the same round trips either way (35 statements
# each, with a fresh pass's reference reads), so it keeps the one-by-one path and its statement budget
# (tests/http/test_sms_statements.py); from two on the batch saves about 30 statements a complaint.
MIN_TOGETHER = 2
MIN_BATCH = 10  # the smallest batch the worker shrinks to (next_size)


@dataclass(frozen=True)
class Recorded:
    """What the webhook answers: the message is stored (now or the first time it came)."""

    duplicate: bool
    tracking_code: str | None  # the code its complaint will have (a free-text message), else None


def record(uow, sms: service.InboundSms, *, now: datetime, status_allowed: bool = True) -> Recorded:
    """Store one inbound SMS to be handled by the intake worker, once per provider message id.

    A message from an alphanumeric sender or garbage number is stored `done` (never answered, as on receipt).
    status_allowed=False (the number used up its STATUS look-ups, counted by the webhook) is kept on the row.
    """
    now = as_utc(now)
    session = uow.session
    key = service.stored_key(sms.message_id)
    sender = service._phone(uow, sms.sender)
    cmd = commands.parse(sms.text, uow.settings.languages)
    lodge = sender is not None and cmd.kind == "lodge" and bool(cmd.text.strip())
    values = dict(provider=sms.provider, provider_message_id=key, sender=(sender or sms.sender or "")[:20],
                  recipient=(sms.recipient or "")[:40] or None, text=sms.text or "",
                  command=cmd.kind if sender else "ignored", received_at=now,
                  status="pending" if sender else "done", processed_at=None if sender else now,
                  status_allowed=status_allowed, attempts=0)
    earlier = sa.select(InboundMessage.tracking_code).where(InboundMessage.provider == sms.provider,
                                                            InboundMessage.provider_message_id == key)
    duplicate, code = store_once(session, values, earlier, reserve_code=lodge)
    return Recorded(duplicate, code)


def store_once(session, values: dict, earlier, *, reserve_code: bool = True) -> tuple[bool, str | None]:
    """One inbound row (`values`, without its tracking code), once per provider id: (False, the code reserved
    for it) when stored now, (True, what `earlier` reads: a one-column select of the row stored before) for a
    retry. A code that turns out taken (a grievance's, or another message's) is drawn again, up to 5 times.
    The SMS webhook and the USSD confirmed complaint both store their rows so."""
    for _ in range(5):
        code = tracking.new_code() if reserve_code else None
        if _insert(session, {**values, "tracking_code": code}) is not None:
            return False, code
        found = session.execute(earlier).first()
        if found is not None:
            return True, found[0]  # a retry, or the same message at this moment
        # (else the code was a grievance's or another message's: another code)
    raise RuntimeError("could not reserve a tracking code")


def _insert(session, values: dict) -> int | None:
    """The row in one statement: nothing when its provider id is stored already or its code is taken (by a
    grievance, or by another message: a unique column), so no savepoint and no read come first."""
    stmt = _insert_statement(session.get_bind().dialect.name, tuple(values), values["tracking_code"] is not None)
    return session.execute(stmt, values).scalar()


@functools.lru_cache(maxsize=16)
def _insert_statement(dialect: str, columns: tuple[str, ...], with_code: bool):
    """The webhook's INSERT, built once per process (building it anew for each callback was a third of the
    webhook's CPU: bench/intake.py), with the values as parameters."""
    table = InboundMessage.__table__
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    if with_code:
        free = ~sa.exists().where(Grievance.tracking_code == sa.bindparam("tracking_code"))
        source = sa.select(*[sa.bindparam(k, type_=table.c[k].type).label(k) for k in columns]).where(free)
        stmt = insert.from_select(list(columns), source)
    else:
        stmt = insert.values({k: sa.bindparam(k, type_=table.c[k].type) for k in columns})
    return stmt.on_conflict_do_nothing().returning(table.c.id)


# ---------------------------------------------------------------- the worker


def _token() -> str:
    return f"{socket.gethostname()[:16]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(uow, *, limit: int, now: datetime, token: str) -> list[int]:
    """Lease up to `limit` pending messages to `token` (oldest first), in the caller's transaction; a
    message waits while an earlier message of its sender is pending and not among them."""
    session = uow.session
    cutoff = now - LEASE
    free = sa.and_(InboundMessage.status == "pending",
                   sa.or_(InboundMessage.claimed_at.is_(None), InboundMessage.claimed_at < cutoff))
    # A worker that died holding a message too often: that message is what kills it. Failed, not retried.
    session.execute(sa.update(InboundMessage).where(free, InboundMessage.attempts >= MAX_ATTEMPTS)
                    .values(status="failed", processed_at=now, claimed_by=None, claimed_at=None,
                            error=sa.func.coalesce(InboundMessage.error, "the worker stopped while handling it")))
    pick = sa.select(InboundMessage.id).where(free).order_by(InboundMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    # One statement (on SQLite it takes the write lock at once, so two workers cannot pick the same rows).
    session.execute(sa.update(InboundMessage).where(InboundMessage.id.in_(pick.scalar_subquery()))
                    .values(claimed_at=now, claimed_by=token, attempts=InboundMessage.attempts + 1),
                    execution_options={"synchronize_session": False})
    mine = session.execute(sa.select(InboundMessage.id, InboundMessage.sender)
                           .where(InboundMessage.claimed_by == token, InboundMessage.status == "pending")
                           .order_by(InboundMessage.id)).all()
    if not mine:
        return []
    ids = {i for i, _ in mine}
    # Order per sender: every pending message of a sender before one of ours must be ours too.
    pending = session.execute(sa.select(InboundMessage.id, InboundMessage.sender).where(
        InboundMessage.status == "pending", InboundMessage.sender.in_({s for _, s in mine}),
        InboundMessage.id <= max(ids)).order_by(InboundMessage.id)).all()
    blocked: set[str] = set()
    keep: list[int] = []
    for i, sender in pending:
        if sender in blocked:
            continue
        if i in ids:
            keep.append(i)
        else:
            blocked.add(sender)
    wait = ids - set(keep)
    uow.memo["intake_deferred"] = len(wait)
    if wait:
        session.execute(sa.update(InboundMessage).where(InboundMessage.id.in_(wait))
                        .values(claimed_at=None, claimed_by=None, attempts=InboundMessage.attempts - 1),
                        execution_options={"synchronize_session": False})
    return keep


def _sms(row: InboundMessage) -> service.InboundSms:
    return service.InboundSms(row.provider, row.provider_message_id, row.sender, row.text, row.recipient)


def handle_claimed(uow, ids: list[int], *, now: datetime, token: str, reference: lodging.Reference | None = None,
                   batched: bool = True) -> tuple[int, int]:
    """Handle the messages `token` claimed, in id order: (done, failed or retried). The complaints among them
    are lodged together (`lodge_in_bulk`, routed by the pass's `reference` data); the rest, and the whole
    batch if that fails, one by one, each in a savepoint. batched=False: every message one by one (the
    reference the batch path is compared with)."""
    session = uow.session
    mine = sa.and_(InboundMessage.id.in_(ids), InboundMessage.claimed_by == token, InboundMessage.status == "pending")
    # The lease renewed, which also locks the rows (and on SQLite takes the write lock first, before any
    # read: a read-then-write transaction there could meet another worker's commit and fail).
    session.execute(sa.update(InboundMessage).where(mine).values(claimed_at=now),
                    execution_options={"synchronize_session": False})
    pick = sa.select(InboundMessage).where(mine).order_by(InboundMessage.id)
    rows = session.scalars(pick).all()
    done = bad = 0
    if batched and rows:
        ids = [r.id for r in rows]  # (read before: the rows lodged are expired, and reading one reloads it)
        lodged = lodge_in_bulk(uow, rows, now=now, reference=reference or lodging.Reference())
        done += len(lodged)
        rows = [r for i, r in zip(ids, rows) if i not in lodged]
    languages = uow.settings.languages
    for row in rows:
        row_id, attempts = row.id, row.attempts
        try:
            with unit_of_work(savepoint=True):
                if row.command == ussd.COMMAND:
                    _lodge_ussd(uow, row, now=now)
                elif (sender := service._phone(uow, row.sender)) is None:
                    row.command = "ignored"  # (recorded `done` already; a number the country no longer reads)
                else:
                    service.handle(uow, _sms(row), row, sender, commands.parse(row.text, languages), now=now,
                                   reply_inline=False, status_allowed=row.status_allowed)
                row.status, row.processed_at, row.error = "done", now, None
            done += 1
        except Exception as e:  # any failure of one message: its savepoint is undone, the batch goes on
            log.exception("intake: inbound message id=%s failed (attempt %s)", row_id, attempts)
            bad += 1
            reason = f"{type(e).__name__}: {e}"[:1000]
            values = {"error": reason, "claimed_at": None, "claimed_by": None}
            if attempts >= MAX_ATTEMPTS:
                values.update(status="failed", processed_at=now)
            session.execute(sa.update(InboundMessage).where(InboundMessage.id == row_id).values(**values),
                            execution_options={"synchronize_session": False})
    return done, bad


def _lodge_ussd(uow, row: InboundMessage, *, now: datetime) -> None:
    """A recorded USSD complaint lodged as the USSD request used to lodge it (lodging.lodge, its receipt
    queued) under the code the caller was told; a resent one finds the grievance lodged the first time."""
    confirmed = ussd.Confirmed.from_text(row.text)
    g = services.lodge(uow, confirmed.intake(row.tracking_code), actor=Actor.citizen("ussd"), now=now)
    row.grievance_id = g.id
    _sessions_lodged(uow.session, {confirmed.session_id: g.id})


def _sessions_lodged(session, lodged: dict[str, int]) -> None:
    """The USSD sessions' rows point at the grievances their complaints became: {session id: grievance id}."""
    t = UssdSession.__table__
    session.execute(sa.update(t).where(t.c.session_id == sa.bindparam("b_session"))
                    .values(grievance_id=sa.bindparam("b_grievance")),
                    [{"b_session": k, "b_grievance": g} for k, g in lodged.items()],
                    execution_options={"synchronize_session": False})


def lodge_in_bulk(uow, rows: list[InboundMessage], *, now: datetime, reference: lodging.Reference) -> dict[int, int]:
    """Lodge the plain complaints and the USSD complaints among the claimed `rows` with one
    lodging.lodge_batch, as service.handle (or _lodge_ussd) would lodge each, and mark them done in one
    UPDATE: {inbound id: grievance id}. A message is taken only when it is its sender's first of the batch
    (the sender's later ones, handled one by one after it, see what it did) and a new complaint to lodge (not
    a command, an empty or too long text, or an answer to the one complaint of the sender waiting for
    information); anything else stays for the one-by-one path, as does the whole batch when lodging it fails
    (its savepoint undone)."""
    settings = uow.settings
    seen: set[str] = set()
    picked = []
    for row in rows:
        if row.sender in seen:
            continue
        seen.add(row.sender)
        if row.command == ussd.COMMAND:
            if row.tracking_code:
                picked.append((row, None, None))  # (what the menus collected: read in _lodge_picked)
            continue
        cmd = commands.parse(row.text, settings.languages)
        text = cmd.text.strip()
        sender = service._phone(uow, row.sender)
        if (sender is None or cmd.kind != "lodge" or not text or len(text) > MAX_DESCRIPTION
                or not row.tracking_code):
            continue
        picked.append((row, cmd, sender))
    if len(picked) < MIN_TOGETHER:
        return {}
    try:
        with unit_of_work(savepoint=True):
            return _lodge_picked(uow, picked, now=now, world=reference.get(uow))
    except Exception:  # the batch's savepoint is undone: each of its messages goes the one-by-one way
        log.exception("intake: lodging %s complaints together failed; lodging them one by one", len(picked))
        return {}


def _lodge_picked(uow, picked: list, *, now: datetime, world) -> dict[int, int]:
    session = uow.session
    settings = uow.settings
    senders = sorted({sender for _, cmd, sender in picked if cmd is not None})  # (a USSD complaint reads none)
    # service._waiting_for_info, _language and _lodge's reads, for every sender at once.
    waiting = Counter(session.scalars(
        sa.select(Complainant.phone).join(Grievance, Grievance.complainant_id == Complainant.id)
        .where(Complainant.phone.in_(senders), Grievance.status == "awaiting_info"))) if senders else Counter()
    contacts = {c.phone: c for c in session.execute(
        sa.select(PhoneContact.phone, PhoneContact.language, PhoneContact.last_area_id)
        .where(PhoneContact.phone.in_(senders)))} if senders else {}
    latest = dict(session.execute(sa.select(Complainant.phone, Complainant.language)
                                  .where(Complainant.phone.in_(senders)).order_by(Complainant.id)).all()) \
        if senders else {}
    index = places.index(session)
    named = {}
    for row, cmd, sender in picked:
        if cmd is not None:
            named[row.id] = index.match(cmd.text)
    last_areas = {c.last_area_id for c in contacts.values() if c.last_area_id}
    area_code = dict(session.execute(sa.select(Area.id, Area.code).where(Area.id.in_(last_areas))).all()) \
        if last_areas else {}
    intakes, rows, switch, sessions = [], [], [], []
    for row, cmd, sender in picked:
        if cmd is None:  # a USSD complaint: lodged as _lodge_ussd lodges it
            confirmed = ussd.Confirmed.from_text(row.text)
            intakes.append(confirmed.intake(row.tracking_code))
            rows.append(row)
            switch.append(None)
            sessions.append(confirmed.session_id)
            continue
        if waiting[sender] == 1:
            continue  # the answer to the complaint waiting for it: service._attach_info, one by one
        contact = contacts.get(sender)
        if cmd.keyword_language and cmd.keyword_language in settings.languages:
            lang = cmd.keyword_language
        else:
            lang = commands.reply_language((contact.language if contact else None, latest.get(sender)),
                                           cmd.language, settings.languages)
        programme, category = commands.classify(cmd.text)
        area = named[row.id]
        if area is None and contact is not None and contact.last_area_id:
            area = area_code.get(contact.last_area_id)
        intakes.append(services.Intake(
            channel="sms", programme=programme or settings.sms_default_programme,
            category=category or settings.sms_default_category, description=cmd.text, area=area,
            language=cmd.language if cmd.language != "en" else lang,
            complainant=services.ComplainantIn(phone=sender), phone_verified=True,
            source_ref=service.stored_key(f"{row.provider}:{row.provider_message_id}"), queue_receipt=True,
            tracking_code=row.tracking_code))
        rows.append(row)
        # _lodge: a contact that wrote in Bangla (Somali, ...) speaks it from now on
        switch.append(sender if contact is not None and cmd.language != "en" and cmd.language in settings.languages
                      and contact.language != cmd.language else None)
        sessions.append(None)
    lodged = _lodge_by_channel(uow, intakes, now=now, world=world)
    done = {row.id: g.id for row, g in zip(rows, lodged) if g is not None}
    by_session = {s: g.id for s, g in zip(sessions, lodged) if s is not None and g is not None}
    if by_session:
        _sessions_lodged(session, by_session)
    switched = [{"b_phone": s, "b_language": i.language} for s, i, g in zip(switch, intakes, lodged)
                if s is not None and g is not None]
    if switched:
        session.execute(sa.update(PhoneContact).where(PhoneContact.phone == sa.bindparam("b_phone"))
                        .values(language=sa.bindparam("b_language"), updated_at=utcnow()), switched,
                        execution_options={"synchronize_session": False})
    if done:
        t = InboundMessage.__table__
        session.execute(sa.update(t).where(t.c.id == sa.bindparam("b_id")).values(
            status="done", processed_at=now, error=None, grievance_id=sa.bindparam("b_grievance")),
            [{"b_id": i, "b_grievance": g} for i, g in done.items()], execution_options={"synchronize_session": False})
        for row in rows:
            if row.id in done:
                session.expire(row)  # written above, not by the ORM
    log.info("intake: %s complaints lodged together", len(done))
    return done


def _lodge_by_channel(uow, intakes: list, *, now: datetime, world) -> list:
    """lodging.lodge_batch for each channel's complaints (its actor is the channel's citizen), in the intakes'
    order: one list of grievances (or None) as lodge_batch answers."""
    out: list = [None] * len(intakes)
    for channel in dict.fromkeys(i.channel for i in intakes):
        places_ = [n for n, i in enumerate(intakes) if i.channel == channel]
        lodged = lodging.lodge_batch(uow, [intakes[n] for n in places_], actor=Actor.citizen(channel), now=now,
                                     world=world)
        for n, g in zip(places_, lodged):
            out[n] = g
    return out


def work_batch(limit: int = BATCH, *, now: datetime | None = None, reference: lodging.Reference | None = None,
               batched: bool = True) -> tuple[int, bool]:
    """Claim and handle one batch (two transactions: the claim, then the batch): the number claimed, and
    whether more may be waiting (a full batch, or messages left for their sender's earlier one)."""
    token = _token()
    now = as_utc(now or utcnow())
    with unit_of_work() as uow:
        ids = claim(uow, limit=limit, now=now, token=token)
        deferred = uow.memo.get("intake_deferred", 0)
    if not ids:
        return 0, bool(deferred)
    with unit_of_work() as uow:
        done, bad = handle_claimed(uow, ids, now=now, token=token, reference=reference, batched=batched)
    log.info("intake: %s handled, %s failed", done, bad)
    return len(ids), len(ids) >= limit or bool(deferred) or bad > 0


def next_size(size: int, handled: int, seconds: float, most: int) -> int:
    """The next batch's size: as many as fit in BATCH_SECONDS, since a batch holds its rows' locks (the
    statistics counters a web or USSD complaint also writes) until it commits. A full batch done in time
    doubles it; one that took too long shrinks it in proportion. (Not time per message times the cap: a batch
    costs a fixed part, its claim and its reads, plus a little per complaint, so a small batch's time per
    message would keep the next one small, and the one-by-one path, when the machine is busy. Nor below
    MIN_BATCH: ten complaints hold the locks about as long as one, so a smaller batch only costs throughput.)"""
    if seconds > BATCH_SECONDS:
        return min(most, max(MIN_BATCH, int(size * BATCH_SECONDS / seconds)))
    if handled >= size:
        return min(most, size * 2)
    return size


def work(*, batch: int = BATCH, once: bool = False, stop: threading.Event | None = None,
         now: datetime | None = None, batched: bool = True) -> int:
    """Handle pending messages in batches: until none is left (`once`), or until `stop` is set, waiting
    IDLE_SECONDS whenever there is nothing to do. The number handled. batched=False: every message one by
    one (the reference for tests and benchmarks)."""
    total = 0
    reference = lodging.Reference()
    stop = stop or threading.Event()
    size = min(batch, 10)
    while not stop.is_set():
        started = time.monotonic()
        n, more = work_batch(size, now=now, reference=reference, batched=batched)
        total += n
        if n:
            size = next_size(size, n, time.monotonic() - started, batch)
        if once and (n == 0 or not more):
            break
        if n == 0:
            stop.wait(IDLE_SECONDS)
    return total

