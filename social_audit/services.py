"""Recording what forums do, and turning what they find into grievances. Each function takes the
caller's unit of work first and never commits (grs/uow.py); a mistake is one ValidationError naming
every field at once, a record outside the caller's reach a Forbidden (404 for reads: see `get_*`).

Who may do what (grs/permissions.py): ACCOUNTABILITY records (facilitators: only for a forum they are
a member of, within its area; admins: within their area); ACCOUNTABILITY_VIEW reads, within the
account's area subtree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from grs import permissions
from grs.countries import profile
from grs.database import MAX_ID
from grs.errors import N_, Forbidden, NotFound, ValidationError
from grs.models import Area, Programme, User
from grs.permissions import Capability
from grs.services import ComplainantIn, Intake, lodge
from grs.services.actors import Actor

from .models import (ACTIVITY_STATUSES, AWARENESS_TYPES, CHANNEL_FOR, FINDING_TYPES, FORUM_TIERS, GROUP_KINDS,
                     ITEM_KINDS, ITEM_STATUSES, KINDS, MEMBER_ROLES, Activity, CycleIndicator, FollowUp, Forum,
                     ForumMember, Group, Indicator, InputItem, Item, Score, TeamMember)

MAX_TEXT = 4000
DEFAULT_SCALE = (1, 5)
# Which items each kind of activity raises.
ITEMS_OF = {"scorecard": ("action",), "audit": ("finding",), "hearing": ("issue", "commitment"),
            "dialogue": ("issue", "commitment"), "report_card": ("result",), "awareness": ()}


# ---------------------------------------------------------------- reach


def _path(user: User) -> str:
    return permissions.scope_path(user)


def may_record(user: User, forum: Forum) -> bool:
    """Whether `user` may record for `forum`: ACCOUNTABILITY over the forum's area; a facilitator only for
    a forum they are a member of."""
    if not user.active or not permissions.can(user, Capability.ACCOUNTABILITY):
        return False
    if not forum.area.path.startswith(_path(user)):
        return False
    if user.role == "facilitator":
        return any(m.user_id == user.id for m in forum.members)
    return True


def may_read(user: User, area: Area) -> bool:
    return (user.active and (permissions.can(user, Capability.ACCOUNTABILITY_VIEW)
                             or permissions.can(user, Capability.ACCOUNTABILITY))
            and area.path.startswith(_path(user)))


def visible_area_filter(user: User, area_column):
    """A WHERE clause: rows whose area lies in the user's subtree."""
    return area_column.in_(sa.select(Area.id).where(Area.path.startswith(_path(user), autoescape=True)))


def _require_record(user: User, forum: Forum) -> None:
    if not may_record(user, forum):
        raise Forbidden(N_("You may not record for this forum."))


# ---------------------------------------------------------------- small checks


class _Errors(dict):
    def need(self, name: str, value, message: str) -> None:
        if value in (None, "") and name not in self:
            self[name] = message

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(N_("Check the fields marked."), dict(self))


