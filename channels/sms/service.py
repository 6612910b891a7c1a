"""Inbound SMS use cases: store the message once, act on its command, and reply (outbox or inline)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from grs import notifications, phones, tracking
from grs.errors import DomainError, InvalidTransition, ValidationError
from grs.extensions import db
from grs.models import Area, Grievance, InboundMessage, PhoneContact
from grs.services import grievances
from grs.services.actors import Actor
from grs.timeutil import as_utc

from . import commands, places

log = logging.getLogger(__name__)

# Where a free-text complaint goes when no keyword says otherwise (override in the instance config).
DEFAULT_PROGRAMME = "OAA"
DEFAULT_CATEGORY = "other"


@dataclass(frozen=True)
class InboundSms:
    """One SMS as a provider delivered it."""

    provider: str  # africastalking | twilio
    message_id: str
    sender: str
    text: str
    recipient: str | None = None


@dataclass(frozen=True)
class Handled:
    """What became of an inbound SMS; `reply` is the text to answer inline (None: say nothing)."""

    command: str
    duplicate: bool = False
    reply: str | None = None
    tracking_code: str | None = None


def receive(sms: InboundSms, *, now: datetime, reply_inline: bool) -> Handled:
    """Handle one inbound SMS exactly once per provider message id.

    reply_inline=False queues replies in the outbox (Africa's Talking); True returns the reply for the
    webhook answer (Twilio TwiML) and queues nothing for it.
    """
    now = as_utc(now)
    if _seen(sms):
        return Handled("duplicate", duplicate=True)
    sender = _phone(sms.sender)
    cmd = commands.parse(sms.text)
    row = InboundMessage(provider=sms.provider, provider_message_id=sms.message_id[:120],
                         sender=(sender or sms.sender or "")[:20], recipient=(sms.recipient or "")[:40] or None,
                         text=sms.text or "", command=cmd.kind if sender else "ignored", received_at=now)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:  # the same message, delivered twice at once: the other request has it
        db.session.rollback()
        return Handled("duplicate", duplicate=True)
    if sender is None:
        # Alphanumeric senders (network promotions) and garbage: kept for the record, never answered.
        db.session.commit()
        return Handled("ignored")
    ctx = _Context(sms, row, sender, cmd.language, reply_inline, now)
    handler = _HANDLERS[cmd.kind]
    try:
        handled = handler(ctx, cmd)
    except DomainError as e:
        db.session.rollback()  # nothing half-done survives; the message itself is still recorded
        log.warning("inbound sms id=%s %s failed: %s", sms.message_id, cmd.kind, e.message)
        ctx.row = _rerecord(sms, sender, now, "error")
        handled = Handled("error", reply=ctx.reply("sms_error"))
    db.session.commit()
    log.info("inbound sms %s:%s from %s: %s", sms.provider, sms.message_id, phones.mask(sender), handled.command)
    return handled


def _seen(sms: InboundSms) -> bool:
    return db.session.scalar(sa.select(InboundMessage.id).where(
        InboundMessage.provider == sms.provider, InboundMessage.provider_message_id == sms.message_id[:120])
    ) is not None


def _phone(raw: str | None) -> str | None:
    try:
        return phones.normalise(raw, current_app.config["COUNTRY"])
    except ValidationError:
        return None


def _rerecord(sms: InboundSms, sender: str, now: datetime, command: str) -> InboundMessage:
    row = InboundMessage(provider=sms.provider, provider_message_id=sms.message_id[:120], sender=sender,
                         recipient=(sms.recipient or "")[:40] or None, text=sms.text or "", command=command,
                         received_at=now)
    db.session.add(row)
    return row


class _Context:
    """The message being handled and how to answer it."""

    def __init__(self, sms: InboundSms, row: InboundMessage, sender: str, lang: str, inline: bool,
                 now: datetime):
        self.sms, self.row, self.sender, self.lang, self.inline, self.now = sms, row, sender, lang, inline, now

    @property
    def dedupe_key(self) -> str:
        return f"sms-reply:{self.sms.provider}:{self.sms.message_id}"[:160]

    def opted_out(self) -> bool:
        contact = db.session.get(PhoneContact, self.sender)
        return contact is not None and contact.opted_out_at is not None

    def reply(self, template: str, *, about: Grievance | None = None, **context) -> str | None:
        """Answer the sender: queued once in the outbox, or returned for an inline reply."""
        if about is not None:
            context.setdefault("code", tracking.display(about.tracking_code))
            context.setdefault("grievance", about)
        context.setdefault("lang", self.lang)
        if self.inline:
            text = None if self.opted_out() else notifications.render_text(template, self.lang, **context)
        else:
            msg = notifications.queue_sms(self.sender, template, self.lang, now=self.now, about=about,
                                          dedupe_key=self.dedupe_key, **context)
            text = msg.body if msg is not None else None
        self.row.reply = text
        return text


# ---------------------------------------------------------------- commands


def _lodge(ctx: _Context, cmd: commands.Command) -> Handled:
    if not cmd.text.strip():
        return Handled("help", reply=ctx.reply("sms_help"))
    programme, category = commands.classify(cmd.text)
    config = current_app.config
    contact = db.session.get(PhoneContact, ctx.sender)
    area = _area_named(cmd.text)
    if area is None and contact is not None and contact.last_area_id:
        area = db.session.scalar(sa.select(Area.code).where(Area.id == contact.last_area_id))
    if contact is not None and cmd.language == "bn":
        contact.language = "bn"  # they wrote in Bangla: USSD and later messages should speak it too
    intake = grievances.Intake(
        channel="sms",
        programme=programme or config.get("SMS_DEFAULT_PROGRAMME", DEFAULT_PROGRAMME),
        category=category or config.get("SMS_DEFAULT_CATEGORY", DEFAULT_CATEGORY),
        description=cmd.text[:grievances.MAX_DESCRIPTION],
        area=area,
        language=cmd.language,
        complainant=grievances.ComplainantIn(phone=ctx.sender),
        source_ref=f"{ctx.sms.provider}:{ctx.sms.message_id}"[:120],
        receipt_by_channel=ctx.inline,
    )
    row_id = ctx.row.id
    # lodge commits: the inbound row, the grievance and (for the outbox) its receipt go in together.
    g = grievances.lodge(intake, actor=Actor.citizen("sms"), now=ctx.now)
    ctx.row = db.session.get(InboundMessage, row_id)
    ctx.row.grievance_id = g.id
    reply = None
    if ctx.inline:
        reply = ctx.reply("receipt", about=g)
    return Handled("lodge", reply=reply, tracking_code=g.tracking_code)


def _area_named(text: str) -> str | None:
    """The code of the union or upazila the text names (the two lowest tiers' area levels)."""
    return places.index(db.session).match(text)


def _find(ctx: _Context, cmd: commands.Command, *, own: bool) -> Grievance | None:
    """The grievance the command names (for YES/NO only the sender's own); replies when there is none."""
    if cmd.code is None:
        ctx.reply("sms_bad_code")
        return None
    g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == cmd.code))
    if g is not None and own and (g.complainant is None or g.complainant.phone != ctx.sender):
        g = None  # someone else's complaint: answer exactly as if it did not exist
    if g is None:
        ctx.reply("sms_not_found", code=tracking.display(cmd.code))
        return None
    ctx.row.grievance_id = g.id
    return g


