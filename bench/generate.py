"""Generate N grievances over the real Bangladesh hierarchy, straight into the database of GRS_DATABASE_URL.

    GRS_DATABASE_URL=postgresql+psycopg://... python bench/generate.py --grievances 1000000 --overdue 100000

What lands, for each grievance: its complainant (or none: anonymous), its row as the services leave it,
the offices it has been at, its events with their hash chain (grs.services.history.event_hash), and its
share of the statistics counters (grs.statistics.contribution, summed into stat_counts; the roll-up
rebuilt from them by grs.rollups.rebuild), so that
`grs audit verify` passes and `statistics.recount` equals the stored counters. The schema is migrated,
and the areas (with an office per union, upazila and district), programmes, categories and limits
loaded, when missing; grievances already there are kept (new ids follow theirs).

How a grievance's history is made up (the services' rules, replayed with the real limits and working
calendar of the country): it is received at a time in the last `--months` months (more recent months
busier), routed to the office its category starts at (the union's; corruption and abuse: the
district's), acknowledged (late ones get the sweep's ack_breached), taken up and decided within the
limit or not. A case still undecided when its deadline passed was escalated by the sweep (deadline_
breached + escalated) and starts again one tier up; the highest tier always decides in time. A
decision is resolved (a decision code) or rejected (a reason code, "unrelated" the most common);
afterwards the complainant answers satisfied (closed), not satisfied (an appeal one tier up), or not
at all (closed by the sweep when the window ends). Whatever would happen after now has not happened:
those grievances are open. `--overdue M` picks M grievances that are open past their deadline now,
not yet swept (the sweep benchmark's work). No outbox rows are written (messages of the past are sent).

PostgreSQL: COPY (psycopg) in batches, one transaction each, with the foreign-key triggers off while
loading when the role may do that (a superuser); SQLite: executemany. A progress bar on stderr (rich).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

AREAS = os.path.join(ROOT, "..", "shared", "data", "bd-admin-areas", "admin_areas.csv")

# ------------------------------------------------------------------ the spreads (weights)

PROGRAMMES = {"OAA": 30, "WA": 15, "DA": 14, "MA": 8, "CT": 13, "PW": 10, "FN": 5, "IGA": 5}
CHANNELS = {"sms": 34, "ussd": 20, "operator": 15, "web": 10, "paper": 12, "hearing": 4, "api": 2, "audit": 1.5,
            "scorecard": 1.5}
CATEGORIES = {"payment": 35, "exclusion": 19, "inclusion": 6, "data_correction": 12, "selection_appeal": 5,
              "service_quality": 8, "misconduct": 4, "corruption": 3, "sea_gbv": 1, "information": 5, "other": 2}
SEX = {"female": 55, "male": 42, "other": 0.5, None: 2.5}
AGE_BY_PROGRAMME = {  # age band weights per programme (None: not given)
    "OAA": {"60_plus": 92, "35_59": 5, None: 3},
    "WA": {"18_34": 20, "35_59": 55, "60_plus": 22, None: 3},
    "MA": {"18_34": 85, "under_18": 5, "35_59": 7, None: 3},
}
AGE_DEFAULT = {"under_18": 3, "18_34": 35, "35_59": 42, "60_plus": 15, None: 5}
REJECT = {"unrelated": 62, "duplicate": 12, "insufficient_information": 12, "out_of_scope": 9, "withdrawn": 5}
DECISIONS = {"upheld": 55, "partly_upheld": 20, "not_upheld": 20, "referred": 5}
ANONYMOUS = 0.05
REJECT_SHARE = 0.24  # of decisions
LATE_SHARE = 0.2  # a tier that does not decide within its limit (the sweep then moves the case up)
DECIDED_LATE = 0.3  # of those: decided late, before the sweep's next pass (the scheduler runs every few hours)
ACK_LATE = 0.08
SATISFIED, NOT_SATISFIED = 0.45, 0.08  # after a resolution; the rest do not answer
APPEAL_AFTER_REJECT = 0.05
BANGLA = 0.7  # share of complaints written in Bangla

DESCRIPTIONS = {
    "en": ["Allowance not paid for two instalments.", "My name was removed from the beneficiary list.",
           "The payment was short by 500 taka.", "The agent asked for money to release the allowance.",
           "My national ID number is wrong in the list.", "I am eligible but was not selected."],
    "bn": ["দুই কিস্তির ভাতা পাইনি।", "উপকারভোগীর তালিকা থেকে আমার নাম বাদ দেওয়া হয়েছে।",
           "ভাতা ৫০০ টাকা কম দেওয়া হয়েছে।", "ভাতা ছাড়ের জন্য এজেন্ট টাকা চেয়েছে।",
           "তালিকায় আমার জাতীয় পরিচয়পত্র নম্বর ভুল।", "আমি যোগ্য কিন্তু নির্বাচিত হইনি।"],
}
RESOLUTIONS = {"en": "The allowance was paid on the next cycle.", "bn": "পরবর্তী চক্রে ভাতা পরিশোধ করা হয়েছে।"}
REJECT_NOTES = {"en": "Not a matter for this programme.", "bn": "বিষয়টি এই কর্মসূচির আওতায় নয়।"}

SWEEP_DELAY = timedelta(minutes=5)  # the sweep's pass after a deadline


def pick(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class Picker:
    """rng.choices with the cumulative weights computed once."""

    def __init__(self, weights: dict):
        import itertools
        self.keys = list(weights)
        self.cum = list(itertools.accumulate(weights[k] for k in self.keys))

    def __call__(self, rng: random.Random):
        return rng.choices(self.keys, cum_weights=self.cum)[0]


# ------------------------------------------------------------------ the world the grievances live in


def prepare(app, country: str = "BD") -> SimpleNamespace:
    """Schema, geography with offices, reference data and one officer when missing; then what the
    generator needs of them, read once."""
    from flask_migrate import upgrade

    from grs.extensions import db
    from grs.models import Area, Category, Grievance, Office, Programme, User
    from grs.services.accounts import create_user
    from grs.services.areas import import_areas
    from grs.services.reference import seed_reference
    from grs.uow import unit_of_work

    if not sa.inspect(db.engine).has_table("grievances"):
        upgrade(directory=os.path.join(ROOT, "migrations"))
    with unit_of_work() as uow:
        if uow.session.scalar(sa.select(sa.func.count()).select_from(Office).where(Office.tier == "union")) == 0:
            if not os.path.exists(AREAS):
                sys.exit(f"generate: {AREAS} not found (the shared data folder sits beside the checkout)")
            import_areas(uow, AREAS, country, with_offices=True)
        seed_reference(uow)
    with unit_of_work() as uow:
        if uow.session.scalar(sa.select(User.id).where(User.email == "bench.officer@example.org")) is None:
            create_user(uow, "bench.officer@example.org", "bench-password-1", "admin",
                        area_code=country)
    with unit_of_work(read_only=True) as uow:
        s = uow.session
        areas = {a.id: a for a in s.scalars(sa.select(Area))}
        offices = {(o.area_id, o.tier): o for o in s.scalars(sa.select(Office).where(Office.active.is_(True)))}
        by_code = {a.code: a for a in areas.values()}
        ranks = uow.policies.tier_ranks()
        tiers = sorted(ranks, key=ranks.get)
        chains = []  # per union: (area_id, [(office_id, code, tier), ... from the union up])
        for a in areas.values():
            if a.level != "union":
                continue
            chain = []
            for code in reversed(a.ancestor_codes()):
                anc = by_code[code]
                for tier in tiers:
                    o = offices.get((anc.id, tier))
                    if o is not None and all(t != tier for _, _, t in chain):
                        chain.append((o.id, o.code, tier))
            chain.sort(key=lambda c: ranks[c[2]])
            if chain:
                chains.append((a.id, chain))
        chains.sort()
        officer = s.scalar(sa.select(User.id).where(User.email == "bench.officer@example.org"))
        world = SimpleNamespace(
            chains=chains, ranks=ranks, officer=officer,
            programmes={p.code: p.id for p in s.scalars(sa.select(Programme))},
            categories={c.code: (c.id, c.sensitive, c.start_tier) for c in s.scalars(sa.select(Category))},
            policies=uow.policies, window=uow.settings.feedback_window_days, country=country,
            max_grievance=s.scalar(sa.select(sa.func.coalesce(sa.func.max(Grievance.id), 0))),
        )
        from grs.models import Complainant, Event
        world.max_complainant = s.scalar(sa.select(sa.func.coalesce(sa.func.max(Complainant.id), 0)))
        world.max_event = s.scalar(sa.select(sa.func.coalesce(sa.func.max(Event.id), 0)))
        # Read the limits and calendars now: the unit of work's session closes with this block.
        for year in range(datetime.now(timezone.utc).year - 12, datetime.now(timezone.utc).year + 2):
            world.policies.country_calendar(datetime(year, 6, 1, tzinfo=timezone.utc))
        for tier in tiers:
            for cid, _, _ in world.categories.values():
                for kind in ("grievance", "appeal"):
                    world.policies.limits(tier, cid, kind)
    return world


# ------------------------------------------------------------------ one grievance's history


class Generator:
    def __init__(self, world: SimpleNamespace, now: datetime, months: int, seed: int):
        from grs.services.history import event_hash
        from grs.statistics import _tz, contribution
        from grs.tracking import check_digit

        self.w, self.now, self.rng = world, now, random.Random(seed)
        self.event_hash, self.contribution, self.check_digit = event_hash, contribution, check_digit
        self.tz = _tz(world.country)
        self.span = timedelta(days=30.44 * months)
        self.pick = {k: Picker(v) for k, v in (("programme", PROGRAMMES), ("channel", CHANNELS),
                                               ("category", CATEGORIES), ("sex", SEX), ("reject", REJECT),
                                               ("decision", DECISIONS))}
        self.age = {p: Picker(v) for p, v in AGE_BY_PROGRAMME.items()}
        self.age_default = Picker(AGE_DEFAULT)
        self._deadlines: dict = {}
        self._feedback: dict = {}
        self.top_rank = max(world.ranks.values())

    # -- the calendar, memoised by local day (deadlines depend on the day a clock starts, not the hour)

    def cal(self, at: datetime):
        return self.w.policies.country_calendar(at)

    def deadlines(self, t0: datetime, tier: str, category_id: int, kind: str):
        lim = self.w.policies.limits(tier, category_id, kind)
        day = t0.astimezone(self.tz).date()
        key = (day, lim.ack_days, lim.resolve_days)
        found = self._deadlines.get(key)
        if found is None:
            cal = self.cal(t0)
            found = self._deadlines[key] = (cal.add_working_days(t0, lim.ack_days),
                                            cal.add_working_days(cal.add_working_days(t0, lim.resolve_days), 0),
                                            lim.resolve_days)
        return found

    def feedback_due(self, t: datetime) -> datetime:
        day = t.astimezone(self.tz).date()
        found = self._feedback.get(day)
        if found is None:
            found = self._feedback[day] = self.cal(t).add_working_days(t, self.w.window)
        return found

    def office_hours(self, day_end: datetime) -> datetime:
        """A moment during office hours on the local day whose end is `day_end`."""
        return day_end - timedelta(seconds=self.rng.randint(6 * 3600, 14 * 3600))

    def received_at(self, min_age: timedelta = timedelta(0)) -> datetime:
        # Density rising linearly towards now (a programme's GRS gets better known): age = span * (1 - sqrt(u)).
        span = self.span - min_age
        age = min_age + span * (1 - self.rng.random() ** 0.5)
        t = self.now - age
        local = t.astimezone(self.tz)
        # Bunch into the day: 08:00-20:00 local.
        local = local.replace(hour=8 + self.rng.randrange(12), minute=self.rng.randrange(60),
                              second=self.rng.randrange(60), microsecond=self.rng.randrange(10**6))
        t = local.astimezone(timezone.utc)
        return min(t, self.now - timedelta(seconds=1))

    # -- a grievance

    def grievance(self, gid: int, cid: int | None, overdue: bool):
        rng, w = self.rng, self.w
        programme = self.pick["programme"](rng)
        category = self.pick["category"](rng)
        cat_id, sensitive, start_tier = w.categories[category]
        channel = self.pick["channel"](rng)
        area_id, chain = w.chains[rng.randrange(len(w.chains))]
        start_rank = w.ranks.get(start_tier, 1) if start_tier else 1
        chain = [c for c in chain if w.ranks[c[2]] >= start_rank]
        lang = "bn" if rng.random() < BANGLA else "en"
        received = self.received_at(timedelta(days=25) if overdue else timedelta(0))
        code = "8" + f"{gid:010d}"
        code += self.check_digit(code)
        complainant = None
        if cid is not None:
            age_band = (self.age.get(programme) or self.age_default)(rng)
            dis = rng.random()
            complainant = dict(
                id=cid, name=f"Complainant {cid}", phone=f"+8801{rng.choice('3456789')}{rng.randrange(10**8):08d}",
                sex=self.pick["sex"](rng), age_band=age_band,
                disability=True if programme == "DA" else (True if dis < 0.04 else (False if dis < 0.85 else None)),
                beneficiary_id=None, language=lang, area_id=area_id, created_at=received)
        g = dict(
            id=gid, tracking_code=code, channel=channel, source_ref=None, programme_id=w.programmes[programme],
            category_id=cat_id, area_id=area_id, office_id=None, level=None, status="received", is_open=True,
            sensitive=sensitive, description=rng.choice(DESCRIPTIONS[lang]), language=lang, complainant_id=cid,
            lodged_by_id=None, received_at=received, acknowledged_at=None, resolved_at=None, closed_at=None,
            clock_started_at=received, clock_kind="grievance", ack_due_at=None, due_at=None, paused_at=None,
            paused_working_days=0, extended=False, warned_at=None, ack_breached=False, overdue_flagged=False,
            escalation_count=0, appeal_count=0, feedback_due_at=None, satisfied=None, decision=None,
            resolution=None, event_count=0, head_hash=None, version=1, updated_at=received,
            sex=complainant["sex"] if complainant else None, age_band=complainant["age_band"] if complainant else None,
            disability=complainant["disability"] if complainant else None)
        events: list[dict] = []
        offices: set[int] = set()
        staff = (w.officer, f"user:{w.officer}")
        sweep = (None, "sweep")
        now = self.now

        def ev(type_, at, actor, status_to=None, note=None, data=None, status_from="same"):
            if status_from == "same":
                status_from = g["status"]
            seq = g["event_count"] + 1
            h = self.event_hash(code, seq, type_, at, actor[0], actor[1], g["office_id"], g["level"],
                                status_from, status_to, note, data, g["head_hash"])
            events.append(dict(grievance_id=gid, seq=seq, type=type_, at=at, actor_id=actor[0],
                               actor_label=actor[1], office_id=g["office_id"], level=g["level"],
                               status_from=status_from, status_to=status_to, note=note, data=data or {},
                               prev_hash=g["head_hash"], hash=h))
            g["event_count"], g["head_hash"], g["updated_at"] = seq, h, at

        def clock_data():
            return {"ack_due_at": g["ack_due_at"].isoformat() if g["ack_due_at"] else None,
                    "due_at": g["due_at"].isoformat() if g["due_at"] else None, "clock": g["clock_kind"]}

        def arrive(office, t0, kind):
            g["office_id"], g["level"] = office[0], office[2]
            offices.add(office[0])
            g.update(clock_started_at=t0, clock_kind=kind, paused_at=None, paused_working_days=0, extended=False,
                     warned_at=None, ack_breached=False, overdue_flagged=False)
            g["ack_due_at"], g["due_at"], limit = self.deadlines(t0, office[2], cat_id, kind)
            return limit

        def enter(status):
            g["status"] = status
            g["is_open"] = status in ("received", "acknowledged", "in_progress", "awaiting_info")
            if status != "received":
                g["ack_due_at"] = None

        citizen = (None, f"citizen:{channel}") if channel in ("sms", "ussd", "web") else staff
        ev("lodged", received, citizen, status_to="received", status_from=None,
           data={"channel": channel, "anonymous": complainant is None})
        tier_i = 0
        limit = arrive(chain[0], received, "grievance")
        ev("routed", received, (None, "routing"), status_to="received", status_from=None,
           data={"office": chain[0][1], "tier": chain[0][2], **clock_data()})
        t = received
        while True:  # one office's turn
            office = chain[tier_i]
            at_top = tier_i == len(chain) - 1
            due, ack_due = g["due_at"], g["ack_due_at"]
            cal = self.cal(t)
            # acknowledgement
            late_ack = rng.random() < ACK_LATE
            if late_ack:
                ack_at = ack_due + timedelta(hours=rng.randint(4, 60))
            else:
                ack_at = min(t + timedelta(minutes=rng.randint(5, 60 * 30)), ack_due - timedelta(minutes=1))
                ack_at = max(ack_at, t + timedelta(seconds=30))
            # the decision: within the limit, or late (then the sweep moves it up first, except at the top)
            late = (not at_top and rng.random() < LATE_SHARE) or overdue
            pass_at = due + timedelta(minutes=rng.randint(5, 600))  # the sweep's next pass after the deadline
            if late and not overdue and rng.random() < DECIDED_LATE:
                late = False  # decided after the deadline, before the sweep's pass moved it
                decide_at = due + (pass_at - due) * rng.random()
            elif late:
                decide_at = due + timedelta(days=rng.randint(1, 20))
            else:
                wd = rng.randint(0, max(0, limit))
                decide_at = self.office_hours(cal.add_working_days(t, wd))
                decide_at = min(max(decide_at, ack_at + timedelta(minutes=rng.randint(10, 600))), due)
            if ack_at > decide_at:
                ack_at = decide_at - timedelta(minutes=1)
            work_end = min(decide_at, due)
            start_at = ack_at + (work_end - ack_at) * rng.random() * 0.5 if rng.random() < 0.8 else None
            if late_ack and ack_due + SWEEP_DELAY <= min(now, ack_at) and not overdue:
                ev("ack_breached", ack_due + SWEEP_DELAY, sweep, status_to="received",
                   data={"ack_due_at": ack_due.isoformat()})
                g["ack_breached"] = True
            if ack_at > now:
                break
            enter("acknowledged")
            g["acknowledged_at"] = g["acknowledged_at"] or ack_at
            ev("acknowledged", ack_at, staff, status_to="acknowledged", status_from="received")
            if start_at is not None:
                if start_at > now:
                    break
                enter("in_progress")
                ev("started", start_at, staff, status_to="in_progress", status_from="acknowledged")
            if overdue:
                break  # open past its deadline, not yet swept
            if late:
                breach_at = pass_at
                if breach_at > now:
                    break  # its deadline is still ahead (or the sweep's pass is): open
                before = g["status"]
                cal_now = self.cal(breach_at)
                ev("deadline_breached", breach_at, sweep, status_to=before,
                   data={"due_at": due.isoformat(), "working_days_over": cal_now.working_days_between(due, breach_at),
                         "kind": g["clock_kind"]})
                tier_i += 1
                target = chain[tier_i]
                enter("received")
                limit = arrive(target, breach_at, g["clock_kind"])
                g["escalation_count"] += 1
                ev("escalated", breach_at, sweep, status_to="received", status_from=before, note="time limit passed",
                   data={"from": office[1], "to": target[1], "tier": target[2], "breach": True, **clock_data()})
                t = breach_at
                continue
            if decide_at > now:
                break
            # the decision
            within = decide_at <= due
            days = self.cal(g["received_at"]).working_days_between(g["received_at"], decide_at)
            before = g["status"]
            judged = {"within_limit": within, "due_at": due.isoformat(), "working_days": days}
            g["resolved_at"], g["feedback_due_at"] = decide_at, self.feedback_due(decide_at)
            g["ack_due_at"] = g["due_at"] = g["paused_at"] = None
            if rng.random() < REJECT_SHARE:
                enter("rejected")
                ev("rejected", decide_at, staff, status_to="rejected", status_from=before, note=REJECT_NOTES[lang],
                   data={"reason_code": self.pick["reject"](rng), **judged})
                appeal = not at_top and rng.random() < APPEAL_AFTER_REJECT
                answer_at = decide_at + (g["feedback_due_at"] - decide_at) * rng.random()
                satisfied = None
            else:
                decision = self.pick["decision"](rng)
                enter("resolved")
                g["decision"], g["resolution"], g["satisfied"] = decision, RESOLUTIONS[lang], None
                ev("resolved", decide_at, staff, status_to="resolved", status_from=before, note=RESOLUTIONS[lang],
                   data={"decision": decision, **judged})
                u = rng.random()
                satisfied = True if u < SATISFIED else (False if u < SATISFIED + NOT_SATISFIED and not at_top else None)
                appeal = satisfied is False
                answer_at = decide_at + (g["feedback_due_at"] - decide_at) * rng.random()
            if appeal or satisfied is True:
                if answer_at > now:
                    break
                citizen_answer = (None, f"citizen:{'sms' if channel not in ('ussd', 'web') else channel}")
                if satisfied is not None:
                    g["satisfied"] = satisfied
                    ev("feedback", answer_at, citizen_answer, status_to=g["status"], data={"satisfied": satisfied})
                if satisfied:
                    before = g["status"]
                    enter("closed")
                    g["closed_at"], g["feedback_due_at"] = answer_at, None
                    ev("closed", answer_at, citizen_answer, status_to="closed", status_from=before,
                       data={"reason": "satisfied"})
                    break
                before = g["status"]
                tier_i += 1
                target = chain[tier_i]
                g["satisfied"] = False if before == "resolved" else g["satisfied"]
                g["appeal_count"] += 1
                g["resolved_at"] = g["feedback_due_at"] = g["decision"] = None
                enter("received")
                limit = arrive(target, answer_at, "appeal")
                ev("appealed", answer_at, citizen_answer, status_to="received", status_from=before,
                   data={"from": office[1], "to": target[1], "tier": target[2], "appeal": g["appeal_count"],
                         **clock_data()})
                t = answer_at
                continue
            close_at = g["feedback_due_at"] + SWEEP_DELAY
            if close_at <= now:
                before = g["status"]
                enter("closed")
                g["closed_at"], g["feedback_due_at"] = close_at, None
                ev("closed", close_at, sweep, status_to="closed", status_from=before,
                   data={"reason": "no answer within the feedback window"})
            break
        return g, complainant, events, offices

    def build(self, gid: int, cid: int | None, overdue: bool):
        """One grievance that keeps the rule: open and past its deadline only when `overdue`."""
        for _ in range(50):
            g, c, events, offices = self.grievance(gid, cid, overdue)
            is_overdue = g["is_open"] and g["paused_at"] is None and g["due_at"] is not None and g["due_at"] < self.now
            if is_overdue == overdue:
                return g, c, events, offices
            # a deadline passed in the minutes before now, before the sweep's pass: draw again
        raise RuntimeError(f"could not draw grievance {gid} (overdue={overdue})")

    def counts(self, g: dict, c: dict | None, events: list[dict]) -> Counter:
        """What the statistics service counts for this grievance: grs.statistics.contribution itself."""
        person = SimpleNamespace(**c) if c is not None else None
        gg = SimpleNamespace(complainant=person, programme_id=g["programme_id"], category_id=g["category_id"],
                             channel=g["channel"], area_id=g["area_id"], sensitive=g["sensitive"],
                             received_at=g["received_at"], sex=g["sex"], age_band=g["age_band"],
                             disability=g["disability"])
        return self.contribution(gg, [SimpleNamespace(**e) for e in events], self.tz)


# ------------------------------------------------------------------ writing


def _naive(v):
    return v.astimezone(timezone.utc).replace(tzinfo=None) if v is not None else None


class PgWriter:
    """COPY into each table through psycopg, one transaction per batch."""

    def __init__(self, engine):
        from grs.models import Complainant, Event, Grievance, GrievanceOffice, StatContribution
        self.engine = engine
        self.raw = engine.raw_connection()
        self.conn = self.raw.driver_connection
        self.tables = {}
        for model in (Complainant, Grievance, GrievanceOffice, Event, StatContribution):
            t = model.__table__
            cols = [c.name for c in t.columns if not (model is Event and c.name == "id")]  # ids: the sequence
            conv = []
            for name in cols:
                col = t.columns[name]
                if isinstance(col.type, sa.JSON):
                    conv.append(lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":")))
                elif type(col.type).__name__ == "UTCDateTime":
                    conv.append(_naive)
                else:
                    conv.append(None)
            self.tables[t.name] = (cols, conv)
        self.fk_off = False
        try:
            with self.conn.cursor() as cur:
                cur.execute("SET session_replication_role = replica")  # no FK triggers while loading
            self.conn.commit()
            self.fk_off = True
        except Exception:
            self.conn.rollback()

    def write(self, batch: dict[str, list[dict]]) -> None:
        with self.conn.cursor() as cur:
            for table in ("complainants", "grievances", "grievance_offices", "events", "stat_contributions"):
                rows = batch.get(table)
                if not rows:
                    continue
                cols, conv = self.tables[table]
                pairs = [(c, f) for c, f in zip(cols, conv) if c in rows[0]]  # a column it does not fill: NULL
                cols = [c for c, _ in pairs]
                with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
                    for r in rows:
                        cp.write_row([f(r[c]) if f else r[c] for c, f in pairs])
        self.conn.commit()

    STAGING = "bench_stat_staging"

    def create_staging(self) -> None:
        from grs.statistics import KEY_FIELDS
        with self.conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {self.STAGING}")
            cur.execute(f"CREATE UNLOGGED TABLE {self.STAGING} AS SELECT {', '.join(KEY_FIELDS)}, n FROM stat_counts "
                        "WITH NO DATA")
        self.conn.commit()

    def stage_counts(self, total: Counter) -> None:
        """A process's counters, for `merge_counts` to add to the stored ones."""
        from grs.statistics import KEY_FIELDS
        with self.conn.cursor() as cur:
            with cur.copy(f"COPY {self.STAGING} ({', '.join(KEY_FIELDS)}, n) FROM STDIN") as cp:
                for k, n in total.items():
                    cp.write_row([*k, n])
        self.conn.commit()

    def merge_counts(self) -> int:
        """stat_counts := stored + staged, summed per key (the sum `track` would have upserted)."""
        from grs.statistics import KEY_FIELDS
        keys = ", ".join(KEY_FIELDS)
        with self.conn.cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE bench_merged AS SELECT {keys}, sum(n)::int AS n FROM "
                        f"(SELECT {keys}, n FROM stat_counts UNION ALL SELECT {keys}, n FROM {self.STAGING}) AS u "
                        f"GROUP BY {keys}")
            cur.execute("DELETE FROM stat_counts")
            # In day order, as a running system writes them (a day's counters are made on that day): the
            # heap then keeps a day's rows together, as it would in production, and a range of days reads
            # a few pages instead of rows scattered over the whole table (docs/performance.md).
            cur.execute(f"INSERT INTO stat_counts ({keys}, n) SELECT {keys}, n FROM bench_merged ORDER BY day")
            rows = cur.rowcount
            cur.execute(f"DROP TABLE bench_merged, {self.STAGING}")
        self.conn.commit()
        return rows

    def close(self) -> None:
        self.raw.close()

    def finish(self) -> None:
        with self.conn.cursor() as cur:
            if self.fk_off:
                cur.execute("SET session_replication_role = origin")
            for table in ("complainants", "grievances", "events", "stat_counts"):  # ids given or merged
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
        self.conn.commit()
        self.conn.autocommit = True
        with self.conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        self.raw.close()


