"""The one clock function: deadlines from a clock's facts equal what the services build step by step."""
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budget import examples
from escalation.sla import (Calendar, ClockFacts, Deadlines, deadlines, feedback_due, paused_days, warn_at,
                            within_limit)


DHAKA = ZoneInfo("Asia/Dhaka")
BD = Calendar(tz=DHAKA, weekend=frozenset({4, 5}),
              holidays=frozenset(holidays.country_holidays("BD", years=range(2025, 2029)).keys()))


def dhaka(y, m, d, h=10, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=DHAKA).astimezone(timezone.utc)


def day(cal: Calendar, at: datetime) -> date:
    return at.astimezone(cal.tz).date()


# ---------------------------------------------------------------- examples on Bangladesh's calendar


def test_a_fresh_clock():
    d = deadlines(ClockFacts(started_at=dhaka(2026, 3, 1), ack_days=2, resolve_days=7), BD)
    assert day(BD, d.ack_due_at) == date(2026, 3, 3)  # Sunday + 2: Tuesday
    assert day(BD, d.due_at) == date(2026, 3, 10)
    assert d.due_at == datetime(2026, 3, 10, 23, 59, 59, tzinfo=DHAKA).astimezone(timezone.utc)
    assert day(BD, d.warn_at) == date(2026, 3, 9)


def test_acknowledged_clock_has_no_acknowledgement_deadline():
    facts = ClockFacts(started_at=dhaka(2026, 3, 1), ack_days=2, resolve_days=7, acknowledged=True)
    assert deadlines(facts, BD).ack_due_at is None


def test_a_pause_over_the_weekend_costs_one_working_day():
    # Asked Thursday 5 March, answered Sunday 8th: Friday and Saturday are the weekend, Sunday counts.
    waited = paused_days(BD, dhaka(2026, 3, 5), dhaka(2026, 3, 8))
    assert waited == 1
    facts = ClockFacts(started_at=dhaka(2026, 3, 1), ack_days=2, resolve_days=7, paused_working_days=waited)
    assert day(BD, deadlines(facts, BD).due_at) == date(2026, 3, 11)


def test_asking_and_resuming_the_same_day_costs_nothing():
    assert paused_days(BD, dhaka(2026, 3, 2, 9), dhaka(2026, 3, 2, 16)) == 0


def test_extension_pushes_from_the_deadline_over_eid():
    # Due Tue 10 March; +10 working days skips Fri/Sat, Eid al-Fitr (Sun 22, Mon 23 in the `holidays`
    # data) and the Laylat al-Qadr day off, and lands after them.
    facts = ClockFacts(started_at=dhaka(2026, 3, 1), ack_days=2, resolve_days=7, extension_days=10)
    due = deadlines(facts, BD).due_at
    assert due == BD.add_working_days(BD.add_working_days(dhaka(2026, 3, 1), 7), 10)
    assert BD.working_days_between(dhaka(2026, 3, 10), due) == 10


def test_a_running_pause_counts_only_when_a_moment_is_given():
    facts = ClockFacts(started_at=dhaka(2026, 3, 1), ack_days=2, resolve_days=7, acknowledged=True,
                       paused_at=dhaka(2026, 3, 5))
    stored = deadlines(facts, BD)
    assert day(BD, stored.due_at) == date(2026, 3, 10)  # as stored while paused: pushed when resumed
    as_of_sunday = deadlines(facts, BD, now=dhaka(2026, 3, 8))
    assert day(BD, as_of_sunday.due_at) == date(2026, 3, 11)


def test_within_limit_is_up_to_the_last_second_of_the_day():
    facts = ClockFacts(started_at=dhaka(2026, 3, 1), ack_days=2, resolve_days=7)
    assert within_limit(facts, BD, dhaka(2026, 3, 10, 23, 59))
    assert not within_limit(facts, BD, dhaka(2026, 3, 11, 0, 1))


def test_a_resolution_while_waiting_counts_the_wait_so_far():
    # Due Tue 10 March; asked on Mon 9th; resolved (still waiting) Wed 11th: 10th and 11th were waited.
    facts = ClockFacts(started_at=dhaka(2026, 3, 1), ack_days=2, resolve_days=7, acknowledged=True,
                       paused_at=dhaka(2026, 3, 9))
    assert within_limit(facts, BD, dhaka(2026, 3, 11, 15))
    late = replace(facts, paused_at=dhaka(2026, 3, 11))  # asked only after the limit had passed
    assert not within_limit(late, BD, dhaka(2026, 3, 15))


def test_feedback_window_counts_working_days_from_the_decision():
    # Resolved Thu 5 March: 8-12, 15, 16, 18, 19 (17th Laylat al-Qadr), then Eid, then Tue 24th.
    assert day(BD, feedback_due(BD, dhaka(2026, 3, 5), 10)) == date(2026, 3, 24)


