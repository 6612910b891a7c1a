"""Blueprint `web`: the citizen pages — home, lodge, confirmation, track — and the area list for the picker."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session,
                   url_for)
from flask import g as flask_g
from flask import make_response
from flask_babel import gettext as _
from flask_wtf.csrf import ValidationError as CSRFValidationError
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import parse_form_data

from grs import ratelimit, tracking
from grs.errors import DomainError, NotFound, ValidationError
from grs.extensions import db, limiter
from grs.forms import message, populate_errors
from grs.http_errors import error_response
from grs.i18n import current_language
from grs.models import Area, Category, Programme, Tier
from grs.services.actors import Actor
from grs.services import AttachmentIn, ComplainantIn, Intake, complainant_appeal, find, lodge, may_appeal
from grs.timeutil import utcnow
from grs.uow import unit_of_work

from . import picker, wording
from .forms import AppealForm, InfoReplyForm, LodgeForm
from .public_stats import cached_figures

bp = Blueprint("web", __name__)


def _lookup_limit() -> str:
    return f"{current_app.config['TRACK_RATE_LIMIT']} per minute"


@bp.app_template_filter("translated")
def translated(text) -> str:
    """A message written elsewhere (a service, an error handler) in the page's language, when known."""
    # Plain gettext, not Jinja's `_`: that one marks its result safe, and these texts may echo input.
    return _(str(text)) if text else ""


# ---------------------------------------------------------------- home


@bp.get("/")
def home():
    # The country's public figures, from the public statistics page's cache: the same numbers, the same
    # small counts withheld (a rejection is not a resolution; sensitive cases are not counted).
    with unit_of_work(read_only=True) as uow:
        figures = cached_figures(uow.session, None)
    return render_template("web/home.html", figures=figures)


# ---------------------------------------------------------------- lodge


def _reference_choices(lang: str) -> tuple[list, list]:
    programmes = db.session.scalars(sa.select(Programme).where(Programme.active.is_(True))
                                    .order_by(Programme.id)).all()
    categories = db.session.scalars(sa.select(Category).where(Category.active.is_(True))
                                    .order_by(Category.id)).all()
    return [(p.code, p.name(lang)) for p in programmes], [(c.code, c.name(lang)) for c in categories]


def _intake(form: LodgeForm, area: Area | None, lang: str) -> Intake:
    complainant = None
    if not form.anonymous.data:
        disability = {"yes": True, "no": False}.get(form.disability.data)
        complainant = ComplainantIn(name=(form.name.data or "").strip() or None,
                                    phone=(form.phone.data or "").strip() or None,
                                    sex=form.sex.data or None, age_band=form.age_band.data or None,
                                    disability=disability)
    attachments = ()
    content_type = form.attachment_type()
    if content_type:
        f = form.attachment.data
        attachments = (AttachmentIn(filename=f.filename, content_type=content_type, data=f.read()),)
    return Intake(channel="web", programme=form.programme.data, category=form.category.data,
                  description=form.description.data, area=area.code if area else None, language=lang,
                  complainant=complainant, attachments=attachments,
                  source_ref=f"web:{form.token.data}" if form.token.data else None)


# Service error keys that name an input of this form; any other key is shown above the form.
_FORM_FIELDS = ("programme", "category", "description", "attachment", "name", "phone", "sex", "age_band",
                "disability")


