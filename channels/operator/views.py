"""Blueprint `operator`: the call-centre console — find a caller, lodge for them, log the call."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from channels.web import picker, wording
from grs import permissions, phones, queries, tracking
from grs.database import MAX_ID
from grs.errors import DomainError, NotFound
from grs.extensions import db
from grs.forms import message, populate_errors
from grs.i18n import current_language
from grs.models import CallLog, Category, Event, Programme, Tier
from grs.services import ComplainantIn, Intake, find
from grs.staff import labels
from grs.staff.labels import STATUS
from grs.timeutil import utcnow
from grs.uow import unit_of_work

from . import service
from .forms import AddInfoForm, CallerAppealForm, EndCallForm, LookupForm, OperatorLodgeForm, StartCallForm

bp = Blueprint("operator", __name__, url_prefix="/operator")


@bp.before_request
@login_required
def require_operator():
    """Only call-centre operators and administrators use the console."""
    if not permissions.can(current_user, permissions.Capability.OPERATOR_CONSOLE):
        abort(403)


_OUTCOME_WORDS = {"lodged": "Complaint lodged", "status_given": "Status given", "info_only": "Information only",
                  "dropped": "Call dropped"}


@bp.context_processor
def console_helpers():
    """Helpers for the console's templates: masked numbers, grouped codes, words for codes."""
    tiers = {tier.code: tier for tier in db.session.scalars(sa.select(Tier))}

    def level_name(code: str) -> str:
        tier = tiers.get(code)
        return tier.name(current_language()) if tier is not None else code

    return {"mask": phones.mask, "display": tracking.display, "level_name": level_name,
            "outcome_label": lambda o: _(_OUTCOME_WORDS.get(o, o))}


def _user():
    return current_user._get_current_object()


def _console(lookup: LookupForm, grievances=None, phone: str | None = None, status: int = 200):
    user = _user()
    calls = service.recent_calls(db.session, user)
    return render_template("operator/console.html", lookup=lookup, grievances=grievances, phone=phone,
                           start=StartCallForm(phone=phone), calls=calls,
                           open_calls=[c for c in calls if c.ended_at is None and c.operator_id == user.id],
                           status_label=STATUS), status


@bp.get("/")
def console():
    return _console(LookupForm())


@bp.post("/lookup")
def lookup():
    """Find a caller by phone; a POST so the number stays out of URLs and access logs."""
    form = LookupForm()
    if not form.validate():
        return _console(form, status=400)
    try:
        with unit_of_work(read_only=True) as uow:
            found = service.caller_grievances(uow, _user(), form.phone.data)
    except DomainError:
        form.phone.errors = [_("Enter a valid phone number.")]
        return _console(form, status=400)
    return _console(form, found, phones.normalise(form.phone.data))


@bp.post("/calls")
def start_call():
    form = StartCallForm()
    if not form.validate():
        abort(400)
    try:
        with unit_of_work() as uow:
            call = service.start_call(uow, _user(), form.phone.data, now=utcnow())
    except DomainError:
        lookup_form = LookupForm(phone=form.phone.data)
        lookup_form.phone.errors = [_("Enter a valid phone number.")]
        return _console(lookup_form, status=400)
    return redirect(url_for("operator.call", call_id=call.id), code=303)


def _history(c: CallLog) -> list:
    """The caller's grievances this user may see (none when the number was withheld)."""
    if not c.phone:
        return []
    with unit_of_work(read_only=True) as uow:
        return service.caller_grievances(uow, _user(), c.phone)


def _call_or_404(call_id: int) -> CallLog:
    call = db.session.get(CallLog, call_id) if 0 < call_id <= MAX_ID else None
    if call is None or not permissions.may_see_call(current_user, call.operator_id):
        abort(404)
    return call


@bp.route("/calls/<int:call_id>", methods=["GET"])
def call(call_id: int):
    """One call: the caller's history, a way to lodge for them, and the form that ends the call."""
    c = _call_or_404(call_id)
    history = _history(c)
    end = EndCallForm(grievance=tracking.display(c.grievance.tracking_code) if c.grievance else None)
    end.fill_choices()
    return render_template("operator/call.html", call=c, grievances=history, end=end, status_label=STATUS,
                           **_waiting(c, history))


