"""Blueprint `cases`: the staff inbox and the case page, where officers take lifecycle actions."""
from __future__ import annotations

import os

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   send_from_directory, url_for)
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from escalation.policy import calendar_for

from .. import permissions, phones, queries, tracking
from ..database import MAX_ID
from ..errors import DomainError, NotFound
from ..forms import message, populate_errors
from ..extensions import db
from ..i18n import current_language
from ..models import Area, Attachment, Category, Event, Grievance, Office, Programme, Tier
from ..permissions import Capability
from .. import services
from ..services import asking, clocks
from ..services.actions import transfer_targets
from ..services.actors import Actor
from ..timeutil import utcnow
from ..uow import unit_of_work
from . import labels
from .forms import ACTION_FORMS, InboxFilters

bp = Blueprint("cases", __name__, url_prefix="/cases")

PER_PAGE = 50
MAX_PAGE = 100_000  # far past any inbox; beyond it the offset would overflow the database's integers
MAX_TRANSFER_CHOICES = 300


@bp.before_request
@login_required
def require_login():
    """Every case page is for signed-in staff only."""


def _user():
    return current_user._get_current_object()


@bp.app_template_global()
def staff_nav_links() -> list[tuple[str, str, str]]:
    """(url, label, endpoint) of the staff areas this user may open; parts not built yet are left out."""
    if not current_user.is_authenticated:
        return []
    user = _user()
    wanted = [("/cases/", gettext("Inbox"), True),
              ("/operator/", gettext("Operator console"), permissions.can(user, Capability.OPERATOR_CONSOLE)),
              ("/cases/import", gettext("Import paper forms"), permissions.can(user, Capability.IMPORT)),
              ("/dashboard/", gettext("Dashboard"), permissions.can(user, Capability.DASHBOARD)),
              ("/accountability/", gettext("Accountability"), permissions.can(user, Capability.ACCOUNTABILITY)
               or permissions.can(user, Capability.ACCOUNTABILITY_VIEW)),
              ("/admin/", gettext("Administration"), permissions.can(user, Capability.ADMIN_PAGES)),
              # Supervisors read the outbox without the rest of the administration.
              ("/admin/messages", gettext("Messages"), permissions.can(user, Capability.READ_MESSAGES)
               and not permissions.can(user, Capability.ADMIN_PAGES))]
    existing = {rule.rule: rule.endpoint for rule in current_app.url_map.iter_rules()}
    return [(path, label, existing[path]) for path, label, allowed in wanted if allowed and path in existing]


@bp.app_template_global("can")
def can_template(capability: str) -> bool:
    """`can('see_all_calls')` in templates: whether the signed-in user holds that capability."""
    return current_user.is_authenticated and permissions.can(_user(), capability)


# ---------------------------------------------------------------- inbox


def _filter_choices(form: InboxFilters, lang: str) -> None:
    any_ = ("", "—")
    form.level.choices = [any_] + [(t.code, t.name(lang)) for t in
                                   db.session.scalars(sa.select(Tier).order_by(Tier.rank))]
    form.programme.choices = [any_] + [(p.code, p.name(lang)) for p in
                                       db.session.scalars(sa.select(Programme).order_by(Programme.name_en))]
    form.category.choices = [any_] + [(c.code, c.name(lang)) for c in
                                      db.session.scalars(sa.select(Category).order_by(Category.name_en))]


def _valid(field, default=""):
    """The submitted value of a filter, or its default when the value is not one of the choices."""
    return default if field.errors else (field.data or default)


def inbox_filter(form: InboxFilters) -> queries.GrievanceFilter:
    """The filters as submitted, each invalid one left open. The national review list (national accounts
    only) holds decided grievances, so "open" does not narrow it."""
    status = _valid(form.status, "open")
    review = bool(form.review.data) and may_review(_user())
    return queries.GrievanceFilter(
        open_only=status == "open" and not review, status=None if status in ("open", "all") else status,
        national_review=review, appeals=bool(form.appeals.data),
        level=_valid(form.level) or None, programme=_valid(form.programme) or None,
        category=_valid(form.category) or None, overdue=True if form.overdue.data else None,
        code=form.q.data if form.q.data and not form.q.errors else None)


def may_review(user) -> bool:
    """Whether the account opens the national review list: national staff (and admins) who see cases."""
    return permissions.is_national(user) and permissions.can(user, Capability.VIEW_CASES)


def inbox_query(user, form: InboxFilters, now):
    """The user's visible grievances narrowed by the filters, overdue first, then soonest due, then oldest."""
    return queries.grievance_list(user, inbox_filter(form), now)