def test_zero_days_from_a_day_off_then_a_push():
    # Where adding at once from the start would differ: resolve_days 0 on Friday (weekend) is Sunday's
    # end; one paused day pushes it to Monday, not to Sunday as add_working_days(start, 0 + 1) would.
    friday = dhaka(2026, 3, 6)
    facts = ClockFacts(started_at=friday, ack_days=0, resolve_days=0, paused_working_days=1)
    assert day(BD, deadlines(facts, BD).due_at) == date(2026, 3, 9)
    assert day(BD, BD.add_working_days(friday, 1)) == date(2026, 3, 8)


def test_facts_refuse_negative_days_and_naive_instants():
    with pytest.raises(ValueError):
        ClockFacts(started_at=dhaka(2026, 3, 1), ack_days=-1, resolve_days=7)
    with pytest.raises(ValueError):
        ClockFacts(started_at=dhaka(2026, 3, 1), ack_days=1, resolve_days=7, extension_days=-1)
    with pytest.raises(ValueError):
        ClockFacts(started_at=datetime(2026, 3, 1), ack_days=1, resolve_days=7)


# ---------------------------------------------------------------- properties on random calendars

ZONES = [ZoneInfo(z) for z in ("Asia/Dhaka", "Africa/Lagos", "Africa/Bamako", "Africa/Mogadishu",
                               "Europe/London", "America/New_York", "Pacific/Kiritimati", "UTC")]


@st.composite
def calendars(draw) -> Calendar:
    weekend = draw(st.sets(st.integers(0, 6), max_size=3))
    single = draw(st.sets(st.dates(date(2025, 6, 1), date(2028, 12, 31)), max_size=60))
    runs = draw(st.lists(st.tuples(st.dates(date(2025, 6, 1), date(2028, 12, 31)), st.integers(1, 12)),
                         max_size=6))  # Eid-like stretches of days off
    days = set(single) | {first + timedelta(days=i) for first, n in runs for i in range(n)}
    return Calendar(tz=draw(st.sampled_from(ZONES)), weekend=frozenset(weekend), holidays=frozenset(days))


starts = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31),
                      timezones=st.just(timezone.utc))
gaps = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=15))
events = st.lists(st.tuples(st.sampled_from(["pause", "resume", "extend", "acknowledge", "transfer"]), gaps),
                  max_size=12)


@dataclass
class StepwiseClock:
    """What the services do today (grs/services/grievances.py), one event at a time."""

    cal: Calendar
    ack_due_at: datetime | None
    due_at: datetime
    paused_at: datetime | None = None
    paused_working_days: int = 0
    extended: bool = False

    @classmethod
    def start(cls, cal, now, ack_days, resolve_days):  # _start_clock
        return cls(cal, cal.add_working_days(now, ack_days), cal.add_working_days(now, resolve_days))

    def pause(self, now):  # _do_request_info
        if self.paused_at is None:
            self.paused_at = now

    def resume(self, now):  # _do_resume, and a transfer at the same tier: _unpause
        if self.paused_at is not None:
            waited = self.cal.working_days_between(self.paused_at, now)
            if waited:
                self.due_at = self.cal.add_working_days(self.due_at, waited)
            self.paused_working_days += waited
            self.paused_at = None

    def extend(self, days):  # _do_extend: once
        if not self.extended:
            self.due_at = self.cal.add_working_days(self.due_at, days)
            self.extended = True

    def acknowledge(self):  # act(): once out of 'received' the acknowledgement clock has stopped
        self.ack_due_at = None


def run(cal, start, ack_days, resolve_days, extension_days, evs):
    """The step-by-step clock after the events, the facts it stands for, and the last event's time."""
    clock = StepwiseClock.start(cal, start, ack_days, resolve_days)
    now, acknowledged = start, False
    for kind, gap in evs:
        now += gap
        if kind == "pause":
            clock.pause(now)
        elif kind in ("resume", "transfer"):
            clock.resume(now)
        elif kind == "extend":
            clock.extend(extension_days)
        else:
            clock.acknowledge()
            acknowledged = True
    facts = ClockFacts(started_at=start, ack_days=ack_days, resolve_days=resolve_days,
                       extension_days=extension_days if clock.extended else None,
                       paused_working_days=clock.paused_working_days, paused_at=clock.paused_at,
                       acknowledged=acknowledged)
    return clock, facts, now


limits = st.integers(0, 2) | st.integers(0, 40)  # small limits often: zero days is where rules part


