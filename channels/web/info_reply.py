"""The complainant's answer to an information request on the track page, and what the page shows of the
office's question and of the decision (templates/web/_decision.html calls `info_reply(g)`)."""
from __future__ import annotations

from flask import abort, flash, g as flask_g, make_response, redirect, url_for
from flask_babel import gettext as _

from grs.errors import DomainError, NotFound, ValidationError
from grs.extensions import db, limiter
from grs.forms import message, populate_errors
from grs.services import ActionRequest, AttachmentIn, act, asking, find
from grs.services.actors import Actor
from grs.timeutil import utcnow
from grs.uow import unit_of_work

from . import wording
from .forms import InfoReplyForm
from .views import _lookup_limit, bp, track

_BANGLA_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


@bp.app_context_processor
def _helpers() -> dict:
    return {"info_reply": info_reply}


def info_reply(g) -> dict:
    """For the track page: the office's question while the grievance waits for information (with the
    reply form), and the decision in full once there is one."""
    out = {"question": asking.pending_question(g), "decision": asking.decision_of(g), "form": None}
    if out["decision"] is not None:
        out["decision_words"] = wording.decision_words(out["decision"])
    if out["question"] is not None:
        out["form"] = getattr(flask_g, "info_form", None) or InfoReplyForm(formdata=None, prefix="info")
        out["error"] = getattr(flask_g, "info_error", None)
        out["needs_phone"] = bool(g.complainant is not None and g.complainant.phone)
    return out


def proved(g, typed: str | None) -> bool:
    """For a complainant who gave a phone: the last 4 digits typed (Latin or Bangla) are that phone's,
    so that knowing a tracking code is not enough to write into someone else's case."""
    if g.complainant is None or not g.complainant.phone:
        return True
    digits = "".join(ch for ch in (typed or "").translate(_BANGLA_DIGITS) if ch.isdigit())
    return len(digits) == 4 and g.complainant.phone.endswith(digits)


@bp.post("/track/<code>/info")
@limiter.limit(_lookup_limit)
def add_info(code: str):
    """The complainant's answer from the track page (CSRF, rate limited, the phone's last 4 digits,
    the attachment checked as on the lodge form)."""
    try:
        g = find(db.session, code)
    except NotFound:
        abort(404)
    form = InfoReplyForm(prefix="info")
    status = 422
    if not form.validate():
        error = _("Check the fields marked below.")
    elif not proved(g, form.phone_last4.data):
        form.phone_last4.errors = [_("Those are not the last 4 digits of the phone number you gave.")]
        error = _("Check the fields marked below.")
    else:
        files = ()
        content_type = form.attachment_type()
        if content_type:
            f = form.attachment.data
            files = (AttachmentIn(filename=f.filename, content_type=content_type, data=f.read()),)
        req = ActionRequest("add_info", note=form.text.data, attachments=files, channel="web")
        try:
            with unit_of_work() as uow:
                act(uow, g.tracking_code, req, actor=Actor.citizen("web"), now=utcnow())
        except ValidationError as e:
            error = populate_errors(form, e, fields=("text", "attachment")).get("form") \
                or _("Check the fields marked below.")
        except DomainError as e:
            error, status = message(e), e.status
        else:
            flash(_("Thank you: your answer was sent to the office, and work on your complaint continues."),
                  "success")
            return redirect(url_for("web.track", code=g.tracking_code))
    flask_g.info_form, flask_g.info_error = form, error
    db.session.expire_all()
    page = getattr(track, "__wrapped__", track)  # the page itself, not a second count against the rate limit
    response = make_response(page(g.tracking_code))
    response.status_code = status
    return response