class Clock:
    """Working days left (or overdue) on each grievance, with one calendar per area per request."""

    def __init__(self, now):
        self.now = now
        self._calendars: dict = {}

    def days_left(self, g: Grievance) -> int | None:
        """Working days left before the due time (negative = overdue by that many); None without a clock."""
        if not g.is_open or g.due_at is None or g.paused_at is not None:
            return None
        if g.area_id not in self._calendars:
            self._calendars[g.area_id] = calendar_for(g.area, self.now)
        return self._calendars[g.area_id].working_days_left(self.now, g.due_at)


@bp.route("/")
def inbox():
    lang = current_language()
    now = utcnow()
    form = InboxFilters(formdata=request.args)
    _filter_choices(form, lang)
    form.validate()
    query = inbox_query(_user(), form, now).options(
        selectinload(Grievance.programme), selectinload(Grievance.category), selectinload(Grievance.area),
        selectinload(Grievance.office), selectinload(Grievance.complainant))
    page = db.paginate(query, page=min(request.args.get("page", 1, type=int), MAX_PAGE), per_page=PER_PAGE,
                       error_out=False, count=True)
    tiers = {t.code: t for t in db.session.scalars(sa.select(Tier))}
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("cases/inbox.html", form=form, page=page, clock=Clock(now), tiers=tiers,
                           mask=phones.mask, display=tracking.display, labels=labels, args=args,
                           overdue_commitments=_overdue_commitments(now), may_review=may_review(_user()),
                           personal=permissions.sees_personal_data(_user()),  # even masked, only for case handlers
                           review_count=_review_count() if may_review(_user()) else 0,
                           appeal_count=_appeal_count() if permissions.hears_appeals(_user()) else None)


def _review_count() -> int:
    """How many grievances wait on the national review list this account sees."""
    user = _user()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Grievance).where(
        queries.visible_filter(user), queries.national_review())) or 0


def _appeal_count() -> int:
    """How many open appeals wait at the appellate officer's office (their Appeals tab)."""
    user = _user()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Grievance).where(
        queries.visible_filter(user), Grievance.office_id == user.office_id, Grievance.is_open.is_(True),
        Grievance.clock_kind == "appeal")) or 0


def _appeal_clock(g: Grievance) -> tuple[int, str] | None:
    """The length of the appeal clock the grievance is on and what its days count (working | calendar);
    None when it is not an appeal."""
    if not permissions.is_appeal(g):
        return None
    with unit_of_work(read_only=True) as uow:
        lim = clocks.limits(uow, g)
        return lim.resolve_days, lim.day_kind


def _overdue_commitments(now) -> int:
    """Forums' commitments and action items about this office's area that are past their date."""
    from social_audit.services import count_overdue, local_today

    user = _user()
    if not permissions.can(user, Capability.ACCOUNTABILITY_VIEW):
        return 0
    with unit_of_work(read_only=True) as uow:
        return count_overdue(uow, user, local_today(uow, now))


# ---------------------------------------------------------------- one case


def _visible_case(code: str) -> Grievance:
    """The grievance if this user may see it; 404 otherwise, so other offices' codes reveal nothing."""
    try:
        g = services.find(db.session, code)
    except NotFound:
        abort(404)
    if not queries.can_view(_user(), g):
        abort(404)
    return g


def _transfer_choices(g: Grievance, lang: str) -> list[tuple[str, str]]:
    """The offices this user may transfer the case to: the ones the service accepts (higher tiers first)."""
    with unit_of_work(read_only=True) as uow:
        offices = uow.session.scalars(transfer_targets(uow, _user(), g).options(selectinload(Office.area))
                                      .limit(MAX_TRANSFER_CHOICES)).all()
        return [(o.code, o.name(lang)) for o in offices]


def _action_form(action: str, g: Grievance, lang: str, formdata=None):
    form = ACTION_FORMS[action](formdata=formdata)  # None: an empty form, even while answering a POST
    if action == "transfer":
        form.office.choices = _transfer_choices(g, lang)
    if action == "request_info":
        _count_question(form, g)
    if action == "reclassify":
        # The active categories but its own; a sensitive one says so (choosing it moves the case: the service).
        with unit_of_work(read_only=True) as uow:
            cats = uow.session.scalars(sa.select(Category).where(Category.active.is_(True),
                                                                 Category.id != g.category_id)
                                       .order_by(Category.code)).all()
            form.category.choices = [("", gettext("Choose the category")), *[
                (c.code, c.name(lang) + (" — " + gettext("sensitive") if c.sensitive else "")) for c in cats]]
    if action == "close" and _user().role == "admin":
        # An admin may close before the complainant's answer window ends, and always says why (the service checks).
        form.note.label.text = gettext("Reason for closing (required)")
        form.note.render_kw = {**(form.note.render_kw or {}), "required": True}
    return form


