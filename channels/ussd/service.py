"""One USSD request: load the session, run the menu, record the complaint when confirmed (the intake worker
lodges it), store the screen shown."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from channels.sms import intake as sms_intake
from channels.sms.service import stored_key
from grs import phones
from grs.errors import ValidationError
from grs.models import Grievance, InboundMessage, PhoneContact, UssdSession
from grs.uow import unit_of_work

from . import complaint, menu
from .reference import DbReference
from .texts import text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UssdRequest:
    """What Africa's Talking sends: `text` is every answer of the session so far, joined by '*'."""

    session_id: str
    phone: str
    text: str
    service_code: str = ""
    network_code: str = ""


@dataclass
class StatusLookups:
    """Whether the caller's number may look a complaint up now (its rate limit, checked by the webhook), and
    how many look-ups this request made (for the webhook to count once the transaction is over). `check`
    reads the limit when a look-up is first asked for (most screens make none, and need no read)."""

    allowed: bool = True
    made: int = 0
    check: Callable[[], bool] | None = None

    def may_look_up(self) -> bool:
        if self.check is not None:
            self.allowed, self.check = self.check(), None
        return self.allowed


class _LookupsUsedUp(Exception):
    pass


class _Counted:
    """The menu's reference, with status look-ups counted and refused once the number used them up."""

    def __init__(self, ref, lookups: StatusLookups):
        self._ref, self._lookups = ref, lookups

    def __getattr__(self, name):
        return getattr(self._ref, name)

    def status(self, code: str):
        if not self._lookups.may_look_up():
            raise _LookupsUsedUp
        self._lookups.made += 1
        return self._ref.status(code)


def answer(uow, req: UssdRequest, *, now: datetime, lookups: StatusLookups | None = None) -> str:
    """The reply for one request ('CON …' or 'END …'); a repeated request gets the same reply."""
    session = uow.session.get(UssdSession, req.session_id)
    if session is not None and session.last_text == req.text and session.last_reply:
        return session.last_reply  # the network resent it: same screen, nothing done twice
    phone = _phone(uow, req.phone)
    ref = _Counted(DbReference(uow.settings.country, uow.settings.languages), lookups or StatusLookups())
    if session is None:
        reply = menu.start(_language(uow, phone), uow.settings.languages)
        # A first request may already carry answers (a dialled shortcut such as *123*2#).
        answers = req.text.split("*") if req.text else []
    else:
        reply = menu.Reply(dict(session.state or {}), session.last_reply or "")
        answers = _new_answers(session.last_text or "", req.text, reply.state)
    for given in answers:
        try:
            reply = menu.step(reply.state, given, ref)
        except _LookupsUsedUp:
            reply = menu.Reply({**reply.state, "screen": "end"}, text(reply.state.get("lang", "en"),
                                                                     "too_many_lookups"), done=True)
            break
        if reply.remember_language and phone:
            _remember_language(uow, phone, reply.remember_language)
        if reply.lodge is not None:
            reply = _record(uow, reply, req, phone, now)
        if reply.done:
            break
    body = ("END " if reply.done else "CON ") + reply.screen
    try:
        with unit_of_work(savepoint=True):
            session = _session_row(uow, req, phone)
            session.state, session.last_text, session.last_reply = reply.state, req.text, body
            session.updated_at = now
    except IntegrityError:
        pass  # the same first request arrived twice at once; the other copy stored the same screen
    return body


def _session_row(uow, req: UssdRequest, phone: str | None) -> UssdSession:
    session = uow.session.get(UssdSession, req.session_id)
    if session is None:
        session = UssdSession(session_id=req.session_id, phone=phone or req.phone[:20], state={})
        uow.session.add(session)
    return session


def _new_answers(previous: str, text: str, state: dict) -> list[str]:
    """The answers added since the text seen last time; a typed description is one answer even with '*'."""
    if not previous:
        added = text
    elif text.startswith(previous + "*"):
        added = text[len(previous) + 1:]
    else:  # not a continuation of what we saw: take the last answer only
        added = text.rsplit("*", 1)[-1]
    return [added] if state.get("screen") == "describe" else added.split("*")


def _phone(uow, raw: str) -> str | None:
    try:
        return phones.normalise(raw, uow.settings.country)
    except ValidationError:
        return None


def _language(uow, phone: str | None) -> str:
    contact = uow.session.get(PhoneContact, phone) if phone else None
    if contact is not None and contact.language in uow.settings.languages:
        return contact.language
    return uow.settings.ussd_default_language


def _remember_language(uow, phone: str, lang: str) -> None:
    contact = uow.session.get(PhoneContact, phone) or PhoneContact(phone=phone)
    contact.language = lang
    uow.session.add(contact)


def _record(uow, reply: menu.Reply, req: UssdRequest, phone: str | None, now: datetime) -> menu.Reply:
    """Record the confirmed complaint for the intake worker, its tracking code reserved, and show that code.
    One INSERT beside the session's own row (the worker does the ~35 statements of lodging it); the session
    id keys it, so a resent final answer is shown the same code and nothing is lodged twice."""
    asked = reply.lodge
    confirmed = complaint.Confirmed(session_id=req.session_id, phone=phone, programme=asked.programme,
                                    category=asked.category, area=asked.area, description=asked.description,
                                    language=asked.language)
    try:
        code = _store(uow, confirmed, req, now)
    except RuntimeError:
        log.exception("ussd: the confirmed complaint could not be recorded")
        return menu.Reply(dict(reply.state), menu.failed_screen(asked.language), done=True)
    return menu.Reply(dict(reply.state), menu.lodged_screen(asked.language, code), done=True)


def _store(uow, confirmed: complaint.Confirmed, req: UssdRequest, now: datetime) -> str:
    """The complaint's inbound row, once per session: the code it will be lodged under (its grievance's code
    when the session recorded it before and it is lodged by now)."""
    key = stored_key(confirmed.session_id)
    values = dict(provider=complaint.PROVIDER, provider_message_id=key, sender=(confirmed.phone or req.phone)[:20],
                  recipient=req.service_code[:40] or None, text=confirmed.to_text(), command=complaint.COMMAND,
                  received_at=now, status="pending", processed_at=None, status_allowed=True, attempts=0)
    # The session's final answer again (its session row had missed it): the code it was shown, or its
    # grievance's once lodged.
    earlier = (sa.select(sa.func.coalesce(Grievance.tracking_code, InboundMessage.tracking_code))
               .select_from(InboundMessage).outerjoin(Grievance, Grievance.id == InboundMessage.grievance_id)
               .where(InboundMessage.provider == complaint.PROVIDER, InboundMessage.provider_message_id == key))
    again, code = sms_intake.store_once(uow.session, values, earlier)
    if not again:
        log.info("ussd: complaint recorded for the intake worker")
    return code
