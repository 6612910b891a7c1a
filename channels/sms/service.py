"""Inbound SMS use cases: store the message once, act on its command, and reply (outbox or inline)."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from grs import notifications, permissions, phones, services, tracking
from grs.errors import DomainError, InvalidTransition, ValidationError
from grs.models import Area, Complainant, Grievance, InboundMessage, PhoneContact
from grs.services.actors import Actor
from grs.timeutil import as_utc
from grs.uow import unit_of_work

from . import commands, places

log = logging.getLogger(__name__)

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


def receive(uow, sms: InboundSms, *, now: datetime, reply_inline: bool, status_allowed: bool = True) -> Handled:
    """Handle one inbound SMS exactly once per provider message id, in the caller's unit of work.

    reply_inline=False queues replies in the outbox (Africa's Talking); True returns the reply for the
    webhook answer (Twilio TwiML) and queues nothing for it. A command that fails leaves nothing
    half-done (it runs in a savepoint) while the message itself stays recorded. status_allowed=False
    (the number used up its look-ups, counted by the webhook) records a STATUS and answers nothing.
    """
    now = as_utc(now)
    session = uow.session
    if _seen(session, sms):
        return Handled("duplicate", duplicate=True)
    sender = _phone(uow, sms.sender)
    cmd = commands.parse(sms.text, uow.settings.languages)
    row = InboundMessage(provider=sms.provider, provider_message_id=stored_key(sms.message_id),
                         sender=(sender or sms.sender or "")[:20], recipient=(sms.recipient or "")[:40] or None,
                         text=sms.text or "", command=cmd.kind if sender else "ignored", received_at=now)
    try:
        with unit_of_work(savepoint=True):
            session.add(row)
    except IntegrityError:  # the same message, delivered twice at once: the other request has it
        return Handled("duplicate", duplicate=True)
    if sender is None:
        # Alphanumeric senders (network promotions) and garbage: kept for the record, never answered.
        return Handled("ignored")
    return handle(uow, sms, row, sender, cmd, now=now, reply_inline=reply_inline, status_allowed=status_allowed)


def handle(uow, sms: InboundSms, row: InboundMessage, sender: str, cmd: commands.Command, *, now: datetime,
           reply_inline: bool, status_allowed: bool = True) -> Handled:
    """Act on a stored message `row` from the valid number `sender`: its command, its reply, in a savepoint
    (receive on receipt; the intake worker, channels/sms/intake.py, for messages recorded before)."""
    ctx = _Context(uow, sms, row, sender, _language(uow, sender, cmd), reply_inline, now)
    ctx.status_allowed = status_allowed
    handler = HANDLERS[cmd.kind]
    try:
        with unit_of_work(savepoint=True):
            handled = handler(ctx, cmd)
    except DomainError as e:
        log.warning("inbound sms id=%s %s failed: %s", sms.message_id, cmd.kind, e.message)
        row.command, row.grievance_id = "error", None
        handled = Handled("error", reply=ctx.reply("sms_error"))
    log.info("inbound sms %s:%s from %s: %s", sms.provider, sms.message_id, phones.mask(sender), handled.command)
    return handled


def _seen(session, sms: InboundSms) -> bool:
    return session.scalar(sa.select(InboundMessage.id).where(
        InboundMessage.provider == sms.provider, InboundMessage.provider_message_id == stored_key(sms.message_id))
    ) is not None


DIGEST = "sha256:"


def stored_key(value: str, width: int = 120) -> str:
    """`value` as a column of `width` characters holds it without merging two values: itself when it fits,
    else (or when it could be taken for one) the SHA-256 of all of it. A provider's id is never cut, so two
    ids sharing their first 120 characters stay two messages."""
    if len(value) <= width and not value.startswith(DIGEST):
        return value
    return DIGEST + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _language(uow, sender: str, cmd: commands.Command) -> str:
    """The language of the keyword when only one language has it (STATUT, MATSAYI, XAALAD: answered in French,
    Hausa, Somali), else the sender's stored language (phone contact, then their latest complaint), else the
    message's script: a Bangla speaker who types the Latin STATUS is answered in Bangla."""
    if cmd.keyword_language and cmd.keyword_language in uow.settings.languages:
        return cmd.keyword_language
    script = cmd.language
    session = uow.session
    contact = session.get(PhoneContact, sender)
    latest = session.scalar(sa.select(Complainant.language).where(Complainant.phone == sender)
                            .order_by(Complainant.id.desc()).limit(1))
    return commands.reply_language((contact.language if contact else None, latest), script,
                                   uow.settings.languages)


def _phone(uow, raw: str | None) -> str | None:
    try:
        return phones.normalise(raw, uow.settings.country)
    except ValidationError:
        return None


class _Context:
    """The message being handled and how to answer it."""

    def __init__(self, uow, sms: InboundSms, row: InboundMessage, sender: str, lang: str, inline: bool,
                 now: datetime):
        self.uow, self.sms, self.row, self.sender, self.lang = uow, sms, row, sender, lang
        self.inline, self.now = inline, now

    @property
    def dedupe_key(self) -> str:
        return f"sms-reply:{self.sms.provider}:{stored_key(self.sms.message_id)}"  # at most 145 characters

    def opted_out(self) -> bool:
        return notifications.opted_out(self.uow.session, self.sender)

    def reply(self, template: str, *, about: Grievance | None = None, **context) -> str | None:
        """Answer the sender: queued once in the outbox, or returned for an inline reply."""
        if about is not None:
            context.setdefault("code", tracking.display(about.tracking_code))
            context.setdefault("grievance", about)
        context.setdefault("lang", self.lang)
        if self.inline:
            text = None if self.opted_out() else self.uow.render(template, self.lang, **context)
        else:
            msg = notifications.queue_sms(self.uow, self.sender, template, self.lang, now=self.now, about=about,
                                          dedupe_key=self.dedupe_key, **context)
            text = msg.body if msg is not None else None
        self.row.reply = text
        return text


# ---------------------------------------------------------------- commands


def _too_long(ctx: _Context, text: str) -> Handled | None:
    """A text longer than a grievance holds (the web form's limit) is not cut: the sender is told, and the
    whole message stays on its inbound row."""
    if len(text.strip()) <= services.MAX_DESCRIPTION:
        return None
    ctx.row.command = "too_long"
    return Handled("too_long", reply=ctx.reply("sms_too_long", length=len(text.strip()),
                                               limit=services.MAX_DESCRIPTION))


def _lodge(ctx: _Context, cmd: commands.Command) -> Handled:
    if not cmd.text.strip():
        return Handled("help", reply=ctx.reply("sms_help"))
    if (refused := _too_long(ctx, cmd.text)) is not None:
        return refused
    waiting = _waiting_for_info(ctx)
    if len(waiting) == 1:
        # Plain text from a phone with exactly one complaint awaiting its answer: that is the answer.
        return _attach_info(ctx, waiting[0], cmd.text)
    programme, category = commands.classify(cmd.text)
    settings = ctx.uow.settings
    session = ctx.uow.session
    contact = session.get(PhoneContact, ctx.sender)
    area = _area_named(session, cmd.text)
    if area is None and contact is not None and contact.last_area_id:
        area = session.scalar(sa.select(Area.code).where(Area.id == contact.last_area_id))
    if contact is not None and cmd.language != "en" and cmd.language in settings.languages:
        contact.language = cmd.language  # they wrote in Bangla (Somali, ...): USSD and later messages speak it too
    intake = services.Intake(
        channel="sms",
        programme=programme or settings.sms_default_programme,
        category=category or settings.sms_default_category,
        description=cmd.text,
        area=area,
        language=cmd.language if cmd.language != "en" else ctx.lang,  # Latin script says little: keep theirs
        complainant=services.ComplainantIn(phone=ctx.sender),
        phone_verified=True,  # the network says who sent it
        source_ref=stored_key(f"{ctx.sms.provider}:{ctx.sms.message_id}"),
        queue_receipt=not ctx.inline,  # an inline (TwiML) reply is the receipt
        tracking_code=ctx.row.tracking_code,  # reserved when the webhook recorded it
    )
    # One unit of work: the inbound row, the grievance and (for the outbox) its receipt go in together.
    g = services.lodge(ctx.uow, intake, actor=Actor.citizen("sms"), now=ctx.now)
    ctx.row.grievance_id = g.id
    reply = None
    if ctx.inline:
        reply = ctx.reply("receipt", about=g)
    return Handled("lodge", reply=reply, tracking_code=g.tracking_code)


def _area_named(session, text: str) -> str | None:
    """The code of the union or upazila the text names (the two lowest tiers' area levels)."""
    return places.index(session).match(text)


def _find(ctx: _Context, cmd: commands.Command, *, own: bool) -> Grievance | None:
    """The grievance the command names (for YES/NO only the sender's own); replies when there is none."""
    if cmd.code is None:
        ctx.reply("sms_bad_code")
        return None
    g = ctx.uow.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == cmd.code))
    if g is not None and own and (g.complainant is None or g.complainant.phone != ctx.sender):
        g = None  # someone else's complaint: answer exactly as if it did not exist
    if g is None:
        ctx.reply("sms_not_found", code=tracking.display(cmd.code))
        return None
    ctx.row.grievance_id = g.id
    return g


