"""The statistics' and the dashboard's reporting quarters follow each country pack's reporting year."""
from datetime import date

import pytest

from grs import statistics
from grs.dashboard.forms import quarter_period, recent_quarters


@pytest.mark.parametrize("country, day, label", [
    ("BD", date(2026, 3, 1), "2025-26-Q3"),  # the fiscal year from July
    ("BD", date(2026, 7, 1), "2026-27-Q1"),
    ("NG", date(2026, 3, 1), "2026-Q1"),     # Imo's unit reports calendar quarters
    ("ML", date(2026, 12, 31), "2026-Q4"),
    ("SO", date(2026, 4, 1), "2026-Q2"),
])
def test_a_day_falls_in_its_country_s_reporting_quarter(country, day, label):
    assert statistics._quarter(day, country) == label
    period = quarter_period(label, country, statistics.reporting_year_start(country))
    assert period is not None and period.first <= day <= period.last


def test_the_dashboard_offers_the_country_s_own_quarters():
    assert recent_quarters(date(2026, 12, 2), "BD", n=2) == ["2026-27-Q2", "2026-27-Q1"]
    assert recent_quarters(date(2026, 12, 2), "NG", n=2) == ["2026-Q4", "2026-Q3"]
    assert quarter_period("2026-27-Q2", "NG", statistics.reporting_year_start("NG")) is None
