"""Changing time limits and days off, and bringing open grievances' deadlines in line with them."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from grs.countries import profile
from grs.errors import N_, NotFound, ValidationError
from grs.models import Area, Category, Grievance, Holiday, SlaPolicy, Tier
from grs.services import admin_audit, clocks
from grs.services.actors import Actor
from grs.services.history import record
from grs.timeutil import as_utc, utcnow

from .policy import DAY_KINDS, ON_BREACH

MAX_DAYS = 365


@dataclass(frozen=True)
class PolicyIn:
    tier: str
    kind: str
    ack_days: int
    resolve_days: int
    extension_days: int
    category: str | None = None
    pause_days: int | None = None  # how long an information request may pause the clock; None: the default
    # The ladder rules (escalation/policy.py Limits); None: the built-in default, or unchanged on save.
    on_breach: str | None = None
    appeal_levels: int | None = None
    extension_needs_reason: bool | None = None
    day_kind: str | None = None
    warn_days: int | None = None

    def rules(self) -> dict:
        return {name: getattr(self, name) for name in RULES}


RULES = ("on_breach", "appeal_levels", "extension_needs_reason", "day_kind", "warn_days")


def _validate(session, p: PolicyIn) -> int | None:
    errors = {}
    if session.get(Tier, p.tier) is None:
        errors["tier"] = N_("Unknown tier.")
    if p.kind not in ("grievance", "appeal"):
        errors["kind"] = N_("Use grievance or appeal.")
    for name in ("ack_days", "resolve_days", "extension_days", "pause_days"):
        value = getattr(p, name)
        if name == "pause_days" and value is None:
            continue
        if not isinstance(value, int) or value < 0 or value > MAX_DAYS:
            errors[name] = f"Use a whole number of working days from 0 to {MAX_DAYS}."
    if p.on_breach is not None and p.on_breach not in ON_BREACH:
        errors["on_breach"] = N_("Use escalate, appeal, review or flag.")
    if p.day_kind is not None and p.day_kind not in DAY_KINDS:
        errors["day_kind"] = N_("Use working or calendar.")
    if p.extension_needs_reason is not None and not isinstance(p.extension_needs_reason, bool):
        errors["extension_needs_reason"] = N_("Use true or false.")
    for name in ("appeal_levels", "warn_days"):
        value = getattr(p, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 30):
            errors[name] = N_("Use a whole number from 0 to 30.")
    if isinstance(p.resolve_days, int) and p.resolve_days < 1:
        errors["resolve_days"] = N_("Allow at least one working day to resolve.")
    category_id = None
    if p.category:
        category_id = session.scalar(sa.select(Category.id).where(Category.code == p.category))
        if category_id is None:
            errors["category"] = N_("Unknown category.")
    if errors:
        raise ValidationError("the time limit has errors", errors)
    return category_id


def _find_policy(session, tier: str, kind: str, category_id: int | None) -> SlaPolicy | None:
    return session.scalar(sa.select(SlaPolicy).where(
        SlaPolicy.tier == tier, SlaPolicy.kind == kind,
        SlaPolicy.category_id.is_(None) if category_id is None else SlaPolicy.category_id == category_id))


def save_policy(uow, p: PolicyIn, *, actor: Actor, now: datetime, set_rules: bool = False) -> tuple[SlaPolicy, int]:
    """Create or change one policy; returns it and how many open grievances got new deadlines. The ladder
    rules left None stay as they are, unless `set_rules` (the policies page, which shows them all): then
    None is the built-in default (appeal_levels None: appeals up to the top tier)."""
    category_id = _validate(uow.session, p)
    row = _find_policy(uow.session, p.tier, p.kind, category_id)
    before = None if row is None else _limits(row)
    if row is None:
        row = SlaPolicy(tier=p.tier, kind=p.kind, category_id=category_id)
        uow.session.add(row)
    row.ack_days, row.resolve_days, row.extension_days = p.ack_days, p.resolve_days, p.extension_days
    row.pause_days = p.pause_days  # read by the sweep; it moves no deadline
    for name, value in p.rules().items():  # the API leaves the rules a body does not name as they are
        if value is not None or set_rules:
            setattr(row, name, value)
    conditions = [Grievance.level == p.tier, Grievance.clock_kind == p.kind]
    if category_id is not None:
        conditions.append(Grievance.category_id == category_id)
    changed = _follow_change(uow, conditions, actor=actor, now=now, reason="time limit changed")
    admin_audit.append(uow, "policy_saved", actor=actor, at=now, target=_policy_target(p.tier, p.kind, p.category),
                       data={"before": before, "ack_days": p.ack_days, "resolve_days": p.resolve_days,
                             "extension_days": p.extension_days, "pause_days": p.pause_days,
                             **{name: getattr(row, name) for name in RULES}, "deadlines_changed": changed})
    return row, changed


def _policy_target(tier: str, kind: str, category: str | None) -> str:
    return f"{tier}/{kind}/{category or '*'}"


def _limits(row: SlaPolicy) -> dict:
    return {"ack_days": row.ack_days, "resolve_days": row.resolve_days, "extension_days": row.extension_days,
            "pause_days": row.pause_days, **{name: getattr(row, name) for name in RULES}}


def delete_policy(uow, policy_id: int, *, actor: Actor, now: datetime) -> int:
    """Remove a category-specific policy (tier defaults stay); its grievances fall back to the tier's."""
    row = uow.session.get(SlaPolicy, policy_id)
    if row is None:
        raise NotFound("no such policy")
    if row.category_id is None:
        raise ValidationError("a tier's default limits can be changed but not removed")
    conditions = [Grievance.level == row.tier, Grievance.clock_kind == row.kind,
                  Grievance.category_id == row.category_id]
    target, before = _policy_target(row.tier, row.kind, row.category.code if row.category else None), _limits(row)
    uow.session.delete(row)
    changed = _follow_change(uow, conditions, actor=actor, now=now, reason="time limit removed")
    admin_audit.append(uow, "policy_deleted", actor=actor, at=now, target=target,
                       data={"before": before, "deadlines_changed": changed})
    return changed


