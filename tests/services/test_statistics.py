"""The statistics service: every figure of a known set of grievances checked by hand count, and the
per-day counters equal to a recount from the events after any sequence of lodges, actions and sweeps."""
from __future__ import annotations

from datetime import timedelta

import builders
import pytest
from builders import BARIA, BARMI, BASAN, GAZIPUR, SADAR, SREEPUR, T0
from hypothesis import HealthCheck, given, settings, strategies as st

from escalation.sweep import sweep
from grs import services as svc
from grs import rollups, statistics
from grs.errors import DomainError, ValidationError
from grs.extensions import db
from grs.services.actors import Actor
from grs.statistics import StatsFilter

pytestmark = pytest.mark.both_backends  # the counters' upsert and the local-month SQL are dialect SQL

DAY = timedelta(days=1)
NOW = T0 + 30 * DAY


def citizen(code, action, now, **kw):
    return builders.run(svc.act, code, svc.ActionRequest(action, **kw), actor=Actor.citizen("sms"), now=now)


@pytest.fixture
def known(ctx, world):
    """Seven grievances in Gazipur, decided as the comments say (T0 is a Sunday; Friday and Saturday off)."""
    act = builders.act
    g1 = builders.lodge(BARIA).tracking_code  # resolved at union after 1 working day; satisfied
    act(world, "officer_baria", g1, "resolve", decision="upheld", resolution="Paid.", now=T0 + DAY)
    citizen(g1, "feedback", T0 + 2 * DAY, satisfied=True)
    g2 = builders.lodge(BARIA).tracking_code  # resolved at union after 10 working days: late
    act(world, "officer_baria", g2, "resolve", decision="upheld", resolution="Paid.", now=T0 + 14 * DAY)
    g3 = builders.lodge(BASAN).tracking_code  # escalated by Basan, resolved at upazila after 3
    act(world, "officer_basan", g3, "escalate", note="Needs the upazila.", now=T0)
    act(world, "officer_sadar", g3, "resolve", decision="partly_upheld", resolution="Part paid.", now=T0 + 3 * DAY)
    g4 = builders.lodge(BARIA, phone=None).tracking_code  # anonymous; rejected as unrelated at union
    act(world, "officer_baria", g4, "reject", reason_code="unrelated", note="About a road.", now=T0)
    g5 = builders.lodge(BARIA).tracking_code  # left open: overdue by NOW
    g6 = builders.lodge(BARIA).tracking_code  # resolved at union, appealed, resolved at upazila after 4
    act(world, "officer_baria", g6, "resolve", decision="not_upheld", resolution="Not due.", now=T0 + DAY)
    citizen(g6, "appeal", T0 + 2 * DAY)
    act(world, "officer_sadar", g6, "resolve", decision="upheld", resolution="Due after all.", now=T0 + 4 * DAY)
    g7 = builders.lodge(BARMI, now=T0 + 25 * DAY).tracking_code  # open, not yet overdue at NOW
    return g1, g2, g3, g4, g5, g6, g7


def stats(group_by=None, **kw):
    f = StatsFilter(**{"area": GAZIPUR, **kw})
    return statistics.figures(db.session, f, group_by, now=NOW)


def test_every_figure_by_hand_count(known):
    t = stats()["total"]
    assert (t["received"], t["resolved"], t["rejected"], t["pending"], t["overdue"]) == (7, 4, 1, 2, 1)
    assert t["rejected_by_reason"] == {"unrelated": 1, "out_of_scope": 0, "duplicate": 0,
                                       "insufficient_information": 0, "withdrawn": 0, "unspecified": 0}
    # Working days to the last decision: 1, 10, 3, 4 (g6 counts once, at its decision on appeal).
    assert (t["median_working_days"], t["mean_working_days"]) == (3.5, 4.5)
    assert (t["resolved_within_limit"], t["within_limit_share"]) == (3, 0.75)
    assert (t["escalated"], t["appealed"], t["feedback"], t["satisfied"], t["ack_breached"]) == (1, 1, 1, 1, 0)
    assert t["escalation_rate"] == round(1 / 7, 4) and t["appeal_rate"] == 0.2 and t["satisfaction_rate"] == 1.0