def _count_question(form, g: Grievance) -> None:
    """The question's limit (the whole SMS must fit in three segments) in its label and for the live count
    (static/js/char-count.js); the service refuses more whatever the browser does."""
    with unit_of_work(read_only=True) as uow:
        limits = asking.question_limits(uow, g.language or "en")
    limit = limits["ucs2"] if g.language == "bn" else limits["gsm"]
    form.note.label.text = gettext("What information is needed? (at most %(limit)s characters: the whole "
                                   "question is sent by SMS)", limit=limit)
    form.note.render_kw = {**(form.note.render_kw or {}), "data-limit-gsm": limits["gsm"],
                           "data-limit-ucs2": limits["ucs2"],
                           "data-count-text": gettext("%(n)s of %(limit)s characters")}


def _render_case(g: Grievance, *, posted: tuple[str, object] | None = None, error: str | None = None,
                 status: int = 200):
    lang = current_language()
    user = _user()
    now = utcnow()
    actions = permissions.actions_for(user, g, visible=True)  # every caller has just passed _visible_case
    if g.extended:
        # The service allows one extension; offering a second would only earn a 409.
        actions = [a for a in actions if a != "extend"]
    forms = {a: _action_form(a, g, lang) for a in actions if a in ACTION_FORMS}
    if posted is not None and posted[0] in forms:
        forms[posted[0]] = posted[1]
    events = db.session.scalars(
        sa.select(Event).where(Event.grievance_id == g.id).order_by(Event.seq)
        .options(selectinload(Event.actor), selectinload(Event.office))
    ).all()
    area_path = []
    if g.area is not None:
        by_code = {a.code: a for a in db.session.scalars(sa.select(Area).where(
            Area.code.in_(g.area.ancestor_codes())))}
        # The country itself says nothing to staff of that country.
        area_path = [by_code[c] for c in g.area.ancestor_codes()[1:] if c in by_code]
    tiers = {t.code: t for t in db.session.scalars(sa.select(Tier))}
    # A grievance lodged from a forum's finding, hearing issue or action item links back to it.
    from social_audit.labels import KIND as SOURCE_KINDS
    from social_audit.services import source_of

    source = source_of(db.session, g.id) if g.channel in ("audit", "hearing", "scorecard") else None
    return render_template(
        "cases/case.html", g=g, events=events, forms=forms, area_path=area_path, tiers=tiers, source=source,
        source_kind=SOURCE_KINDS.get(source.activity.kind) if source else None,
        days_left=Clock(now).days_left(g), appeal_clock=_appeal_clock(g), error=error, labels=labels,
        display=tracking.display,
        personal=permissions.sees_personal_data_of(user, g),
    ), status


@bp.route("/<code>")
def case(code: str):
    g = _visible_case(code)
    if g.tracking_code != code:
        return redirect(url_for(".case", code=g.tracking_code))
    return _render_case(g)


@bp.route("/<code>/actions/<action>", methods=["POST"])
def take_action(code: str, action: str):
    g = _visible_case(code)
    if action not in ACTION_FORMS:
        abort(404)
    form = _action_form(action, g, current_language(), formdata=request.form)
    if not form.validate():
        return _render_case(g, posted=(action, form), error=gettext("Check the fields marked below."), status=422)
    data = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
    req = services.ActionRequest(
        action=action,
        note=data.get("note") or None,
        decision=data.get("decision") or None,
        resolution=data.get("resolution") or None,
        reason_code=data.get("reason_code") or None,
        office=data.get("office") or None,
        area=(data.get("area") or "").strip() or None,
        satisfied={"yes": True, "no": False}.get(data.get("satisfied")),
        extra={"category": data["category"]} if data.get("category") else {},
    )
    try:
        with unit_of_work() as uow:
            services.act(uow, g.tracking_code, req, actor=Actor.staff(_user()), now=utcnow())
    except DomainError as e:
        g = _visible_case(code)
        populate_errors(form, e)
        return _render_case(g, posted=(action, form), error=message(e), status=e.status)
    flash(str(labels.DONE[action]), "success")
    if not queries.can_view(_user(), g):
        # Transferred or escalated out of this user's area: the case page would now be a 404.
        return redirect(url_for(".inbox"))
    return redirect(url_for(".case", code=g.tracking_code))


@bp.route("/<code>/attachments/<int:attachment_id>")
def attachment(code: str, attachment_id: int):
    g = _visible_case(code)
    if not permissions.sees_personal_data_of(_user(), g):
        abort(403)  # ID photos and payment slips are personal data: the case is seen, they are not
    att = db.session.get(Attachment, attachment_id) if attachment_id <= MAX_ID else None
    if att is None or att.grievance_id != g.id:
        abort(404)
    ext = current_app.config["ALLOWED_UPLOAD_TYPES"].get(att.content_type)
    if ext is None:
        abort(404)
    folder = current_app.config["UPLOAD_DIR"]
    if not os.path.exists(os.path.join(folder, att.sha256 + ext)):
        abort(404)
    response = send_from_directory(folder, att.sha256 + ext, mimetype=att.content_type, as_attachment=True,
                                   download_name=att.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