class SqliteWriter:
    """executemany through SQLAlchemy Core (its types store datetimes and JSON as the app reads them)."""

    def __init__(self, engine):
        from grs.models import Complainant, Event, Grievance, GrievanceOffice, StatContribution
        self.engine = engine
        self.models = {m.__table__.name: m.__table__ for m in
                       (Complainant, Grievance, GrievanceOffice, Event, StatContribution)}

    def write(self, batch: dict[str, list[dict]]) -> None:
        with self.engine.begin() as conn:
            for table in ("complainants", "grievances", "grievance_offices", "events", "stat_contributions"):
                if batch.get(table):
                    conn.execute(sa.insert(self.models[table]), batch[table])

    def write_counts(self, total: Counter) -> None:
        from datetime import date

        from grs.models import StatCount
        from grs.statistics import KEY_FIELDS
        with self.engine.begin() as conn:
            existing = Counter()
            for *key, n in conn.execute(sa.select(*[getattr(StatCount, f) for f in KEY_FIELDS], StatCount.n)):
                key[0] = key[0].isoformat()
                key[-2] = bool(key[-2])
                existing[tuple(key)] += n
            existing.update(total)
            conn.execute(sa.delete(StatCount))
            rows = [{**dict(zip(KEY_FIELDS, k)), "day": date.fromisoformat(k[0]), "n": n}
                    for k, n in sorted(existing.items())]  # in day order, as a running system writes them
            for i in range(0, len(rows), 5000):
                conn.execute(sa.insert(StatCount), rows[i:i + 5000])

    def finish(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))


