"""Blueprint `dashboard`: statistics for analysts, supervisors and admins, scoped to their area.

Every figure comes from `grs.statistics.figures`, called with the same reach (`permissions.statistics_reach`)
and filters as `GET /api/v1/stats`, so the page and the API cannot disagree. Exports reuse the API's file
writers (grs/api/exports.py) on a signed-in session, as the API does behind its token.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime

import sqlalchemy as sa
from babel.dates import format_date
from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from .. import permissions, statistics
from ..api import exports
from ..api.schemas import ListQuery
from ..catalogue import native_digits
from ..errors import N_, DomainError, Forbidden, ValidationError
from ..extensions import db
from ..http_errors import error_response
from ..i18n import current_language, localdate
from ..models import Area, Category, Grievance, Programme, User
from ..permissions import Capability, StatisticsReach
from ..timeutil import utcnow
from ..uow import unit_of_work
from . import board as boards
from .forms import (ANY, FILTER_PARAMS, DashboardFilters, Selection, month_period, quarter_period,
                    recent_quarters, selection)

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

EXPORT_TABLES = ("summary", *statistics.GROUPS)


@bp.before_request
@login_required
def require_dashboard():
    """Signed-in staff whose role holds the dashboard capability; others get 403."""
    if not permissions.can(_user(), Capability.DASHBOARD):
        raise Forbidden(N_("Your role does not include the statistics dashboard."))


def _user() -> User:
    return current_user._get_current_object()


def _args() -> dict[str, str]:
    """The filters as given, to carry into links (drill-down, breadcrumb, exports, report)."""
    return {k: v for k in FILTER_PARAMS if (v := (request.args.get(k) or "").strip())}


def _scope_root(session, reach: StatisticsReach) -> Area | None:
    if reach.scope_path is not None:
        return session.scalar(sa.select(Area).where(Area.path == reach.scope_path))
    return session.scalar(sa.select(Area).where(Area.parent_id.is_(None)).order_by(Area.id).limit(1))


def _shown_area(session, code: str | None, reach: StatisticsReach) -> Area | None:
    """The area the page is about: the one asked for when it exists within reach, else the top of the scope."""
    if code:
        area = session.scalar(sa.select(Area).where(Area.code == code))
        if area is not None and (reach.scope_path is None or area.path.startswith(reach.scope_path)):
            return area
    return _scope_root(session, reach)


def _choices(form: DashboardFilters, session, lang: str) -> None:
    form.programme.choices = [ANY, *[(p.code, p.name(lang)) for p in
                                     session.scalars(sa.select(Programme).order_by(Programme.name_en))]]
    form.category.choices = [ANY, *[(c.code, c.name(lang)) for c in
                                    session.scalars(sa.select(Category).order_by(Category.name_en))]]


def _service_errors(form: DashboardFilters, e: DomainError) -> dict[str, str]:
    """The service's ValidationError on the form's fields, in the reader's language."""
    out: dict[str, str] = {}
    for key, text in (e.fields or {}).items():
        if key in ("programme", "category", "area"):
            out[key] = gettext("Choose one from the list.")
        elif key == "from":
            out[key] = gettext("The start date must not be after the end date.")
        else:
            out[key] = gettext(text)
    if not out:
        out["form"] = gettext(e.message)
    for field in form:
        if field.name in out:
            field.errors = [*field.errors, out[field.name]]
    return out


@dataclasses.dataclass
class Page:
    form: DashboardFilters
    errors: dict
    status: int
    board: boards.Board | None
    area: Area | None
    crumbs: list