def test_share_resolved_at_each_tier_and_rejected_as_unrelated(known):
    r = stats("level")
    assert r["shares"] == {"resolved_at": {"union": 0.4, "upazila": 0.4}, "rejected_unrelated": 0.2,
                           "rejected_other": 0.0, "decided": 5}
    union = next(g for g in r["groups"] if g["key"] == "union")
    assert (union["received"], union["resolved"], union["rejected"], union["pending"]) == (7, 2, 1, 2)
    assert union["within_limit_share"] == 0.5  # g1 in time, g2 late


def test_groups_by_area_office_month_quarter_and_sex(known):
    areas = {g["key"]: (g["received"], g["pending"], g["overdue"]) for g in stats("area")["groups"]}
    assert areas == {SADAR: (6, 1, 1), SREEPUR: (1, 1, 0)}
    offices = {g["key"]: g for g in stats("office")["groups"]}
    assert offices["OFF-BD-UN-2870"]["escalated"] == 1 and offices["OFF-BD-UPZ-320"]["resolved"] == 2
    assert [g["key"] for g in stats("month")["groups"]] == ["2026-03"]
    assert [g["key"] for g in stats("quarter")["groups"]] == ["2025-26-Q3"]  # Bangladesh's fiscal year
    sexes = {g["key"]: g["received"] for g in stats("sex")["groups"]}
    assert sexes == {"female": 6, None: 1}


def test_filters_narrow_every_figure(known):
    assert stats(area=SREEPUR)["total"]["received"] == 1
    # Decisions count on their own date: from T0+3 days the late one and the two upazila ones remain.
    t = stats(date_from=(T0 + 3 * DAY).date())["total"]
    assert (t["received"], t["resolved"], t["rejected"]) == (1, 3, 0)
    assert stats(sex="female", age_band="60_plus")["total"]["received"] == 6
    assert stats(programme="OAA", channel="sms")["total"]["received"] == 0
    with pytest.raises(ValidationError) as e:
        stats(programme="NOPE")
    assert "programme" in e.value.fields
    with pytest.raises(ValidationError) as e:
        stats("weekday")
    assert "group_by" in e.value.fields


def test_counters_equal_a_recount_and_rebuild_restores_them(known):
    assert statistics.stored_counts(db.session) == statistics.recount(db.session)
    db.session.execute(statistics.sa.delete(statistics.StatCount))
    assert stats()["total"]["received"] == 0
    statistics.recount(db.session, write=True)
    assert stats()["total"]["received"] == 7
    assert rollups.stored(db.session) == rollups.expected(db.session, statistics.stored_counts(db.session))


def test_the_roll_ups_follow_a_counter_moved_by_hand(known):
    """A repair that changes a counter row's key (not only its n) moves its share in every roll-up."""
    from grs.models import Area
    sc = statistics.StatCount
    row = db.session.scalars(statistics.sa.select(sc).where(sc.n > 0).order_by(sc.id)).first()
    other = db.session.scalar(statistics.sa.select(Area.id).where(Area.code == BASAN))
    db.session.execute(statistics.sa.update(sc).where(sc.id == row.id)  # a key no other row has
                       .values(area_id=other, working_days=97))
    db.session.flush()
    assert rollups.stored(db.session) == rollups.expected(db.session, statistics.stored_counts(db.session))


# ---------------------------------------------------------------- property: counters == recount

AREAS = st.sampled_from([BARIA, BASAN, BARMI, None])
OFFICERS = ("officer_baria", "officer_basan", "officer_sreepur", "officer_sadar", "officer_gazipur",
            "officer_national", "supervisor", "admin", "operator")
STEP = st.one_of(
    st.tuples(st.just("lodge"), AREAS),
    st.tuples(st.just("act"), st.integers(0, 5), st.sampled_from([
        ("acknowledge", {}), ("start", {}), ("request_info", {"note": "?"}), ("resume", {}),
        ("resolve", {"decision": "upheld", "resolution": "ok"}),
        ("reject", {"reason_code": "unrelated", "note": "n"}), ("reject", {"reason_code": "duplicate", "note": "n"}),
        ("escalate", {"note": "up"}), ("close", {}), ("place", {"area": BASAN}),
        ("transfer", {"office": "OFF-BD-UN-2870", "note": "t"})])),
    st.tuples(st.just("citizen"), st.integers(0, 5), st.sampled_from([
        ("appeal", {}), ("feedback", {"satisfied": True}), ("feedback", {"satisfied": False})])),
    st.tuples(st.just("sweep"), st.integers(1, 15)),
)