def _status(ctx: _Context, cmd: commands.Command) -> Handled:
    if not getattr(ctx, "status_allowed", True):
        # Code guessing from one number: recorded, not answered (an answer would be one more SMS paid for).
        return Handled("status_limited")
    g = _find(ctx, cmd, own=False)
    if g is None:
        return Handled("status", reply=ctx.row.reply)
    return Handled("status", reply=ctx.reply("sms_status", about=g, status=g.status),
                   tracking_code=g.tracking_code)


def _answer(ctx: _Context, cmd: commands.Command) -> Handled:
    """YES / NO / APPEAL: after a decision YES closes it and NO (or APPEAL) appeals it, or, with no tier left,
    sends it to national review; NO or APPEAL also appeals a complaint whose deadline passed undecided."""
    g = _find(ctx, cmd, own=True)
    if g is None:
        return Handled(cmd.kind, reply=ctx.row.reply)
    satisfied = cmd.kind == "yes"
    if g.status in ("resolved", "rejected"):
        req = services.ActionRequest("feedback", satisfied=satisfied, note="by SMS")
    elif not satisfied and permissions.overdue(g, ctx.now):
        req = services.ActionRequest("appeal", note="by SMS: no decision by the deadline")
    else:
        return Handled(cmd.kind, reply=ctx.reply("sms_answer_refused", about=g, status=g.status),
                       tracking_code=g.tracking_code)
    code = g.tracking_code
    try:
        # Its own notice (closed / appeal_opened) is the answer, sent through the outbox; act runs in a
        # savepoint, so a refused answer leaves the grievance as it was.
        services.act(ctx.uow, code, req, actor=Actor.citizen("sms"), now=ctx.now)
    except InvalidTransition:
        late = g.feedback_due_at is not None and ctx.now > g.feedback_due_at
        return Handled(cmd.kind, reply=ctx.reply("sms_answer_refused", about=g, status=g.status, late=late),
                       tracking_code=code)
    return Handled(cmd.kind, tracking_code=code)


