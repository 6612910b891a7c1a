"""Working-day arithmetic on Bangladesh's calendar: weekend Friday+Saturday, real public holidays."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalation.sla import Calendar

DHAKA = ZoneInfo("Asia/Dhaka")
BD = Calendar(tz=DHAKA, weekend=frozenset({4, 5}),
              holidays=frozenset(holidays.country_holidays("BD", years=range(2025, 2029)).keys()))


def dhaka(y, m, d, h=10, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=DHAKA).astimezone(timezone.utc)


def local_day(cal: Calendar, at: datetime) -> date:
    return at.astimezone(cal.tz).date()


def test_friday_and_saturday_are_the_weekend():
    assert [BD.is_working_day(date(2026, 3, d)) for d in range(1, 8)] == [
        True, True, True, True, True, False, False]  # Sun 1 .. Sat 7 March 2026


def test_seven_working_days_skip_the_weekend_and_end_at_local_midnight():
    due = BD.add_working_days(dhaka(2026, 3, 1), 7)  # lodged Sunday morning
    assert due == datetime(2026, 3, 10, 23, 59, 59, tzinfo=DHAKA).astimezone(timezone.utc)
    assert due.tzinfo == timezone.utc


def test_eid_and_independence_day_are_not_working_days():
    # Thu 19 Mar 2026 + 3: Fri/Sat weekend, Sun 22 + Mon 23 Eid al-Fitr, Tue 24, Wed 25, Thu 26
    # Independence Day, Fri/Sat weekend, Sun 29.
    assert local_day(BD, BD.add_working_days(dhaka(2026, 3, 19), 3)) == date(2026, 3, 29)


def test_victory_day_and_year_boundary():
    assert local_day(BD, BD.add_working_days(dhaka(2026, 12, 15), 1)) == date(2026, 12, 17)
    # Wed 30 Dec + 2: Thu 31, then Fri 1 and Sat 2 January are the weekend, Sun 3 Jan 2027.
    assert local_day(BD, BD.add_working_days(dhaka(2026, 12, 30), 2)) == date(2027, 1, 3)


def test_local_time_decides_the_day_not_utc():
    # 23:30 in Dhaka on Thursday is still Thursday there (17:30 UTC): one day later is Sunday.
    late_thursday = dhaka(2026, 3, 5, 23, 30)
    assert local_day(BD, BD.add_working_days(late_thursday, 1)) == date(2026, 3, 8)


def test_zero_days_means_the_end_of_the_next_working_day_if_today_is_off():
    assert local_day(BD, BD.add_working_days(dhaka(2026, 3, 6), 0)) == date(2026, 3, 8)  # Friday → Sunday
    assert local_day(BD, BD.add_working_days(dhaka(2026, 3, 8), 0)) == date(2026, 3, 8)


def test_pause_counts_only_working_days_waited():
    # Paused Thursday, resumed Sunday: Friday and Saturday cost the office nothing.
    assert BD.working_days_between(dhaka(2026, 3, 5), dhaka(2026, 3, 8)) == 1
    assert BD.working_days_between(dhaka(2026, 3, 8), dhaka(2026, 3, 5)) == 0
    # Across Eid al-Fitr 2026 (and Laylat al-Qadr on Tue 17th).
    assert BD.working_days_between(dhaka(2026, 3, 16), dhaka(2026, 3, 24)) == 3  # 18, 19, 24


def test_extension_adds_to_the_deadline():
    due = BD.add_working_days(dhaka(2026, 3, 1), 7)
    assert BD.add_working_days(due, 10) == BD.add_working_days(dhaka(2026, 3, 1), 17)


def test_warning_falls_at_the_end_of_the_previous_working_day():
    due = BD.add_working_days(dhaka(2026, 3, 1), 5)  # Sunday 8 March
    assert local_day(BD, due) == date(2026, 3, 8)
    assert local_day(BD, BD.previous_working_day_end(due)) == date(2026, 3, 5)  # Thursday


def test_working_days_left_is_negative_when_overdue():
    due = BD.add_working_days(dhaka(2026, 3, 1), 7)
    assert BD.working_days_left(dhaka(2026, 3, 8), due) == 2
    assert BD.working_days_left(dhaka(2026, 3, 12), due) == -2


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        BD.add_working_days(dhaka(2026, 3, 1), -1)


def test_other_countries_weekends():
    nigeria = Calendar(tz=ZoneInfo("Africa/Lagos"), weekend=frozenset({5, 6}))
    friday = datetime(2026, 3, 6, 9, tzinfo=ZoneInfo("Africa/Lagos"))
    assert nigeria.add_working_days(friday, 1).astimezone(nigeria.tz).date() == date(2026, 3, 9)  # Monday


instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(timezone.utc))
day_counts = st.integers(min_value=0, max_value=60)


@settings(max_examples=300, deadline=None)
@given(start=instants, days=day_counts)
def test_a_deadline_never_falls_on_a_weekend_or_holiday(start, days):
    due = BD.add_working_days(start, days)
    assert BD.is_working_day(local_day(BD, due))
    assert due >= start


@settings(max_examples=300, deadline=None)
@given(start=instants, a=day_counts, b=day_counts)
def test_adding_working_days_is_monotone_in_days(start, a, b):
    lo, hi = sorted((a, b))
    assert BD.add_working_days(start, lo) <= BD.add_working_days(start, hi)


@settings(max_examples=300, deadline=None)
@given(s1=instants, gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)), days=day_counts)
def test_adding_working_days_is_monotone_in_start(s1, gap, days):
    assert BD.add_working_days(s1, days) <= BD.add_working_days(s1 + gap, days)


@settings(max_examples=300, deadline=None)
@given(start=instants, days=st.integers(min_value=1, max_value=60))
def test_counting_back_gives_the_days_added(start, days):
    assert BD.working_days_between(start, BD.add_working_days(start, days)) == days


@settings(max_examples=200, deadline=None)
@given(start=instants, a=st.integers(min_value=1, max_value=30), b=st.integers(min_value=0, max_value=30))
def test_adding_in_two_steps_equals_adding_at_once(start, a, b):
    # This is what makes pauses, extensions and recomputation from the clock's start agree.
    assert BD.add_working_days(BD.add_working_days(start, a), b) == BD.add_working_days(start, a + b)


@settings(max_examples=200, deadline=None)
@given(a=instants, b=instants)
def test_fast_week_counting_matches_day_by_day(a, b):
    lo, hi = sorted((a, b))
    d, expected = local_day(BD, lo), 0
    while d < local_day(BD, hi):
        d += timedelta(days=1)
        expected += BD.is_working_day(d)
    assert BD.working_days_between(lo, hi) == expected


def test_adding_zero_first_from_a_day_off_is_not_adding_at_once():
    # Why escalation.sla.deadlines pushes from the base limit rather than adding all days from the
    # start: zero days from Friday is Sunday's end, and one more is Monday; one day from Friday is Sunday.
    friday = dhaka(2026, 3, 6)
    assert local_day(BD, BD.add_working_days(BD.add_working_days(friday, 0), 1)) == date(2026, 3, 9)
    assert local_day(BD, BD.add_working_days(friday, 1)) == date(2026, 3, 8)


@settings(max_examples=200, deadline=None)
@given(d=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
       zone=st.sampled_from(["Asia/Dhaka", "Africa/Lagos", "Africa/Bamako", "Africa/Mogadishu",
                             "Europe/London", "America/New_York"]))
def test_the_end_of_a_day_is_still_that_day_locally(d, zone):
    # Additivity rests on this: a deadline, read back as an instant, lies on its own local day.
    cal = Calendar(tz=ZoneInfo(zone), weekend=frozenset({5, 6}))
    assert cal.local_date(cal.end_of_day(d)) == d
