"""Queue messages to citizens and offices as outbox rows in the caller's transaction."""
from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from jinja2 import TemplateNotFound

from .extensions import db
from .models import Grievance, Office, OutboxMessage, PhoneContact, User
from .permissions import Capability, can
from .tracking import display

log = logging.getLogger(__name__)


def render_text(template: str, language: str, **context) -> str:
    """A message text from templates/messages/<lang>/<template>.txt (English if the language lacks it)."""
    lang = language if language in current_app.config["LANGUAGES"] else "en"
    env = current_app.jinja_env
    try:
        tpl = env.get_template(f"messages/{lang}/{template}.txt")
    except TemplateNotFound:
        tpl = env.get_template(f"messages/en/{template}.txt")
    # Rendered straight from the environment: messages are also made by jobs with no request.
    return " ".join(tpl.render(**context).split())


def _opted_out(phone: str) -> bool:
    contact = db.session.get(PhoneContact, phone)
    return contact is not None and contact.opted_out_at is not None


def queue_sms(recipient: str, template: str, language: str, *, now: datetime, about: Grievance | None = None,
              dedupe_key: str | None = None, **context) -> OutboxMessage | None:
    """Add one SMS to the outbox (nothing for an opted-out number or a repeated dedupe key)."""
    if _opted_out(recipient):
        return None
    if dedupe_key and db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    from channels.sms.encoding import measure  # channels depend on grs, not the other way at import time

    body = render_text(template, language, **context)
    encoding, segments = measure(body)
    msg = OutboxMessage(dedupe_key=dedupe_key, grievance=about, medium="sms", recipient=recipient,
                        template=template, language=language, body=body, encoding=encoding,
                        segments=segments, status="queued", next_attempt_at=now, created_at=now)
    db.session.add(msg)
    return msg


def tell_citizen(g: Grievance, template: str, *, now: datetime, dedupe_key: str | None = None, **context) -> None:
    """Tell the complainant about a step, in their language, if they left a phone number."""
    c = g.complainant
    if c is None or not c.phone:
        return
    queue_sms(c.phone, template, g.language or c.language, now=now, about=g, dedupe_key=dedupe_key,
              code=display(g.tracking_code), grievance=g, lang=g.language, **context)


def tell_office(g: Grievance, office: Office, template: str, *, now: datetime, **context) -> None:
    """Tell the officers of an office that a case needs them, by SMS or e-mail as each prefers."""
    officers = db.session.scalars(
        sa.select(User).where(User.office_id == office.id, User.active.is_(True), User.role == "officer")
    ).all()
    for u in officers:
        if g.sensitive and not can(u, Capability.SEE_SENSITIVE):
            continue
        medium = u.notify_by
        if medium == "sms" and u.phone:
            queue_sms(u.phone, template, u.language, now=now, about=g,
                      code=display(g.tracking_code), grievance=g, office=office, lang=u.language, **context)
        elif medium == "email" and u.email:
            body = render_text(template, u.language, code=display(g.tracking_code), grievance=g, office=office,
                               lang=u.language, **context)
            db.session.add(OutboxMessage(grievance=g, medium="email", recipient=u.email, template=template,
                                         language=u.language, body=body, status="queued",
                                         next_attempt_at=now, created_at=now))
