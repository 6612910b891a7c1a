"""The statistics service: the figures a ministry governs by, from per-day counters kept in step with
the events, and the current-state figures (pending, overdue) from indexed grievance columns.

How it stays fast: every `history.record` asks `track`, which works out what the grievance adds to
the counters now (`contribution`, a pure function of the grievance and its events), compares it with
what it added before (`stat_contributions`) and upserts only the difference into `stat_counts`, in
the same transaction. A request sums counter rows (one per day × measure × dimensions) instead of
scanning events. `recount` rebuilds both tables from the events alone (`grs stats rebuild`); the
property test holds the counters equal to it.

What the figures mean (docs/api.md repeats this for callers):
- received: on the local date the grievance was received; at the office it first went to.
- resolved / rejected: a grievance counts once, at its latest decision (an appeal takes the earlier
  decision back; the decision that ends the appeal counts), on the decision's local date, at the
  office and tier that decided. Rejected is split by reason_code ("unspecified" before reasons
  were recorded). resolved_within_limit and working days (receipt to decision, country calendar)
  come from the resolving event.
- escalated / appealed: grievances escalated (appealed) at least once, on the first one's date, at
  the office it left. satisfied: the latest feedback was "satisfied"; feedback: any answer.
- ack_breached: each missed acknowledgement deadline, on its date, at the office that missed it.
- pending / overdue: open now (overdue as grs.queries defines it), of the grievances received in
  the date range, at their current office and tier.
"""
from __future__ import annotations

import statistics as pystats
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from . import queries, rollups
from .countries import profile
from .errors import Forbidden, ValidationError
from .events import REJECT_REASONS
from .extensions import db
from .models import Area, Category, Grievance, Office, Programme, StatContribution, StatCount
from .uow import current_uow

KEY_FIELDS = ("day", "measure", "programme_id", "category_id", "channel", "area_id", "office_id", "level",
              "sex", "age_band", "disability", "sensitive", "working_days")
GROUPS = ("level", "programme", "channel", "category", "area", "month", "quarter", "office", "sex", "age_band",
          "disability")
UNSPECIFIED = "unspecified"  # a rejection recorded before reason codes
REASONS = (*REJECT_REASONS, UNSPECIFIED)


def reporting_year_start(country: str) -> int:
    """The month the country pack's reporting year starts (Bangladesh: the fiscal year from July)."""
    from .countries import profile

    return profile(country).reporting.fiscal_year_start[0]

Key = tuple


# ---------------------------------------------------------------- what one grievance adds


def contribution(g: Grievance, events: Iterable, tz: ZoneInfo) -> Counter:
    """Counter rows (KEY_FIELDS tuples, day as ISO text) this grievance adds, from its events. Pure."""
    sex, age = g.sex or "", g.age_band or ""  # as the complainant said for this grievance (not their record now)
    disability = "" if g.disability is None else ("yes" if g.disability else "no")
    out: Counter = Counter()

    def add(measure: str, at: datetime, office_id, level, wd: int = -1) -> None:
        day = at.astimezone(tz).date().isoformat()
        out[(day, measure, g.programme_id, g.category_id, g.channel, g.area_id or 0, office_id or 0,
             level or "", sex, age, disability, bool(g.sensitive), wd)] += 1

    first = decision = feedback = escalated = appealed = prev = None
    for e in events:
        if first is None and e.office_id is not None:
            first = e
        if e.type in ("resolved", "rejected"):
            decision = e
        elif e.type == "appealed":
            decision = None
            if appealed is None:
                appealed = (e, prev)
        elif e.type == "escalated" and escalated is None:
            escalated = (e, prev)
        elif e.type == "feedback":
            feedback = e
        elif e.type == "ack_breached":
            add("ack_breached", e.at, e.office_id, e.level)
        prev = e
    add("received", g.received_at, first.office_id if first else None, first.level if first else None)
    if decision is not None:
        data = decision.data or {}
        if decision.type == "resolved":
            wd = data.get("working_days")
            add("resolved", decision.at, decision.office_id, decision.level, wd if isinstance(wd, int) else -1)
            if data.get("within_limit") is True:
                add("resolved_within_limit", decision.at, decision.office_id, decision.level)
        else:
            add(f"rejected:{data.get('reason_code') or UNSPECIFIED}", decision.at, decision.office_id,
                decision.level)
    for measure, found in (("escalated", escalated), ("appealed", appealed)):
        if found is not None:
            e, before = found
            add(measure, e.at, before.office_id if before else None, before.level if before else None)
    if feedback is not None:
        add("feedback", feedback.at, feedback.office_id, feedback.level)
        if (feedback.data or {}).get("satisfied"):
            add("satisfied", feedback.at, feedback.office_id, feedback.level)
    return out


def _tz(country: str | None = None) -> ZoneInfo:
    if country is None:
        uow = current_uow()
        country = uow.settings.country if uow is not None else "BD"
    return ZoneInfo(profile(country).timezone)


def upsert(session, deltas: dict[Key, int]) -> None:
    """Add each delta to its counter row, creating the row if needed: one statement."""
    if not deltas:
        return
    rows = [{**dict(zip(KEY_FIELDS, k)), "day": date.fromisoformat(k[0]), "n": d} for k, d in deltas.items()]
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    ins = insert(StatCount).values(rows)
    session.execute(ins.on_conflict_do_update(index_elements=list(KEY_FIELDS), set_={"n": StatCount.n + ins.excluded.n}))


