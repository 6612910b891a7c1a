"""Blueprint `accountability`: the pages NGO forums' facilitators record on (phone first), and the
oversight officers, supervisors and analysts read.

- /accountability/                      forums, recent records, commitments past their date
- /accountability/forums/new, /<id>     a forum (admins set up), its members, activities and grievances
- /accountability/new/<kind>            record a scorecard cycle, audit, hearing, dialogue, event, report card
- /accountability/<id>                  one record with its parts; small forms add to it
- /accountability/oversight(.csv|.xlsx) figures per programme and area
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from grs import permissions
from grs.charts import Chart, Series
from grs.countries import profile
from grs.errors import DomainError, Forbidden, NotFound
from grs.extensions import db
from grs.forms import message, populate_errors
from grs.i18n import current_language
from grs.models import Area, Category, Programme, User
from grs.spreadsheets import csv_value, xlsx_row
from grs.permissions import Capability
from grs.staff import labels as case_labels
from grs.timeutil import utcnow
from grs.uow import unit_of_work

from . import labels
from . import services as svc
from .forms import (ActivityForm, FollowUpForm, ForumForm, GroupForm, IndicatorForm, InputForm, ItemForm, LodgeForm,
                    MemberForm, OversightFilters, TeamForm)
from .models import KINDS, Activity, Forum, Indicator

bp = Blueprint("accountability", __name__, url_prefix="/accountability")
MAX_AREA_CHOICES = 400


@bp.before_request
@login_required
def require_reader():
    """Signed-in staff who read or record accountability activities."""
    user = _user()
    if not (permissions.can(user, Capability.ACCOUNTABILITY_VIEW) or permissions.can(user, Capability.ACCOUNTABILITY)):
        abort(403)


def _user() -> User:
    return current_user._get_current_object()


def _today() -> date:
    from flask import current_app

    return utcnow().astimezone(ZoneInfo(profile(current_app.config["COUNTRY"]).timezone)).date()


def _programmes(lang: str, blank=None):
    rows = db.session.scalars(sa.select(Programme).where(Programme.active.is_(True)).order_by(Programme.code))
    out = [(p.code, p.name(lang)) for p in rows]
    return [("", blank), *out] if blank is not None else out


def _areas_under(root: Area, lang: str, *, blank=None):
    rows = db.session.scalars(sa.select(Area).where(Area.path.startswith(root.path, autoescape=True))
                              .order_by(Area.path).limit(MAX_AREA_CHOICES)).all()
    depth = len(root.ancestor_codes())
    out = [(a.code, "\u2003" * (len(a.ancestor_codes()) - depth) + a.name(lang)) for a in rows]
    return [("", blank), *out] if blank is not None else out


def _recordable_forums(user: User) -> list[Forum]:
    with unit_of_work(read_only=True) as uow:
        forums = svc.forums_for(uow, user)
    return [f for f in forums if svc.may_record(user, f)]


# ---------------------------------------------------------------- overview


@bp.route("/")
def index():
    user, lang, today = _user(), current_language(), _today()
    with unit_of_work(read_only=True) as uow:
        forums = svc.forums_for(uow, user)
        recent = svc.activities_for(uow, user, limit=30)
        overdue = svc.overdue_items(uow, user, today)
        return render_template("accountability/index.html", forums=forums, recent=recent, overdue=overdue,
                               recordable={f.id for f in forums if svc.may_record(user, f)}, kinds=KINDS,
                               labels=labels, lang=lang, today=today,
                               can_manage=permissions.can(user, Capability.MANAGE_ACCOUNTS))


# ---------------------------------------------------------------- forums


@bp.route("/forums/new", methods=["GET", "POST"])
def new_forum():
    user, lang = _user(), current_language()
    if not permissions.can(user, Capability.MANAGE_ACCOUNTS):
        abort(403)
    form = ForumForm()
    form.area.choices = _areas_under(user.area, lang, blank=gettext("Choose an area"))
    error = None
    if form.validate_on_submit():
        try:
            with unit_of_work() as uow:
                forum = svc.create_forum(uow, svc.ForumIn(name=form.name.data, tier=form.tier.data, ngo=form.ngo.data,
                                                          area=form.area.data), user=user)
                forum_id = forum.id
        except DomainError as e:
            populate_errors(form, e)
            error = message(e)
        else:
            flash(gettext("The forum was set up."), "success")
            return redirect(url_for(".forum", forum_id=forum_id))
    elif request.method == "POST":
        error = gettext("Check the fields marked below.")
    return render_template("accountability/forum_new.html", form=form, error=error), 422 if error else 200


@bp.route("/forums/<int:forum_id>", methods=["GET"])
def forum(forum_id: int, member_form=None, error=None, status=200):
    user, lang, today = _user(), current_language(), _today()
    with unit_of_work(read_only=True) as uow:
        try:
            f = svc.get_forum(uow, forum_id, user=user)
        except NotFound:
            abort(404)
        activities = svc.activities_for(uow, user, forum_id=f.id)
        items = [i for a in activities for i in a.items]
        raised = [i for i in items if i.grievance is not None]
        overdue = [i for i in items if i.overdue(today)]
        reach = {"women": sum(a.women or 0 for a in activities if a.kind == "awareness"),
                 "men": sum(a.men or 0 for a in activities if a.kind == "awareness"),
                 "total": sum(a.total or 0 for a in activities if a.kind == "awareness")}
        manage = permissions.can(user, Capability.MANAGE_ACCOUNTS)
        return render_template("accountability/forum.html", f=f, activities=activities, raised=raised,
                               overdue=overdue, reach=reach, labels=labels, case_labels=case_labels, lang=lang,
                               may_record=svc.may_record(user, f), kinds=KINDS,
                               member_form=member_form or (MemberForm() if manage else None),
                               error=error), status


@bp.route("/forums/<int:forum_id>/members", methods=["POST"])
def add_member(forum_id: int):
    user = _user()
    form = MemberForm()
    if not form.validate():
        return forum(forum_id, member_form=form, error=gettext("Check the fields marked below."), status=422)
    try:
        with unit_of_work() as uow:
            svc.add_member(uow, forum_id, svc.MemberIn(
                name=form.name.data, role=form.role.data, sex=form.sex.data or None,
                organisation=form.organisation.data, user_email=form.user_email.data), user=user)
    except NotFound:
        abort(404)
    except DomainError as e:
        rest = populate_errors(form, e, page_keys=())
        for key, text in (e.fields or {}).items():  # the service names the first member's fields
            name = key.split(".", 1)[-1]
            if name in form:
                form[name].errors = [*form[name].errors, gettext(text)]
        return forum(forum_id, member_form=form, error=rest.get("form") or message(e), status=e.status)
    flash(gettext("The member was added."), "success")
    return redirect(url_for(".forum", forum_id=forum_id))


# ---------------------------------------------------------------- recording an activity


def _activity_form(kind: str, user: User, lang: str, formdata=None) -> ActivityForm:
    form = ActivityForm(formdata=formdata)
    forums = _recordable_forums(user)
    form.forum.choices = [(f.id, f.name) for f in forums]
    chosen = next((f for f in forums if f.id == (form.forum.data or request.args.get("forum", type=int))), None)
    chosen = chosen or (forums[0] if forums else None)
    if chosen is not None and not form.forum.data:
        form.forum.data = chosen.id
    form.area.choices = _areas_under(chosen.area, lang) if chosen else []
    if chosen is not None and not form.area.data:
        form.area.data = chosen.area.code
    form.programme.choices = _programmes(lang, blank=gettext("Choose a programme"))
    return form


@bp.route("/new/<kind>", methods=["GET", "POST"])
def new_activity(kind: str):
    if kind not in KINDS:
        abort(404)
    user, lang = _user(), current_language()
    if not permissions.can(user, Capability.ACCOUNTABILITY):
        abort(403)
    form = _activity_form(kind, user, lang, formdata=request.form if request.method == "POST" else None)
    if not form.forum.choices:
        return render_template("accountability/no_forum.html"), 403
    error, status = None, 200
    if request.method == "POST":
        if form.validate():
            data = _activity_in(kind, form.data, form.data["forum"])
            try:
                with unit_of_work() as uow:
                    activity_id = svc.record_activity(uow, data, user=user, now=utcnow()).id
            except DomainError as e:
                rest = populate_errors(form, e)
                error, status = rest.get("form") or message(e), e.status
            else:
                flash(gettext("Saved. Now add its details below."), "success")
                return redirect(url_for(".activity", activity_id=activity_id))
        else:
            error, status = gettext("Check the fields marked below."), 422
    return render_template("accountability/new.html", form=form, kind=kind, labels=labels, error=error,
                           fields=ActivityForm.KIND_FIELDS[kind]), status


def _activity_in(kind: str, d: dict, forum_id: int) -> svc.ActivityIn:
    return svc.ActivityIn(
        kind=kind, forum_id=forum_id, area=d["area"], title=d["title"], held_on=d["held_on"],
        programme=d["programme"] or None, period_from=d["period_from"], period_to=d["period_to"],
        status=d["status"], notes=d["notes"], women=d["women"], men=d["men"], other_sex=d["other_sex"],
        total=d["total"], service_point=d["service_point"], scale_min=d["scale_min"], scale_max=d["scale_max"],
        interface_attendees=d["interface_attendees"], panel=d["panel"], records_examined=d["records_examined"],
        checked=d["checked"], found=d["found"], not_found=d["not_found"], ineligible=d["ineligible"],
        amount_due=d["amount_due"], amount_paid=d["amount_paid"], event_type=d["event_type"] or None)


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
def edit_activity(activity_id: int):
    """Correct a record's own facts (its parts have their own forms on the record page)."""
    user, lang = _user(), current_language()
    with unit_of_work(read_only=True) as uow:
        a = _load(activity_id, uow)
        _require_recorder(a)
        kind, forum_id, forum_name = a.kind, a.forum_id, a.forum.name
        form = ActivityForm(formdata=request.form if request.method == "POST" else None, obj=a)
        form.forum.choices = [(a.forum_id, a.forum.name)]
        form.forum.data = a.forum_id
        form.area.choices = _areas_under(a.forum.area, lang)
        form.programme.choices = _programmes(lang, blank=gettext("Choose a programme"))
        if request.method != "POST":
            form.area.data = a.area.code
            form.programme.data = a.programme.code if a.programme else ""
            form.other_sex.data = a.other_sex
    error, status = None, 200
    if request.method == "POST":
        if form.validate():
            try:
                with unit_of_work() as uow:
                    svc.update_activity(uow, activity_id, _activity_in(kind, form.data, forum_id), user=user,
                                        now=utcnow())
            except DomainError as e:
                rest = populate_errors(form, e)
                error, status = rest.get("form") or message(e), e.status
            else:
                flash(gettext("Saved."), "success")
                return redirect(url_for(".activity", activity_id=activity_id))
        else:
            error, status = gettext("Check the fields marked below."), 422
    return render_template("accountability/new.html", form=form, kind=kind, labels=labels, error=error,
                           fields=ActivityForm.KIND_FIELDS[kind], editing=forum_name), status


