"""One USSD request: load the session, run the menu, lodge when confirmed, store the screen shown."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy.exc import IntegrityError

from grs import phones
from grs.errors import ValidationError
from grs.extensions import db
from grs.models import PhoneContact, UssdSession
from grs.services.actors import Actor
from grs.services.grievances import ComplainantIn, Intake, lodge

from . import menu
from .reference import DbReference

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UssdRequest:
    """What Africa's Talking sends: `text` is every answer of the session so far, joined by '*'."""

    session_id: str
    phone: str
    text: str
    service_code: str = ""
    network_code: str = ""


def answer(req: UssdRequest, *, now: datetime) -> str:
    """The reply for one request ('CON …' or 'END …'); a repeated request gets the same reply."""
    session = db.session.get(UssdSession, req.session_id)
    if session is not None and session.last_text == req.text and session.last_reply:
        return session.last_reply  # the network resent it: same screen, nothing done twice
    phone = _phone(req.phone)
    ref = DbReference(current_app.config["COUNTRY"])
    if session is None:
        reply = menu.start(_language(phone))
        # A first request may already carry answers (a dialled shortcut such as *123*2#).
        answers = req.text.split("*") if req.text else []
    else:
        reply = menu.Reply(dict(session.state or {}), session.last_reply or "")
        answers = _new_answers(session.last_text or "", req.text, reply.state)
    for given in answers:
        reply = menu.step(reply.state, given, ref)
        if reply.remember_language and phone:
            _remember_language(phone, reply.remember_language)
        if reply.lodge is not None:
            reply = _lodge(reply, req, phone, now)
        if reply.done:
            break
    body = ("END " if reply.done else "CON ") + reply.screen
    # Fetched again: a lodge commits, and a refused one rolls back, in between.
    session = _session_row(req, phone)
    session.state, session.last_text, session.last_reply = reply.state, req.text, body
    session.updated_at = now
    try:
        db.session.commit()
    except IntegrityError:
        # The same first request arrived twice at once; the other copy stored the same screen.
        db.session.rollback()
    return body


def _session_row(req: UssdRequest, phone: str | None) -> UssdSession:
    session = db.session.get(UssdSession, req.session_id)
    if session is None:
        session = UssdSession(session_id=req.session_id, phone=phone or req.phone[:20], state={})
        db.session.add(session)
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


def _phone(raw: str) -> str | None:
    try:
        return phones.normalise(raw, current_app.config["COUNTRY"])
    except ValidationError:
        return None


def _language(phone: str | None) -> str:
    contact = db.session.get(PhoneContact, phone) if phone else None
    if contact is not None and contact.language in current_app.config["LANGUAGES"]:
        return contact.language
    return current_app.config.get("USSD_DEFAULT_LANGUAGE") or current_app.config["BABEL_DEFAULT_LOCALE"]


def _remember_language(phone: str, lang: str) -> None:
    contact = db.session.get(PhoneContact, phone) or PhoneContact(phone=phone)
    contact.language = lang
    db.session.add(contact)


def _lodge(reply: menu.Reply, req: UssdRequest, phone: str | None, now: datetime) -> menu.Reply:
    """Lodge the confirmed complaint; the session id as source_ref makes a resent final answer harmless."""
    asked = reply.lodge
    intake = Intake(channel="ussd", programme=asked.programme, category=asked.category,
                    description=asked.description, area=asked.area, language=asked.language,
                    complainant=ComplainantIn(phone=phone) if phone else None,
                    source_ref=f"ussd:{req.session_id}")
    session_state = dict(reply.state)
    try:
        g = lodge(intake, actor=Actor.citizen("ussd"), now=now)  # commits, with the receipt SMS queued
    except ValidationError as e:
        db.session.rollback()
        log.warning("ussd lodge refused: %s %s", e.message, sorted(e.fields))
        return menu.Reply(session_state, menu.failed_screen(asked.language), done=True)
    _session_row(req, phone).grievance_id = g.id
    return menu.Reply(session_state, menu.lodged_screen(asked.language, g.tracking_code), done=True)
