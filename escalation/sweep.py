"""The escalation pass: everything that happens because time passed, idempotent and safe to run twice.

Each grievance is handled in its own short transaction, claimed with `FOR UPDATE SKIP LOCKED` on
PostgreSQL and protected everywhere by the grievance's version column, so two sweeps running at once
never act on the same grievance twice. Every query starts from an index on a deadline, so a pass
costs time in proportion to what is due, not to the number of open grievances.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from grs import queries
from grs.database import is_postgres
from grs.extensions import db
from grs.models import Grievance
from grs.services import clocks
from grs.services.actions import close, end_pause, escalate_one, pause_limit_passed
from grs.services.actors import Actor
from grs.services.effects import Effects
from grs.timeutil import as_utc
from grs.uow import unit_of_work

from . import batch as batch_
from . import sla
from .policy import Policies

log = logging.getLogger(__name__)

SWEEP = Actor.system("sweep")


@dataclass
class SweepResult:
    """What one pass did, for the CLI and the scheduler log (codes only, no personal data)."""

    now: datetime
    escalated: list[tuple[str, str, str]] = field(default_factory=list)  # code, from office, to office
    flagged: list[str] = field(default_factory=list)
    ack_breached: list[str] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    unpaused: list[str] = field(default_factory=list)  # information requests past their limit
    conflicts: int = 0
    # Beyond KEPT codes a list the batch path only counts (a pass's memory must not grow with what is due).
    more: dict[str, int] = field(default_factory=dict)

    KEPT = 10_000

    def count(self, name: str) -> int:
        """How many grievances the pass handled this way (the codes kept and those only counted)."""
        return len(getattr(self, name)) + self.more.get(name, 0)

    def merge(self, other: "SweepResult") -> None:
        for name in ("escalated", "flagged", "ack_breached", "warned", "closed", "unpaused"):
            kept, new = getattr(self, name), getattr(other, name)
            room = max(0, self.KEPT - len(kept))
            kept.extend(new[:room])
            if len(new) > room:
                self.more[name] = self.more.get(name, 0) + len(new) - room
        self.conflicts += other.conflicts

    @property
    def did_anything(self) -> bool:
        return bool(self.escalated or self.flagged or self.ack_breached or self.warned or self.closed
                    or self.unpaused)

    def lines(self) -> list[str]:
        n = self.count
        out = [f"sweep at {self.now.isoformat()}: {n('escalated')} escalated, {n('flagged')} "
               f"flagged overdue at the top tier, {n('ack_breached')} acknowledgement breaches, "
               f"{n('warned')} warnings, {n('closed')} closed without an answer, "
               f"{n('unpaused')} resumed after the pause limit"
               + (f", {self.conflicts} left to another sweep" if self.conflicts else "")
               + (f" (codes listed for the first {self.KEPT:,} of each)" if self.more else "")]
        out += [f"  escalated {code}: {a} -> {b}" for code, a, b in self.escalated]
        out += [f"  overdue at the top tier: {code}" for code in self.flagged]
        out += [f"  not acknowledged in time: {code}" for code in self.ack_breached]
        out += [f"  warned: {code}" for code in self.warned]
        out += [f"  closed: {code}" for code in self.closed]
        out += [f"  resumed, no answer within the pause limit: {code}" for code in self.unpaused]
        return out


# Grievances per unit of work on the batch path (escalation/batch.py). Measured at 10,000 due (docs/performance.md):
# 5,000 a batch took 11.0 s where 1,000 took 15.7 s, mostly in the roll-ups, whose coarser rows a batch updates
# once whatever its size; a batch holds its grievances' rows and events (about 50 MiB at 5,000).
BATCH = 5000
SMALLEST_BATCH = 50  # a batch that meets a concurrent change is claimed again ten times smaller, down to this
PER_GRIEVANCE_BATCH = 200  # ids read at a time on the per-grievance path


def sweep(now: datetime, batch: int | None = None, *, per_grievance: bool = False) -> SweepResult:
    """One pass at time `now`: escalate overdue grievances, record acknowledgement breaches, warn
    offices a working day ahead, and close resolutions nobody answered within the window.

    Each due set goes `batch` grievances to a unit of work, read and written in bulk (escalation/
    batch.py); `per_grievance=True` handles each in its own unit of work instead (the path before
    batches, kept as the reference the batch path is tested against). Both run the same rules."""
    now = as_utc(now)
    result = SweepResult(now)
    # One read of the limits and calendars for the whole pass, shared by its short transactions.
    with unit_of_work() as uow:
        policies = uow.policies
    size = batch or (PER_GRIEVANCE_BATCH if per_grievance else BATCH)
    pass_ = _Pass(now, size, result, policies, batched=not per_grievance)
    # Acknowledgement breaches first: they belong to the office that held the grievance when the
    # acknowledgement limit passed, before an escalation hands it on with a fresh clock.
    pass_.each(_ack_due(now), _ack_breach)
    pass_.each(_overdue(now), _escalate)
    pass_.each(_warn_due(now, policies), _warn)
    pass_.each(_unanswered(now), _close_unanswered)
    pass_.each(_pause_over(now, policies), _end_pause)
    if result.did_anything:
        log.info("%s", result.lines()[0])
    return result


# ---------------------------------------------------------------- what is due
# Each "due" set is a list of conditions on Grievance plus the deadline column that orders it. The
# same conditions are checked again on the locked row, so a grievance another sweep has just handled
# no longer qualifies.


def _overdue(now: datetime):
    # Overdue as everywhere else, less those already flagged at the top tier.
    return [*queries.overdue_conditions(now), Grievance.overdue_flagged.is_(False)], Grievance.due_at


def _ack_due(now: datetime):
    return [Grievance.is_open.is_(True), Grievance.ack_breached.is_(False), Grievance.ack_due_at < now,
            Grievance.status == "received"], Grievance.ack_due_at


def _warn_due(now: datetime, policies: Policies):
    # The precise test (`_warn`) needs each grievance's own calendar and warning days; the index narrows
    # the candidates to deadlines on days whose warning has come on some calendar in use (the country's,
    # or an area's with its own days off) with the longest warning of any policy. A warning falls the
    # further ahead of its deadline the more days it counts and the more days are off, so no grievance
    # whose warning has come is left out, and those whose warning is days away are not read every pass.
    horizon = max(_warn_horizon(cal, policies.longest_warning(), now) for cal in _calendars_in_use(policies, now))
    return [Grievance.is_open.is_(True), Grievance.overdue_flagged.is_(False), Grievance.due_at >= now,
            Grievance.due_at < horizon, Grievance.warned_at.is_(None),
            Grievance.status != "awaiting_info"], Grievance.due_at


def _calendars_in_use(policies: Policies, now: datetime):
    """The country's calendar and that of every area with days off of its own (which its subtree shares)."""
    yield policies.country_calendar(now)
    for path in {p for _day, _kind, p in policies._added_days_off() if p is not None}:
        yield policies.calendar(_Path(path), now)