# ---------------------------------------------------------------- one record


def _load(activity_id: int, uow) -> Activity:
    try:
        return svc.get_activity(uow, activity_id, user=_user())
    except NotFound:
        abort(404)


def _part_forms(a: Activity, lang: str) -> dict:
    forms = {"group": GroupForm(prefix="group"), "input": InputForm(prefix="input"),
             "indicator": IndicatorForm(prefix="indicator"), "team": TeamForm(prefix="team"),
             "item": ItemForm(prefix="item")}
    library = db.session.scalars(sa.select(Indicator).where(
        Indicator.active.is_(True),
        sa.or_(Indicator.programme_id.is_(None), Indicator.programme_id == (a.programme_id or -1)))
        .order_by(Indicator.code)).all()
    forms["indicator"].library.choices = [("", gettext("None: I write my own")),
                                          *[(i.code, i.name(lang)) for i in library]]
    forms["team"].resident_area.choices = [("", gettext("Not known")),
                                           *_areas_under(a.area.parent or a.area, lang)]
    forms["item"].kind.choices = [(k, labels.ITEM_KIND[k]) for k in svc.ITEMS_OF[a.kind]]
    return forms


def _render_activity(activity_id: int, *, posted: tuple[str, object] | None = None, error: str | None = None,
                     status: int = 200, item_id: int | None = None):
    user, lang, today = _user(), current_language(), _today()
    with unit_of_work(read_only=True) as uow:
        a = _load(activity_id, uow)
        forms = _part_forms(a, lang)
        if posted is not None:
            forms[posted[0]] = posted[1]
        comparison = svc.comparison(a) if a.kind == "scorecard" else []
        trend = svc.trend(uow, a) if a.kind == "scorecard" else {}
        charts = _scorecard_charts(a, comparison, trend, lang) if a.kind == "scorecard" else []
        lodge_form = LodgeForm(prefix="lodge")
        lodge_form.category.choices = [(c.code, c.name(lang)) for c in db.session.scalars(
            sa.select(Category).where(Category.active.is_(True)).order_by(Category.code))]
        lodge_form.programme.choices = _programmes(lang)
        if a.programme is not None:
            lodge_form.programme.data = a.programme.code
        return render_template(
            "accountability/activity.html", a=a, forms=forms, comparison=comparison, trend=trend, charts=charts,
            lodge_form=lodge_form, followup_form=FollowUpForm(prefix="followup"), labels=labels,
            posted_item=item_id, posted=posted[1] if posted is not None else None,
            case_labels=case_labels, lang=lang, today=today, error=error, may_record=svc.may_record(user, a.forum),
            items_of=svc.ITEMS_OF[a.kind], face=labels.face), status