# The shapes of figures compared (area, filter, group): each family of roll-up, a drill-down, the office league
# (from the office roll-up and, with a filter it lacks, from the counters), whole months and odd days.
SHAPES = st.lists(st.tuples(
    st.sampled_from([None, GAZIPUR, SREEPUR]),
    st.sampled_from([{}, {"sex": "female"}, {"programme": "OAA", "age_band": "60_plus"}, {"channel": "sms"},
                     {"category": "payment", "channel": "web"}, {"channel": "sms", "sex": "female"},
                     {"date_from": (T0 + DAY).date(), "date_to": 40}, {"date_from": T0.date().replace(day=1)}]),
    st.sampled_from([None, "level", "area", "month", "office", "sex", "category", "channel"])), min_size=4, max_size=4)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(STEP, min_size=1, max_size=14), shapes=SHAPES)
def test_property_counters_equal_a_recount_after_any_sequence(ctx, world, steps, shapes):
    codes, now = [], T0
    for step in steps:
        now += timedelta(hours=7)
        try:
            if step[0] == "lodge":
                codes.append(builders.lodge(step[1], now=now).tracking_code)
            elif step[0] == "sweep":
                now += step[1] * DAY
                sweep(now)
            elif codes:
                code = codes[step[1] % len(codes)]
                action, kw = step[2]
                if step[0] == "citizen":
                    citizen(code, action, now, **kw)
                else:
                    for who in OFFICERS:  # whoever may take it
                        try:
                            builders.act(world, who, code, action, now=now, **kw)
                            break
                        except DomainError:
                            continue
        except DomainError:
            pass
    db.session.expire_all()
    assert statistics.stored_counts(db.session) == statistics.recount(db.session)
    # the roll-up the wide figures read follows the counters (its triggers), and answers as they do
    assert rollups.stored(db.session) == rollups.expected(db.session, statistics.stored_counts(db.session))
    # every roll-up family and the office league's SQL answer as the counters folded in Python do
    for area, kw, group in shapes:
        if "date_to" in kw:
            kw = {**kw, "date_to": (now + kw["date_to"] * DAY).date()}
        f = StatsFilter(area=area, **kw)
        assert statistics.figures(db.session, f, group, now=NOW) == \
            statistics.figures(db.session, f, group, now=NOW, rollup=False), (f, group)


def test_cli_rebuild_restores_the_counters(app, known, runner):
    db.session.execute(statistics.sa.delete(statistics.StatCount))
    result = runner.invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "stats rebuild:" in result.output
    assert stats()["total"]["received"] == 7


@pytest.fixture
def a_year_and_a_half(ctx, world):
    """A grievance lodged every 17 days for 18 months from T0 (2026-03-01), in two unions; most resolved
    a few days later, some rejected, some left open: rows in every month, quarter and half year."""
    act = builders.act
    unions = [(BARIA, "officer_baria"), (BASAN, "officer_basan")]
    for i in range(32):
        at = T0 + i * 17 * DAY
        area, officer = unions[i % 2]
        code = builders.lodge(area, now=at).tracking_code
        if i % 5 == 4:
            continue
        if i % 7 == 3:
            act(world, officer, code, "reject", reason_code="duplicate", note="Twice.", now=at + DAY)
        else:
            act(world, officer, code, "resolve", decision="upheld", resolution="Paid.", now=at + (1 + i % 9) * DAY)


@pytest.mark.parametrize("date_from, date_to", [
    ("2026-07-01", "2027-06-30"),  # a fiscal year from July: two half years
    ("2026-04-01", "2026-06-30"),  # a quarter
    ("2026-01-01", "2026-12-31"),  # a calendar year: H1 and H2
    ("2026-05-01", "2027-04-30"),  # months, a quarter, a half year, a quarter, a month
    ("2026-03-14", "2027-02-10"),  # days at both ends too
    ("2026-10-01", None), (None, "2027-03-31"),  # open at one end
    ("2026-08-20", "2026-09-05"),  # days only
])
def test_a_dated_league_reads_half_years_quarters_months_and_days_as_the_counters_add_up(
        a_year_and_a_half, date_from, date_to):
    from datetime import date
    f = StatsFilter(date_from=date_from and date.fromisoformat(date_from),
                    date_to=date_to and date.fromisoformat(date_to))
    now = T0 + 600 * DAY
    fast = statistics.figures(db.session, f, "office", now=now, min_cases=1)
    assert fast == statistics.figures(db.session, f, "office", now=now, min_cases=1, rollup=False)
    assert fast["total"]["received"] > 0 and fast["groups"]
    assert rollups.stored(db.session) == rollups.expected(db.session, statistics.stored_counts(db.session))