def track(g: Grievance, event=None, *, fresh: bool = False) -> None:
    """Bring the counters in line with this grievance's events, in the caller's transaction.

    history.record calls it with each new event (which an unloaded `g.events` may not show yet);
    a grievance not yet inserted is tracked by lodge, `fresh` (it has no contribution to look up)."""
    if g.id is None:
        return
    session = db.session
    events = list(g.events)
    if event is not None and all(e is not event for e in events):
        events.append(event)
    row = None if fresh else session.get(StatContribution, g.id)
    deltas, counts = change(g, events, row.counts if row is not None else None, _tz())
    if not deltas:
        return
    upsert(session, deltas)
    if row is None:
        session.add(StatContribution(grievance_id=g.id, counts=counts))
    else:
        row.counts = counts


def change(g, events: list, stored: list | None, tz: ZoneInfo) -> tuple[dict[Key, int], list]:
    """What the grievance's events (any order) change in the counters against what it added before
    (`stored`: its StatContribution counts, None for none): (deltas, the counts to store now). `track` and
    the batch sweep (which sums the deltas of a whole batch into one upsert) both count through here."""
    new = contribution(g, sorted(events, key=lambda e: e.seq), tz)
    old = Counter({tuple(k[:-1]): k[-1] for k in stored}) if stored else Counter()
    deltas = {k: new[k] - old[k] for k in new.keys() | old.keys() if new[k] != old[k]}
    return deltas, [[*k, n] for k, n in sorted(new.items())]


def stored_counts(session) -> Counter:
    """The counters as stored, without zero rows (for comparing with `recount`)."""
    cols = [getattr(StatCount, f) for f in KEY_FIELDS]
    out: Counter = Counter()
    for *key, n in session.execute(sa.select(*cols, StatCount.n).where(StatCount.n != 0)):
        key[0] = key[0].isoformat()
        key[-2] = bool(key[-2])
        out[tuple(key)] += n
    return out


def recount(session, *, country: str = "BD", write: bool = False, batch: int = 1000) -> Counter:
    """The counters computed from every grievance's events; with `write`, replace the stored ones
    (the repair for `grs stats rebuild`)."""
    tz = _tz(country)
    total: Counter = Counter()
    if write:
        session.execute(sa.delete(StatContribution))
        session.execute(sa.delete(StatCount))
    last = 0
    while True:
        gs = session.scalars(sa.select(Grievance).where(Grievance.id > last).order_by(Grievance.id).limit(batch)
                             .options(selectinload(Grievance.events))).all()
        if not gs:
            break
        for g in gs:
            c = contribution(g, g.events, tz)
            total.update(c)
            if write and c:
                session.add(StatContribution(grievance_id=g.id, counts=[[*k, n] for k, n in sorted(c.items())]))
        last = gs[-1].id
    if write:
        for chunk in _chunks(list(total.items()), 500):
            upsert(session, dict(chunk))
        session.flush()
    return total


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# ---------------------------------------------------------------- reading the figures


@dataclass(frozen=True)
class StatsFilter:
    """What the figures are narrowed to; None leaves that side open. Codes, as callers know them."""

    date_from: date | None = None
    date_to: date | None = None
    area: str | None = None
    programme: str | None = None
    category: str | None = None
    channel: str | None = None
    sex: str | None = None
    age_band: str | None = None
    disability: bool | None = None


def _code_id(session, model, code: str | None, field: str) -> int | None:
    if code is None:
        return None
    found = session.scalar(sa.select(model.id).where(model.code == code))
    if found is None:
        raise ValidationError(f"unknown {field}", {field: f"No {field} has the code {code!r}."})
    return found


def _quarter(d: date, country: str) -> str:
    start = reporting_year_start(country)
    shifted = (d.month - start) % 12
    year = d.year if d.month >= start else d.year - 1
    label = str(year) if start == 1 else f"{year}-{(year + 1) % 100:02d}"
    return f"{label}-Q{shifted // 3 + 1}"