def load_policies(uow, path: str, *, replace: bool = False, actor: Actor | None = None,
                  now: datetime | None = None) -> tuple[int, int]:
    """Load a policy seed file; only rows that are missing unless `replace`. Returns (created, updated).
    A file may hold `"include": "OTHER.json"` (relative to itself) instead of its own rows."""
    rows = read_policy_file(path)
    tiers = uow.session.scalars(sa.select(Tier.code)).all()
    known_categories = set(uow.session.scalars(sa.select(Category.code)).all())
    created = updated = 0
    # A row for a named tier wins over a '*' row for the same kind and category.
    named = {(r["tier"], r.get("kind", "grievance"), r.get("category")) for r in rows if r["tier"] != "*"}
    for r in rows:
        if r.get("category") and r["category"] not in known_categories:
            continue  # a category this deployment does not use
        kind, cat = r.get("kind", "grievance"), r.get("category")
        for tier in ([t for t in tiers if (t, kind, cat) not in named] if r["tier"] == "*" else [r["tier"]]):
            p = PolicyIn(tier=tier, kind=r.get("kind", "grievance"), ack_days=r["ack_days"],
                         resolve_days=r["resolve_days"], extension_days=r["extension_days"],
                         category=r.get("category"), pause_days=r.get("pause_days"),
                         **{name: r.get(name) for name in RULES})
            category_id = _validate(uow.session, p)
            row = _find_policy(uow.session, tier, p.kind, category_id)
            if row is None:
                uow.session.add(SlaPolicy(tier=tier, kind=p.kind, category_id=category_id, ack_days=p.ack_days,
                                         resolve_days=p.resolve_days, extension_days=p.extension_days,
                                         pause_days=p.pause_days, **p.rules()))
                created += 1
            elif replace and _loaded(row) != _loaded(p):
                for name, value in _loaded(p).items():
                    setattr(row, name, value)
                updated += 1
            uow.session.flush()
    changed = 0
    if updated and actor is not None and now is not None:
        changed = _follow_change(uow, [], actor=actor, now=now, reason="time limits reloaded")
    else:
        uow.policies.forget()
    if created or updated:
        admin_audit.append(uow, "policies_loaded", actor=actor, at=now or utcnow(), target=os.path.basename(path),
                           data={"created": created, "updated": updated, "replace": replace,
                                 "deadlines_changed": changed})
    return created, updated


def read_policy_file(path: str, _depth: int = 0) -> list[dict]:
    """The rows of a policy file, following its `include` (escalation/default_policies.json names
    escalation/policies/local-redress.json)."""
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    if "include" in doc and _depth < 3:
        return read_policy_file(os.path.join(os.path.dirname(path), doc["include"]), _depth + 1)
    return doc["policies"]


def _loaded(x) -> dict:
    """What a policy file sets on a row: the limits and the ladder rules (absent rules: the default)."""
    return {name: getattr(x, name) for name in ("ack_days", "resolve_days", "extension_days", "pause_days", *RULES)}