def _waiting(c: CallLog, history: list, failed: tuple[str, AddInfoForm] | None = None) -> dict:
    """The caller's grievances waiting for information, each with the question and a form to answer it."""
    if c.ended_at is not None:
        return {"waiting": []}
    forms = {g.tracking_code: AddInfoForm(formdata=None, prefix=f"info-{g.tracking_code}")
             for g in history if g.status == "awaiting_info"}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return {"waiting": [(g, question, forms[g.tracking_code])
                        for g, question in service.waiting_for_caller(history)]}


@bp.post("/calls/<int:call_id>/info/<code>")
def add_info(call_id: int, code: str):
    """Add the information the caller gives for one of their grievances waiting for it."""
    c = _call_or_404(call_id)
    form = AddInfoForm(prefix=f"info-{code}")
    if form.validate():
        try:
            with unit_of_work() as uow:
                service.add_info_for_caller(uow, _user(), code, form.text.data, call_id=c.id, now=utcnow())
        except DomainError as e:
            rest = populate_errors(form, e, fields=("text",))
            form.text.errors = [*form.text.errors, *rest.values()]
        else:
            flash(_("The caller's information was added; the office was told and the clock runs again."), "success")
            return redirect(url_for("operator.call", call_id=c.id), code=303)
    db.session.expire_all()
    history = _history(c)
    end = EndCallForm()
    end.fill_choices()
    return render_template("operator/call.html", call=c, grievances=history, end=end, status_label=STATUS,
                           **_waiting(c, history, (code, form))), 400


@bp.context_processor
def appeal_helpers():
    """For the call page: whether the caller may appeal a grievance now, and its form."""
    from grs.services import may_appeal

    now = utcnow()
    return {"may_appeal_now": lambda g: may_appeal(g, now),
            "caller_appeal_form": lambda g: CallerAppealForm(formdata=None, prefix=f"appeal-{g.tracking_code}")}


@bp.post("/calls/<int:call_id>/appeal/<code>")
def appeal(call_id: int, code: str):
    """The caller's appeal of one of their grievances (after a decision, or past its deadline)."""
    c = _call_or_404(call_id)
    form = CallerAppealForm(prefix=f"appeal-{code}")
    if form.validate():
        try:
            with unit_of_work() as uow:
                service.appeal_for_caller(uow, _user(), code, form.note.data or None, call_id=c.id, now=utcnow())
        except DomainError as e:
            flash(message(e), "error")
        else:
            flash(_("The appeal was opened for the caller; both offices were told."), "success")
    return redirect(url_for("operator.call", call_id=c.id), code=303)


@bp.post("/calls/<int:call_id>/end")
def end_call(call_id: int):
    c = _call_or_404(call_id)
    form = EndCallForm()
    form.fill_choices()
    if form.validate():
        try:
            with unit_of_work() as uow:
                service.end_call(uow, _user(), c.id, form.outcome.data, grievance_code=form.grievance.data,
                                 notes=form.notes.data, now=utcnow())
        except DomainError as e:
            # What names no field of the form (a code not found, a call already ended) is about the code.
            rest = populate_errors(form, e)
            form.grievance.errors = [*form.grievance.errors, *rest.values()]
        else:
            return redirect(url_for("operator.console"), code=303)
    history = _history(c)
    return render_template("operator/call.html", call=c, grievances=history, end=form,
                           status_label=STATUS), 400


def _choices(lang: str) -> tuple[list, list]:
    programmes = db.session.scalars(sa.select(Programme).where(Programme.active.is_(True)).order_by(Programme.id))
    categories = db.session.scalars(sa.select(Category).where(Category.active.is_(True)).order_by(Category.id))
    return [(p.code, p.name(lang)) for p in programmes], [(c.code, c.name(lang)) for c in categories]


