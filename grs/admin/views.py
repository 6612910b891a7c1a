"""Admin pages: time-limit policies per tier and category, and days off (national or local)."""
from __future__ import annotations

from datetime import date
from functools import wraps

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from escalation import admin as service
from escalation.policy import public_holidays
from grs.errors import DomainError
from grs.extensions import db
from grs.forms import message, populate_errors
from grs.models import Category, Holiday, SlaPolicy, Tier
from grs.permissions import Capability, can
from grs.services.actors import Actor
from grs.timeutil import utcnow
from grs.uow import unit_of_work

bp = Blueprint("admin", __name__, url_prefix="/admin")

DAYS = [InputRequired(), NumberRange(min=0, max=service.MAX_DAYS)]


ON_BREACH_LABELS = {"escalate": _l("Escalated one tier up"),
                    "appeal": _l("To the appellate officer one tier up"),
                    "review": _l("To the national review list"),
                    "flag": _l("Flagged overdue, stays")}


class PolicyForm(FlaskForm):
    tier = SelectField(_l("Tier"), validators=[DataRequired()])
    kind = SelectField(_l("Clock"), choices=[("grievance", _l("Grievance")), ("appeal", _l("Appeal"))])
    category = SelectField(_l("Category"), validators=[Optional()])
    ack_days = IntegerField(_l("Acknowledge within (working days)"), validators=DAYS)
    resolve_days = IntegerField(_l("Resolve within (working days)"), validators=DAYS)
    extension_days = IntegerField(_l("One-time extension (working days)"), validators=DAYS)
    pause_days = IntegerField(_l("Wait for the complainant's information at most (working days; empty: 15)"),
                              validators=[Optional(), NumberRange(min=0, max=service.MAX_DAYS)])
    on_breach = SelectField(_l("When the deadline is missed"), choices=list(ON_BREACH_LABELS.items()),
                            default="escalate")
    appeal_levels = SelectField(_l("Appeals a complainant has before the national review"),
                                choices=[("", _l("Up to the highest tier"))] + [(str(n), str(n)) for n in range(0, 6)],
                                default="")
    extension_needs_reason = BooleanField(_l("An extension needs a reason"), default=True)
    day_kind = SelectField(_l("Days counted"), choices=[("working", _l("Working days")),
                                                        ("calendar", _l("Calendar days"))], default="working")
    warn_days = IntegerField(_l("Warn the office this many working days before the deadline"), default=2,
                             validators=[Optional(), NumberRange(min=0, max=30)])


HOLIDAY_KIND_LABELS = {"off": _l("Day off"), "working": _l("Working day (a weekend day worked)"),
                       "not_off": _l("Public holiday worked (not a day off this year)")}


class HolidayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])
    kind = SelectField(_l("What the day is"), choices=list(HOLIDAY_KIND_LABELS.items()), default="off")
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_local = StringField(_l("Name in the local language"), validators=[Optional(), Length(max=200)])
    area = StringField(_l("Area code (empty: the whole country)"), validators=[Optional(), Length(max=40)])


class DeleteForm(FlaskForm):
    id = HiddenField(validators=[DataRequired(), Regexp(r"\d{1,9}\Z")])  # a row id, within INTEGER


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can(current_user, Capability.ADMIN_PAGES):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def _policy_form(formdata=None, row: SlaPolicy | None = None) -> PolicyForm:
    """The form to set one row; `row` fills it with that row as it stands (the "Edit" link)."""
    form = PolicyForm(formdata=formdata)
    if row is not None and formdata is None:
        form.tier.data, form.kind.data = row.tier, row.kind
        form.category.data = row.category.code if row.category else ""
        form.ack_days.data, form.resolve_days.data = row.ack_days, row.resolve_days
        form.extension_days.data, form.pause_days.data = row.extension_days, row.pause_days
        form.on_breach.data = row.on_breach or "escalate"
        form.appeal_levels.data = "" if row.appeal_levels is None else str(row.appeal_levels)
        form.extension_needs_reason.data = row.extension_needs_reason is not False
        form.day_kind.data = row.day_kind or "working"
        form.warn_days.data = 2 if row.warn_days is None else row.warn_days
    form.tier.choices = [(t.code, t.name(_lang())) for t in db.session.scalars(sa.select(Tier).order_by(Tier.rank))]
    form.category.choices = [("", _("All categories (tier default)"))] + [
        (c.code, c.name(_lang())) for c in db.session.scalars(sa.select(Category).order_by(Category.id))]
    return form


def _lang() -> str:
    from grs.i18n import current_language
    return current_language()


@bp.get("/")
@admin_required
def index():
    return redirect(url_for(".policies"))


@bp.get("/policies")
@admin_required
def policies(form: PolicyForm | None = None, status: int = 200):
    rows = db.session.execute(
        sa.select(SlaPolicy, Tier.rank).join(Tier, Tier.code == SlaPolicy.tier)
        .order_by(SlaPolicy.category_id.is_not(None), SlaPolicy.category_id, SlaPolicy.kind, Tier.rank)).all()
    tiers = {t.code: t for t in db.session.scalars(sa.select(Tier))}
    editing = db.session.get(SlaPolicy, request.args.get("edit", type=int) or 0) if form is None else None
    return render_template("admin/policies.html", policies=[r[0] for r in rows],
                           form=form or _policy_form(row=editing), editing=editing,
                           delete_form=DeleteForm(), tiers=tiers, on_breach_labels=ON_BREACH_LABELS), status


