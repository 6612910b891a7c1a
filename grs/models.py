"""The data model: geography, offices, reference data, people, grievances and their history."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .timeutil import UTCDateTime, utcnow

ROLES = ("operator", "officer", "supervisor", "facilitator", "analyst", "admin")
STATUSES = ("received", "acknowledged", "in_progress", "awaiting_info", "resolved", "rejected", "closed")
OPEN_STATUSES = ("received", "acknowledged", "in_progress", "awaiting_info")
CHANNELS = ("web", "sms", "ussd", "operator", "paper", "hearing", "audit", "scorecard", "api")
SEXES = ("female", "male", "other")
AGE_BANDS = ("under_18", "18_34", "35_59", "60_plus")


class NameMixin:
    """An English name, always present (the fallback, and what lists sort by and logs show), and names in
    other languages as data: `names` maps a language code to a name ({"bn": "বাড়িয়া", "ha": ...}).
    `name(lang)` picks the one in `lang` with English as the fallback."""

    name_en: Mapped[str] = mapped_column(sa.String(200))
    names: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict, server_default="{}")

    def name(self, lang: str | None = "en") -> str:
        return ((self.names or {}).get(lang) if lang and lang != "en" else None) or self.name_en or ""

    def set_name(self, lang: str, name: str | None) -> None:
        """Set (or, with an empty name, remove) the name in one language. A new dict is assigned: the
        JSON column does not see changes made inside the old one."""
        if lang == "en":
            self.name_en = name or ""
            return
        names = {k: v for k, v in (self.names or {}).items() if k != lang}
        if name:
            names[lang] = name
        self.names = names


# ---------------------------------------------------------------- geography and offices


class Tier(NameMixin, db.Model):
    """A grievance-handling tier (union, upazila, district, national) and the area level it sits on."""

    __tablename__ = "tiers"
    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    rank: Mapped[int] = mapped_column(sa.Integer, unique=True)  # 1 = lowest
    area_level: Mapped[str] = mapped_column(sa.String(40))


class AreaLevel(NameMixin, db.Model):
    """One level of a country's administrative hierarchy (country, division, district, ...)."""

    __tablename__ = "area_levels"
    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    depth: Mapped[int] = mapped_column(sa.Integer)


