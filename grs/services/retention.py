"""Privacy operations: anonymising decided grievances after the retention period, and exporting what the
system holds about one complainant (a data-subject request).

Anonymising keeps what the statistics count (programme, category, channel, area, offices, the sex, age band
and disability stated on the grievance, every event's type, time, office, level and data) and removes the
person: name, phone and beneficiary id, the description and resolution, every event's note, the messages
to and from them, and the attachments' files. The event hashes were taken over the original notes, so an
`anonymised` event (grs/events.py) seals each earlier event as it reads now and by its original hash;
`grs audit verify` checks those events against their seals (docs/security.md, "Privacy operations").
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..events import PUBLIC, EventType
from ..models import (Attachment, CallLog, Complainant, Event, Grievance, InboundMessage, OutboxMessage,
                      PhoneContact, UssdSession)
from ..timeutil import as_utc
from . import admin_audit
from .actors import Actor
from .history import check_chain, record, seal_hash
from .storage import path_of

MARKER = "[anonymised]"
DECIDED = ("closed", "resolved", "rejected")
PENDING_MESSAGES = ("queued", "retry", "sending")


@dataclass
class RetentionResult:
    """What one batch did: the grievances anonymised, and those skipped because their chain is broken."""

    anonymised: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    files: int = 0


def due(session, cutoff: datetime, *, limit: int | None = None, after_id: int = 0) -> list[Grievance]:
    """Decided grievances whose last event is older than `cutoff` and not already an `anonymised` one."""
    last = sa.orm.aliased(Event)
    q = (sa.select(Grievance)
         .join(last, sa.and_(last.grievance_id == Grievance.id, last.seq == Grievance.event_count))
         .where(Grievance.status.in_(DECIDED), Grievance.is_open.is_(False), last.at < as_utc(cutoff),
                last.type != EventType.ANONYMISED.value, Grievance.id > after_id)
         .order_by(Grievance.id))
    if limit is not None:
        q = q.limit(limit)
    return list(session.scalars(q))


def count_due(session, cutoff: datetime) -> int:
    last = sa.orm.aliased(Event)
    return session.scalar(
        sa.select(sa.func.count()).select_from(Grievance)
        .join(last, sa.and_(last.grievance_id == Grievance.id, last.seq == Grievance.event_count))
        .where(Grievance.status.in_(DECIDED), Grievance.is_open.is_(False), last.at < as_utc(cutoff),
               last.type != EventType.ANONYMISED.value)) or 0


def anonymise(uow, cutoff: datetime, *, actor: Actor, now: datetime, batch: int = 200,
              after_id: int = 0) -> tuple[RetentionResult, int]:
    """Anonymise up to `batch` due grievances (id above `after_id`) in the caller's unit of work, with one
    admin event for the batch. Returns what it did and the last grievance id looked at (0: none were due)."""
    session = uow.session
    result = RetentionResult()
    gs = due(session, cutoff, limit=batch, after_id=after_id)
    if not gs:
        return result, 0
    ids = [g.id for g in gs]
    events: dict[int, list[Event]] = {}
    for e in session.scalars(sa.select(Event).where(Event.grievance_id.in_(ids)).order_by(Event.grievance_id, Event.seq)):
        events.setdefault(e.grievance_id, []).append(e)
    doomed_files: set[str] = set()
    for g in gs:
        chain = events.get(g.id, [])
        if check_chain(g.tracking_code, g.event_count, g.head_hash, chain):
            result.skipped.append(g.tracking_code)  # a broken history is evidence: left for `grs audit verify`
            continue
        doomed_files |= _anonymise_one(uow, g, chain, actor=actor, now=now)
        result.anonymised.append(g.tracking_code)
    session.flush()
    # A file is stored once per content: it goes only when no attachment row is left that uses it.
    for name in doomed_files:
        sha, _ = os.path.splitext(os.path.basename(name))
        if session.scalar(sa.select(Attachment.id).where(Attachment.sha256 == sha).limit(1)) is None:
            uow.after_commit(lambda name=name: os.path.exists(name) and os.remove(name))
            result.files += 1
    if result.anonymised or result.skipped:
        admin_audit.append(uow, "retention_anonymised", actor=actor, at=now, target=f"before {as_utc(cutoff).isoformat()}",
                           data={"grievances": len(result.anonymised), "skipped": result.skipped,
                                 "files": result.files, "first": result.anonymised[:1], "last": result.anonymised[-1:]})
    return result, ids[-1]


def _anonymise_one(uow, g: Grievance, chain: list[Event], *, actor: Actor, now: datetime) -> set[str]:
    """Remove the personal data of one grievance; returns the attachment files to delete after commit."""
    session = uow.session
    for e in chain:
        if e.note is not None:
            e.note = MARKER
    record(g, EventType.ANONYMISED, actor=actor, at=now, status_from=g.status, status_to=g.status,
           data={"sealed": [seal_hash(g.tracking_code, e) for e in chain], "events": len(chain)})
    g.description = MARKER
    if g.resolution is not None:
        g.resolution = MARKER
    files = {path_of(uow.settings.upload_dir, uow.settings.upload_types, a) for a in g.attachments}
    g.attachments.clear()  # delete-orphan: the rows go with the files
    if g.complainant_id is not None:
        person = session.get(Complainant, g.complainant_id)
        others = session.scalar(sa.select(sa.func.count()).select_from(Grievance).where(
            Grievance.complainant_id == person.id, Grievance.id != g.id, Grievance.description != MARKER))
        if others:
            g.complainant_id = None  # their other, live grievances keep the record; this one lets go of it
        else:
            person.name = person.phone = person.beneficiary_id = None
    gid = g.id
    # A message still waiting months on is not sent now: it would carry the marker to nobody.
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.grievance_id == gid,
                                                   OutboxMessage.status.in_(PENDING_MESSAGES))
                    .values(status="suppressed", last_error="grievance anonymised"),
                    execution_options={"synchronize_session": False})
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.grievance_id == gid)
                    .values(recipient=MARKER, body=MARKER), execution_options={"synchronize_session": False})
    session.execute(sa.update(InboundMessage).where(InboundMessage.grievance_id == gid)
                    .values(sender=MARKER, text=MARKER, reply=None), execution_options={"synchronize_session": False})
    session.execute(sa.update(CallLog).where(CallLog.grievance_id == gid).values(phone=None, notes=None),
                    execution_options={"synchronize_session": False})
    session.execute(sa.update(UssdSession).where(UssdSession.grievance_id == gid)
                    .values(phone=MARKER, last_text=None, last_reply=None, state={}),
                    execution_options={"synchronize_session": False})
    return files


# ---------------------------------------------------------------- data-subject export


def _iso(at: datetime | None) -> str | None:
    return as_utc(at).isoformat() if at is not None else None


def export_subject(uow, phone: str, *, actor: Actor, now: datetime) -> dict:
    """Everything held about the person behind `phone` (E.164): their complainant records, grievances with
    the events they may see, the messages sent to them and received from them. Records an admin event."""
    session = uow.session
    people = list(session.scalars(sa.select(Complainant).where(Complainant.phone == phone).order_by(Complainant.id)))
    gs = list(session.scalars(
        sa.select(Grievance).where(Grievance.complainant_id.in_([p.id for p in people]))
        .options(selectinload(Grievance.events), selectinload(Grievance.attachments))
        .order_by(Grievance.id))) if people else []
    contact = session.get(PhoneContact, phone)
    sent = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == phone).order_by(OutboxMessage.id))
    received = session.scalars(sa.select(InboundMessage).where(InboundMessage.sender == phone)
                               .order_by(InboundMessage.id))
    out = {
        "phone": phone,
        "exported_at": _iso(now),
        "complainants": [{"id": p.id, "name": p.name, "phone": p.phone, "sex": p.sex, "age_band": p.age_band,
                          "disability": p.disability, "beneficiary_id": p.beneficiary_id, "language": p.language,
                          "area": p.area.code if p.area else None, "verified": p.verified,
                          "created_at": _iso(p.created_at)} for p in people],
        "phone_contact": None if contact is None else {
            "language": contact.language, "opted_out_at": _iso(contact.opted_out_at)},
        "grievances": [{
            "tracking_code": g.tracking_code, "channel": g.channel, "programme": g.programme.code,
            "category": g.category.code, "area": g.area.code if g.area else None, "status": g.status,
            "level": g.level, "office": g.office.code if g.office else None, "description": g.description,
            "language": g.language, "sex": g.sex, "age_band": g.age_band, "disability": g.disability,
            "received_at": _iso(g.received_at), "resolved_at": _iso(g.resolved_at), "closed_at": _iso(g.closed_at),
            "decision": g.decision, "resolution": g.resolution, "satisfied": g.satisfied,
            "attachments": [{"filename": a.filename, "content_type": a.content_type, "size": a.size}
                            for a in g.attachments],
            # The steps the track page shows them: no staff notes, no actors.
            "events": [{"seq": e.seq, "type": e.type, "at": _iso(e.at), "status": e.status_to, "level": e.level,
                        "office": e.office.code if e.office else None}
                       for e in g.events if e.type in PUBLIC],
        } for g in gs],
        "messages_sent": [{"at": _iso(m.created_at), "template": m.template, "language": m.language, "body": m.body,
                           "status": m.status, "sent_at": _iso(m.sent_at), "delivered_at": _iso(m.delivered_at)}
                          for m in sent],
        "messages_received": [{"at": _iso(m.received_at), "text": m.text, "command": m.command,
                               "reply": m.reply} for m in received],
    }
    admin_audit.append(uow, "subject_exported", actor=actor, at=now, target=f"complainants:{len(people)}",
                       data={"complainants": [p.id for p in people], "grievances": [g.tracking_code for g in gs]})
    return out