@bp.post("/policies")
@admin_required
def save_policy():
    form = _policy_form(request.form)
    if not form.validate():
        return policies(form, 400)
    try:
        with unit_of_work() as uow:
            saved, changed = service.save_policy(uow, service.PolicyIn(
                tier=form.tier.data, kind=form.kind.data, category=form.category.data or None,
                ack_days=form.ack_days.data, resolve_days=form.resolve_days.data,
                extension_days=form.extension_days.data, pause_days=form.pause_days.data,
                on_breach=form.on_breach.data, day_kind=form.day_kind.data, warn_days=2 if form.warn_days.data is None else form.warn_days.data,
                appeal_levels=int(form.appeal_levels.data) if form.appeal_levels.data else None,
                extension_needs_reason=bool(form.extension_needs_reason.data)),
                actor=Actor.staff(current_user), now=utcnow(), set_rules=True)
    except DomainError as e:
        populate_errors(form, e)
        flash(message(e), "error")
        return policies(form, e.status)
    flash(_("Time limit saved; %(n)d open grievances got new deadlines.", n=changed), "success")
    return redirect(url_for(".policies"))


@bp.post("/policies/delete")
@admin_required
def delete_policy():
    form = DeleteForm(request.form)
    if not form.validate():
        abort(400)
    try:
        with unit_of_work() as uow:
            changed = service.delete_policy(uow, int(form.id.data), actor=Actor.staff(current_user), now=utcnow())
    except (DomainError, ValueError) as e:
        flash(message(e) if isinstance(e, DomainError) else str(e), "error")
        return redirect(url_for(".policies")), 303
    flash(_("Time limit removed; %(n)d open grievances got new deadlines.", n=changed), "success")
    return redirect(url_for(".policies"))


@bp.get("/holidays")
@admin_required
def holidays(form: HolidayForm | None = None, status: int = 200):
    year = request.args.get("year", type=int) or utcnow().year
    country = current_app.config["COUNTRY"]
    public = sorted(d for d in public_holidays(country, range(year, year + 1)))
    import holidays as holidays_lib
    names = english = holidays_lib.country_holidays(country, years=year)
    # The same days, named in the reader's language where the holidays package has it (BD: bn).
    if _lang() in getattr(type(names), "supported_languages", ()):
        names = holidays_lib.country_holidays(country, years=year, language=_lang())
    added = db.session.scalars(sa.select(Holiday).order_by(Holiday.day.desc())).all()
    worked = {h.day for h in added if h.kind == "not_off" and h.area_id is None}
    return render_template("admin/holidays.html", year=year, public=[(d, names.get(d), english.get(d)) for d in public],
                           added=added, form=form or HolidayForm(), delete_form=DeleteForm(), worked=worked,
                           kind_labels=HOLIDAY_KIND_LABELS), status


@bp.post("/holidays")
@admin_required
def add_holiday():
    form = HolidayForm(request.form)
    if not form.validate():
        return holidays(form, 400)
    try:
        with unit_of_work() as uow:
            added, changed = service.add_holiday(uow, form.day.data, form.name.data, form.area.data or None,
                                                 actor=Actor.staff(current_user), now=utcnow(),
                                                 kind=form.kind.data, name_local=form.name_local.data)
    except DomainError as e:
        for text in populate_errors(form, e).values():
            flash(text, "error")  # what names no field of the form
        return holidays(form, e.status)
    done = {"off": _("Day off added; %(n)d open grievances got new deadlines.", n=changed),
            "working": _("Working day declared; %(n)d open grievances got new deadlines.", n=changed),
            "not_off": _("The public holiday is a working day now; %(n)d open grievances got new deadlines.",
                         n=changed)}
    flash(done[form.kind.data], "success")
    return redirect(url_for(".holidays"))


@bp.post("/holidays/delete")
@admin_required
def delete_holiday():
    form = DeleteForm(request.form)
    if not form.validate():
        abort(400)
    try:
        with unit_of_work() as uow:
            changed = service.delete_holiday(uow, int(form.id.data), actor=Actor.staff(current_user), now=utcnow())
    except (DomainError, ValueError) as e:
        flash(message(e) if isinstance(e, DomainError) else str(e), "error")
        return redirect(url_for(".holidays")), 303
    flash(_("Calendar correction removed; %(n)d open grievances got new deadlines.", n=changed), "success")
    return redirect(url_for(".holidays"))


from . import webhooks  # noqa: E402,F401  /admin/webhooks: its views join this blueprint
from . import messages  # noqa: E402,F401  /admin/messages: the outbox
from . import audit  # noqa: E402,F401  /admin/audit: the admin events
from . import reference  # noqa: E402,F401  /admin/programmes, /admin/categories: the reference data