class Area(NameMixin, db.Model):
    """An administrative area; `path` (codes from the root, '/'-joined) makes subtree queries one LIKE."""

    __tablename__ = "areas"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    level: Mapped[str] = mapped_column(sa.ForeignKey("area_levels.code"))
    path: Mapped[str] = mapped_column(sa.String(400), index=True)

    parent: Mapped[Area | None] = relationship(remote_side=[id])

    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to this area, inclusive."""
        return [c for c in self.path.split("/") if c]


class Office(NameMixin, db.Model):
    """A grievance office: one tier, covering one area and everything below it."""

    __tablename__ = "offices"
    __table_args__ = (sa.UniqueConstraint("area_id", "tier", name="uq_offices_area_tier"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    tier: Mapped[str] = mapped_column(sa.ForeignKey("tiers.code"))
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    notify_by: Mapped[str] = mapped_column(sa.String(10), default="email")  # sms | email | none
    active: Mapped[bool] = mapped_column(default=True)

    area: Mapped[Area] = relationship()


# ---------------------------------------------------------------- reference data


class Programme(NameMixin, db.Model):
    __tablename__ = "programmes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    active: Mapped[bool] = mapped_column(default=True)


class Category(NameMixin, db.Model):
    """A grievance category; sensitive ones start at `start_tier` and are seen only with permission."""

    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    sensitive: Mapped[bool] = mapped_column(default=False)
    # A tier code, or relative to the country's ladder: "+1" = one above the lowest (grs.services.routing).
    start_tier: Mapped[str | None] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column(default=True)


class SlaPolicy(db.Model):
    """Working-day limits for a tier, optionally for one category (category-specific wins)."""

    __tablename__ = "sla_policies"
    __table_args__ = (sa.UniqueConstraint("tier", "category_id", "kind", name="uq_sla_policies_tier_cat_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tier: Mapped[str] = mapped_column(sa.ForeignKey("tiers.code"))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    kind: Mapped[str] = mapped_column(sa.String(20), default="grievance")  # grievance | appeal
    ack_days: Mapped[int] = mapped_column(default=2)
    resolve_days: Mapped[int] = mapped_column(default=7)
    extension_days: Mapped[int] = mapped_column(default=10)
    # How many working days an information request may pause the clock; None: the built-in default.
    pause_days: Mapped[int | None] = mapped_column()
    # The ladder rules (escalation/policy.py Limits); None everywhere: the built-in default (today's behaviour).
    on_breach: Mapped[str | None] = mapped_column(sa.String(20))  # escalate | appeal | flag
    appeal_levels: Mapped[int | None] = mapped_column()  # appeals a complainant has before the final review
    extension_needs_reason: Mapped[bool | None] = mapped_column()
    day_kind: Mapped[str | None] = mapped_column(sa.String(10))  # working | calendar
    warn_days: Mapped[int | None] = mapped_column()  # working days before the due day the warning falls
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    category: Mapped[Category | None] = relationship()


HOLIDAY_KINDS = ("off", "working", "not_off")


class Holiday(NameMixin, db.Model):
    """An admin's correction of the working calendar, national or for one area's subtree: `off` a day off
    beyond the country's public holidays; `working` a weekend day declared a working day (Bangladesh does
    this to offset Eid); `not_off` a public holiday of the `holidays` package that is a working day this
    year (a moved Eid: `not_off` on the package's date, `off` on the gazette's)."""

    __tablename__ = "holidays"
    __table_args__ = (sa.UniqueConstraint("day", "area_id", name="uq_holidays_day_area"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[datetime] = mapped_column(sa.Date, index=True)
    name_en: Mapped[str] = mapped_column("name", sa.String(200))  # the column kept its old name
    kind: Mapped[str] = mapped_column(sa.String(10), default="off", server_default="off")
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))

    area: Mapped[Area | None] = relationship()


# ---------------------------------------------------------------- people


class User(UserMixin, db.Model):
    """A staff account, scoped to an area (and for officers, an office)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(200), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(300))
    role: Mapped[str] = mapped_column(sa.String(20))
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    can_see_sensitive: Mapped[bool] = mapped_column(default=False)
    # An appellate officer of their office: appeals, and cases handed over on the appeal clock, reach them.
    appellate: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    notify_by: Mapped[str] = mapped_column(sa.String(10), default="email")  # sms | email | none
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of the id in every session and remember-me cookie (get_id): bumped by end_sessions(), so that
    # signing out, a new password or deactivation ends every session the account has anywhere.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    area: Mapped[Area] = relationship()
    office: Mapped[Office | None] = relationship()

    def set_password(self, password: str, method: str = "scrypt") -> None:
        # scrypt by default (PASSWORD_HASH_METHOD); the test suite picks a cheap method for speed.
        had_password = bool(self.password_hash)
        self.password_hash = generate_password_hash(password, method=method)
        if had_password:
            self.end_sessions()

    def end_sessions(self) -> None:
        """Make every session and remember-me cookie issued for this account so far stop working."""
        self.session_version = (self.session_version or 1) + 1

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version or 1}"

    @classmethod
    def from_session_id(cls, session, value: str) -> "User | None":
        """The active account a session's id names, if the id carries its current session version."""
        user_id, _, version = (value or "").partition(":")
        if not user_id.isdigit() or not version.isdigit() or int(user_id) > 2**31 - 1:
            return None
        user = session.get(cls, int(user_id))
        if user is None or not user.active or int(version) != (user.session_version or 1):
            return None
        return user

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in for disabled accounts
        return self.active


@sa.event.listens_for(User.active, "set", active_history=True)
def _deactivation_ends_sessions(user: User, value, old, initiator) -> None:
    # Deactivation ends the sessions for good: reactivating the account later must not revive old cookies.
    if old is True and not value:
        user.end_sessions()


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak reveals no usable token."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "grs_" + secrets.token_urlsafe(32)


class Complainant(db.Model):
    """The person behind a grievance, kept apart so that grievances can be anonymised or shared."""

    __tablename__ = "complainants"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)  # E.164
    sex: Mapped[str | None] = mapped_column(sa.String(10))
    age_band: Mapped[str | None] = mapped_column(sa.String(10))
    disability: Mapped[bool | None] = mapped_column()
    beneficiary_id: Mapped[str | None] = mapped_column(sa.String(60), index=True)
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The phone is the person's own: it sent the SMS or dialled the USSD code, or an operator spoke to
    # them. Only such a record is found again by its phone and updated by a later complaint; what a web
    # form or another system says about a phone it names gets a record of its own (services.intake).
    verified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    area: Mapped[Area | None] = relationship()