@dataclass(frozen=True)
class _Path:
    path: str  # what Policies.calendar reads of an area


def _warn_horizon(cal, warn_days: int, now: datetime) -> datetime:
    """The start of the first local day whose deadlines are not yet warned of at `now` (sla.warn_at depends
    on the deadline's day only, and later days warn later)."""
    d = cal.local_date(now)
    for _ in range(400):
        if sla.warn_at(cal, cal.end_of_day(d), warn_days) > now:
            return cal.end_of_day(d - timedelta(days=1)) + timedelta(seconds=1)
        d += timedelta(days=1)
    return cal.end_of_day(d)


def _unanswered(now: datetime):
    return [Grievance.status.in_(("resolved", "rejected")), Grievance.feedback_due_at < now], \
        Grievance.feedback_due_at


def _pause_over(now: datetime, policies: Policies):
    # A pause of N working days lasts at least N calendar days: the index narrows to those, the
    # handler checks each one's own limit and calendar.
    horizon = now - timedelta(days=policies.shortest_pause())
    return [Grievance.status == "awaiting_info", Grievance.paused_at <= horizon], Grievance.paused_at


@dataclass
class _Pass:
    """One sweep pass: its time, batch size, result and the policies its transactions share."""

    now: datetime
    batch: int
    result: SweepResult
    policies: Policies
    batched: bool = True
    world: batch_.World | None = None

    def each(self, due, handle) -> None:
        """Run `handle` on every grievance in the due set: a batch to a unit of work, or (per_grievance)
        one grievance to each."""
        if self.batched:
            self.each_batch(due, handle)
            return
        conditions, deadline = due
        skipped: set[int] = set()
        while True:
            q = sa.select(Grievance.id).where(*conditions).order_by(deadline, Grievance.id).limit(self.batch)
            if skipped:
                q = q.where(Grievance.id.not_in(skipped))
            ids = db.session.scalars(q).all()
            db.session.rollback()  # end the read transaction before the per-grievance ones
            if not ids:
                return
            for gid in ids:
                if not self.one(gid, conditions, handle):
                    skipped.add(gid)

    def each_batch(self, due, handle) -> None:
        """Claim the due set `batch` grievances at a time, each batch handled and written in one unit of
        work; a batch that meets a concurrent change rolls back, and its grievances are claimed again in smaller
        batches, the smallest going one by one."""
        conditions, deadline = due
        skipped: set[int] = set()
        size = self.batch
        while True:
            if self.world is None:
                # Nothing due (the usual pass): one index probe, and no reference data read.
                found = db.session.scalar(sa.select(Grievance.id).where(*conditions).limit(1))
                db.session.rollback()
                if found is None:
                    return
                with unit_of_work(read_only=True, policies=self.policies) as uow:
                    self.world = batch_.World(uow.session, self.policies.tier_ranks())
            scratch = SweepResult(self.now)  # what this batch did, counted once it commits
            claimed: list[int] = []
            try:
                with unit_of_work(policies=self.policies) as uow:
                    with batch_.timed("claim"):
                        cases = batch_.claim(uow.session, self.world, conditions, deadline, skipped, size)
                    claimed = [c.id for c in cases]
                    fx = batch_.BatchEffects(uow, self.world)
                    done = []
                    with batch_.timed("rules"):
                        for c in cases:
                            if handle(uow, c, self.now, scratch, fx):
                                done.append(c)
                            elif fx.touched(c):
                                raise RuntimeError(f"sweep: {handle.__name__} wrote for a grievance it left alone")
                            else:
                                skipped.add(c.id)
                    fx.write(done)
                    committing = time.perf_counter()
                batch_.TIMINGS["commit"] += time.perf_counter() - committing
            except (batch_.Conflict, StaleDataError, OperationalError) as e:
                # Another sweep or an officer changed one of them first: nothing of the batch stays, and its
                # grievances go the per-grievance way, which leaves each changed one to its changer.
                self.result.conflicts += 1
                if len(claimed) > SMALLEST_BATCH and size > SMALLEST_BATCH:
                    # Nothing of it stayed and its locks are gone: claim again in smaller batches, so that one
                    # changed grievance costs a small batch its bulk writes, not thousands their own transactions.
                    size = max(SMALLEST_BATCH, size // 10)
                    log.info("sweep batch of %s met a concurrent change (%s): batches of %s", len(claimed),
                             type(e).__name__, size)
                    continue
                log.info("sweep batch of %s met a concurrent change (%s): one by one", len(claimed),
                         type(e).__name__)
                for gid in claimed:
                    if not self.one(gid, conditions, handle):
                        skipped.add(gid)
                continue
            if not claimed:
                return
            self.result.merge(scratch)

    def one(self, gid: int, conditions, handle) -> bool:
        """Claim one grievance if it is still due and handle it in its own unit of work; False when it
        was left alone."""
        claim = sa.select(Grievance).where(Grievance.id == gid, *conditions)
        if is_postgres(db.engine):
            claim = claim.with_for_update(skip_locked=True)
        try:
            with unit_of_work(policies=self.policies) as uow:
                g = uow.session.scalar(claim)
                if g is None or not handle(uow, g, self.now, self.result):
                    raise _LeftAlone
            return True
        except _LeftAlone:
            return False
        except (StaleDataError, OperationalError) as e:
            # Another sweep or an officer changed it first: theirs stands, ours was rolled back.
            self.result.conflicts += 1
            log.info("sweep left grievance id=%s to a concurrent change (%s)", gid, type(e).__name__)
            return False


class _LeftAlone(Exception):
    """Not due after all (handled by another pass, or not yet): roll back and move on."""


# ---------------------------------------------------------------- what happens


def _escalate(uow, g: Grievance, now: datetime, result: SweepResult, fx: Effects | None = None) -> bool:
    """What a missed deadline does, written once for both paths: `fx` is where the writes go (the batch
    sweep's bulk writer, escalation/batch.py; default the session, this grievance alone)."""
    fx = fx or Effects(uow)
    overdue_days = clocks.working_days_over(uow, g, now)
    fx.record(g, "deadline_breached", actor=SWEEP, at=now, status_from=g.status, status_to=g.status,
              data={"due_at": g.due_at.isoformat(), "working_days_over": overdue_days, "kind": g.clock_kind})
    origin = g.office.code
    # The tier's policy says what a missed deadline does: escalate (fresh grievance clock one tier up),
    # appeal (the appellate officer one tier up, on the appeal clock), review (stay, flagged, and on the
    # national review list: the final review cell) or flag (stay, flagged overdue).
    on_breach = clocks.limits(uow, g).on_breach
    if on_breach == "review":
        g.overdue_flagged = True
        first = g.review_flagged_at is None
        g.review_flagged_at = g.review_flagged_at or now
        fx.record(g, "flagged_overdue", actor=SWEEP, at=now, status_from=g.status, status_to=g.status,
                  note="overdue; sent to the national review by its policy", data={"national_review": True})
        fx.tell_office(g, g.office, "deadline_passed", now=now)
        if first:
            fx.tell_citizen(g, "overdue_review", now=now,
                            dedupe_key=f"overdue-review:{g.tracking_code}:{g.event_count}")
        result.flagged.append(g.tracking_code)
        return True
    target = None
    if on_breach not in ("flag", "review"):
        target = escalate_one(uow, g, actor=SWEEP, now=now, reason="time limit passed", breach=True,
                              clock="appeal" if on_breach == "appeal" else None, effects=fx)
    if target is None:
        g.overdue_flagged = True
        fx.record(g, "flagged_overdue", actor=SWEEP, at=now, status_from=g.status, status_to=g.status,
                  note="overdue at the highest tier" if on_breach != "flag" else "overdue; kept at this office by its policy")
        fx.tell_office(g, g.office, "deadline_passed", now=now)
        result.flagged.append(g.tracking_code)
    else:
        result.escalated.append((g.tracking_code, origin, target.code))
    return True


def _ack_breach(uow, g: Grievance, now: datetime, result: SweepResult, fx: Effects | None = None) -> bool:
    fx = fx or Effects(uow)
    g.ack_breached = True
    fx.record(g, "ack_breached", actor=SWEEP, at=now, status_from=g.status, status_to=g.status,
              data={"ack_due_at": g.ack_due_at.isoformat()})
    result.ack_breached.append(g.tracking_code)
    return True


def _warn(uow, g: Grievance, now: datetime, result: SweepResult, fx: Effects | None = None) -> bool:
    if now < clocks.warn_at(uow, g):
        return False  # not yet: a later pass warns it
    fx = fx or Effects(uow)
    g.warned_at = now
    fx.record(g, "warned", actor=SWEEP, at=now, status_from=g.status, status_to=g.status,
              data={"due_at": g.due_at.isoformat()})
    fx.tell_office(g, g.office, "deadline_warning", now=now)
    result.warned.append(g.tracking_code)
    return True


def _end_pause(uow, g: Grievance, now: datetime, result: SweepResult, fx: Effects | None = None) -> bool:
    if not pause_limit_passed(uow, g, now):
        return False  # not yet on this grievance's calendar and limit: a later pass resumes it
    end_pause(uow, g, actor=SWEEP, now=now, effects=fx)
    result.unpaused.append(g.tracking_code)
    return True


def _close_unanswered(uow, g: Grievance, now: datetime, result: SweepResult, fx: Effects | None = None) -> bool:
    close(uow, g, actor=SWEEP, now=now, reason="no answer within the feedback window", effects=fx)
    result.closed.append(g.tracking_code)
    return True