def _scorecard_charts(a: Activity, comparison, trend, lang: str) -> list[Chart]:
    charts = []
    if comparison:
        charts.append(Chart(
            "scores", gettext("Community and providers, per indicator"), "hbar",
            [c.indicator.text for c in comparison],
            [Series(gettext("Community (mean of the groups)"), [c.community for c in comparison]),
             Series(gettext("Providers' self-assessment"), [c.provider for c in comparison])],
            label_heading=gettext("Indicator")))
    dates = sorted({d for points in trend.values() for d, _, _ in points})
    if len(dates) > 1:
        from grs.i18n import localdate

        series = []
        for key, points in sorted(trend.items()):
            by_date = {d: community for d, community, _ in points}
            name = next((c.indicator.text for c in comparison if (c.indicator.indicator.code if c.indicator.indicator
                                                                   else c.indicator.text.lower()) == key), key)
            series.append(Series(name, [by_date.get(d) for d in dates]))
        charts.append(Chart("trend", gettext("Community scores across cycles"), "line",
                            [localdate(d, lang) for d in dates], series, label_heading=gettext("Cycle")))
    return charts


@bp.route("/<int:activity_id>")
def activity(activity_id: int):
    return _render_activity(activity_id)


def _require_recorder(a: Activity) -> None:
    if not svc.may_record(_user(), a.forum):
        abort(403)


