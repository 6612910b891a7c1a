"""Social accountability records: forums and what they run — community scorecards, social audits, public
hearings and LGU dialogues, awareness events, citizen report cards — tied to a programme and an area.

One table holds every activity (`Activity`, single-table inheritance on `kind`), so a forum's page, the
oversight figures and the grievance links read one list; each kind keeps its own facts in columns of
its own, and its parts (groups, indicators, scores, findings, commitments…) in the tables below.
Anything an activity raises — a finding, a hearing issue, a commitment, a scorecard action item, a
report-card result — is an `Item`; an item can be lodged as a grievance, and the link is kept both ways:
`Item.grievance_id`, and the grievance's `source_ref` ("sa-item:<id>") on channel audit/hearing/scorecard.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grs.extensions import db
from grs.models import Area, Grievance, NameMixin, Programme, User
from grs.timeutil import UTCDateTime, utcnow

# The tiers Bangladesh's Social Protection Forums sit at; a forum's area says where it works.
FORUM_TIERS = ("union", "paurashava", "upazila", "district", "national")
MEMBER_ROLES = ("facilitator", "chair", "secretary", "member")
KINDS = ("scorecard", "audit", "hearing", "dialogue", "awareness", "report_card")
ACTIVITY_STATUSES = ("planned", "in_progress", "completed")
AWARENESS_TYPES = ("courtyard_meeting", "school_programme", "video_show", "radio_spot", "fair", "other")
GROUP_KINDS = ("women", "men", "elderly", "disability", "youth", "mixed")
ITEM_KINDS = ("finding", "issue", "commitment", "action", "result")
ITEM_STATUSES = ("open", "in_progress", "done", "dropped")
FINDING_TYPES = ("ineligible_beneficiary", "missing_beneficiary", "underpayment", "unauthorised_deduction",
                 "bribe", "late_payment", "record_error", "staff_absent", "other")
# The grievance channel an item lodged from each kind of activity arrives on.
CHANNEL_FOR = {"audit": "audit", "hearing": "hearing", "dialogue": "hearing", "scorecard": "scorecard",
               "report_card": "scorecard", "awareness": "hearing"}


class Forum(db.Model):
    """A Social Protection Forum: an NGO-run body at one tier, working within one area."""

    __tablename__ = "sa_forums"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    tier: Mapped[str] = mapped_column(sa.String(20))  # FORUM_TIERS
    ngo: Mapped[str] = mapped_column(sa.String(200))
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship()
    members: Mapped[list[ForumMember]] = relationship(back_populates="forum", cascade="all, delete-orphan",
                                                      order_by="ForumMember.id")


class ForumMember(db.Model):
    """A member: a facilitator with an account (who records the forum's activities), or a person without one."""

    __tablename__ = "sa_forum_members"
    __table_args__ = (sa.UniqueConstraint("forum_id", "user_id", name="uq_sa_forum_members_user"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(sa.ForeignKey("sa_forums.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20), default="member")  # MEMBER_ROLES
    sex: Mapped[str | None] = mapped_column(sa.String(10))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))

    forum: Mapped[Forum] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()


class Indicator(NameMixin, db.Model):
    """A scorecard indicator in a programme's library ("Allowance paid in full", "Staff treat us with respect")."""

    __tablename__ = "sa_indicators"
    __table_args__ = (sa.UniqueConstraint("programme_id", "code", name="uq_sa_indicators_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id"), index=True)  # None: any
    code: Mapped[str] = mapped_column(sa.String(60))
    active: Mapped[bool] = mapped_column(default=True)


class Activity(db.Model):
    """One scorecard cycle, social audit, hearing or dialogue, awareness event or report-card survey."""

    __tablename__ = "sa_activities"
    __table_args__ = (sa.Index("ix_sa_activities_programme_area", "programme_id", "area_id", "held_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)  # KINDS
    forum_id: Mapped[int] = mapped_column(sa.ForeignKey("sa_forums.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id"))
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    held_on: Mapped[date] = mapped_column(sa.Date)  # the meeting, event or (scorecard) interface meeting day
    period_from: Mapped[date | None] = mapped_column(sa.Date)  # what an audit or report card covers
    period_to: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(20), default="completed")
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # Attendance (hearing, dialogue, interface meeting, audit public meeting) or reach (awareness), by sex.
    women: Mapped[int | None] = mapped_column()
    men: Mapped[int | None] = mapped_column()
    other_sex: Mapped[int | None] = mapped_column()
    total: Mapped[int | None] = mapped_column()
    # scorecard
    service_point: Mapped[str | None] = mapped_column(sa.String(200))
    scale_min: Mapped[int | None] = mapped_column()
    scale_max: Mapped[int | None] = mapped_column()
    interface_attendees: Mapped[str | None] = mapped_column(sa.Text)  # who attended the interface meeting
    # hearing / dialogue
    panel: Mapped[str | None] = mapped_column(sa.Text)
    # audit: records examined and the door-to-door verification
    records_examined: Mapped[str | None] = mapped_column(sa.Text)
    checked: Mapped[int | None] = mapped_column()
    found: Mapped[int | None] = mapped_column()
    not_found: Mapped[int | None] = mapped_column()
    ineligible: Mapped[int | None] = mapped_column()
    amount_due: Mapped[int | None] = mapped_column(sa.BigInteger)  # in the currency's main unit (taka)
    amount_paid: Mapped[int | None] = mapped_column(sa.BigInteger)
    # awareness
    event_type: Mapped[str | None] = mapped_column(sa.String(30))  # AWARENESS_TYPES
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    forum: Mapped[Forum] = relationship()
    programme: Mapped[Programme | None] = relationship()
    area: Mapped[Area] = relationship()
    created_by: Mapped[User | None] = relationship()
    groups: Mapped[list[Group]] = relationship(back_populates="activity", cascade="all, delete-orphan",
                                               order_by="Group.id")
    inputs: Mapped[list[InputItem]] = relationship(cascade="all, delete-orphan", order_by="InputItem.id")
    indicators: Mapped[list[CycleIndicator]] = relationship(back_populates="activity", cascade="all, delete-orphan",
                                                            order_by="CycleIndicator.position")
    team: Mapped[list[TeamMember]] = relationship(back_populates="activity", cascade="all, delete-orphan",
                                                  order_by="TeamMember.id")
    items: Mapped[list[Item]] = relationship(back_populates="activity", cascade="all, delete-orphan",
                                             order_by="Item.id")


class Group(db.Model):
    """A scorecard participant group (or a report card's respondents), with counts by sex, age band and disability."""

    __tablename__ = "sa_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("sa_activities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(20), default="mixed")  # GROUP_KINDS
    women: Mapped[int] = mapped_column(default=0)
    men: Mapped[int] = mapped_column(default=0)
    other_sex: Mapped[int] = mapped_column(default=0)
    with_disability: Mapped[int] = mapped_column(default=0)
    age_band: Mapped[str | None] = mapped_column(sa.String(10))  # grs.models.AGE_BANDS, when the group has one

    activity: Mapped[Activity] = relationship(back_populates="groups")

    @property
    def size(self) -> int:
        return self.women + self.men + self.other_sex


class InputItem(db.Model):
    """A row of the scorecard's input-tracking matrix: what is due against what happens."""

    __tablename__ = "sa_input_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("sa_activities.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(sa.String(200))  # "Allowance per quarter", "Payment date", "Staff present"
    entitlement: Mapped[str] = mapped_column(sa.String(200))
    actual: Mapped[str] = mapped_column(sa.String(200))
    remarks: Mapped[str | None] = mapped_column(sa.Text)


class CycleIndicator(db.Model):
    """An indicator scored in one cycle: from the programme's library, or the cycle's own wording."""

    __tablename__ = "sa_cycle_indicators"
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("sa_activities.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sa_indicators.id"))
    text: Mapped[str] = mapped_column(sa.String(300))  # the wording used (the library's English name, or own)
    position: Mapped[int] = mapped_column(default=0)

    activity: Mapped[Activity] = relationship(back_populates="indicators")
    indicator: Mapped[Indicator | None] = relationship()
    scores: Mapped[list[Score]] = relationship(back_populates="cycle_indicator", cascade="all, delete-orphan")


class Score(db.Model):
    """One group's score for one indicator (group None: the providers' self-assessment), with why and what to do."""

    __tablename__ = "sa_scores"
    __table_args__ = (sa.UniqueConstraint("cycle_indicator_id", "group_id", name="uq_sa_scores_group"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("sa_cycle_indicators.id", ondelete="CASCADE"),
                                                    index=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sa_groups.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column()
    reason: Mapped[str | None] = mapped_column(sa.Text)
    suggestion: Mapped[str | None] = mapped_column(sa.Text)

    cycle_indicator: Mapped[CycleIndicator] = relationship(back_populates="scores")
    group: Mapped[Group | None] = relationship()


class TeamMember(db.Model):
    """A social-audit team member; one living in the audited area is flagged (auditors come from outside)."""

    __tablename__ = "sa_team_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("sa_activities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str | None] = mapped_column(sa.String(60))
    resident_area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))

    activity: Mapped[Activity] = relationship(back_populates="team")
    resident_area: Mapped[Area | None] = relationship()

    @property
    def resident_in_audited_area(self) -> bool:
        """Lives anywhere inside the audited area. Worked out, not stored, so correcting the audit's area
        (or the member's) moves the flag with it."""
        audited = self.activity.area if self.activity is not None else None
        return bool(self.resident_area is not None and audited is not None
                    and self.resident_area.path.startswith(audited.path))


class Item(db.Model):
    """Something an activity raised and someone must act on: an audit finding, a hearing issue or
    commitment, a scorecard action-plan item, a report-card result. It can become a grievance."""

    __tablename__ = "sa_items"
    __table_args__ = (sa.Index("ix_sa_items_due", "status", "due_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("sa_activities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # ITEM_KINDS
    title: Mapped[str] = mapped_column(sa.String(300))  # the finding, issue, question or action-plan issue
    description: Mapped[str | None] = mapped_column(sa.Text)
    action: Mapped[str | None] = mapped_column(sa.Text)  # what is to be done (action plan, commitment, action taken)
    responsible: Mapped[str | None] = mapped_column(sa.String(200))  # who: a person, an office, a post
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(20), default="open")  # ITEM_STATUSES
    finding_type: Mapped[str | None] = mapped_column(sa.String(40))  # FINDING_TYPES
    amount: Mapped[int | None] = mapped_column(sa.BigInteger)  # the money involved
    # report-card result: respondents by sex and the answers counted ({"yes": 40, "no": 12})
    results: Mapped[dict | None] = mapped_column(sa.JSON)
    grievance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grievances.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_on: Mapped[date | None] = mapped_column(sa.Date)

    activity: Mapped[Activity] = relationship(back_populates="items")
    grievance: Mapped[Grievance | None] = relationship()
    followups: Mapped[list[FollowUp]] = relationship(back_populates="item", cascade="all, delete-orphan",
                                                     order_by="FollowUp.on")

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and self.status in ("open", "in_progress") and self.due_on < today


class FollowUp(db.Model):
    """A dated follow-up of an item: what was seen, and the status it left the item in."""

    __tablename__ = "sa_followups"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("sa_items.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20))
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    item: Mapped[Item] = relationship(back_populates="followups")
    by: Mapped[User | None] = relationship()