@settings(max_examples=examples(400), deadline=None)
@given(cal=calendars(), start=starts, ack_days=limits, resolve_days=limits, extension_days=limits, evs=events)
def test_step_by_step_equals_from_scratch(cal, start, ack_days, resolve_days, extension_days, evs):
    clock, facts, _ = run(cal, start, ack_days, resolve_days, extension_days, evs)
    d = deadlines(facts, cal)
    assert (d.ack_due_at, d.due_at) == (clock.ack_due_at, clock.due_at)


@settings(max_examples=examples(300), deadline=None)
@given(cal=calendars(), start=starts, ack_days=limits, resolve_days=st.integers(1, 40),
       extension_days=limits, evs=events)
def test_recompute_formula_agrees_when_at_least_one_day_is_allowed(cal, start, ack_days, resolve_days,
                                                                   extension_days, evs):
    # escalation/admin.py recompute_deadlines adds everything at once from the start; policies allow
    # resolve_days >= 1 only, where that is the same deadline.
    _, facts, _ = run(cal, start, ack_days, resolve_days, extension_days, evs)
    at_once = cal.add_working_days(start, resolve_days + facts.paused_working_days + (facts.extension_days or 0))
    assert deadlines(facts, cal).due_at == at_once


@settings(max_examples=examples(300), deadline=None)
@given(cal=calendars(), start=starts, ack_days=limits, resolve_days=limits, extension_days=limits,
       evs=events, later=gaps)
def test_a_running_pause_counted_to_now_equals_resuming_now(cal, start, ack_days, resolve_days,
                                                            extension_days, evs, later):
    clock, facts, last = run(cal, start, ack_days, resolve_days, extension_days, evs)
    now = last + later
    as_of_now = deadlines(facts, cal, now=now)
    clock.resume(now)
    assert as_of_now.due_at == clock.due_at
    if facts.paused_at is None:
        assert as_of_now == deadlines(facts, cal)


@settings(max_examples=examples(300), deadline=None)
@given(cal=calendars(), start=starts, ack_days=limits, resolve_days=limits, extension_days=limits, evs=events)
def test_deadline_shapes(cal, start, ack_days, resolve_days, extension_days, evs):
    _, facts, _ = run(cal, start, ack_days, resolve_days, extension_days, evs)
    d = deadlines(facts, cal)
    assert isinstance(d, Deadlines)
    for at in (d.due_at, d.warn_at) + ((d.ack_due_at,) if d.ack_due_at else ()):
        assert at.tzinfo == timezone.utc
        assert at.astimezone(cal.tz).time() == time(23, 59, 59)
        assert cal.is_working_day(day(cal, at))
    assert d.due_at >= start
    if d.ack_due_at is not None and ack_days <= resolve_days:
        assert d.ack_due_at <= d.due_at
    assert d.warn_at < d.due_at
    between = day(cal, d.warn_at) + timedelta(days=1)
    while between < day(cal, d.due_at):  # the warning is on the working day just before
        assert not cal.is_working_day(between)
        between += timedelta(days=1)
    assert d.warn_at == warn_at(cal, d.due_at) == cal.previous_working_day_end(d.due_at)


@settings(max_examples=examples(300), deadline=None)
@given(cal=calendars(), start=starts, ack_days=limits, resolve_days=limits, extension_days=limits,
       evs=events, later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=80)))
def test_within_limit_is_resolving_by_the_deadline(cal, start, ack_days, resolve_days, extension_days,
                                                   evs, later):
    clock, facts, last = run(cal, start, ack_days, resolve_days, extension_days, evs)
    resolved_at = last + later
    verdict = within_limit(facts, cal, resolved_at)
    assert verdict == (resolved_at <= deadlines(facts, cal, now=resolved_at).due_at)
    clock.resume(resolved_at)  # step by step: resume, then resolve at the same moment
    assert verdict == (resolved_at <= clock.due_at)
    if facts.paused_at is None:
        assert verdict == (resolved_at <= deadlines(facts, cal).due_at)


@settings(max_examples=examples(200), deadline=None)
@given(cal=calendars(), start=starts, resolve_days=limits, late=st.integers(1, 20), waited=gaps)
def test_asking_after_the_limit_passed_does_not_make_a_case_on_time(cal, start, resolve_days, late, waited):
    facts = ClockFacts(started_at=start, ack_days=0, resolve_days=resolve_days, acknowledged=True)
    due = deadlines(facts, cal).due_at
    asked = cal.add_working_days(due, late) - timedelta(hours=12)  # during a working day after the limit
    paused = replace(facts, paused_at=asked)
    assert not within_limit(paused, cal, asked + waited)


@settings(max_examples=examples(200), deadline=None)
@given(cal=calendars(), decided=starts, window=limits)
def test_feedback_window(cal, decided, window):
    end = feedback_due(cal, decided, window)
    assert cal.is_working_day(day(cal, end)) and end >= decided
    if window:
        assert cal.working_days_between(decided, end) == window