def _status(ctx: _Context, cmd: commands.Command) -> Handled:
    g = _find(ctx, cmd, own=False)
    if g is None:
        return Handled("status", reply=ctx.row.reply)
    return Handled("status", reply=ctx.reply("sms_status", about=g, status=g.status),
                   tracking_code=g.tracking_code)


def _answer(ctx: _Context, cmd: commands.Command) -> Handled:
    """YES / NO after a decision: YES closes a resolved complaint, NO appeals a resolved or rejected one."""
    g = _find(ctx, cmd, own=True)
    if g is None:
        return Handled(cmd.kind, reply=ctx.row.reply)
    satisfied = cmd.kind == "yes"
    if g.status == "resolved":
        req = grievances.ActionRequest("feedback", satisfied=satisfied, note="by SMS")
    elif g.status == "rejected" and not satisfied:
        req = grievances.ActionRequest("appeal", note="by SMS")
    else:
        return Handled(cmd.kind, reply=ctx.reply("sms_answer_refused", about=g, status=g.status),
                       tracking_code=g.tracking_code)
    row_id, code = ctx.row.id, g.tracking_code
    try:
        # act commits; its own notice (closed / appeal_opened) is the answer, sent through the outbox.
        grievances.act(code, req, actor=Actor.citizen("sms"), now=ctx.now)
    except InvalidTransition:
        db.session.rollback()
        ctx.row = _rerecord(ctx.sms, ctx.sender, ctx.now, cmd.kind)
        g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))
        ctx.row.grievance_id = g.id
        late = g.feedback_due_at is not None and ctx.now > g.feedback_due_at
        return Handled(cmd.kind, reply=ctx.reply("sms_answer_refused", about=g, status=g.status, late=late),
                       tracking_code=code)
    ctx.row = db.session.get(InboundMessage, row_id)
    return Handled(cmd.kind, tracking_code=code)


def _stop(ctx: _Context, cmd: commands.Command) -> Handled:
    contact = db.session.get(PhoneContact, ctx.sender)
    if contact is None:
        contact = PhoneContact(phone=ctx.sender, language=ctx.lang)
        db.session.add(contact)
    contact.opted_out_at = contact.opted_out_at or ctx.now
    # No confirmation: the number asked for no more messages (the operator network confirms STOP).
    return Handled("stop")


def _start(ctx: _Context, cmd: commands.Command) -> Handled:
    contact = db.session.get(PhoneContact, ctx.sender)
    if contact is None:
        contact = PhoneContact(phone=ctx.sender, language=ctx.lang)
        db.session.add(contact)
    contact.opted_out_at = None
    db.session.flush()
    return Handled("start", reply=ctx.reply("sms_subscribed"))


_HANDLERS = {"lodge": _lodge, "status": _status, "yes": _answer, "no": _answer, "stop": _stop, "start": _start}
assert set(_HANDLERS) == set(commands.KEYWORDS) | {"lodge"}, "every command needs a handler"