# ------------------------------------------------------------------ the run


def _part(gen: Generator, world, lo: int, hi: int, overdue_ids: set[int], batch: int, writer, tick) -> tuple[int, Counter]:
    """Grievances lo..hi-1 (their ids follow the ones already stored), written in batches; returns the
    number of events and the counters they add."""
    total: Counter = Counter()
    n_events = 0
    for start in range(lo, hi, batch):
        out = {"complainants": [], "grievances": [], "grievance_offices": [], "events": [], "stat_contributions": []}
        for i in range(start, min(start + batch, hi)):
            gid = world.max_grievance + i + 1
            cid = None if gen.rng.random() < ANONYMOUS else world.max_complainant + i + 1
            g, c, events, offices = gen.build(gid, cid, i in overdue_ids)
            if c is not None:
                out["complainants"].append(c)
            out["grievances"].append(g)
            out["grievance_offices"].extend({"grievance_id": gid, "office_id": o} for o in sorted(offices))
            out["events"].extend(events)
            n_events += len(events)
            counts = gen.counts(g, c, events)
            total.update(counts)
            out["stat_contributions"].append({"grievance_id": gid, "counts": [[*k, v] for k, v in sorted(counts.items())]})
        writer.write(out)
        tick(len(out["grievances"]))
    return n_events, total