def _median(hist: Mapping) -> float | None:
    n = sum(hist.values())
    if n == 0:
        return None
    values = sorted(hist.items())

    def nth(i: int) -> int:  # 0-based
        seen = 0
        for v, c in values:
            seen += c
            if i < seen:
                return v
        return values[-1][0]
    return float(nth(n // 2)) if n % 2 else (nth(n // 2 - 1) + nth(n // 2)) / 2


def _rate(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


_REASON_MEASURES = tuple((r, f"rejected:{r}") for r in REASONS)


def _figures(m: Mapping, hist: Mapping, pending: int, overdue: int) -> dict:
    """The figures of one group from its measures and its histogram of working days to resolve."""
    get = m.get  # (a Counter's [] of a missing measure runs Python code: 5,000 offices × 15 measures)
    by_reason = {r: get(measure, 0) for r, measure in _REASON_MEASURES}
    rejected = sum(by_reason.values())
    resolved, received = get("resolved", 0), get("received", 0)
    within, escalated, appealed = get("resolved_within_limit", 0), get("escalated", 0), get("appealed", 0)
    satisfied, feedback = get("satisfied", 0), get("feedback", 0)
    decided = resolved + rejected
    wd_n = sum(hist.values())
    median, mean = _median(hist), round(sum(v * c for v, c in hist.items()) / wd_n, 2) if wd_n else None
    return {
        "received": received, "resolved": resolved, "rejected": rejected, "rejected_by_reason": by_reason,
        "pending": pending, "overdue": overdue,
        "resolved_within_limit": within,
        "within_limit_share": _rate(within, resolved),
        "median_working_days": median,
        "mean_working_days": mean,
        "escalated": escalated, "appealed": appealed, "satisfied": satisfied,
        "feedback": feedback, "ack_breached": get("ack_breached", 0),
        "escalation_rate": _rate(escalated, received), "appeal_rate": _rate(appealed, decided),
        "satisfaction_rate": _rate(satisfied, feedback),
    }


_NONE: Mapping = {}  # the measures or histogram of a group that has none


LEAGUE_MIN_CASES = 20  # an office with fewer decisions is not ranked: its shares say more about chance


LEAGUE_FIELDS = ("key", "resolved", "rejected", "resolved_within_limit", "within_limit_share", "median_working_days")


def league(groups: list[dict], min_cases: int = LEAGUE_MIN_CASES) -> list[dict]:
    """Offices ranked by the share resolved within the limit, then by median working days, counting only
    offices with at least `min_cases` decisions (resolved or rejected); each entry has its rank, its
    decisions and the figures it is ranked by (the rest are in its group: a national league would repeat
    5,000 offices' every figure)."""
    ranked = [g for g in groups if g["resolved"] + g["rejected"] >= min_cases and g["within_limit_share"] is not None]
    ranked.sort(key=lambda g: (-g["within_limit_share"],
                               g["median_working_days"] if g["median_working_days"] is not None else 10**6,
                               -(g["resolved"] + g["rejected"]), str(g["key"])))
    return [{"rank": i, "decided": g["resolved"] + g["rejected"], **{k: g[k] for k in LEAGUE_FIELDS}}
            for i, g in enumerate(ranked, start=1)]


def figures(session, f: StatsFilter, group_by: str | None = None, *, now: datetime, country: str = "BD",
            scope_path: str | None = None, include_sensitive: bool = True,
            min_cases: int = LEAGUE_MIN_CASES, rollup: bool = True) -> dict:
    """The figures for `f`, overall and per group of `group_by` (GROUPS), limited to the areas under
    `scope_path` (a caller's scope); sensitive grievances left out unless `include_sensitive`.

    ValidationError naming the field for an unknown code or group; with group_by="level", each tier's
    share of all decisions and the share rejected as unrelated. The figures read whole months from a
    roll-up that has what they need (grs/rollups.py), and the office league sums each office in the
    database; `rollup=False` reads every counter row and folds them here instead (the same figures: the
    reference the tests hold the fast paths to)."""
    return figures_many(session, f, (group_by,), now=now, country=country, scope_path=scope_path,
                        include_sensitive=include_sensitive, min_cases=min_cases, rollup=rollup)[group_by]


# Groups whose reads may share a statement (GROUPING SETS) with others of the same filters: not the area
# (its rows are labelled per child of the root) nor the office (pivoted per office), nor the total or a
# quarter (no column of its own besides the month's).
_SHAREABLE = {"level", "programme", "channel", "category", "month", "sex", "age_band", "disability"}


def figures_many(session, f: StatsFilter, groups, *, now: datetime, country: str = "BD",
                 scope_path: str | None = None, include_sensitive: bool = True,
                 min_cases: int = LEAGUE_MIN_CASES, rollup: bool = True) -> dict:
    """{group_by: figures(session, f, group_by, ...)} for each of `groups`, the same answers as one call
    each (the tests hold them so), with what the calls share read once: the codes and the area; on
    PostgreSQL the current state of every group in one scan of the open grievances, and the counter rows
    of the groups that read the same roll-up rows (a dashboard's month, tier and programme; its sex, age
    band and disability) in one statement, each group a grouping set."""
    groups = list(dict.fromkeys(groups))
    for group_by in groups:
        if group_by is not None and group_by not in GROUPS:
            raise ValidationError("unknown group_by", {"group_by": f"Use one of {', '.join(GROUPS)}."})
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise ValidationError("from is after to", {"from": "The start date must not be after the end date."})
    tz = _tz(country)
    programme_id = _code_id(session, Programme, f.programme, "programme")
    category_id = _code_id(session, Category, f.category, "category")
    root = _root(session, f.area, scope_path)
    if root is None:  # no geography loaded yet: nothing can have been counted
        out = {}
        for group_by in groups:
            empty = {"group_by": group_by, "area": None, "total": _figures(Counter(), Counter(), 0, 0)}
            out[group_by] = {**empty, "groups": []} if group_by is not None else empty
        return out
    whole_country = root.parent_id is None
    plans = {g: _Plan(session, f, g, tz=tz, programme_id=programme_id, category_id=category_id, root=root,
                      whole_country=whole_country, include_sensitive=include_sensitive, rollup=rollup,
                      country=country)
             for g in groups}
    _pg_memory(session)
    shared = session.get_bind().dialect.name == "postgresql" and len(groups) > 1
    # ---- current state
    current = {}
    g_where = next(iter(plans.values())).g_where  # (the same filters: the same open grievances)
    if shared:
        current = _current_shared(session, [g for g in groups if g in _SHAREABLE or g in ("office", "area")],
                                  g_where, now, tz)
    for group_by in groups:
        if group_by in current:
            continue
        if group_by in _PEOPLE:
            current[group_by] = _people_state(session, g_where, now, group_by,
                                              memo_key=(f, root.id, scope_path, include_sensitive, now))
        else:
            g_col = plans[group_by].g_col
            g_cols = [g_col] if g_col is not None else []
            current[group_by] = session.execute(
                sa.select(*g_cols, sa.func.count(), sa.func.sum(sa.case((queries.overdue(now), 1), else_=0)))
                .select_from(Grievance).where(*g_where).group_by(*g_cols)).all()
    # ---- counters
    rows: dict = {}
    if shared:
        by_source: dict = {}
        for group_by in groups:
            plan = plans[group_by]
            if group_by in _SHAREABLE and not plan.pivoted:
                by_source.setdefault(plan.source_key, []).append(group_by)
        for together in by_source.values():
            if len(together) > 1:
                rows.update(_parts_shared(session, [plans[g] for g in together]))
    out = {}
    for group_by in groups:
        plan = plans[group_by]
        if plan.pivoted:
            got = None
        elif group_by in rows:
            got = rows[group_by]
        else:
            got = []
            for i, select in enumerate(plan.parts):
                part = session.execute(select).all()
                if i < plan.from_rollup and group_by == "area":
                    part = [(plan.fold(k), *rest) for k, *rest in part]
                got += part
        out[group_by] = _answer(session, plan, got, current[group_by], min_cases)
    return out


class _Plan:
    """What one group's figures read: the counter or roll-up SELECTs (`parts`, the first `from_rollup` of
    them from a roll-up), the open grievances' filter and group column, and how stored values become keys."""

    def __init__(self, session, f: StatsFilter, group_by, *, tz, programme_id, category_id, root: Area,
                 whole_country: bool, include_sensitive: bool, rollup: bool, country: str):
        self.group_by, self.root, self.tz = group_by, root, tz
        sc = StatCount
        where = []
        for col, value in ((sc.programme_id, programme_id), (sc.category_id, category_id), (sc.channel, f.channel),
                           (sc.sex, f.sex), (sc.age_band, f.age_band)):
            if value is not None:
                where.append(col == value)
        if f.disability is not None:
            where.append(sc.disability == ("yes" if f.disability else "no"))
        if not include_sensitive:
            where.append(sc.sensitive.is_(False))
        in_root = sa.select(Area.id).where(Area.path.startswith(root.path, autoescape=True))
        where.append(sa.or_(sc.area_id.in_(in_root), sc.area_id == 0) if whole_country else sc.area_id.in_(in_root))
        self.group_col = group_col = _counter_column(group_by, session)
        depth = len(root.ancestor_codes()) - 1
        found = _family(f, category_id, group_by, depth) if rollup else None
        months = _whole_months(f.date_from, f.date_to) if found is not None else None
        self.pivoted = pivoted = rollup and group_by == "office"  # thousands of offices: the database sums each
        self.from_rollup = 0  # how many of `parts` read a roll-up (the first ones)
        # Each part as (how to build it for some groups, what it reads): groups whose parts read the same
        # rows (`source_key`) can be read by one statement (`_parts_shared`).
        specs = []
        if months is None:  # every counter row in the range
            days = [*where, *_days(f.date_from, f.date_to)]
            specs.append(((lambda gs, days=days: _counter_rows(session, gs, None, days, root, grouped=not pivoted)),
                          ("counters", f.date_from, f.date_to)))
        else:  # whole months from a roll-up, the days before and after them from the counters
            (first, last), edges = months
            filters = dict(programme=programme_id, sex=f.sex, age_band=f.age_band,
                           disability=None if f.disability is None else ("yes" if f.disability else "no"),
                           channel=f.channel, category=category_id)
            for part, lo, hi in _periods(found, first, last, group_by):
                specs.append(((lambda gs, part=part, lo=lo, hi=hi: _rollup_select(
                    part, gs, root, depth, whole_country, lo, hi, include_sensitive, grouped=not pivoted,
                    **filters)), ("rollup", part[0].table, part[1], lo, hi)))
            self.from_rollup = len(specs)
            for lo, hi in edges:
                days = [*where, *_days(lo, hi)]
                specs.append(((lambda gs, days=days: _counter_rows(session, gs, None, days, root,
                                                                    grouped=not pivoted)), ("counters", lo, hi)))
        self.specs = specs
        self.parts = [build(group_by) for build, _ in specs]
        self.source_key = tuple(key for _, key in specs)
        # ---- current state
        g_where = [Grievance.is_open.is_(True)]
        if f.date_from:
            g_where.append(Grievance.received_at >= _local_midnight(f.date_from, tz))
        if f.date_to:
            g_where.append(Grievance.received_at < _local_midnight(f.date_to + timedelta(days=1), tz))
        for col, value in ((Grievance.programme_id, programme_id), (Grievance.category_id, category_id),
                           (Grievance.channel, f.channel), (Grievance.sex, f.sex), (Grievance.age_band, f.age_band),
                           (Grievance.disability, f.disability)):
            if value is not None:
                g_where.append(col == value)
        if not include_sensitive:
            g_where.append(Grievance.sensitive.is_(False))
        g_where.append(sa.or_(Grievance.area_id.in_(in_root), Grievance.area_id.is_(None)) if whole_country
                       else Grievance.area_id.in_(in_root))
        self.g_where = g_where
        self.g_col = _grievance_column(group_by, session, tz)
        self.fold = _folder(session, group_by, root, country)


def _parts_shared(session, plans: list) -> dict:
    """{group: rows} for groups whose parts read the same rows, one statement per part: GROUPING SETS of
    (the group's column, measure, working_days), each row handed to the group whose set it came from."""
    groups = [p.group_by for p in plans]
    out: dict = {g: [] for g in groups}
    for build, _ in plans[0].specs:
        select = build(tuple(groups))
        for row in session.execute(select).all():
            i = row[len(groups):2 * len(groups)].index(0)  # GROUPING(k_i) = 0: the set of group i
            out[groups[i]].append((row[i], *row[2 * len(groups):]))
    return out


def _current_shared(session, groups: list, g_where: list, now: datetime, tz) -> dict:
    """{group: current-state rows, as figures reads them one group at a time} from one scan of the open
    grievances, each group a grouping set (the complainant's sex, age band and disability one set of three,
    as `_people_state` reads them)."""
    sets, cols, people = [], [], [g for g in groups if g in _PEOPLE]
    for g in groups:
        if g not in _PEOPLE:
            cols.append(_grievance_column(g, session, tz))
            sets.append(sa.tuple_(cols[-1]))
    first_people = len(cols)
    if people:
        pcols = [_grievance_column(name, session, None) for name in _PEOPLE]
        cols += pcols
        sets.append(sa.tuple_(*pcols))
    if not sets:
        return {}
    flags = [sa.func.grouping(c) for c in cols]
    got = session.execute(
        sa.select(*cols, *flags, sa.func.count(), sa.func.sum(sa.case((queries.overdue(now), 1), else_=0)))
        .select_from(Grievance).where(*g_where).group_by(sa.func.grouping_sets(*sets))).all()
    n = len(cols)
    plain = [g for g in groups if g not in _PEOPLE]
    out: dict = {g: [] for g in groups}
    people_rows = []
    for row in got:
        i = row[n:2 * n].index(0)
        if i < first_people:
            out[plain[i]].append((row[i], row[-2], row[-1]))
        else:
            people_rows.append((*row[first_people:first_people + 3], row[-2], row[-1]))
    for g in people:
        i = _PEOPLE.index(g)
        summed: dict = {}
        for row in people_rows:
            p, o = summed.get(row[i], (0, 0))
            summed[row[i]] = (p + int(row[3] or 0), o + int(row[4] or 0))
        out[g] = [(k, p, o) for k, (p, o) in summed.items()]
    return out


def _answer(session, plan: _Plan, rows, current, min_cases: int) -> dict:
    """One group's figures from its counter rows (None: pivoted per office, read here) and current state."""
    group_by, root, group_col, g_col, fold = plan.group_by, plan.root, plan.group_col, plan.g_col, plan.fold
    measures: dict = {}
    hists: dict = {}
    state: dict = {}
    total_m: Counter = Counter()
    total_h: Counter = Counter()
    if rows is None:
        for key, m, h in _office_pivot(session, plan.parts, total_h, total_m,
                                       scan_once=plan.from_rollup < len(plan.parts)):
            key = fold(key)
            measures[key], hists[key] = m, h
    else:
        # The counter rows come grouped already (an area group by the child of `root`, a month by its first
        # day; a roll-up's by area id, turned into the child's code by the caller); folding them is one pass,
        # the totals added up on the way.
        fold_counter = (lambda k: k or None) if group_by == "area" else (
            (lambda d: fold(_as_date(d))) if group_by in ("month", "quarter") else fold)
        for row in rows:
            key = fold_counter(row[0]) if group_col is not None else None
            measure, wd, n = row[-3], row[-2], int(row[-1] or 0)
            m = measures.get(key)
            if m is None:
                m = measures[key] = Counter()
            m[measure] += n
            total_m[measure] += n
            if measure == "resolved" and wd >= 0:
                h = hists.get(key)
                if h is None:
                    h = hists[key] = Counter()
                h[wd] += n
                total_h[wd] += n
    for row in current:
        key = fold(_as_date(row[0]) if group_by in ("month", "quarter") else row[0]) if g_col is not None else None
        p, o = state.get(key, (0, 0))
        state[key] = (p + int(row[-2] or 0), o + int(row[-1] or 0))
    total_state = tuple(map(sum, zip(*state.values()))) if state else (0, 0)
    result = {"group_by": group_by, "area": root.code,
              "total": _figures(total_m, total_h, *total_state)}
    if group_by is not None:
        labels = _labels(session, group_by)
        decided = total_m["resolved"] + sum(total_m[f"rejected:{r}"] for r in REASONS)
        groups = []
        for key in sorted(set(measures) | set(state), key=lambda k: (k is None, str(k))):
            fig = _figures(measures.get(key, _NONE), hists.get(key, _NONE), *state.get(key, (0, 0)))
            entry = {"key": labels(key), **fig}
            if group_by == "level":
                entry["share_resolved"] = _rate(fig["resolved"], decided)
            groups.append(entry)
        result["groups"] = groups
        if group_by == "office":
            result["league"] = {"min_cases": min_cases, "ranked": league(groups, min_cases)}
        if group_by == "level":
            result["shares"] = {
                "resolved_at": {g["key"]: g["share_resolved"] for g in groups if g["resolved"]},
                "rejected_unrelated": _rate(total_m["rejected:unrelated"], decided),
                "rejected_other": _rate(sum(total_m[f"rejected:{r}"] for r in REASONS if r != "unrelated"), decided),
                "decided": decided,
            }
    return result


# Which counter column each filter or group needs a roll-up to have kept.
_FILTER_COLUMNS = {"programme": "programme_id", "sex": "sex", "age_band": "age_band", "disability": "disability",
                   "channel": "channel", "category": "category_id"}
_GROUP_COLUMNS = {None: (), "level": ("level",), "programme": ("programme_id",), "month": (), "quarter": (),
                  "area": (), "office": ("office_id",), "sex": ("sex",), "age_band": ("age_band",),
                  "disability": ("disability",), "channel": ("channel",), "category": ("category_id",)}


def _family(f: StatsFilter, category_id, group_by: str | None, depth: int):
    """(family, grain) of the first roll-up that has every column these figures filter or group by, at a
    grain no coarser than the root (finer than it for a drill-down by area); None when none has (say a
    channel with a sex, or an area below every grain): the counters answer."""
    if group_by not in _GROUP_COLUMNS:
        return None
    needed = {col for name, col in _FILTER_COLUMNS.items() if getattr(f, name) is not None}
    needed.update(_GROUP_COLUMNS[group_by])
    finest = depth + 1 if group_by == "area" else depth
    dated = f.date_from is not None or f.date_to is not None or group_by in ("month", "quarter")
    for family in rollups.FAMILIES:
        if family.period not in ("month", "all") or (family.all_time and dated):
            continue  # (quarters and half years stand in for some of a month family's months: `_periods`)
        grains = [g for g in family.grains if g >= finest]
        if needed <= set(family.columns) and grains:
            return family, min(grains)
    return None


def _pg_memory(session) -> None:
    """Room for the figures' hash tables (PostgreSQL's default 4 MB spills the league's 116,000 office ×
    measure × working-day groups to disk), and no JIT compilation (a league read from the counters spent
    250 ms compiling what runs in less), for this transaction only."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off"))


def _days(lo: date | None, hi: date | None) -> list:
    return ([StatCount.day >= lo] if lo else []) + ([StatCount.day <= hi] if hi else [])


def _whole_months(d_from: date | None, d_to: date | None):
    """((first month, last month), [(from, to) day ranges left over]) for the roll-up, or None when
    the range holds no whole month (then the counters answer alone)."""
    first = None if d_from is None else (d_from if d_from.day == 1 else _next_month(d_from))
    if d_to is None:
        last = None
    else:
        after = d_to + timedelta(days=1)
        last = _month_start(d_to) if after.day == 1 else _month_start(_month_start(d_to) - timedelta(days=1))
    if first is not None and last is not None and first > last:
        return None
    edges = []
    if first is not None and d_from < first:
        edges.append((d_from, first - timedelta(days=1)))
    if last is not None and _next_month(last) <= d_to:
        edges.append((_next_month(last), d_to))
    return (first, last), edges


def _periods(found, first: date | None, last: date | None, group_by: str | None) -> list:
    """[((family, grain), first, last)] that together cover the months first..last (None: open) of the
    month family in `found`: the half years wholly inside the range from the family's half-year
    companion, then the quarters left from its quarter companion, then the months left (several rows per
    office and measure fewer for a dated league). A figure by month reads months."""
    family, grain = found
    coarser = [] if family.period != "month" or group_by in ("month", "quarter") else sorted(
        (f for f in rollups.FAMILIES if f.columns == family.columns and grain in f.grains
         and f.period in ("quarter", "half")), key=lambda f: -rollups.PERIOD_MONTHS[f.period])
    index = (lambda d: None if d is None else d.year * 12 + d.month - 1)
    as_date = (lambda i: date(i // 12, i % 12 + 1, 1))

    def cover(lo, hi, options):  # month indexes, inclusive; None open
        if lo is not None and hi is not None and lo > hi:
            return []
        if not options:
            return [((family, grain), None if lo is None else as_date(lo), None if hi is None else as_date(hi))]
        span = rollups.PERIOD_MONTHS[options[0].period]
        p_lo = None if lo is None else -(-lo // span) * span  # the first period that starts inside
        p_hi = None if hi is None else (hi + 1) // span * span - span  # the last that ends inside
        if p_lo is not None and p_hi is not None and p_lo > p_hi:
            return cover(lo, hi, options[1:])
        inner = [((options[0], grain), None if p_lo is None else as_date(p_lo),
                  None if p_hi is None else as_date(p_hi))]
        before = cover(lo, p_lo - 1, options[1:]) if p_lo is not None and (lo is None or lo < p_lo) else []
        after = cover(p_hi + span, hi, options[1:]) if p_hi is not None and (hi is None or p_hi + span <= hi) else []
        return before + inner + after
    return cover(index(first), index(last), coarser)


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _rollup_select(found, group_by: str | None, root: Area, depth: int, whole_country: bool, first: date | None,
                   last: date | None, include_sensitive: bool, *, grouped: bool = True, **filters):
    """SELECT [group], measure, working_days, sum(n) from a roll-up family's table for whole months
    first..last. At the root's own grain its rows are the root's alone; at a finer grain (a drill-down by
    area, or a family that has no coarser one) the rows of every area under the root, keyed by area id
    for an area group. A tuple of groups: one grouping set each (`_grouping_sets`)."""
    family, grain = found
    c = db.metadata.tables[family.table].c
    where = [c.grain == grain]
    if grain == depth:
        where.append(sa.or_(c.area_id == root.id, c.area_id == 0) if whole_country else c.area_id == root.id)
    elif not whole_country:  # (every row of a grain lies in the country, or in no area yet)
        where.append(c.area_id.in_(sa.select(Area.id).where(Area.path.startswith(root.path, autoescape=True))))
    if first is not None:
        where.append(c.month >= first)
    if last is not None:
        where.append(c.month <= last)
    for name, value in filters.items():
        if value is not None:
            where.append(c[_FILTER_COLUMNS[name]] == value)
    if not include_sensitive:
        where.append(c.sensitive.is_(False))
    column = (lambda g: {None: None, "month": c.month, "quarter": c.month, "area": c.area_id}.get(
        g, c[_GROUP_COLUMNS[g][0]] if _GROUP_COLUMNS.get(g) else None))
    if isinstance(group_by, tuple):
        return _grouping_sets([column(g) for g in group_by], where, c.measure, c.working_days, c.n)
    col = column(group_by)
    cols = [col.label("k")] if col is not None else []
    if not grouped:  # the rows themselves, for `_office_pivot`
        return sa.select(*cols, c.measure, c.working_days, c.n).where(*where)
    return (sa.select(*cols, c.measure, c.working_days, sa.func.sum(c.n).label("n")).where(*where)
            .group_by(*cols, c.measure, c.working_days))


_PIVOT = ("received", "resolved", "resolved_within_limit", *(f"rejected:{r}" for r in REASONS), "escalated",
          "appealed", "feedback", "satisfied", "ack_breached")


def _office_pivot(session, parts: list, total_hist: Counter, total_measures: Counter, *,
                  scan_once: bool = False):
    """[(office id, measures, histogram of working days to resolve)] from the rows of `parts` (SELECTs of
    office, measure, working_days, n) in two statements over them, a row per office each: the measures
    side by side (FILTER), and the histogram as text ("wd:n,wd:n", summed per working day by the
    database); fills `total_hist` and `total_measures` with all offices' together. Fifty thousand
    (office, working day) rows cost more to hand over and fold here than the database takes to sum them
    (0.3 s at 1,000,000 grievances); medians worked out there with window functions, and the total by a
    third scan, took longer still. With `scan_once` (parts that read the counters: a filter no office roll-up keeps), the
    rows are summed once into a materialized WITH that both read, instead of two scans of the counters."""
    src = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery("src")
    if scan_once:  # counter rows: summed per office, measure and working day once, both statements read that
        src = (sa.select(src.c.k, src.c.measure, src.c.working_days, sa.func.sum(src.c.n).label("n"))
               .group_by(src.c.k, src.c.measure, src.c.working_days).cte("src").prefix_with("MATERIALIZED"))
    pivot = sa.select(src.c.k, *(sa.func.sum(src.c.n).filter(src.c.measure == m) for m in _PIVOT)).group_by(src.c.k)
    days = (sa.select(src.c.k, src.c.working_days.label("wd"), sa.func.sum(src.c.n).label("n"))
            .where(src.c.measure == "resolved", src.c.working_days >= 0)
            .group_by(src.c.k, src.c.working_days).having(sa.func.sum(src.c.n) != 0).subquery("days"))
    pair = sa.cast(days.c.wd, sa.Text) + ":" + sa.cast(days.c.n, sa.Text)
    joined = (sa.func.string_agg(pair, ",") if session.get_bind().dialect.name == "postgresql"
              else sa.func.group_concat(pair, ","))
    if scan_once:  # one statement: the office's measures beside its histogram (a WITH lasts one statement)
        pivoted = pivot.subquery("pivot")
        hist = sa.select(days.c.k, joined.label("h")).group_by(days.c.k).subquery("hist")
        out = []
        for k, *rest, text in session.execute(sa.select(pivoted, hist.c.h).select_from(
                pivoted.outerjoin(hist, hist.c.k == pivoted.c.k))).all():  # (an office's k is never NULL)
            h: Counter = Counter()
            for item in text.split(",") if text else ():
                wd, _, n = item.partition(":")
                h[int(wd)] = int(n)
                total_hist[int(wd)] += int(n)
            out.append((k, rest, h))
        return _measures(out, total_measures)
    hists: dict = {}
    for k, text in session.execute(sa.select(days.c.k, joined).group_by(days.c.k)).all():
        h = hists[k] = {}
        for item in text.split(","):
            wd, _, n = item.partition(":")
            h[int(wd)] = int(n)
    for h in hists.values():
        for wd, n in h.items():
            total_hist[wd] += n
    return _measures([(k, rest, hists.get(k, _NONE)) for k, *rest in session.execute(pivot).all()], total_measures)


def _measures(rows: list, total: Counter) -> list:
    """[(office, {measure: n}, histogram)] from the pivot's (office, [n per _PIVOT measure], histogram) rows,
    the measures of all added into `total` once (not a Counter.update per office: 5,000 of them)."""
    sums = [0] * len(_PIVOT)
    out = []
    for k, values, h in rows:
        m = {}
        for i, v in enumerate(values):
            if v:
                m[_PIVOT[i]] = v = int(v)
                sums[i] += v
        out.append((k, m, h))
    for name, n in zip(_PIVOT, sums):
        if n:
            total[name] += n
    return out


def _root(session, code: str | None, scope_path: str | None) -> Area | None:
    """The area the figures cover: the one asked for (inside the caller's scope), else the scope's, else
    the country."""
    if code is not None:
        area = session.scalar(sa.select(Area).where(Area.code == code))
        if area is None:
            raise ValidationError("unknown area", {"area": f"No area has the code {code!r}."})
        if scope_path is not None and not area.path.startswith(scope_path):
            raise Forbidden("that area is outside your scope")
        return area
    if scope_path is not None:
        return session.scalar(sa.select(Area).where(Area.path == scope_path))
    return session.scalar(sa.select(Area).where(Area.parent_id.is_(None)).order_by(Area.id).limit(1))


def _local_midnight(d: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, time(0), tzinfo=tz)


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _counter_column(group_by: str | None, session):
    sc = StatCount
    if group_by in ("month", "quarter"):  # the first day of the counter's month: 24 groups, not 730 days
        if session.get_bind().dialect.name == "postgresql":
            return sa.cast(sa.func.date_trunc("month", sc.day), sa.Date)
        return sa.func.strftime("%Y-%m-01", sc.day)
    return {None: None, "level": sc.level, "programme": sc.programme_id, "channel": sc.channel,
            "category": sc.category_id, "area": sc.area_id, "office": sc.office_id, "sex": sc.sex,
            "age_band": sc.age_band, "disability": sc.disability}[group_by]


def _grouping_sets(cols: list, where: list, measure, working_days, n):
    """SELECT k_0..k_n-1, GROUPING(k_0)..GROUPING(k_n-1), measure, working_days, sum(n) with one grouping set
    of (k_i, measure, working_days) per column: each group's rows as its own grouped SELECT has them, in one
    scan (`_parts_shared` hands each row to its group)."""
    return (sa.select(*(col.label(f"k{i}") for i, col in enumerate(cols)),
                      *(sa.func.grouping(col) for col in cols), measure, working_days, sa.func.sum(n).label("n"))
            .where(*where).group_by(sa.func.grouping_sets(*(sa.tuple_(col, measure, working_days) for col in cols))))


def _counter_rows(session, group_by, group_col, where: list, root: Area, *, grouped: bool = True):
    """SELECT [group], measure, working_days, sum(n) over the counters in `where` (not `grouped`: the rows
    themselves, for `_office_pivot`); `group_col` None: the group's own (`_counter_column`); a tuple of
    groups (not the area): one grouping set each (`_grouping_sets`).

    By area, the sum is taken per area first and those few thousand rows are then summed per child of
    `root` (the one whose path starts the area's; the root itself for its own rows, none for area 0), so
    the database hands back a row per child, measure and working day rather than per union."""
    sc = StatCount
    if isinstance(group_by, tuple):
        return _grouping_sets([_counter_column(g, session) for g in group_by], where, sc.measure, sc.working_days,
                              sc.n)
    if group_col is None:
        group_col = _counter_column(group_by, session)
    if group_by != "area":
        cols = [group_col.label("k")] if group_col is not None else []
        if not grouped:
            return sa.select(*cols, sc.measure, sc.working_days, sc.n).where(*where)
        return (sa.select(*cols, sc.measure, sc.working_days, sa.func.sum(sc.n).label("n")).where(*where)
                .group_by(*cols, sc.measure, sc.working_days))
    per_area = (sa.select(sc.area_id, sc.measure, sc.working_days, sa.func.sum(sc.n).label("n")).where(*where)
                .group_by(sc.area_id, sc.measure, sc.working_days).subquery("per_area"))
    a = aliased(Area)
    children = session.execute(sa.select(Area.code, Area.path).where(Area.parent_id == root.id)).all()
    child = sa.case((a.id.is_(None), sa.null()),
                    *((a.path.startswith(path, autoescape=True), sa.literal(code)) for code, path in children),
                    else_=sa.literal(root.code))
    labelled = (sa.select(child.label("k"), per_area.c.measure, per_area.c.working_days, per_area.c.n)
                .select_from(per_area.outerjoin(a, a.id == per_area.c.area_id)).subquery("labelled"))
    return (sa.select(labelled.c.k, labelled.c.measure, labelled.c.working_days,
                      sa.func.sum(labelled.c.n).label("n"))
            .group_by(labelled.c.k, labelled.c.measure, labelled.c.working_days))


_PEOPLE = ("sex", "age_band", "disability")


def _people_state(session, g_where: list, now: datetime, group_by: str, *, memo_key: tuple) -> list:
    """[(value, pending, overdue)] of the open grievances by the complainant's sex, age band or disability.

    The three read the same open grievances (120,000 of 1,000,000), so they are counted once grouped by all
    three and kept for the unit of work: a dashboard asking for the three reads them once."""
    uow = current_uow()
    memo = uow.memo.setdefault("statistics.people_state", {}) if uow is not None else {}
    rows = memo.get(memo_key)
    if rows is None:
        cols = [_grievance_column(name, session, None) for name in _PEOPLE]
        rows = memo[memo_key] = session.execute(
            sa.select(*cols, sa.func.count(), sa.func.sum(sa.case((queries.overdue(now), 1), else_=0)))
            .select_from(Grievance).where(*g_where).group_by(*cols)).all()
    i = _PEOPLE.index(group_by)
    out: dict = {}
    for row in rows:
        p, o = out.get(row[i], (0, 0))
        out[row[i]] = (p + int(row[3] or 0), o + int(row[4] or 0))
    return [(k, p, o) for k, (p, o) in out.items()]


def _grievance_column(group_by: str | None, session, tz: ZoneInfo | None):
    if group_by in ("month", "quarter"):
        # The local month of receipt (its first day): the two databases spell it differently. (PostgreSQL:
        # a date, not text; to_char of every open grievance's day was half the scan that counts them.)
        if session.get_bind().dialect.name == "postgresql":
            return sa.cast(sa.func.date_trunc("month", sa.func.timezone(
                str(tz), sa.func.timezone("UTC", Grievance.received_at))), sa.Date)
        offset = int(datetime.now(tz).utcoffset().total_seconds() // 60)
        return sa.func.strftime("%Y-%m-%d", Grievance.received_at, f"{offset:+d} minutes")
    if group_by == "disability":
        return sa.case((Grievance.disability.is_(True), "yes"), (Grievance.disability.is_(False), "no"), else_="")
    return {None: None, "level": Grievance.level, "programme": Grievance.programme_id, "channel": Grievance.channel,
            "category": Grievance.category_id, "area": Grievance.area_id, "office": Grievance.office_id,
            "sex": sa.func.coalesce(Grievance.sex, ""),
            "age_band": sa.func.coalesce(Grievance.age_band, "")}[group_by]


def _folder(session, group_by: str | None, root: Area, country: str):
    """Turns a stored group value into the group's key (area: the child of `root` it lies under)."""
    if group_by in ("month", "quarter"):
        return (lambda d: f"{d.year}-{d.month:02d}") if group_by == "month" else (lambda d: _quarter(d, country))
    if group_by == "area":
        depth = len(root.ancestor_codes())
        paths = dict(session.execute(sa.select(Area.id, Area.path)
                                     .where(Area.path.startswith(root.path, autoescape=True))).all())

        def child(area_id):
            path = paths.get(area_id)
            if not area_id or path is None:
                return None
            codes = [c for c in path.split("/") if c]
            return codes[depth] if len(codes) > depth else codes[-1]
        return child
    return lambda v: (v or None) if not isinstance(v, int) else (v or None)


def _labels(session, group_by: str):
    """The group key as callers know it: codes instead of ids."""
    model = {"programme": Programme, "category": Category, "office": Office}.get(group_by)
    if model is None:
        return lambda k: k
    codes = dict(session.execute(sa.select(model.id, model.code)).all())
    return lambda k: codes.get(k) if k is not None else None