def _intake(form: OperatorLodgeForm, area_code: str | None, lang: str) -> Intake:
    person = None
    if not form.anonymous.data:
        person = ComplainantIn(name=(form.name.data or "").strip() or None,
                               phone=(form.phone.data or "").strip() or None,
                               sex=form.sex.data or None, age_band=form.age_band.data or None,
                               disability={"yes": True, "no": False}.get(form.disability.data))
    return Intake(channel="operator", programme=form.programme.data, category=form.category.data,
                  description=form.description.data, area=area_code, language=lang, complainant=person,
                  phone_verified=True,  # the operator is speaking to the caller
                  source_ref=f"console:{form.token.data}" if form.token.data else None)


_FORM_FIELDS = ("programme", "category", "description", "name", "phone", "sex", "age_band")


@bp.route("/lodge", methods=["GET", "POST"])
def lodge():
    """Lodge on the caller's behalf; the complaint's language is the console's current language."""
    lang = current_language()
    values = request.form if request.method == "POST" else request.args
    form = OperatorLodgeForm()
    form.fill_choices(*_choices(lang))
    area_picker = picker.build(values, lang)
    errors: dict[str, str] = {}
    if request.method == "GET":
        form.token.data = uuid.uuid4().hex
        call_id = request.args.get("call", type=int)
        if call_id:
            c = _call_or_404(call_id)
            form.call_id.data = str(c.id)
            form.phone.data = c.phone or ""
        return render_template("operator/lodge.html", form=form, picker=area_picker, errors=errors)
    if "narrow" in request.form:
        return render_template("operator/lodge.html", form=form, picker=area_picker, errors=errors)
    valid = form.validate()
    if not area_picker.complete and not form.area_unknown.data:
        errors["area"] = _("Choose the area down to the lowest level.")
    if valid and not errors:
        call_id = int(form.call_id.data) if (form.call_id.data or "").isdigit() else None
        call_id = call_id if call_id is not None and call_id <= MAX_ID else None
        try:
            with unit_of_work() as uow:
                area = area_picker.chosen  # as far down as the caller knows; none: the triage queue
                g = service.lodge_for_caller(uow, _user(), _intake(form, area.code if area else None, lang),
                                             call_id=call_id, now=utcnow())
        except DomainError as e:
            errors.update(populate_errors(form, e, fields=_FORM_FIELDS, page_keys=("area",)))
        else:
            return redirect(url_for("operator.lodged", code=g.tracking_code, call=call_id), code=303)
    return render_template("operator/lodge.html", form=form, picker=area_picker, errors=errors), 400


@bp.get("/lodged/<code>")
def lodged(code: str):
    """The tracking code, large and grouped in fours, for reading back to the caller."""
    try:
        g = find(db.session, code)
    except NotFound:
        abort(404)
    # No scope check: the page shows only what the public track page shows, and an operator without the
    # sensitive permission must still read back the code of a sensitive complaint just lodged.
    call_id = request.args.get("call", type=int)
    return render_template("operator/lodged.html", g=g, code=tracking.display(g.tracking_code), call_id=call_id,
                           status_label=STATUS)


@bp.get("/grievances/<code>")
def case(code: str):
    """One of the caller's grievances to read to them: where it is, what was decided and why, what comes next."""
    try:
        g = find(db.session, code)
    except NotFound:
        abort(404)
    user = _user()
    if not queries.can_view(user, g):
        abort(404)  # the history lists only what the operator may see; a typed code says no more
    decided = db.session.scalar(
        sa.select(Event).where(Event.grievance_id == g.id, Event.type.in_(("resolved", "rejected")))
        .order_by(Event.seq.desc()).limit(1)) if g.status in ("resolved", "rejected", "closed") else None
    lang = current_language()
    call_id = request.args.get("call", type=int)
    return render_template("operator/case.html", g=g, code=tracking.display(g.tracking_code), decided=decided,
                           history=wording.history(g, lang), call_id=call_id, status_label=STATUS,
                           labels=labels, personal=permissions.sees_personal_data_of(user, g))