@bp.route("/grievances/new", methods=["GET", "POST"])
def new():
    lang = current_language()
    form = LodgeForm()
    form.fill_choices(*_reference_choices(lang))
    area_picker = picker.build(request.form if request.method == "POST" else request.args, lang)
    errors: dict[str, str] = {}
    if not form.token.data:
        form.token.data = uuid.uuid4().hex
    if request.method == "GET" or "narrow" in request.form:
        # Without JavaScript the area is narrowed one level per submit; nothing is checked yet.
        return render_template("web/new.html", form=form, picker=area_picker, errors=errors)

    valid = form.validate()
    if not area_picker.complete and not form.area_unknown.data:
        leaf = area_picker.levels[-1].level.name(lang) if area_picker.levels else ""
        errors["area"] = _("Choose the area down to the %(level)s, or tick “I do not know the exact area”.",
                           level=leaf.lower())
    if valid and not errors:
        if not ratelimit.allow("LODGE_RATE_LIMIT", ratelimit.client_address()):
            # Refused, not lost: the form comes back as typed (the file must be attached again).
            errors["form"] = _("Many complaints were sent from your connection in a short time, so this one was "
                               "not sent yet. Everything you typed is kept below: wait a few minutes, then send it "
                               "again, or call the hotline.")
            return render_template("web/new.html", form=form, picker=area_picker, errors=errors), 429
        intake = ratelimit.receipt_allowed(_intake(form, area_picker.chosen, lang), current_app.config["COUNTRY"])
        try:
            with unit_of_work() as uow:
                g = lodge(uow, intake, actor=Actor.citizen("web"), now=utcnow())
        except ValidationError as e:
            errors.update(populate_errors(form, e, fields=_FORM_FIELDS, page_keys=("area",)))
        else:
            session["lodged"] = g.tracking_code
            session["receipt_withheld"] = not intake.queue_receipt
            return redirect(url_for("web.lodged"), code=303)
    return render_template("web/new.html", form=form, picker=area_picker, errors=errors), 400


class _Discarded:
    """Where an uploaded file too large to keep goes while the rest of the form is read: nowhere."""

    def write(self, data: bytes) -> int:
        return len(data)

    def seek(self, *args) -> int:
        return 0

    def read(self, *args) -> bytes:
        return b""


# The citizen's forms that take a file and, over the limit, come back filled in (the rest get the 413 page).
_REFILLED = ("web.new", "web.add_info")


