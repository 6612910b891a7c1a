"""What channels hand to the services: a complaint (Intake) or an action (ActionRequest), and the
checks on a complaint and its complainant before anything is stored."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from .. import phones
from ..errors import N_, ValidationError
from ..models import AGE_BANDS, CHANNELS, SEXES, Area, Category, Complainant, PhoneContact, Programme

MAX_DESCRIPTION = 4000
MAX_NAME = 200


@dataclass(frozen=True)
class ComplainantIn:
    """What a complainant chose to tell about themselves; every field optional."""

    name: str | None = None
    phone: str | None = None
    sex: str | None = None
    age_band: str | None = None
    disability: bool | None = None
    beneficiary_id: str | None = None


@dataclass(frozen=True)
class AttachmentIn:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Intake:
    """One complaint as any channel hands it over; codes, not database ids."""

    channel: str
    programme: str
    category: str
    description: str
    area: str | None = None  # None: the triage queue places it
    language: str = "en"
    complainant: ComplainantIn | None = None  # None: anonymous
    attachments: tuple[AttachmentIn, ...] = ()
    source_ref: str | None = None  # provider message id etc.: a repeat returns the first grievance
    received_at: datetime | None = None  # when a paper form was filled in, if earlier than now
    # The complainant's phone is known to be theirs: the SMS or USSD session came from it, or an operator
    # is speaking to the caller. Only then may the complaint find and update that phone's person record.
    phone_verified: bool = False
    # Queue the receipt SMS. False when the channel answers with the receipt itself (Twilio's TwiML reply),
    # or when the phone named had its share of receipts (grs/ratelimit.py: a stranger's number is not texted
    # without end); the grievance is lodged all the same.
    queue_receipt: bool = True
    # The code reserved for it when its message was recorded (an SMS the intake worker lodges later, whose
    # webhook answer already named it); None: a fresh one.
    tracking_code: str | None = None


@dataclass(frozen=True)
class ActionRequest:
    """A lifecycle action with its parameters, as the API, case page or a channel states it."""

    action: str
    note: str | None = None
    decision: str | None = None
    resolution: str | None = None
    office: str | None = None  # transfer target
    area: str | None = None  # place target
    satisfied: bool | None = None  # feedback
    reason_code: str | None = None  # reject: one of grs.events.REJECT_REASONS
    attachments: tuple[AttachmentIn, ...] = ()  # add_info: files with the complainant's answer
    channel: str | None = None  # add_info: how the answer came (default: from the actor)
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Checked:
    """An intake whose codes were found: the rows it names."""

    programme: Programme
    category: Category
    area: Area | None


def check(uow, intake: Intake) -> Checked:
    """The rows an intake names, or one ValidationError listing every mistake at once."""
    errors = _shape_errors(intake, uow.settings)
    session = uow.session
    programme = _active_by_code(session, Programme, intake.programme, "programme", errors)
    category = _active_by_code(session, Category, intake.category, "category", errors)
    area = None
    if intake.area:
        area = session.scalar(sa.select(Area).where(Area.code == intake.area))
        if area is None:
            errors["area"] = N_("Unknown area.")
    if errors:
        raise ValidationError("the complaint has errors", errors)
    return Checked(programme, category, area)


def _active_by_code(session, model, code: str | None, name: str, errors: dict[str, str]):
    if not code:
        errors[name] = N_("Choose a programme.") if name == "programme" else N_("Choose a category.")
        return None
    obj = session.scalar(sa.select(model).where(model.code == code))
    if obj is None or not getattr(obj, "active", True):
        errors[name] = N_("Unknown programme.") if name == "programme" else N_("Unknown category.")
        return None
    return obj


def _shape_errors(intake: Intake, settings) -> dict[str, str]:
    errors: dict[str, str] = {}
    if intake.channel not in CHANNELS:
        errors["channel"] = f"Unknown channel; use one of {', '.join(CHANNELS)}."
    text = (intake.description or "").strip()
    if not text:
        errors["description"] = N_("Describe the complaint.")
    elif len(text) > MAX_DESCRIPTION:
        errors["description"] = f"Keep the description under {MAX_DESCRIPTION} characters."
    if intake.language not in settings.languages:
        errors["language"] = f"Unsupported language; use one of {', '.join(settings.languages)}."
    c = intake.complainant
    if c is not None:
        if c.sex and c.sex not in SEXES:
            errors["sex"] = f"Use one of {', '.join(SEXES)}."
        if c.age_band and c.age_band not in AGE_BANDS:
            errors["age_band"] = f"Use one of {', '.join(AGE_BANDS)}."
        if c.name and len(c.name) > MAX_NAME:
            errors["name"] = N_("Name is too long.")
        try:  # checked here too so that a bad number is reported with every other mistake at once
            phones.normalise(c.phone, settings.country)
        except ValidationError as e:
            errors.update(e.fields)
    return errors


PERSON_FIELDS = ("name", "sex", "age_band", "disability", "beneficiary_id")


def tells_anything(c: ComplainantIn, phone: str | None) -> bool:
    """Whether the complainant said anything to keep (else the complaint is anonymous)."""
    return any([c.name, phone, c.beneficiary_id, c.sex, c.age_band, c.disability is not None])


def same_person(known_name: str | None, c: ComplainantIn) -> bool:
    """A verified phone's record is the caller's unless both have a name and the names differ."""
    return not (c.name and known_name and known_name.strip().lower() != c.name.strip().lower())


def told(c: ComplainantIn) -> dict:
    """What the complainant told of PERSON_FIELDS (blanks left out), as stored: texts stripped."""
    out = {}
    for attr in PERSON_FIELDS:
        value = getattr(c, attr)
        if value is not None and value != "":
            out[attr] = value.strip() if isinstance(value, str) else value
    return out


def complainant_for(uow, c: ComplainantIn, language: str, area: Area | None, *,
                    phone_verified: bool = False) -> Complainant | None:
    """The complainant record for what a person told.

    A verified phone (`phone_verified`: the SMS or USSD session came from it, or an operator speaks to
    the caller) finds that person's record again, so the operator sees one history per person, and what
    they tell now updates it. Anything else (the public web form, the API, imports) cannot show that the
    phone it names is the complainant's: it gets a record of its own, and no earlier record, grievance or
    phone contact changes."""
    session = uow.session
    phone = phones.normalise(c.phone, uow.settings.country)
    if not tells_anything(c, phone):
        return None
    person = None
    if phone and phone_verified:
        person = session.scalar(
            sa.select(Complainant).where(Complainant.phone == phone, Complainant.verified.is_(True))
            .order_by(Complainant.id.desc()).limit(1)
        )
        if person and not same_person(person.name, c):
            person = None
    if person is None:
        person = Complainant(phone=phone, verified=bool(phone and phone_verified))
        session.add(person)
    for attr, value in told(c).items():
        setattr(person, attr, value)
    person.language = language
    if area is not None:
        person.area = area
    if phone and phone_verified:
        contact = session.get(PhoneContact, phone) or PhoneContact(phone=phone)
        contact.language = contact.language or language
        if area is not None:
            contact.last_area_id = area.id
        session.add(contact)
    return person