def _post_part(activity_id: int, name: str, form, call, *, item_id: int | None = None):
    """Validate a small form of the record page, run the service, redirect back (or show what is wrong);
    `item_id`: the form belongs to one item's entry (follow-up, lodge), where its errors are shown."""
    with unit_of_work(read_only=True) as uow:
        _require_recorder(_load(activity_id, uow))
    if not form.validate():
        return _render_activity(activity_id, posted=(name, form), error=gettext("Check the fields marked below."),
                                status=422, item_id=item_id)
    try:
        with unit_of_work() as uow:
            call(uow)
    except NotFound:
        abort(404)
    except DomainError as e:
        rest = _errors_onto(form, e)
        return _render_activity(activity_id, posted=(name, form), error=rest or gettext("Check the fields marked below."),
                                status=e.status, item_id=item_id)
    flash(gettext("Saved."), "success")
    return redirect(url_for(".activity", activity_id=activity_id, _anchor=name))


def _errors_onto(form, e: DomainError) -> str | None:
    """The service names list fields ("groups[0].women", "women"): put each on the form's field."""
    left = []
    for key, text in (e.fields or {}).items():
        field = re.sub(r"^[a-z_]+\[\d+\]\.", "", key)
        if field in form and field != "csrf_token":
            form[field].errors = [*form[field].errors, gettext(text)]
        else:
            left.append(gettext(text))
    return " ".join(left) or None