@bp.errorhandler(RequestEntityTooLarge)
def too_large(e: RequestEntityTooLarge):
    """A lodge form (or a track page's answer) over the upload limit comes back filled in, the file left out,
    rather than lost."""
    limit = int(current_app.config["MAX_CONTENT_LENGTH"])
    length = request.content_length or 0
    # The body was refused before a byte of it was read; read it once more without the limit, the files
    # thrown away as they arrive, unless it is so large that reading it is not worth the typing it holds.
    if request.endpoint not in _REFILLED or request.method != "POST" or not length or length > 10 * limit:
        return error_response(413, "request_entity_too_large", "The upload is too large.")
    _stream, typed, _files = parse_form_data(request.environ, stream_factory=lambda *a, **kw: _Discarded(),
                                             max_content_length=None, silent=True)
    try:  # echo typed text only into the page of the person who typed it
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            validate_csrf(typed.get("csrf_token"))
    except CSRFValidationError:
        return error_response(413, "request_entity_too_large", "The upload is too large.")
    if request.endpoint == "web.add_info":
        return _answer_too_large(typed, limit)
    lang = current_language()
    form = LodgeForm(formdata=typed)
    form.fill_choices(*_reference_choices(lang))
    form.attachment.errors = [_("The file was larger than %(mb)s MB, so it was not sent. Everything you typed "
                                "is kept below: attach a smaller file, or send the complaint without it.",
                                mb=max(1, limit // 1048576))]
    return render_template("web/new.html", form=form, picker=picker.build(typed, lang), errors={}), 413


def _answer_too_large(typed, limit: int):
    """The track page with the answer to the office's question filled in as typed, the file refused."""
    form = InfoReplyForm(formdata=typed, prefix="info")
    form.attachment.errors = [_("The file was larger than %(mb)s MB, so it was not sent. Everything you typed "
                                "is kept below: attach a smaller file, or send your answer without it.",
                                mb=max(1, limit // 1048576))]
    flask_g.info_form, flask_g.info_error = form, _("Check the fields marked below.")
    page = getattr(track, "__wrapped__", track)  # the page itself, not a second count against the rate limit
    response = make_response(page(request.view_args["code"]))
    response.status_code = 413
    return response


@bp.get("/grievances/lodged")
def lodged():
    code = session.get("lodged")
    if not code:
        return redirect(url_for("web.new"))
    try:
        g = find(db.session, code)
    except NotFound:
        return redirect(url_for("web.new"))
    return render_template("web/lodged.html", g=g, code=tracking.display(g.tracking_code),
                           receipt_withheld=bool(session.get("receipt_withheld")))


@bp.get("/areas/<code>/children")
@limiter.limit(_lookup_limit)
def area_children(code: str):
    """The areas one level below `code` as [{code, name}] in the page's language (public data only)."""
    area = db.session.scalar(sa.select(Area).where(Area.code == code))
    if area is None:
        return jsonify(error={"code": "not_found", "message": "no area with that code"}), 404
    lang = current_language()
    return jsonify([{"code": c, "name": n} for c, n in picker.children(area, lang)])


# ---------------------------------------------------------------- track


@bp.get("/track")
@limiter.limit(_lookup_limit, exempt_when=lambda: not request.args.get("code"))
def track_form():
    typed = (request.args.get("code") or "").strip()
    if not typed:
        return render_template("web/track.html", typed="", error=None)
    code = tracking.normalise(typed)
    if code is None:
        return _bad_code(typed)
    return redirect(url_for("web.track", code=code))


def _bad_code(typed: str):
    error = _("That is not a valid tracking code. Check the 12 digits and try again.")
    return render_template("web/track.html", typed=typed, error=error), 400


@bp.get("/track/<code>")
@limiter.limit(_lookup_limit)
def track(code: str):
    if tracking.normalise(code) is None:
        return _bad_code(code)
    try:
        g = find(db.session, code)
    except NotFound:
        error = _("No complaint has that tracking code. Check the digits and try again.")
        return render_template("web/track.html", typed=code, error=error), 404
    return _status_page(g)


def _status_page(g, status: int = 200):
    """The track page of one grievance (also answering a refused appeal, with its form and error)."""
    lang = current_language()
    tier = db.session.get(Tier, g.level) if g.level else None
    label, meaning = wording.status_words(g.status)
    return render_template("web/status.html", g=g, code=tracking.display(g.tracking_code), status_label=label,
                           status_meaning=meaning, tier=tier.name(lang) if tier else None,
                           office=g.office.name(lang) if g.office else None,
                           history=wording.history(g, lang), **_appeal_context(g)), status


def _appeal_context(g) -> dict:
    """The appeal form when the complainant may appeal now (after a decision, or past the deadline)."""
    if not may_appeal(g, utcnow()):
        return {}
    return {"appeal_form": getattr(flask_g, "appeal_form", None) or AppealForm(formdata=None),
            "appeal_error": getattr(flask_g, "appeal_error", None),
            "appeal_needs_phone": bool(g.complainant is not None and g.complainant.phone)}


@bp.post("/track/<code>/appeal")
@limiter.limit(_lookup_limit)
def appeal(code: str):
    """The complainant's appeal from the track page (CSRF, rate limited, the phone's last 4 digits)."""
    from .info_reply import proved

    try:
        g = find(db.session, code)
    except NotFound:
        abort(404)
    form = AppealForm()
    status = 422
    if not form.validate():
        error = _("Check the fields marked below.")
    elif not proved(g, form.phone_last4.data):
        error = _("Those are not the last 4 digits of the phone number you gave.")
        form.phone_last4.errors = [error]
    else:
        try:
            with unit_of_work() as uow:
                complainant_appeal(uow, g.tracking_code, channel="web", now=utcnow(), note=form.note.data or None)
        except DomainError as e:
            error, status = message(e), e.status
        else:
            flash(_("Your appeal was recorded. You will get an answer from the office one level up."), "success")
            return redirect(url_for("web.track", code=g.tracking_code))
    flask_g.appeal_form, flask_g.appeal_error = form, error
    db.session.expire_all()
    return _status_page(find(db.session, code), status)


from . import info_reply  # noqa: E402,F401  the answer to an information request: its view joins this blueprint
