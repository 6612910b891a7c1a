"""The dashboard's filters: a GET form whose parameter names are the API's (`GET /api/v1/stats`), so the same
query string asks both for the same figures."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from ..api.schemas import AGE_BANDS, CHANNELS, SEXES
from ..staff import labels
from ..statistics import LEAGUE_MIN_CASES, StatsFilter, _quarter

ANY = ("", "—")
# The query-string parameters the filters carry from page to page (drill-down links, exports, the report).
FILTER_PARAMS = ("from", "to", "area", "programme", "category", "channel", "sex", "age_band", "disability",
                 "min_cases")


class DashboardFilters(FlaskForm):
    """Query-string filters of the dashboard; GET, so no CSRF token. Choices of codes are set by the view."""

    class Meta:
        csrf = False

    date_from = StringField(_l("Received from"), name="from", validators=[Optional(), Length(max=10)],
                            render_kw={"type": "date"})
    date_to = StringField(_l("Received until"), name="to", validators=[Optional(), Length(max=10)],
                          render_kw={"type": "date"})
    area = SelectField(_l("Area"), default="", validate_choice=False)
    programme = SelectField(_l("Programme"), default="", validate_choice=False)
    category = SelectField(_l("Category"), default="", validate_choice=False)
    channel = SelectField(_l("Channel"), default="", validate_choice=False,
                          choices=[ANY, *[(c, labels.CHANNEL.get(c, c)) for c in CHANNELS]])
    sex = SelectField(_l("Sex"), default="", validate_choice=False,
                      choices=[ANY, *[(s, labels.SEX.get(s, s)) for s in SEXES]])
    age_band = SelectField(_l("Age band"), default="", validate_choice=False,
                           choices=[ANY, *[(a, labels.AGE_BAND.get(a, a)) for a in AGE_BANDS]])
    disability = SelectField(_l("Disability"), default="", validate_choice=False,
                             choices=[ANY, ("true", _l("With a disability")), ("false", _l("Without a disability"))])
    min_cases = StringField(_l("Rank offices with at least this many decisions"),
                            validators=[Optional(), Length(max=6)], render_kw={"inputmode": "numeric"})


@dataclass(frozen=True)
class Selection:
    """The filters as the statistics service takes them, and the league table's minimum."""

    stats: StatsFilter
    min_cases: int = LEAGUE_MIN_CASES


def _day(raw: str) -> date:
    if len(raw) != 10:
        raise ValueError(raw)
    return date.fromisoformat(raw)


def selection(form: DashboardFilters) -> tuple[Selection, dict[str, str]]:
    """The filters checked for shape; messages (in the reader's language) keyed by parameter name.

    Codes of programmes, categories and areas are the statistics service's to check (its ValidationError
    names the field); the lists of fixed values are checked here, where a wrong one would silently count 0."""
    errors: dict[str, str] = {}
    values: dict = {}
    for field, key in ((form.date_from, "date_from"), (form.date_to, "date_to")):
        raw = (field.data or "").strip()
        if raw:
            try:
                values[key] = _day(raw)
            except ValueError:
                errors[field.name] = gettext("Use a date as YYYY-MM-DD.")
    if "date_from" in values and "date_to" in values and values["date_from"] > values["date_to"]:
        errors["from"] = gettext("The start date must not be after the end date.")
    for field in (form.channel, form.sex, form.age_band, form.disability):
        raw = (field.data or "").strip()
        if raw and raw not in {code for code, _ in field.choices}:
            errors[field.name] = gettext("Choose one from the list.")
        elif raw:
            values[field.name] = raw == "true" if field.name == "disability" else raw
    for field in (form.area, form.programme, form.category):
        raw = (field.data or "").strip()
        if raw:
            if len(raw) > 60 or not re.fullmatch(r"[A-Za-z0-9_.-]+", raw):
                errors[field.name] = gettext("Choose one from the list.")
            else:
                values[field.name] = raw
    min_cases = LEAGUE_MIN_CASES
    raw = (form.min_cases.data or "").strip()
    if raw:
        if raw.isdigit() and len(raw) <= 6:
            min_cases = int(raw)
        else:
            errors["min_cases"] = gettext("Use a whole number of cases, 0 or more.")
    for name, text in errors.items():
        for field in form:
            if field.name == name:
                field.errors = [*field.errors, text]
    return Selection(StatsFilter(**values), min_cases), errors


# ---------------------------------------------------------------- the report's period


@dataclass(frozen=True)
class Period:
    kind: str  # "month" | "quarter"
    label: str  # as asked: 2026-03, 2025-26-Q3
    first: date
    last: date


def _month_after(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def month_period(raw: str) -> Period | None:
    """`YYYY-MM` as the month's first and last day, or None."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", raw or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        return None
    first = date(int(m.group(1)), int(m.group(2)), 1)
    return Period("month", raw, first, _month_after(first) - timedelta(days=1))


def quarter_period(raw: str, country: str, start_month: int) -> Period | None:
    """A reporting quarter as grs.statistics labels it (Bangladesh: the fiscal year from July, `2025-26-Q3`;
    elsewhere the calendar year, `2026-Q1`), or None when the label is not one the country uses."""
    m = re.fullmatch(r"(\d{4})(?:-\d{2})?-Q([1-4])", raw or "")
    if not m or int(m.group(1)) < 1900 or int(m.group(1)) > 9000:
        return None
    offset = start_month - 1 + 3 * (int(m.group(2)) - 1)
    first = date(int(m.group(1)) + offset // 12, offset % 12 + 1, 1)
    if _quarter(first, country) != raw:
        return None
    last = _month_after(_month_after(_month_after(first))) - timedelta(days=1)
    return Period("quarter", raw, first, last)


def recent_quarters(today: date, country: str, n: int = 8) -> list[str]:
    """The labels of the current reporting quarter and the n-1 before it, newest first."""
    out: list[str] = []
    d = date(today.year, today.month, 1)
    while len(out) < n:
        label = _quarter(d, country)
        if label not in out:
            out.append(label)
        d = (d - timedelta(days=1)).replace(day=1)
    return out