@bp.route("/<int:activity_id>/groups", methods=["POST"])
def add_group(activity_id: int):
    form = GroupForm(prefix="group")
    d = form.data
    return _post_part(activity_id, "group", form, lambda uow: svc.add_group(uow, activity_id, svc.GroupIn(
        name=d["name"], kind=d["kind"], women=d["women"], men=d["men"], other_sex=d["other_sex"],
        with_disability=d["with_disability"], age_band=d["age_band"] or None), user=_user()))


@bp.route("/<int:activity_id>/inputs", methods=["POST"])
def add_input(activity_id: int):
    form = InputForm(prefix="input")
    d = form.data
    return _post_part(activity_id, "input", form, lambda uow: svc.add_input(uow, activity_id, svc.InputIn(
        item=d["item"], entitlement=d["entitlement"], actual=d["actual"], remarks=d["remarks"]), user=_user()))


@bp.route("/<int:activity_id>/indicators", methods=["POST"])
def add_indicator(activity_id: int):
    form = IndicatorForm(prefix="indicator")
    with unit_of_work(read_only=True) as uow:
        form.library.choices = _part_forms(_load(activity_id, uow), current_language())["indicator"].library.choices
    wording = form.library.data or (form.own.data or "")
    return _post_part(activity_id, "indicator", form,
                      lambda uow: svc.add_indicator(uow, activity_id, wording, user=_user()))


@bp.route("/<int:activity_id>/team", methods=["POST"])
def add_team_member(activity_id: int):
    form = TeamForm(prefix="team")
    with unit_of_work(read_only=True) as uow:
        form.resident_area.choices = _part_forms(_load(activity_id, uow), current_language())["team"].resident_area.choices
    d = form.data
    return _post_part(activity_id, "team", form, lambda uow: svc.add_team_member(uow, activity_id, svc.TeamIn(
        name=d["name"], role=d["role"], resident_area=d["resident_area"] or None), user=_user()))


def _results(text: str | None) -> dict | str | None:
    """'Yes: 32' lines as {"Yes": 32}; the text itself back if a line is not of that shape."""
    if not (text or "").strip():
        return None
    out = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        answer, sep, count = line.rpartition(":")
        if not sep or not answer.strip() or not count.strip().isdigit():
            return text
        out[answer.strip()] = int(count.strip())
    return out