class PhoneContact(db.Model):
    """What the system knows about a phone number across channels: language, last area, opt-out."""

    __tablename__ = "phone_contacts"
    phone: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    language: Mapped[str | None] = mapped_column(sa.String(8))
    last_area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# ---------------------------------------------------------------- grievances


class Grievance(db.Model):
    """The current state of one grievance; its `events` are the history everything else reads."""

    __tablename__ = "grievances"
    __table_args__ = (
        sa.Index("ix_grievances_office_status", "office_id", "status"),
        # The sweep reads only what is due: open, not yet flagged/breached, ordered by deadline.
        sa.Index("ix_grievances_due", "is_open", "overdue_flagged", "due_at"),
        sa.Index("ix_grievances_ack_due", "is_open", "ack_breached", "ack_due_at"),
        # The statistics' pending and overdue (grs/statistics.py): the open grievances alone, with every
        # column those figures filter and group by, so they are counted from the index (PostgreSQL).
        sa.Index("ix_grievances_open_stats", "area_id", "received_at",
                 postgresql_include=["programme_id", "category_id", "channel", "sensitive", "level", "office_id",
                                     "complainant_id", "due_at", "paused_at", "is_open", "sex", "age_band",
                                     "disability"],
                 postgresql_where=sa.text("is_open IS true"), sqlite_where=sa.text("is_open = 1")),
        sa.UniqueConstraint("channel", "source_ref", name="uq_grievances_channel_source_ref"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    channel: Mapped[str] = mapped_column(sa.String(20), index=True)
    # A provider message id, MIS reference or finding id; unique per channel so retries are no-ops.
    source_ref: Mapped[str | None] = mapped_column(sa.String(120))
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offices.id"))  # None = triage queue
    level: Mapped[str | None] = mapped_column(sa.ForeignKey("tiers.code"))
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    is_open: Mapped[bool] = mapped_column(default=True)
    sensitive: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    complainant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("complainants.id"), index=True)
    # What the complainant said of themselves for this grievance, as it was lodged: the statistics count
    # by these, so a person's record changed later moves none of their earlier grievances' figures.
    sex: Mapped[str | None] = mapped_column(sa.String(10))
    age_band: Mapped[str | None] = mapped_column(sa.String(10))
    disability: Mapped[bool | None] = mapped_column()
    lodged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The clock at the current office: started when the grievance arrived there.
    clock_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    clock_kind: Mapped[str] = mapped_column(sa.String(20), default="grievance")  # grievance | appeal
    ack_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_working_days: Mapped[int] = mapped_column(default=0)
    extended: Mapped[bool] = mapped_column(default=False)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ack_breached: Mapped[bool] = mapped_column(default=False)
    overdue_flagged: Mapped[bool] = mapped_column(default=False)
    escalation_count: Mapped[int] = mapped_column(default=0)
    appeal_count: Mapped[int] = mapped_column(default=0)
    # After resolution: the window for the citizen's YES/NO, and the answer.
    feedback_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    satisfied: Mapped[bool | None] = mapped_column()
    # A NO with no tier left to appeal to: on the national review list (grs.queries.national_review) until closed.
    review_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    decision: Mapped[str | None] = mapped_column(sa.String(40))
    resolution: Mapped[str | None] = mapped_column(sa.Text)

    event_count: Mapped[int] = mapped_column(default=0)
    head_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # Optimistic lock: a change based on a stale read (two sweeps, a sweep and an officer) fails
    # instead of applying twice.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    programme: Mapped[Programme] = relationship()
    category: Mapped[Category] = relationship()
    area: Mapped[Area | None] = relationship()
    office: Mapped[Office | None] = relationship()
    complainant: Mapped[Complainant | None] = relationship()
    lodged_by: Mapped[User | None] = relationship()
    events: Mapped[list[Event]] = relationship(
        back_populates="grievance", order_by="Event.seq", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="grievance", cascade="all, delete-orphan"
    )

    @property
    def anonymous(self) -> bool:
        return self.complainant_id is None


class GrievanceOffice(db.Model):
    """Every office a grievance has been at: staff scope covers current and past offices."""

    __tablename__ = "grievance_offices"
    grievance_id: Mapped[int] = mapped_column(sa.ForeignKey("grievances.id"), primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), primary_key=True, index=True)

    grievance: Mapped[Grievance] = relationship()


