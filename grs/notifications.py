"""Queue messages to citizens and offices as outbox rows in the caller's unit of work."""
from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from jinja2 import Environment, TemplateNotFound

from .models import Grievance, Office, OutboxMessage, PhoneContact, User
from .permissions import Capability, can, hears_appeals, is_appeal
from .segments import measure
from .tracking import display

log = logging.getLogger(__name__)


def render_with(env: Environment, languages: tuple[str, ...], template: str, language: str, **context) -> str:
    """A message text from templates/messages/<lang>/<template>.txt (English if the language lacks it)."""
    lang = language if language in languages else "en"
    try:
        tpl = env.get_template(f"messages/{lang}/{template}.txt")
    except TemplateNotFound:
        tpl = env.get_template(f"messages/en/{template}.txt")
    # Rendered straight from the environment: messages are also made by jobs with no request.
    return " ".join(tpl.render(**context).split())


def opted_out(session, phone: str) -> bool:
    contact = session.get(PhoneContact, phone)
    return contact is not None and contact.opted_out_at is not None


def queue_sms(uow, recipient: str, template: str, language: str, *, now: datetime,
              about: Grievance | None = None, dedupe_key: str | None = None, **context) -> OutboxMessage | None:
    """Add one SMS to the outbox (nothing for an opted-out number or a repeated dedupe key)."""
    session = uow.session
    if opted_out(session, recipient):
        return None
    if dedupe_key and session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    body = uow.render(template, language, **context)
    encoding, segments = measure(body)
    msg = OutboxMessage(dedupe_key=dedupe_key, grievance=about, medium="sms", recipient=recipient,
                        template=template, language=language, body=body, encoding=encoding,
                        segments=segments, status="queued", next_attempt_at=now, created_at=now)
    session.add(msg)
    return msg


def queue_email(uow, recipient: str, template: str, language: str, *, now: datetime,
                about: Grievance | None = None, dedupe_key: str | None = None, **context) -> OutboxMessage | None:
    """Add one e-mail to the outbox (nothing for a repeated dedupe key)."""
    session = uow.session
    if dedupe_key and session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    msg = OutboxMessage(dedupe_key=dedupe_key, grievance=about, medium="email", recipient=recipient,
                        template=template, language=language, body=uow.render(template, language, **context),
                        status="queued", next_attempt_at=now, created_at=now)
    session.add(msg)
    return msg


def tell_citizen(uow, g: Grievance, template: str, *, now: datetime, dedupe_key: str | None = None,
                 **context) -> None:
    """Tell the complainant about a step, in their language, if they left a phone number."""
    c = g.complainant
    if c is None or not c.phone:
        return
    queue_sms(uow, c.phone, template, g.language or c.language, now=now, about=g, dedupe_key=dedupe_key,
              code=display(g.tracking_code), grievance=g, lang=g.language, **context)


def tell_office(uow, g: Grievance, office: Office, template: str, *, now: datetime, **context) -> None:
    """Tell the officers of an office that a case needs them, by SMS or e-mail as each prefers.

    An appeal at this office (one arriving, `appeal=True`, or a grievance the office holds on the appeal
    clock) is told to the office's appellate officers when it has any who may see it, else to its officers."""
    officers = [u for u in uow.session.scalars(
        sa.select(User).where(User.office_id == office.id, User.active.is_(True), User.role == "officer")
    ).all() if not g.sensitive or can(u, Capability.SEE_SENSITIVE)]
    if context.get("appeal") or (is_appeal(g) and g.office_id == office.id):
        context["appeal"] = True
        officers = [u for u in officers if hears_appeals(u)] or officers
    for u in officers:
        context_u = dict(code=display(g.tracking_code), grievance=g, office=office, lang=u.language, **context)
        if u.notify_by == "sms" and u.phone:
            queue_sms(uow, u.phone, template, u.language, now=now, about=g, **context_u)
        elif u.notify_by == "email" and u.email:
            queue_email(uow, u.email, template, u.language, now=now, about=g, **context_u)