@bp.route("/<int:activity_id>/items", methods=["POST"])
def add_item(activity_id: int):
    form = ItemForm(prefix="item")
    with unit_of_work(read_only=True) as uow:
        form.kind.choices = _part_forms(_load(activity_id, uow), current_language())["item"].kind.choices
    d = form.data
    results = _results(d["results"])
    return _post_part(activity_id, "item", form, lambda uow: svc.add_item(uow, activity_id, svc.ItemIn(
        kind=d["kind"], title=d["title"], description=d["description"], action=d["action"],
        responsible=d["responsible"], due_on=d["due_on"], status=d["status"], finding_type=d["finding_type"] or None,
        amount=d["amount"], results=results if isinstance(results, dict) or results is None else {"": -1}),
        user=_user()))


@bp.route("/<int:activity_id>/scores", methods=["GET", "POST"])
def scores(activity_id: int):
    """One group's (or the providers') scores for every indicator of the cycle, on one short page."""
    user = _user()
    who = request.values.get("group", "")
    with unit_of_work(read_only=True) as uow:
        a = _load(activity_id, uow)
        if a.kind != "scorecard":
            abort(404)
        _require_recorder(a)
        group = next((g for g in a.groups if str(g.id) == who), None)
        if who != "providers" and group is None:
            abort(404)
        group_id = group.id if group else None
        indicator_ids = [ci.id for ci in a.indicators]
    errors: dict = {}
    if request.method == "POST":  # CSRFProtect has checked the token, as on every POST
        entries = [svc.ScoreIn(ci, request.form[f"score-{ci}"], group_id,
                               request.form.get(f"reason-{ci}", "")[:4000],
                               request.form.get(f"suggestion-{ci}", "")[:4000])
                   for ci in indicator_ids if request.form.get(f"score-{ci}", "") != ""]
        if not entries:
            errors["form"] = gettext("Give at least one score.")
        else:
            try:
                with unit_of_work() as uow:
                    svc.set_scores(uow, activity_id, entries, user=user)
            except DomainError as e:
                for key, text in (e.fields or {}).items():
                    m = re.match(r"scores\[(\d+)\]\.(\w+)", key)
                    if m:
                        errors[f"{m.group(2)}-{entries[int(m.group(1))].indicator_id}"] = gettext(text)
                errors["form"] = gettext("Check the scores marked below.")
            else:
                flash(gettext("The scores were saved."), "success")
                return redirect(url_for(".activity", activity_id=activity_id, _anchor="scores"))
    with unit_of_work(read_only=True) as uow:
        a = _load(activity_id, uow)
        group = next((g for g in a.groups if g.id == group_id), None)
        current = {ci.id: next((s for s in ci.scores if s.group_id == group_id), None) for ci in a.indicators}
        faces = [(v, *labels.face(v, a.scale_min, a.scale_max)) for v in range(a.scale_min, a.scale_max + 1)]
        return render_template("accountability/scores.html", a=a, group=group, current=current, faces=faces,
                               errors=errors, form_values=request.form, labels=labels,
                               lang=current_language()), 422 if errors else 200


@bp.route("/items/<int:item_id>/follow-ups", methods=["POST"])
def follow_up(item_id: int):
    with unit_of_work(read_only=True) as uow:
        try:
            activity_id = svc.get_item(uow, item_id, user=_user()).activity_id
        except NotFound:
            abort(404)
    form = FollowUpForm(prefix="followup")
    d = form.data
    return _post_part(activity_id, "followup", form, lambda uow: svc.follow_up(
        uow, item_id, svc.FollowUpIn(on=d["on"], note=d["note"], status=d["status"]), user=_user(), now=utcnow()),
        item_id=item_id)


