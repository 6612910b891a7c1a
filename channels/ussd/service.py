"""One USSD request: load the session, run the menu, lodge when confirmed, store the screen shown."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from grs import phones
from grs.errors import ValidationError
from grs.models import PhoneContact, UssdSession
from grs.services import ComplainantIn, Intake, lodge
from grs.services.actors import Actor
from grs.uow import unit_of_work

from . import menu
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
            reply = _lodge(uow, reply, req, phone, now)
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


def _lodge(uow, reply: menu.Reply, req: UssdRequest, phone: str | None, now: datetime) -> menu.Reply:
    """Lodge the confirmed complaint; the session id as source_ref makes a resent final answer harmless."""
    asked = reply.lodge
    intake = Intake(channel="ussd", programme=asked.programme, category=asked.category,
                    description=asked.description, area=asked.area, language=asked.language,
                    complainant=ComplainantIn(phone=phone) if phone else None,
                    phone_verified=phone is not None,  # the network's number for the session
                    source_ref=f"ussd:{req.session_id}")
    session_state = dict(reply.state)
    try:
        with unit_of_work(savepoint=True):
            g = lodge(uow, intake, actor=Actor.citizen("ussd"), now=now)  # with the receipt SMS queued
    except ValidationError as e:
        log.warning("ussd lodge refused: %s %s", e.message, sorted(e.fields))
        return menu.Reply(session_state, menu.failed_screen(asked.language), done=True)
    _session_row(uow, req, phone).grievance_id = g.id
    return menu.Reply(session_state, menu.lodged_screen(asked.language, g.tracking_code), done=True)