def _page(session, sel: Selection, form: DashboardFilters, errors: dict, reach: StatisticsReach, *,
          now: datetime, country: str, lang: str) -> Page:
    """Run the service for the filters (unless the form is already wrong) and gather what the page shows."""
    _choices(form, session, lang)
    status, board = (400 if errors else 200), None
    if not errors:
        try:
            results = boards.compute(session, sel, reach, now=now, country=country)
            board = boards.build(session, results, lang, sel.min_cases)
        except Forbidden:
            errors = {"area": gettext("That area is outside the area you cover.")}
            form.area.errors = [*form.area.errors, errors["area"]]
            status = 403
        except ValidationError as e:
            errors, status = _service_errors(form, e), 400
    area = board.area if board is not None else _shown_area(session, sel.stats.area, reach)
    form.area.choices = boards.area_choices(session, area, reach, lang) if area is not None else [ANY]
    if area is not None and sel.stats.area and all(code != sel.stats.area for code, _ in form.area.choices):
        form.area.choices.append((sel.stats.area, sel.stats.area))  # keep what was asked visible beside its error
    crumbs = boards.breadcrumb(session, area, reach) if area is not None else []
    return Page(form, errors, status, board, area, crumbs)


@bp.get("/")
def index():
    user, lang, now = _user(), current_language(), utcnow()
    reach = permissions.statistics_reach(user)
    form = DashboardFilters(formdata=request.args)
    sel, errors = selection(form)
    with unit_of_work(read_only=True, replica=True) as uow:
        page = _page(uow.session, sel, form, errors, reach, now=now, country=uow.settings.country, lang=lang)
        html = render_template("dashboard/index.html", page=page, args=_args(), reach=reach,
                               export_tables=EXPORT_TABLES, sees_personal=permissions.sees_personal_data(user),
                               table_names=table_names(),
                               quarters=quarter_options(now.date(), uow.settings.country, lang))
    return html, page.status


# ---------------------------------------------------------------- exports


def _row_matches(g: Grievance, f: statistics.StatsFilter) -> bool:
    """The filters the grievance list query does not take itself, as the statistics read them: the
    complainant's sex, age band and disability (the list's SQL takes the channel and the dates)."""
    p = g.complainant
    if f.sex is not None and (p is None or p.sex != f.sex):
        return False
    if f.age_band is not None and (p is None or p.age_band != f.age_band):
        return False
    return f.disability is None or (p is not None and p.disability is f.disability)


def _grievance_rows(viewer_id: int, q: ListQuery, f: statistics.StatsFilter, now: datetime):
    # Read while the response is written: the viewer afresh from this session, as the view's may be gone.
    viewer = db.session.get(User, viewer_id)
    for g in exports.matching(viewer, q, now=now):
        if _row_matches(g, f):
            yield exports.grievance_row(g, viewer, now=now)


@bp.get("/export/<name>.<fmt>")
def export(name: str, fmt: str):
    """A statistics table (`name`: summary or a grouping) or the grievance list, for the page's filters, as
    CSV or Excel; the grievance list carries personal data only for roles that may see it (as the API's)."""
    if fmt not in exports.FORMATS or name not in (*EXPORT_TABLES, "grievances"):
        abort(404)
    user, now = _user(), utcnow()
    reach = permissions.statistics_reach(user)
    form = DashboardFilters(formdata=request.args)
    sel, errors = selection(form)
    if errors:
        return _bad_filters(errors)
    try:
        return _export(name, fmt, user, reach, sel, now)
    except ValidationError as e:
        return _bad_filters(_service_errors(form, e))
    except Forbidden:
        return error_response(403, "forbidden", N_("That area is outside the area you cover."))


def _bad_filters(errors: dict[str, str]):
    """A 400 page naming each wrong filter (the messages are already in the reader's language)."""
    return error_response(400, "bad_request", N_("Some filters are not valid; correct them to see the figures."),
                          errors)