@bp.route("/items/<int:item_id>/grievance", methods=["POST"])
def lodge(item_id: int):
    """Lodge the item as a grievance: received on the meeting's date, routed like any other."""
    user, lang = _user(), current_language()
    with unit_of_work(read_only=True) as uow:
        try:
            item = svc.get_item(uow, item_id, user=user)
        except NotFound:
            abort(404)
        activity_id = item.activity_id
    form = LodgeForm(prefix="lodge")
    form.category.choices = [(c.code, c.name(lang)) for c in db.session.scalars(sa.select(Category))]
    form.programme.choices = _programmes(lang)
    d = form.data
    result = {}

    def call(uow):
        g = svc.lodge_item(uow, item_id, svc.LodgeIn(category=d["category"], programme=d["programme"] or None,
                                                      description=d["description"], language=lang), user=user,
                           now=utcnow())
        result["code"] = g.tracking_code

    response = _post_part(activity_id, "lodge", form, call, item_id=item_id)
    if "code" in result:
        flash(gettext("Lodged as grievance %(code)s.", code=result["code"]), "success")
    return response


# ---------------------------------------------------------------- oversight


def _oversight(form: OversightFilters, group_by: str):
    user = _user()
    with unit_of_work(read_only=True) as uow:
        return svc.oversight(uow, user, today=_today(), programme=form.programme.data or None,
                             area=form.area.data or None, group_by=group_by)


@bp.route("/oversight")
def oversight():
    user, lang = _user(), current_language()
    form = OversightFilters(request.args)
    form.programme.choices = _programmes(lang, blank=gettext("All programmes"))
    form.area.choices = _areas_under(user.office.area if user.office else user.area, lang,
                                     blank=gettext("All of my area"))
    group_by = "area" if request.args.get("group_by") == "area" else "programme"
    try:
        total, rows = _oversight(form, group_by)
    except (DomainError, Forbidden) as e:
        populate_errors(form, e)
        return render_template("accountability/oversight.html", form=form, total=None, rows=[], group_by=group_by,
                               error=message(e), labels=labels, lang=lang), e.status
    names = _key_names(rows, group_by, lang)
    chart = Chart("oversight", gettext("Commitments and action items done on time"), "hbar",
                  [names.get(r.key, r.key or "—") for r in rows],
                  [Series(gettext("Share done on time"), [r.on_time_share for r in rows])], percent=True,
                  label_heading=gettext("Programme") if group_by == "programme" else gettext("Area"))
    halves = sorted({h for r in rows for h in r.community_trend()})
    trend = Chart("scorecard-trend", gettext("Community mean score by half-year"), "line", halves,
                  [Series(names.get(r.key, r.key or "—"), [r.community_trend().get(h) for h in halves])
                   for r in rows if r.community_trend()], label_heading=gettext("Half-year"))
    return render_template("accountability/oversight.html", form=form, total=total, rows=rows, names=names,
                           group_by=group_by, chart=chart, trend=trend if trend.series else None, error=None,
                           labels=labels, lang=lang)


def _key_names(rows, group_by: str, lang: str) -> dict:
    codes = [r.key for r in rows if r.key]
    model = Programme if group_by == "programme" else Area
    return {m.code: m.name(lang) for m in db.session.scalars(sa.select(model).where(model.code.in_(codes)))}


@bp.route("/oversight.<fmt>")
def oversight_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    form = OversightFilters(request.args)
    group_by = "area" if request.args.get("group_by") == "area" else "programme"
    try:
        total, rows = _oversight(form, group_by)
    except DomainError as e:
        return Response(message(e), status=e.status, mimetype="text/plain")
    columns = [group_by, *svc.OVERSIGHT_COLUMNS[1:]]
    table = [[*(r.as_row().values())] for r in rows] + [["total", *list(total.as_row().values())[1:]]]
    stamp = _today().isoformat()
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(columns)
        writer.writerows(["" if v is None else csv_value(v) for v in row] for row in table)
        return Response(buf.getvalue().encode("utf-8-sig"), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="accountability-{stamp}.csv"'})
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("accountability")
    ws.append(columns)
    for row in table:
        ws.append(xlsx_row(ws, row))
    out = io.BytesIO()
    wb.save(out)
    return Response(out.getvalue(), headers={"Content-Disposition": f'attachment; filename="accountability-{stamp}.xlsx"'},
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