def _text(errors: _Errors, name: str, value: str | None, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    value = (value or "").strip() or None
    if required:
        errors.need(name, value, N_("This field is required."))
    if value is not None and len(value) > limit:
        errors[name] = N_("This text is too long.")
    return value


def _count(errors: _Errors, name: str, value) -> int | None:
    if value in (None, ""):
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        errors[name] = N_("Write a whole number.")
        return None
    if n < 0:
        errors[name] = N_("A count cannot be negative.")
        return None
    return n


def _choice(errors: _Errors, name: str, value, choices, *, required: bool = True):
    if value in (None, ""):
        if required:
            errors.need(name, None, N_("Choose one."))
        return None
    if value not in choices:
        errors[name] = N_("Choose one of the options.")
        return None
    return value


def _attendance(errors: _Errors, women, men, other, total) -> tuple:
    w, m, o, t = (_count(errors, n, v) for n, v in (("women", women), ("men", men), ("other_sex", other),
                                                    ("total", total)))
    parts = [x for x in (w, m, o) if x is not None]
    if t is not None and parts and sum(parts) != t:
        errors["total"] = N_("Women, men and others do not add up to the total.")
    if t is None and parts:
        t = sum(parts)
    return w, m, o, t


def _area(session, errors: _Errors, code: str | None, name: str = "area") -> Area | None:
    if not code:
        errors.need(name, None, N_("Choose an area."))
        return None
    area = session.scalar(sa.select(Area).where(Area.code == code))
    if area is None:
        errors[name] = N_("No area has this code.")
    return area


def _programme(session, errors: _Errors, code: str | None, *, required: bool) -> Programme | None:
    if not code:
        if required:
            errors.need("programme", None, N_("Choose a programme."))
        return None
    found = session.scalar(sa.select(Programme).where(Programme.code == code))
    if found is None:
        errors["programme"] = N_("No programme has this code.")
    return found


# ---------------------------------------------------------------- forums


@dataclass(frozen=True)
class MemberIn:
    name: str
    role: str = "member"
    sex: str | None = None
    organisation: str | None = None
    user_email: str | None = None  # a facilitator's account


@dataclass(frozen=True)
class ForumIn:
    name: str
    tier: str
    ngo: str
    area: str
    members: tuple[MemberIn, ...] = ()


def create_forum(uow, data: ForumIn, *, user: User) -> Forum:
    """A forum at one tier over one area inside the administrator's reach, with its first members."""
    if not permissions.can(user, Capability.MANAGE_ACCOUNTS):
        raise Forbidden(N_("Only an administrator sets up forums."))
    session = uow.session
    errors = _Errors()
    name = _text(errors, "name", data.name, required=True, limit=200)
    ngo = _text(errors, "ngo", data.ngo, required=True, limit=200)
    tier = _choice(errors, "tier", data.tier, FORUM_TIERS)
    area = _area(session, errors, data.area)
    if area is not None and not area.path.startswith(_path(user)):
        errors["area"] = N_("This area is outside your scope.")
    members = [_member(session, errors, m, i) for i, m in enumerate(data.members)]
    errors.raise_if_any()
    forum = Forum(name=name, tier=tier, ngo=ngo, area=area, members=members)
    session.add(forum)
    session.flush()
    return forum


def _member(session, errors: _Errors, m: MemberIn, i: int) -> ForumMember:
    prefix = f"members[{i}]."
    name = _text(errors, prefix + "name", m.name, required=True, limit=200)
    role = _choice(errors, prefix + "role", m.role or "member", MEMBER_ROLES)
    sex = _choice(errors, prefix + "sex", m.sex, ("female", "male", "other"), required=False)
    account = None
    if m.user_email:
        account = session.scalar(sa.select(User).where(User.email == m.user_email.strip().lower()))
        if account is None:
            errors[prefix + "user_email"] = N_("No account has this e-mail address.")
        elif account.role != "facilitator" and role == "facilitator":
            errors[prefix + "user_email"] = N_("This account is not a facilitator's.")
    return ForumMember(name=name or "", role=role or "member", sex=sex, organisation=(m.organisation or None),
                       user=account)


def add_member(uow, forum_id: int, data: MemberIn, *, user: User) -> ForumMember:
    forum = get_forum(uow, forum_id, user=user)
    if not permissions.can(user, Capability.MANAGE_ACCOUNTS):
        raise Forbidden(N_("Only an administrator changes a forum's members."))
    errors = _Errors()
    member = _member(uow.session, errors, data, 0)
    if member.user is not None and any(m.user_id == member.user.id for m in forum.members):
        errors["members[0].user_email"] = N_("This account is already a member.")
    errors.raise_if_any()
    forum.members.append(member)
    uow.session.flush()
    return member


def get_forum(uow, forum_id: int, *, user: User) -> Forum:
    forum = uow.session.get(Forum, forum_id) if 0 < forum_id <= MAX_ID else None
    if forum is None or not may_read(user, forum.area):
        raise NotFound(N_("No forum with this number is in your area."))
    return forum


def forums_for(uow, user: User) -> list[Forum]:
    """The forums a user reads (within their area), and for a facilitator their own first."""
    rows = uow.session.scalars(sa.select(Forum).where(visible_area_filter(user, Forum.area_id))
                               .order_by(Forum.name)).all()
    return sorted(rows, key=lambda f: (not any(m.user_id == user.id for m in f.members), f.name))


# ---------------------------------------------------------------- activities


@dataclass(frozen=True)
class GroupIn:
    name: str
    kind: str = "mixed"
    women: int | str | None = 0
    men: int | str | None = 0
    other_sex: int | str | None = 0
    with_disability: int | str | None = 0
    age_band: str | None = None


@dataclass(frozen=True)
class InputIn:
    item: str
    entitlement: str
    actual: str
    remarks: str | None = None


@dataclass(frozen=True)
class TeamIn:
    name: str
    role: str | None = None
    resident_area: str | None = None  # an area code: where the member lives


@dataclass(frozen=True)
class ActivityIn:
    kind: str
    forum_id: int
    area: str
    title: str
    held_on: date | None
    programme: str | None = None
    period_from: date | None = None
    period_to: date | None = None
    status: str = "completed"
    notes: str | None = None
    women: int | str | None = None
    men: int | str | None = None
    other_sex: int | str | None = None
    total: int | str | None = None
    service_point: str | None = None
    scale_min: int | None = None
    scale_max: int | None = None
    interface_attendees: str | None = None
    panel: str | None = None
    records_examined: str | None = None
    checked: int | str | None = None
    found: int | str | None = None
    not_found: int | str | None = None
    ineligible: int | str | None = None
    amount_due: int | str | None = None
    amount_paid: int | str | None = None
    event_type: str | None = None
    groups: tuple[GroupIn, ...] = ()
    inputs: tuple[InputIn, ...] = ()
    indicators: tuple[str, ...] = ()  # library codes, or own wording (a text that is no code)
    team: tuple[TeamIn, ...] = ()


def local_today(uow, now: datetime) -> date:
    return now.astimezone(ZoneInfo(profile(uow.settings.country).timezone)).date()


def record_activity(uow, data: ActivityIn, *, user: User, now: datetime) -> Activity:
    """A new activity of a forum, with the parts that come with it (a scorecard's groups, input-tracking
    matrix and indicators; an audit's team; a report card's respondents)."""
    session = uow.session
    errors = _Errors()
    kind = _choice(errors, "kind", data.kind, KINDS)
    forum = session.get(Forum, data.forum_id) if data.forum_id and 0 < data.forum_id <= MAX_ID else None
    if forum is None:
        errors["forum"] = N_("Choose a forum.")
    elif not may_record(user, forum):
        raise Forbidden(N_("You may not record for this forum."))
    activity = Activity(kind=kind, forum=forum, created_by_id=user.id)
    _facts(uow, errors, activity, data, now)
    if kind in ("scorecard", "report_card"):
        activity.groups = [_group(errors, g, i) for i, g in enumerate(data.groups)]
    if kind == "scorecard":
        _scorecard_parts(session, errors, activity, data)
    elif kind == "audit":
        activity.team = [_team_member(session, errors, member, i) for i, member in enumerate(data.team)]
    errors.raise_if_any()
    session.add(activity)
    session.flush()
    return activity


def update_activity(uow, activity_id: int, data: ActivityIn, *, user: User, now: datetime) -> Activity:
    """Correct an activity's own facts (title, date, area, attendance, …) under the same rules as when it
    was recorded; its kind and forum stay, and its parts are changed with their own forms. A new scale
    must still hold every score given."""
    a = get_activity(uow, activity_id, user=user)
    _require_record(user, a.forum)
    errors = _Errors()
    # The facts are set on the loaded record as they are checked: a missing one (an area, a title) must not
    # be flushed by a query of the next check (a NOT NULL error, a 500) before the errors are raised.
    with uow.session.no_autoflush:
        _facts(uow, errors, a, data, now)
        if a.kind == "scorecard":
            given = [s.score for ci in a.indicators for s in ci.scores]
            if given and (min(given) < a.scale_min or max(given) > a.scale_max):
                errors["scale_max"] = N_("Some scores given lie outside this scale.")
    errors.raise_if_any()
    uow.session.flush()
    return a


def _facts(uow, errors: _Errors, a: Activity, data: ActivityIn, now: datetime) -> None:
    """Check and set an activity's own facts: those every kind has, then its kind's."""
    session, kind = uow.session, a.kind
    area = _area(session, errors, data.area)
    if a.forum is not None and area is not None and not area.path.startswith(a.forum.area.path):
        errors["area"] = N_("The area must lie within the forum's area.")
    a.area = area
    a.programme = _programme(session, errors, data.programme, required=kind in ("scorecard", "audit", "report_card"))
    a.title = _text(errors, "title", data.title, required=True, limit=200)
    a.status = _choice(errors, "status", data.status or "completed", ACTIVITY_STATUSES)
    errors.need("held_on", data.held_on, N_("Write the date."))
    if data.held_on is not None and a.status == "completed" and data.held_on > local_today(uow, now):
        errors["held_on"] = N_("A completed activity cannot be dated in the future.")
    if data.held_on is not None and any(f.on < data.held_on for i in a.items for f in i.followups):
        errors["held_on"] = N_("Follow-ups were dated before this day.")
    a.held_on, a.period_from, a.period_to = data.held_on, data.period_from, data.period_to
    if data.period_from and data.period_to and data.period_from > data.period_to:
        errors["period_to"] = N_("The end of the period is before its start.")
    if kind == "audit":
        errors.need("period_from", data.period_from, N_("Write the period the audit covers."))
        errors.need("period_to", data.period_to, N_("Write the period the audit covers."))
    a.notes = _text(errors, "notes", data.notes)
    a.women, a.men, a.other_sex, a.total = _attendance(errors, data.women, data.men, data.other_sex, data.total)
    if kind == "scorecard":
        low, high = data.scale_min or DEFAULT_SCALE[0], data.scale_max or DEFAULT_SCALE[1]
        if not (0 <= low < high <= 10):
            errors["scale_max"] = N_("The scale runs from a lower to a higher whole number, at most 10.")
        a.scale_min, a.scale_max = low, high
        a.service_point = _text(errors, "service_point", data.service_point, limit=200)
        a.interface_attendees = _text(errors, "interface_attendees", data.interface_attendees)
    elif kind == "audit":
        a.records_examined = _text(errors, "records_examined", data.records_examined)
        for name in ("checked", "found", "not_found", "ineligible", "amount_due", "amount_paid"):
            setattr(a, name, _count(errors, name, getattr(data, name)))
        if a.checked is not None and None not in (a.found, a.not_found) and a.found + a.not_found > a.checked:
            errors["not_found"] = N_("Found and not found add up to more than were checked.")
        if a.ineligible is not None and a.found is not None and a.ineligible > a.found:
            errors["ineligible"] = N_("More ineligible than found.")
    elif kind in ("hearing", "dialogue"):
        a.panel = _text(errors, "panel", data.panel)
    elif kind == "awareness":
        a.event_type = _choice(errors, "event_type", data.event_type, AWARENESS_TYPES)
        if a.total is None:
            errors.need("total", None, N_("Write how many people were reached."))


def _group(errors: _Errors, g: GroupIn, i: int) -> Group:
    p = f"groups[{i}]."
    name = _text(errors, p + "name", g.name, required=True, limit=120)
    kind = _choice(errors, p + "kind", g.kind or "mixed", GROUP_KINDS)
    women, men, other, disabled = (_count(errors, p + n, v) or 0 for n, v in
                                   (("women", g.women), ("men", g.men), ("other_sex", g.other_sex),
                                    ("with_disability", g.with_disability)))
    if women + men + other == 0:
        errors.setdefault(p + "women", N_("A group needs at least one participant."))
    if disabled > women + men + other:
        errors[p + "with_disability"] = N_("More people with a disability than in the group.")
    age = _choice(errors, p + "age_band", g.age_band, ("under_18", "18_34", "35_59", "60_plus"), required=False)
    return Group(name=name or "", kind=kind or "mixed", women=women, men=men, other_sex=other,
                 with_disability=disabled, age_band=age)


def _scorecard_parts(session, errors: _Errors, a: Activity, data: ActivityIn) -> None:
    a.inputs = []
    for i, row in enumerate(data.inputs):
        p = f"inputs[{i}]."
        a.inputs.append(InputItem(item=_text(errors, p + "item", row.item, required=True, limit=200) or "",
                                  entitlement=_text(errors, p + "entitlement", row.entitlement, required=True,
                                                    limit=200) or "",
                                  actual=_text(errors, p + "actual", row.actual, required=True, limit=200) or "",
                                  remarks=_text(errors, p + "remarks", row.remarks)))
    a.indicators = [_cycle_indicator(session, errors, a.programme, wording, i)
                    for i, wording in enumerate(data.indicators)]


def _cycle_indicator(session, errors: _Errors, programme, wording: str, position: int) -> CycleIndicator:
    wording = (wording or "").strip()
    if not wording:
        errors[f"indicators[{position}]"] = N_("Write the indicator.")
        return CycleIndicator(text="", position=position)
    library = session.scalar(sa.select(Indicator).where(
        Indicator.code == wording, Indicator.active.is_(True),
        sa.or_(Indicator.programme_id.is_(None),
               Indicator.programme_id == (programme.id if programme is not None else -1))))
    if library is not None:
        return CycleIndicator(indicator=library, text=library.name_en, position=position)
    if len(wording) > 300:
        errors[f"indicators[{position}]"] = N_("This text is too long.")
    return CycleIndicator(text=wording[:300], position=position)


def _team_member(session, errors: _Errors, member: TeamIn, i: int) -> TeamMember:
    p = f"team[{i}]."
    where = None
    if member.resident_area:
        where = session.scalar(sa.select(Area).where(Area.code == member.resident_area))
        if where is None:
            errors[p + "resident_area"] = N_("No area has this code.")
    return TeamMember(name=_text(errors, p + "name", member.name, required=True, limit=200) or "",
                      role=_text(errors, p + "role", member.role, limit=60), resident_area=where)


def get_activity(uow, activity_id: int, *, user: User, kind: str | None = None) -> Activity:
    a = uow.session.get(Activity, activity_id) if 0 < activity_id <= MAX_ID else None
    if a is None or (kind is not None and a.kind != kind) or not may_read(user, a.area):
        raise NotFound(N_("No record with this number is in your area."))
    return a


def activities_for(uow, user: User, *, kind: str | None = None, forum_id: int | None = None,
                   programme: str | None = None, area: str | None = None, limit: int = 200) -> list[Activity]:
    q = sa.select(Activity).where(visible_area_filter(user, Activity.area_id))
    if kind:
        q = q.where(Activity.kind == kind)
    if forum_id:
        q = q.where(Activity.forum_id == forum_id)
    if programme:
        q = q.where(Activity.programme_id.in_(sa.select(Programme.id).where(Programme.code == programme)))
    if area:
        root = uow.session.scalar(sa.select(Area).where(Area.code == area))
        if root is None:
            raise ValidationError(N_("unknown area"), {"area": N_("No area has this code.")})
        q = q.where(Activity.area_id.in_(sa.select(Area.id).where(Area.path.startswith(root.path, autoescape=True))))
    return list(uow.session.scalars(q.order_by(Activity.held_on.desc(), Activity.id.desc()).limit(limit)))


# ---------------------------------------------------------------- scorecard scores


@dataclass(frozen=True)
class ScoreIn:
    indicator_id: int  # a CycleIndicator of the cycle
    score: int | str | None
    group_id: int | None = None  # None: the providers' self-assessment
    reason: str | None = None
    suggestion: str | None = None


def set_scores(uow, activity_id: int, scores: list[ScoreIn], *, user: User) -> list[Score]:
    """Each group's (or the providers') score per indicator; a second entry for the same pair replaces it."""
    a = get_activity(uow, activity_id, user=user, kind="scorecard")
    _require_record(user, a.forum)
    errors = _Errors()
    indicators = {ci.id: ci for ci in a.indicators}
    groups = {g.id for g in a.groups}
    saved = []
    for i, s in enumerate(scores):
        p = f"scores[{i}]."
        ci = indicators.get(s.indicator_id)
        if ci is None:
            errors[p + "indicator_id"] = N_("This indicator is not part of the cycle.")
            continue
        if s.group_id is not None and s.group_id not in groups:
            errors[p + "group_id"] = N_("This group is not part of the cycle.")
            continue
        value = _count(errors, p + "score", s.score)
        if value is None:
            errors.setdefault(p + "score", N_("Give a score."))
            continue
        if not (a.scale_min <= value <= a.scale_max):
            errors[p + "score"] = N_("The score must be on the cycle's scale.")
            continue
        existing = next((x for x in ci.scores if x.group_id == s.group_id), None)
        row = existing or Score(cycle_indicator=ci, group_id=s.group_id, score=value)
        row.score, row.reason = value, _text(errors, p + "reason", s.reason)
        row.suggestion = _text(errors, p + "suggestion", s.suggestion)
        if existing is None:
            ci.scores.append(row)
        saved.append(row)
    errors.raise_if_any()
    uow.session.flush()
    return saved


def add_indicator(uow, activity_id: int, wording: str, *, user: User) -> CycleIndicator:
    a = get_activity(uow, activity_id, user=user, kind="scorecard")
    _require_record(user, a.forum)
    errors = _Errors()
    ci = _cycle_indicator(uow.session, errors, a.programme, wording, len(a.indicators))
    errors.raise_if_any()
    a.indicators.append(ci)
    uow.session.flush()
    return ci


def add_group(uow, activity_id: int, data: GroupIn, *, user: User) -> Group:
    a = get_activity(uow, activity_id, user=user)
    if a.kind not in ("scorecard", "report_card"):
        raise ValidationError(N_("Only scorecards and report cards have groups."), {})
    _require_record(user, a.forum)
    errors = _Errors()
    g = _group(errors, data, 0)
    errors.raise_if_any()
    a.groups.append(g)
    uow.session.flush()
    return g


def add_input(uow, activity_id: int, data: InputIn, *, user: User) -> InputItem:
    a = get_activity(uow, activity_id, user=user, kind="scorecard")
    _require_record(user, a.forum)
    errors = _Errors()
    row = InputItem(item=_text(errors, "item", data.item, required=True, limit=200) or "",
                    entitlement=_text(errors, "entitlement", data.entitlement, required=True, limit=200) or "",
                    actual=_text(errors, "actual", data.actual, required=True, limit=200) or "",
                    remarks=_text(errors, "remarks", data.remarks))
    errors.raise_if_any()
    a.inputs.append(row)
    uow.session.flush()
    return row


def add_team_member(uow, activity_id: int, data: TeamIn, *, user: User) -> TeamMember:
    a = get_activity(uow, activity_id, user=user, kind="audit")
    _require_record(user, a.forum)
    errors = _Errors()
    member = _team_member(uow.session, errors, data, 0)
    errors.raise_if_any()
    a.team.append(member)
    uow.session.flush()
    return member


@dataclass(frozen=True)
class Comparison:
    indicator: CycleIndicator
    community: float | None  # the mean of the groups' scores
    provider: int | None
    by_group: dict[int, int]


def comparison(a: Activity) -> list[Comparison]:
    """Community (mean of the groups) against the providers' self-assessment, per indicator."""
    out = []
    for ci in a.indicators:
        by_group = {s.group_id: s.score for s in ci.scores if s.group_id is not None}
        provider = next((s.score for s in ci.scores if s.group_id is None), None)
        mean = round(sum(by_group.values()) / len(by_group), 2) if by_group else None
        out.append(Comparison(ci, mean, provider, by_group))
    return out


def trend(uow, a: Activity) -> dict[str, list[tuple[date, float | None, int | None]]]:
    """Each indicator's community and provider scores across the cycles of the same programme and area,
    oldest first (an indicator is followed by its library entry, or by its wording)."""
    cycles = uow.session.scalars(sa.select(Activity).where(
        Activity.kind == "scorecard", Activity.programme_id == a.programme_id, Activity.area_id == a.area_id,
        Activity.held_on <= a.held_on).order_by(Activity.held_on, Activity.id)).all()
    series: dict[str, list] = {}
    for cycle in cycles:
        for c in comparison(cycle):
            key = c.indicator.indicator.code if c.indicator.indicator is not None else c.indicator.text.lower()
            series.setdefault(key, []).append((cycle.held_on, c.community, c.provider))
    return series


# ---------------------------------------------------------------- items and follow-up


@dataclass(frozen=True)
class ItemIn:
    kind: str
    title: str
    description: str | None = None
    action: str | None = None
    responsible: str | None = None
    due_on: date | None = None
    status: str = "open"
    finding_type: str | None = None
    amount: int | str | None = None
    results: dict | None = None


def add_item(uow, activity_id: int, data: ItemIn, *, user: User) -> Item:
    a = get_activity(uow, activity_id, user=user)
    _require_record(user, a.forum)
    errors = _Errors()
    kind = _choice(errors, "kind", data.kind, ITEM_KINDS)
    if kind is not None and kind not in ITEMS_OF[a.kind]:
        errors["kind"] = N_("This kind of record does not raise that.")
    title = _text(errors, "title", data.title, required=True, limit=300)
    status = _choice(errors, "status", data.status or "open", ITEM_STATUSES)
    if data.due_on is not None and data.due_on < a.held_on:
        errors["due_on"] = N_("The due date is before the meeting.")
    if kind in ("commitment", "action"):
        errors.need("responsible", (data.responsible or "").strip() or None, N_("Say who will act."))
        errors.need("due_on", data.due_on, N_("Write by when."))
    finding_type = _choice(errors, "finding_type", data.finding_type, FINDING_TYPES, required=kind == "finding")
    results = data.results
    if kind == "result":
        if not isinstance(results, dict) or not results or not all(
                isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
                for k, v in results.items()):
            errors["results"] = N_("Give each answer with how many gave it.")
    else:
        results = None
    item = Item(kind=kind, title=title, description=_text(errors, "description", data.description),
                action=_text(errors, "action", data.action), responsible=_text(errors, "responsible",
                                                                             data.responsible, limit=200),
                due_on=data.due_on, status=status, finding_type=finding_type,
                amount=_count(errors, "amount", data.amount), results=results)
    errors.raise_if_any()
    a.items.append(item)
    uow.session.flush()
    return item


@dataclass(frozen=True)
class FollowUpIn:
    on: date | None
    note: str
    status: str


def follow_up(uow, item_id: int, data: FollowUpIn, *, user: User, now: datetime) -> FollowUp:
    """A dated follow-up, which sets the item's status (done: the day it was done)."""
    item = get_item(uow, item_id, user=user)
    _require_record(user, item.activity.forum)
    errors = _Errors()
    errors.need("on", data.on, N_("Write the date."))
    if data.on is not None and data.on < item.activity.held_on:
        errors["on"] = N_("A follow-up cannot be dated before the meeting.")
    if data.on is not None and data.on > local_today(uow, now):
        errors["on"] = N_("A follow-up cannot be dated in the future.")
    note = _text(errors, "note", data.note, required=True)
    status = _choice(errors, "status", data.status, ITEM_STATUSES)
    errors.raise_if_any()
    entry = FollowUp(on=data.on, note=note, status=status, by_id=user.id)
    item.followups.append(entry)
    item.status = status
    item.done_on = data.on if status == "done" else None
    uow.session.flush()
    return entry


def get_item(uow, item_id: int, *, user: User) -> Item:
    item = uow.session.get(Item, item_id) if 0 < item_id <= MAX_ID else None
    if item is None or not may_read(user, item.activity.area):
        raise NotFound(N_("No record with this number is in your area."))
    return item


def _overdue(user: User, today: date, forum_id: int | None, area_path: str | None):
    q = (sa.select(Item).join(Activity).where(Item.status.in_(("open", "in_progress")), Item.due_on < today,
                                              visible_area_filter(user, Activity.area_id)))
    if forum_id is not None:
        q = q.where(Activity.forum_id == forum_id)
    if area_path is not None:
        q = q.where(Activity.area_id.in_(sa.select(Area.id).where(Area.path.startswith(area_path, autoescape=True))))
    return q


def overdue_items(uow, user: User, today: date, *, forum_id: int | None = None, area_path: str | None = None):
    """Commitments and action items past their date and not done, within the user's reach."""
    return list(uow.session.scalars(_overdue(user, today, forum_id, area_path).order_by(Item.due_on)))


def count_overdue(uow, user: User, today: date) -> int:
    """How many `overdue_items` there are, counted by the database (the inbox asks on every load)."""
    return uow.session.scalar(sa.select(sa.func.count()).select_from(_overdue(user, today, None, None).subquery()))


# ---------------------------------------------------------------- into the grievance system


@dataclass(frozen=True)
class LodgeIn:
    category: str
    programme: str | None = None  # default: the activity's
    description: str | None = None  # default: the item's title and description
    area: str | None = None  # default: the activity's area
    language: str = "en"
    complainant: ComplainantIn | None = None  # None: raised by the forum, no one person


def lodge_item(uow, item_id: int, data: LodgeIn, *, user: User, now: datetime):
    """The item as a grievance, received on the day it was raised (the meeting), on the activity's channel,
    routed and escalated like any other. Lodging twice returns the first grievance."""
    item = get_item(uow, item_id, user=user)
    activity = item.activity
    _require_record(user, activity.forum)
    if item.grievance is not None:
        return item.grievance
    programme = data.programme or (activity.programme.code if activity.programme else None)
    description = (data.description or "").strip() or "\n\n".join(
        x for x in (item.title, item.description, item.action) if x)
    tz = ZoneInfo(profile(uow.settings.country).timezone)
    received = datetime.combine(activity.held_on, time(0), tz).astimezone(ZoneInfo("UTC"))
    intake = Intake(channel=CHANNEL_FOR[activity.kind], programme=programme or "", category=data.category,
                    description=description, area=data.area or activity.area.code, language=data.language,
                    complainant=data.complainant, source_ref=f"sa-item:{item.id}",
                    received_at=min(received, now))
    g = lodge(uow, intake, actor=Actor.staff(user), now=now)
    item.grievance = g
    uow.session.flush()
    return g


def source_of(session, grievance_id: int) -> Item | None:
    """The finding, issue or action item a grievance was lodged from, if any."""
    return session.scalar(sa.select(Item).where(Item.grievance_id == grievance_id))


@dataclass
class Oversight:
    """What the tools found and what became of it, for one programme (or all) within one area."""

    key: str | None  # a programme code, an area code, or None for the total
    scorecards: int = 0
    community_scores: list = field(default_factory=list)
    provider_scores: list = field(default_factory=list)
    audits: int = 0
    findings: int = 0
    findings_amount: int = 0
    hearings: int = 0
    awareness_events: int = 0
    reached_women: int = 0
    reached_men: int = 0
    reached_total: int = 0
    report_cards: int = 0
    follow_ups_due: int = 0  # commitments and action items with a date
    done_on_time: int = 0
    overdue: int = 0
    grievances: int = 0
    grievances_resolved: int = 0
    grievances_open: int = 0
    community_by_half: dict = field(default_factory=dict)  # "2026-H1" -> the community's scores that half-year

    def community_trend(self) -> dict[str, float]:
        """The community's mean score per half-year, oldest first: how the scorecards move over the cycles."""
        return {half: round(sum(v) / len(v), 2) for half, v in sorted(self.community_by_half.items()) if v}

    @property
    def community_mean(self) -> float | None:
        return round(sum(self.community_scores) / len(self.community_scores), 2) if self.community_scores else None

    @property
    def provider_mean(self) -> float | None:
        return round(sum(self.provider_scores) / len(self.provider_scores), 2) if self.provider_scores else None

    @property
    def on_time_share(self) -> float | None:
        return round(self.done_on_time / self.follow_ups_due, 4) if self.follow_ups_due else None

    def as_row(self) -> dict:
        return {"key": self.key, "scorecards": self.scorecards, "community_mean_score": self.community_mean,
                "provider_mean_score": self.provider_mean, "audits": self.audits, "findings": self.findings,
                "findings_amount": self.findings_amount, "hearings": self.hearings,
                "awareness_events": self.awareness_events, "reached_women": self.reached_women,
                "reached_men": self.reached_men, "reached_total": self.reached_total,
                "report_cards": self.report_cards, "commitments_with_date": self.follow_ups_due,
                "done_on_time": self.done_on_time, "on_time_share": self.on_time_share, "overdue": self.overdue,
                "grievances_raised": self.grievances, "grievances_resolved": self.grievances_resolved,
                "grievances_open": self.grievances_open}


OVERSIGHT_COLUMNS = tuple(Oversight(None).as_row())


def oversight(uow, user: User, *, today: date, programme: str | None = None, area: str | None = None,
              group_by: str = "programme") -> tuple[Oversight, list[Oversight]]:
    """The total and one row per programme (group_by="programme") or per area one level down
    (group_by="area"), over the activities within the user's reach (and `area`, `programme`)."""
    from sqlalchemy.orm import selectinload

    session = uow.session
    root = None
    if area:
        root = session.scalar(sa.select(Area).where(Area.code == area))
        if root is None:
            raise ValidationError(N_("unknown area"), {"area": N_("No area has this code.")})
        if not may_read(user, root):
            raise Forbidden(N_("This area is outside your scope."))
    else:
        root = session.scalar(sa.select(Area).where(Area.path == _path(user)))
    q = (sa.select(Activity).where(visible_area_filter(user, Activity.area_id))
         .options(selectinload(Activity.items).selectinload(Item.grievance),
                  selectinload(Activity.indicators).selectinload(CycleIndicator.scores),
                  selectinload(Activity.programme), selectinload(Activity.area)))
    if root is not None:
        q = q.where(Activity.area_id.in_(sa.select(Area.id).where(Area.path.startswith(root.path, autoescape=True))))
    if programme:
        q = q.where(Activity.programme_id.in_(sa.select(Programme.id).where(Programme.code == programme)))
    depth = len(root.ancestor_codes()) if root is not None else 0

    def key_of(a: Activity) -> str | None:
        if group_by == "area":
            codes = a.area.ancestor_codes()
            return codes[depth] if len(codes) > depth else codes[-1]
        return a.programme.code if a.programme else None

    total = Oversight(None)
    rows: dict = {}
    for a in session.scalars(q):
        row = rows.setdefault(key_of(a), Oversight(key_of(a)))
        for o in (total, row):
            _add(o, a, today)
    return total, [rows[k] for k in sorted(rows, key=lambda k: (k is None, str(k)))]


def _add(o: Oversight, a: Activity, today: date) -> None:
    if a.kind == "scorecard":
        o.scorecards += 1
        half = o.community_by_half.setdefault(f"{a.held_on.year}-H{1 if a.held_on.month <= 6 else 2}", [])
        for ci in a.indicators:
            for s in ci.scores:
                (o.community_scores if s.group_id is not None else o.provider_scores).append(s.score)
                if s.group_id is not None:
                    half.append(s.score)
    elif a.kind == "audit":
        o.audits += 1
    elif a.kind in ("hearing", "dialogue"):
        o.hearings += 1
    elif a.kind == "awareness":
        o.awareness_events += 1
        o.reached_women += a.women or 0
        o.reached_men += a.men or 0
        o.reached_total += a.total or 0
    elif a.kind == "report_card":
        o.report_cards += 1
    for item in a.items:
        if item.kind == "finding":
            o.findings += 1
            o.findings_amount += item.amount or 0
        if item.kind in ("commitment", "action") and item.due_on is not None:
            o.follow_ups_due += 1
            if item.status == "done" and item.done_on is not None and item.done_on <= item.due_on:
                o.done_on_time += 1
            if item.overdue(today):
                o.overdue += 1
        g = item.grievance
        if g is not None:
            o.grievances += 1
            o.grievances_resolved += g.status == "resolved" or (g.status == "closed" and g.decision == "resolved")
            o.grievances_open += bool(g.is_open)