def _export(name: str, fmt: str, user: User, reach: StatisticsReach, sel: Selection, now: datetime):
    f = sel.stats
    if name == "grievances":
        with unit_of_work(read_only=True, replica=True) as uow:
            # The same questions the statistics ask first: codes that exist, an area within reach.
            statistics.figures(uow.session, f, None, now=now, country=uow.settings.country, **reach._asdict())
        q = ListQuery(area=f.area, programme=f.programme, category=f.category, channel=f.channel,
                      date_from=f.date_from, date_to=f.date_to)
        return exports.file_response(fmt, "grievances", exports.grievance_columns(user),
                                     _grievance_rows(user.id, q, f, now), today=now.date())
    with unit_of_work(read_only=True, replica=True) as uow:
        result = statistics.figures(uow.session, f, None if name == "summary" else name, now=now,
                                    country=uow.settings.country, min_cases=sel.min_cases, **reach._asdict())
    columns, rows = exports.stats_rows(result)
    return exports.file_response(fmt, f"statistics-{name}", columns, rows, today=now.date())


# ---------------------------------------------------------------- the printable report


@bp.get("/report")
def report():
    """A monthly or quarterly report for printing (or saving as PDF from the print dialog)."""
    user, lang, now = _user(), current_language(), utcnow()
    country = current_app.config["COUNTRY"]
    reach = permissions.statistics_reach(user)
    month, quarter = (request.args.get("month") or "").strip(), (request.args.get("quarter") or "").strip()
    period, period_error = None, None
    if month and quarter:
        period_error = gettext("Choose a month or a quarter, not both.")
    elif month:
        period = month_period(month)
        period_error = None if period else gettext("Use a month as YYYY-MM.")
    elif quarter:
        period = quarter_period(quarter, country, statistics.reporting_year_start(country))
        period_error = None if period else gettext("Choose a quarter from the list.")
    form = DashboardFilters(formdata=request.args)
    sel, errors = selection(form)
    errors.pop("from", None)
    errors.pop("to", None)  # the period sets the dates
    quarters = quarter_options(now.date(), country, lang)
    with unit_of_work(read_only=True, replica=True) as uow:
        page = None
        if period is not None:
            sel = dataclasses.replace(sel, stats=dataclasses.replace(sel.stats, date_from=period.first,
                                                                     date_to=period.last))
            page = _page(uow.session, sel, form, errors, reach, now=now, country=country, lang=lang)
        args = {k: v for k, v in _args().items() if k not in ("from", "to")}
        html = render_template("dashboard/report.html", page=page, period=period, period_error=period_error,
                               month=month, quarter=quarter, quarters=quarters, args=args, now=now)
    status = 400 if period_error else (page.status if page is not None else 200)
    return html, status


@bp.app_template_filter("period_label")
def period_label(period, lang: str | None = None) -> str:
    """'March 2026', or '2025-26 Q3 (1 Jan 2026 – 31 Mar 2026)', in the reader's language and digits."""
    lang = lang or current_language()
    if period.kind == "month":
        return native_digits(format_date(period.first, "LLLL y", locale=lang), lang)
    span = f"{localdate(period.first, lang)} – {localdate(period.last, lang)}"
    name = period.label.replace("-Q", " Q")
    return native_digits(f"{name} ({span})", lang)


@bp.app_template_global("dashboard_export_url")
def export_url(name: str, fmt: str, args: dict) -> str:
    return url_for("dashboard.export", name=name, fmt=fmt, **args)


@bp.app_template_global("dashboard_link")
def link(endpoint: str, args: dict, area: str | None) -> str:
    """The same page with the same filters, for another area (None: the top of the user's scope)."""
    kept = {k: v for k, v in args.items() if k != "area"}
    return url_for(endpoint, **kept, **({"area": area} if area else {}))


def table_names() -> dict[str, str]:
    return {"summary": gettext("Totals"), "month": gettext("By month"), "quarter": gettext("By reporting quarter"),
            "level": gettext("By tier"), "programme": gettext("By programme"), "channel": gettext("By channel"),
            "category": gettext("By category"), "area": gettext("By area"), "office": gettext("By office"),
            "sex": gettext("By sex"), "age_band": gettext("By age band"), "disability": gettext("By disability")}


def quarter_options(today, country: str, lang: str) -> list[tuple[str, str]]:
    return [(q, native_digits(q.replace("-Q", " Q"), lang)) for q in recent_quarters(today, country)]