class Event(db.Model):
    """One step in a grievance's life; append-only and hash-chained per grievance."""

    __tablename__ = "events"
    __table_args__ = (sa.UniqueConstraint("grievance_id", "seq", name="uq_events_grievance_seq"),
                      sa.Index("ix_events_type_at", "type", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    grievance_id: Mapped[int] = mapped_column(sa.ForeignKey("grievances.id"))
    seq: Mapped[int] = mapped_column()
    type: Mapped[str] = mapped_column(sa.String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(sa.String(60))  # citizen, system, sweep, user:<id>
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offices.id"))
    level: Mapped[str | None] = mapped_column(sa.String(40))
    status_from: Mapped[str | None] = mapped_column(sa.String(20))
    status_to: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    grievance: Mapped[Grievance] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    office: Mapped[Office | None] = relationship()


class Attachment(db.Model):
    """A file sent with a grievance, stored on disk under its SHA-256."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    grievance_id: Mapped[int] = mapped_column(sa.ForeignKey("grievances.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    grievance: Mapped[Grievance] = relationship(back_populates="attachments")


# ---------------------------------------------------------------- messaging


class OutboxMessage(db.Model):
    """A message to send, written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_status_next", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # Makes "send once" hold when the cause is retried (e.g. the receipt for one inbound message).
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(160), unique=True)
    grievance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grievances.id"), index=True)
    medium: Mapped[str] = mapped_column(sa.String(10), default="sms")  # sms | email
    recipient: Mapped[str] = mapped_column(sa.String(200))
    template: Mapped[str] = mapped_column(sa.String(60))
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    body: Mapped[str] = mapped_column(sa.Text)
    encoding: Mapped[str | None] = mapped_column(sa.String(10))  # GSM-7 | UCS-2
    segments: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(20), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    provider: Mapped[str | None] = mapped_column(sa.String(20))
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(120), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    grievance: Mapped[Grievance | None] = relationship()


class InboundMessage(db.Model):
    """An SMS received from a provider; the unique id makes provider retries harmless.

    The Africa's Talking webhook records it `pending` (with the tracking code a complaint will get) and
    answers; the intake worker (channels/sms/intake.py) handles it and marks it `done`, or `failed` with its
    `error` once it failed `attempts` times. Messages handled in the request itself (Twilio) are `done`."""

    __tablename__ = "inbound_messages"
    __table_args__ = (sa.UniqueConstraint("provider", "provider_message_id", name="uq_inbound_provider_id"),
                      sa.UniqueConstraint("tracking_code", name="uq_inbound_tracking_code"),
                      sa.Index("ix_inbound_status_id", "status", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(20))
    provider_message_id: Mapped[str] = mapped_column(sa.String(120))
    sender: Mapped[str] = mapped_column(sa.String(20))
    recipient: Mapped[str | None] = mapped_column(sa.String(40))
    text: Mapped[str] = mapped_column(sa.Text)
    command: Mapped[str | None] = mapped_column(sa.String(20))
    grievance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grievances.id"))
    reply: Mapped[str | None] = mapped_column(sa.Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(10), default="done", server_default="done")
    tracking_code: Mapped[str | None] = mapped_column(sa.String(12))  # reserved for the complaint it lodges
    status_allowed: Mapped[bool] = mapped_column(default=True, server_default=sa.true())  # STATUS limit, at receipt
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a worker's lease on it
    claimed_by: Mapped[str | None] = mapped_column(sa.String(40))
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(sa.Text)


class UssdSession(db.Model):
    """Server-side state of one USSD session, keyed by the provider's sessionId."""

    __tablename__ = "ussd_sessions"
    session_id: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(20))
    state: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    last_text: Mapped[str | None] = mapped_column(sa.Text)
    last_reply: Mapped[str | None] = mapped_column(sa.Text)
    grievance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grievances.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CallLog(db.Model):
    """A hotline call taken by an operator."""

    __tablename__ = "call_logs"
    # The console lists an operator's recent calls.
    __table_args__ = (sa.Index("ix_call_logs_operator_started", "operator_id", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(sa.String(40))
    grievance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grievances.id"))
    notes: Mapped[str | None] = mapped_column(sa.Text)

    operator: Mapped[User] = relationship()
    grievance: Mapped[Grievance | None] = relationship()


class WebhookSubscription(db.Model):
    """A programme system's subscription to event types: where to POST them and the key that signs them."""

    __tablename__ = "webhook_subscriptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    label: Mapped[str | None] = mapped_column(sa.String(120))
    # Plain text on purpose: HMAC needs the key itself, and a key encrypted with another secret of this
    # same server protects nothing the database's own access control does not (docs/api.md, "Webhooks").
    secret: Mapped[str] = mapped_column(sa.String(200))
    events: Mapped[list] = mapped_column(sa.JSON, default=list)  # event type values (grs.events.WEBHOOK)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()


class WebhookDelivery(db.Model):
    """One event for one subscription: the outbox row that carries it, and what the receiver answered."""

    __tablename__ = "webhook_deliveries"
    # One delivery per event and subscription, however often the dispatcher tries; the log reads newest first.
    __table_args__ = (sa.UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_event"),
                      sa.Index("ix_webhook_deliveries_subscription", "subscription_id", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"))
    outbox_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox.id"), unique=True)
    event_type: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_status_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscription: Mapped[WebhookSubscription] = relationship()
    event: Mapped[Event] = relationship()
    outbox: Mapped[OutboxMessage] = relationship()


# ---------------------------------------------------------------- statistics


class StatCount(db.Model):
    """Per-day counters for the statistics service (grs/statistics.py), kept by the services in the
    transaction that changes a grievance: one row per day, measure and combination of dimensions.

    Absent dimensions are stored as 0 / "" rather than NULL, so the unique key makes the upsert work;
    `working_days` is -1 except on "resolved" rows, where it makes the rows a histogram for the median.
    """

    __tablename__ = "stat_counts"
    __table_args__ = (sa.UniqueConstraint(
        "day", "measure", "programme_id", "category_id", "channel", "area_id", "office_id", "level", "sex",
        "age_band", "disability", "sensitive", "working_days", name="uq_stat_counts_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[datetime] = mapped_column(sa.Date)  # the country's local date of what is counted
    measure: Mapped[str] = mapped_column(sa.String(40))
    programme_id: Mapped[int] = mapped_column()
    category_id: Mapped[int] = mapped_column()
    channel: Mapped[str] = mapped_column(sa.String(20))
    area_id: Mapped[int] = mapped_column()  # the grievance's area (0: none yet)
    office_id: Mapped[int] = mapped_column()  # where it was counted (0: the triage queue)
    level: Mapped[str] = mapped_column(sa.String(40))
    sex: Mapped[str] = mapped_column(sa.String(10))
    age_band: Mapped[str] = mapped_column(sa.String(10))
    disability: Mapped[str] = mapped_column(sa.String(3))  # "yes" | "no" | ""
    sensitive: Mapped[bool] = mapped_column()
    working_days: Mapped[int] = mapped_column()
    n: Mapped[int] = mapped_column(default=0)


class StatContribution(db.Model):
    """What one grievance adds to `stat_counts` now, so a change applies only the difference."""

    __tablename__ = "stat_contributions"
    grievance_id: Mapped[int] = mapped_column(sa.ForeignKey("grievances.id"), primary_key=True)
    counts: Mapped[list] = mapped_column(sa.JSON, default=list)  # [[key..., n], ...]


class AdminEvent(db.Model):
    """One admin action (policies, users, days off, reference data, webhooks, privacy operations), in a
    hash chain of its own: each row's SHA-256 covers its content and the previous row's hash
    (grs/services/admin_audit.py writes and verifies it). Never a password, token or secret in `data`."""

    __tablename__ = "admin_events"
    __table_args__ = (sa.Index("ix_admin_events_kind_at", "kind", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(sa.String(60))
    kind: Mapped[str] = mapped_column(sa.String(40))
    target: Mapped[str] = mapped_column(sa.String(200), default="")
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


from . import rollups  # noqa: E402  (the roll-up tables, and the triggers that keep them, made with stat_counts)

# One table per family of grs/rollups.py (stat_rollups, stat_people_rollups, ...): their columns are the
# counters' they keep, so they are declared there once rather than as a class each here.
ROLLUP_TABLES = rollups.define_tables(db.metadata, StatCount.__table__)
rollups.attach(StatCount.__table__)