def _worker(url: str, now: datetime, months: int, seed: int, lo: int, hi: int, overdue_ids: set[int], batch: int,
            queue) -> None:
    """One process's share on PostgreSQL: its own connection, its counters staged for the merge."""
    from grs import create_app
    from grs.extensions import db
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
        with app.app_context():
            world = prepare(app)
            gen = Generator(world, now, months, seed)
            writer = PgWriter(db.engine)
            n_events, total = _part(gen, world, lo, hi, overdue_ids, batch, writer, lambda k: queue.put(("tick", k)))
            writer.stage_counts(total)
            writer.close()
        queue.put(("done", n_events))
    except BaseException as exc:  # the parent reports it and stops
        queue.put(("error", repr(exc)))
        raise


def _rebuild_rollups() -> None:
    """The statistics roll-up from the counters just written (the bulk load bypassed its triggers)."""
    from grs import rollups
    from grs.extensions import db
    rollups.rebuild(db.session)
    db.session.commit()


def generate(app, n: int, overdue: int, *, now: datetime | None = None, months: int = 24, seed: int = 1,
             batch: int = 10000, workers: int = 1, progress: bool = True) -> dict:
    """Add `n` grievances (`overdue` of them open past their deadline at `now`) to the app's database;
    on PostgreSQL `workers` processes generate and COPY their shares at once."""
    import multiprocessing

    from grs.extensions import db

    if overdue > n:
        raise ValueError("--overdue cannot exceed --grievances")
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    t_start = time.perf_counter()
    overdue_ids = set(random.Random(seed + 1).sample(range(n), overdue)) if overdue else set()
    bar = _progress(n) if progress else None
    try:
        with app.app_context():
            world = prepare(app)
            engine = db.engine
            if engine.dialect.name != "postgresql":
                gen = Generator(world, now, months, seed)
                writer = SqliteWriter(engine)
                n_events, total = _part(gen, world, 0, n, overdue_ids, batch, writer,
                                        bar.advance if bar else (lambda k: None))
                writer.write_counts(total)
                _rebuild_rollups()
                writer.finish()
                counter_rows = len(total)
            else:
                url = engine.url.render_as_string(hide_password=False)
                writer = PgWriter(engine)
                writer.create_staging()
                workers = max(1, min(workers, n // 1000 or 1))
                if workers == 1:  # in this process
                    gen = Generator(world, now, months, seed)
                    n_events, total = _part(gen, world, 0, n, overdue_ids, batch, writer,
                                            bar.advance if bar else (lambda k: None))
                    writer.stage_counts(total)
                    counter_rows = writer.merge_counts()
                    _rebuild_rollups()
                    writer.finish()
                    return {"grievances": n, "overdue": overdue, "events": n_events, "counter_rows": counter_rows,
                            "seconds": time.perf_counter() - t_start, "now": now.isoformat()}
                ctx = multiprocessing.get_context("spawn")
                queue = ctx.Queue()
                bounds = [n * k // workers for k in range(workers + 1)]
                procs = [ctx.Process(target=_worker, args=(url, now, months, seed + k, bounds[k], bounds[k + 1],
                                                           {i for i in overdue_ids if bounds[k] <= i < bounds[k + 1]},
                                                           batch, queue))
                         for k in range(workers)]
                for p in procs:
                    p.start()
                n_events, done = 0, 0
                while done < workers:
                    kind, value = queue.get()
                    if kind == "tick":
                        if bar:
                            bar.advance(value)
                    elif kind == "done":
                        n_events += value
                        done += 1
                    else:
                        for p in procs:
                            p.terminate()
                        raise RuntimeError(f"a generator process failed: {value}")
                for p in procs:
                    p.join()
                counter_rows = writer.merge_counts()
                _rebuild_rollups()
                writer.finish()
    finally:
        if bar is not None:
            bar.stop()
    return {"grievances": n, "overdue": overdue, "events": n_events, "counter_rows": counter_rows,
            "seconds": time.perf_counter() - t_start, "now": now.isoformat()}


class _progress:
    """A rich progress bar on stderr (quiet when stderr is no terminal, except a line per 10%)."""

    def __init__(self, total: int):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn
        self.total, self.done, self.next_line = total, 0, total / 10
        self.console = Console(stderr=True)
        self.live = self.console.is_terminal
        if self.live:
            self.p = Progress("generating", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                              TimeRemainingColumn(), console=self.console)
            self.task = self.p.add_task("grievances", total=total)
            self.p.start()
        self.t0 = time.perf_counter()

    def advance(self, k: int) -> None:
        self.done += k
        if self.live:
            self.p.advance(self.task, k)
        elif self.done >= self.next_line or self.done == self.total:
            self.next_line += self.total / 10
            print(f"generate: {self.done:,}/{self.total:,} grievances, {time.perf_counter() - self.t0:.0f} s",
                  file=sys.stderr, flush=True)

    def stop(self) -> None:
        if self.live:
            self.p.stop()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--grievances", type=int, required=True, help="how many grievances to add")
    ap.add_argument("--overdue", type=int, default=0, help="how many of them are open past their deadline now")
    ap.add_argument("--months", type=int, default=24, help="how far back receipts go (default 24)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=10000, help="grievances per transaction")
    ap.add_argument("--now", help="ISO time taken as now (default: the clock)")
    ap.add_argument("--workers", type=int, default=2, help="processes generating at once (PostgreSQL; default 2)")
    args = ap.parse_args(argv)
    url = os.environ.get("GRS_DATABASE_URL")
    if not url:
        sys.exit("generate: set GRS_DATABASE_URL (postgresql+psycopg://... or sqlite:///...)")
    from grs import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    now = datetime.fromisoformat(args.now) if args.now else None
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    r = generate(app, args.grievances, args.overdue, now=now, months=args.months, seed=args.seed, batch=args.batch,
                 workers=args.workers)
    print(f"generate: {r['grievances']:,} grievances ({r['overdue']:,} overdue at {r['now']}), {r['events']:,} events, "
          f"{r['counter_rows']:,} counter rows in {r['seconds']:.0f} s")


if __name__ == "__main__":
    main()