def add_holiday(uow, day: date, name: str, area_code: str | None, *, actor: Actor, now: datetime,
                kind: str = "off", name_local: str | None = None) -> tuple[Holiday, int]:
    """Declare a day off for the country or one area's subtree (or, by `kind`, a weekend day a working day,
    or a package holiday not a day off: escalation.calendars.check_kind); deadlines spanning it move.
    `name_local` names the day in the country's local language."""
    from escalation.calendars import check_kind

    name = (name or "").strip()
    if not name:
        raise ValidationError("name the day off", {"name": N_("Give the day off a name.")})
    check_kind(uow, day, kind)
    area = None
    if area_code:
        area = uow.session.scalar(sa.select(Area).where(Area.code == area_code))
        if area is None:
            raise ValidationError("unknown area", {"area": N_("Unknown area.")})
    exists = uow.session.scalar(sa.select(Holiday).where(
        Holiday.day == day, Holiday.area_id.is_(None) if area is None else Holiday.area_id == area.id))
    if exists:
        raise ValidationError("that day off exists already", {"day": N_("Already a day off there.")})
    h = Holiday(day=day, name_en=name[:200], area=area, kind=kind)
    if name_local and name_local.strip():
        h.set_name(profile(uow.settings.country).local_language, name_local.strip()[:200])
    uow.session.add(h)
    what = {"off": "day off added", "working": "working day declared", "not_off": "public holiday worked"}[kind]
    changed = _follow_change(uow, _affected_by_day(day, area), actor=actor, now=now,
                             reason=f"{what}: {day.isoformat()}")
    admin_audit.append(uow, "holiday_added", actor=actor, at=now, target=_holiday_target(day, area),
                       data={"name": h.name_en, "kind": kind, "deadlines_changed": changed})
    return h, changed


def _holiday_target(day: date, area: Area | None) -> str:
    return f"{day.isoformat()}/{area.code if area is not None else '*'}"


def delete_holiday(uow, holiday_id: int, *, actor: Actor, now: datetime) -> int:
    h = uow.session.get(Holiday, holiday_id)
    if h is None:
        raise NotFound("no such day off")
    day, area, name = h.day, h.area, h.name_en
    uow.session.delete(h)
    changed = _follow_change(uow, _affected_by_day(day, area), actor=actor, now=now,
                             reason=f"day off removed: {day.isoformat()}")
    admin_audit.append(uow, "holiday_deleted", actor=actor, at=now, target=_holiday_target(day, area),
                       data={"name": name, "deadlines_changed": changed})
    return changed


def _affected_by_day(day: date, area: Area | None) -> list:
    """Open grievances whose running clock could span that day, within the area's subtree."""
    start = datetime.combine(day, datetime.min.time())
    conditions = [Grievance.due_at >= start]
    if area is not None:
        conditions.append(Grievance.area_id.in_(
            sa.select(Area.id).where(Area.path.startswith(area.path, autoescape=True))))
    return conditions


def _follow_change(uow, conditions: list, *, actor: Actor, now: datetime, reason: str) -> int:
    """After a limit or a day off changed: drop the memoised policies and calendars and move the
    deadlines of the open grievances it touches, in the same unit of work."""
    uow.session.flush()
    uow.policies.forget()
    return recompute_deadlines(uow, conditions, actor=actor, now=now, reason=reason)


def _local_day(uow, at: datetime) -> date:
    """The calendar day of an instant in the country's time zone (what a reader sees of a deadline)."""
    from zoneinfo import ZoneInfo

    from grs.countries import profile

    return as_utc(at).astimezone(ZoneInfo(profile(uow.settings.country).timezone)).date()


def recompute_deadlines(uow, conditions: list, *, actor: Actor, now: datetime, reason: str, batch: int = 500) -> int:
    """Recompute the deadlines of open grievances matching `conditions` from their clock's start,
    today's policies and calendars; write an event on each that changed. Returns how many changed."""
    changed = 0
    last_id = 0
    while True:
        rows = uow.session.scalars(
            sa.select(Grievance).where(Grievance.is_open.is_(True), Grievance.office_id.is_not(None),
                                       Grievance.id > last_id, *conditions)
            .order_by(Grievance.id).limit(batch)).all()
        if not rows:
            return changed
        for g in rows:
            # From scratch, with the same clock function every step of the lifecycle uses.
            d = clocks.deadlines(uow, g)
            due, ack = d.due_at, d.ack_due_at
            if due == g.due_at and ack == g.ack_due_at:
                continue
            old = g.due_at
            # Only a deadline whose day moves is worth a line in the history (and a "from ... to ..." there).
            day_moved = old is None or _local_day(uow, old) != _local_day(uow, due)
            g.due_at, g.ack_due_at = due, ack
            if g.due_at > now:
                g.warned_at = None
                g.overdue_flagged = False
            if ack is not None and ack > now:
                g.ack_breached = False
            if day_moved:
                record(g, "deadline_changed", actor=actor, at=now, status_from=g.status, status_to=g.status,
                       note=reason, data={"from": old.isoformat() if old else None, "to": due.isoformat()})
            changed += 1
        last_id = rows[-1].id
        uow.session.flush()
