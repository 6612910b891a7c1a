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
    msg = OutboxMessage(grievance=about, **message(uow, "sms", recipient, template, language, now=now,
                                                   dedupe_key=dedupe_key, **context))
    session.add(msg)
    return msg


def message(uow, medium: str, recipient: str, template: str, language: str, *, now: datetime,
            dedupe_key: str | None = None, **context) -> dict:
    """An outbox row's values (without its grievance), the text rendered (and, for an SMS, measured):
    queue_sms, queue_email and the batch sweep all build their rows here."""
    body = uow.render(template, language, **context)
    encoding, segments = measure(body) if medium == "sms" else (None, None)
    return dict(dedupe_key=dedupe_key, medium=medium, recipient=recipient, template=template, language=language,
                body=body, encoding=encoding, segments=segments, status="queued", next_attempt_at=now,
                created_at=now)


def queue_email(uow, recipient: str, template: str, language: str, *, now: datetime,
                about: Grievance | None = None, dedupe_key: str | None = None, **context) -> OutboxMessage | None:
    """Add one e-mail to the outbox (nothing for a repeated dedupe key)."""
    session = uow.session
    if dedupe_key and session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    msg = OutboxMessage(grievance=about, **message(uow, "email", recipient, template, language, now=now,
                                                   dedupe_key=dedupe_key, **context))
    session.add(msg)
    return msg


def tell_citizen(uow, g: Grievance, template: str, *, now: datetime, dedupe_key: str | None = None,
                 **context) -> None:
    """Tell the complainant about a step, in their language, if they left a phone number."""
    found = citizen_recipient(g)
    if found is None:
        return
    phone, language, context_c = found
    queue_sms(uow, phone, template, language, now=now, about=g, dedupe_key=dedupe_key, **context_c, **context)


def citizen_recipient(g: Grievance) -> tuple[str, str, dict] | None:
    """(phone, language, template context) of the complainant's messages; None without a phone number
    (tell_citizen and the batch sweep both address through here)."""
    c = g.complainant
    if c is None or not c.phone:
        return None
    return c.phone, g.language or c.language, dict(code=display(g.tracking_code), grievance=g, lang=g.language)


def tell_office(uow, g: Grievance, office: Office, template: str, *, now: datetime, **context) -> None:
    """Tell the officers of an office that a case needs them, by SMS or e-mail as each prefers.

    An appeal at this office (one arriving, `appeal=True`, or a grievance the office holds on the appeal
    clock) is told to the office's appellate officers when it has any who may see it, else to its officers."""
    officers = uow.session.scalars(sa.select(User).where(*office_officers(office.id))).all()
    for medium, address, u, context_u in office_recipients(g, office, officers, context):
        queue = queue_sms if medium == "sms" else queue_email
        queue(uow, address, template, u.language, now=now, about=g, **context_u)


def office_officers(office_id: int | None = None) -> list:
    """The conditions on User of the officers an office's messages may go to (`office_recipients` chooses)."""
    where = [User.active.is_(True), User.role == "officer"]
    return where + [User.office_id == office_id] if office_id is not None else where


def office_recipients(g: Grievance, office: Office, officers, context: dict) -> list[tuple[str, str, User, dict]]:
    """Who of the office's active officers is told, and how: (medium, address, officer, template context).

    Sensitive cases only to officers who may see them; an appeal at this office (one arriving,
    `appeal=True`, or a grievance the office holds on the appeal clock) to the office's appellate
    officers when it has any who may see it, else to its officers. The per-grievance path (tell_office)
    and the batch sweep both choose through here."""
    officers = [u for u in officers if not g.sensitive or can(u, Capability.SEE_SENSITIVE)]
    context = dict(context)
    if context.get("appeal") or (is_appeal(g) and g.office_id == office.id):
        context["appeal"] = True
        officers = [u for u in officers if hears_appeals(u)] or officers
    out = []
    for u in officers:
        context_u = dict(code=display(g.tracking_code), grievance=g, office=office, lang=u.language, **context)
        if u.notify_by == "sms" and u.phone:
            out.append(("sms", u.phone, u, context_u))
        elif u.notify_by == "email" and u.email:
            out.append(("email", u.email, u, context_u))
    return out