def _waiting_for_info(ctx: _Context) -> list[Grievance]:
    """The sender's grievances that wait for information from them (at most two: one is the answer)."""
    return ctx.uow.session.scalars(
        sa.select(Grievance).join(Complainant, Complainant.id == Grievance.complainant_id)
        .where(Complainant.phone == ctx.sender, Grievance.status == "awaiting_info")
        .order_by(Grievance.id).limit(2)).all()


def _attach_info(ctx: _Context, g: Grievance, text: str) -> Handled:
    """Attach the sender's answer to a grievance waiting for it; the reply names the code it went to."""
    if (refused := _too_long(ctx, text)) is not None:
        return refused
    ctx.row.grievance_id = g.id
    services.act(ctx.uow, g.tracking_code, services.ActionRequest("add_info", note=text, channel="sms"),
                 actor=Actor.citizen("sms"), now=ctx.now)
    ctx.row.command = "info"
    return Handled("info", reply=ctx.reply("info_attached", about=g), tracking_code=g.tracking_code)


def _info(ctx: _Context, cmd: commands.Command) -> Handled:
    """INFO <code> <answer>: always for that grievance, if it is the sender's and waits for information."""
    g = _find(ctx, cmd, own=True)
    if g is None:
        return Handled("info", reply=ctx.row.reply)
    if g.status != "awaiting_info" or not cmd.text.strip():
        return Handled("info", reply=ctx.reply("sms_info_refused", about=g, empty=not cmd.text.strip(),
                                               waiting=g.status == "awaiting_info"),
                       tracking_code=g.tracking_code)
    return _attach_info(ctx, g, cmd.text)


def _contact(ctx: _Context) -> PhoneContact:
    contact = ctx.uow.session.get(PhoneContact, ctx.sender)
    if contact is None:
        contact = PhoneContact(phone=ctx.sender, language=ctx.lang)
        ctx.uow.session.add(contact)
    return contact


def _stop(ctx: _Context, cmd: commands.Command) -> Handled:
    contact = _contact(ctx)
    contact.opted_out_at = contact.opted_out_at or ctx.now
    # No confirmation: the number asked for no more messages (the operator network confirms STOP).
    return Handled("stop")


def _start(ctx: _Context, cmd: commands.Command) -> Handled:
    contact = _contact(ctx)
    contact.opted_out_at = None
    ctx.uow.session.flush()
    return Handled("start", reply=ctx.reply("sms_subscribed"))


# Every command has a handler: tests/unit/test_sms_commands.py checks this table against commands.KEYWORDS.
HANDLERS = {"lodge": _lodge, "status": _status, "yes": _answer, "no": _answer, "appeal": _answer, "stop": _stop,
            "start": _start, "info": _info}