def test_the_periods_that_cover_a_range_of_months():
    from datetime import date
    found = (rollups.OFFICES, 2)
    cover = lambda a, b: [(fam.period, str(lo), str(hi)) for (fam, _), lo, hi in  # noqa: E731
                          statistics._periods(found, a and date.fromisoformat(a), b and date.fromisoformat(b), "office")]
    assert cover("2025-07-01", "2026-06-01") == [("half", "2025-07-01", "2026-01-01")]
    assert cover("2025-08-01", "2026-05-01") == [("month", "2025-08-01", "2025-09-01"),
                                                 ("quarter", "2025-10-01", "2026-01-01"),
                                                 ("month", "2026-04-01", "2026-05-01")]
    assert cover("2026-02-01", "2026-02-01") == [("month", "2026-02-01", "2026-02-01")]
    assert cover(None, "2026-02-01") == [("half", "None", "2025-07-01"), ("month", "2026-01-01", "2026-02-01")]
    # by month, and for every family but the office's, months are read as they are
    assert [p for (fam, _), *p in statistics._periods(found, date(2025, 7, 1), date(2026, 6, 1), "month")] == \
        [[date(2025, 7, 1), date(2026, 6, 1)]]
    assert statistics._periods((rollups.AREAS, 0), date(2025, 7, 1), date(2026, 6, 1), None)[0][0][0] is rollups.AREAS


# ---------------------------------------------------------------- several groupings read together

BOARD = ("month", "level", "programme", "office", "area", "sex", "age_band", "disability")


FILTERS = [
    {}, {"area": GAZIPUR}, {"area": SREEPUR}, {"programme": "OAA", "sex": "female"},
    {"channel": "sms", "sex": "female"},  # no roll-up has the pair: the counters, grouped together
    {"date_from": "2026-07-01", "date_to": "2027-06-30"},  # half years for the league, months for the rest
    {"date_from": "2026-03-14", "date_to": "2027-02-10", "disability": False},  # days at both ends
    {"category": "payment", "age_band": "60_plus"},
]


def test_figures_many_answers_as_one_call_per_grouping(known, a_year_and_a_half):
    """The dashboard's groupings read together (one scan of the open grievances, the groupings that read the
    same roll-up rows in one statement) give each grouping's figures exactly as a call of its own does. Every
    filter on the one data set (built once: it was most of this test's time, once per filter)."""
    from datetime import date
    from grs.models import Area
    now = T0 + 600 * DAY
    groups = (*BOARD, "channel", "category", "quarter", None)
    gazipur = db.session.scalar(statistics.sa.select(Area.path).where(Area.code == GAZIPUR))
    for kw in FILTERS:
        f = StatsFilter(**{k: date.fromisoformat(v) if k.startswith("date_") else v for k, v in kw.items()})
        for opts in ({}, {"include_sensitive": False, "min_cases": 1}, {"scope_path": gazipur}):
            many = statistics.figures_many(db.session, f, groups, now=now, **opts)
            assert list(many) == list(groups)
            for g in groups:
                assert many[g] == statistics.figures(db.session, f, g, now=now, **opts), (kw, g, opts)
                if not opts:  # and to the counters (the options are the same code either way)
                    assert many[g] == statistics.figures(db.session, f, g, now=now, rollup=False), (kw, g)
        assert many["office"]["total"]["received"] > 0 or kw


def test_the_dashboard_groupings_read_together_take_fewer_statements(known, a_year_and_a_half):
    """On PostgreSQL the eight groupings read what they share once: a statement for the open grievances of all
    eight, one for month, tier and programme, one for sex, age band and disability (SQLite: one a grouping)."""
    conn = db.session.connection()
    seen = []
    statistics.sa.event.listen(conn, "before_cursor_execute", lambda *a: seen.append(a[2]))
    statistics.figures_many(db.session, StatsFilter(), BOARD, now=T0 + 600 * DAY)
    together, shared = len(seen), sum("GROUPING SETS" in s for s in seen)
    seen.clear()
    for g in BOARD:
        statistics.figures(db.session, StatsFilter(), g, now=T0 + 600 * DAY)
    if conn.dialect.name == "postgresql":
        assert together <= len(seen) - 20, (together, len(seen))
        assert shared == 3  # the open grievances, the wide roll-up's three groupings, the people's three
    else:
        assert together <= len(seen)
