"""Admin page /admin/messages: the outbox with filters — what each citizen and office was sent and what failed
(the rows GET /api/v1/messages gives: admins and supervisors, within their area)."""
from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from grs import queries, tracking
from grs.api.messages import delivery_status, message_filter, page
from grs.errors import ValidationError
from grs.permissions import Capability, can
from grs.uow import unit_of_work

from .views import bp

PER_PAGE = 50
MAX_PAGE = 100_000

STATUS_WORDS = {"queued": _l("Queued"), "sending": _l("Sending"), "retry": _l("Waiting to retry"),
                "sent": _l("Sent"), "delivered": _l("Delivered"), "failed": _l("Failed"),
                "suppressed": _l("Not sent (opted out)")}
DELIVERY_WORDS = {"delivered": _l("Delivered to the phone"), "undelivered": _l("Not delivered"),
                  "awaiting_report": _l("No report yet")}


class MessageFilters(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    grievance = StringField(_l("Tracking code"), validators=[Optional(), Length(max=60)])
    recipient = StringField(_l("Recipient"), validators=[Optional(), Length(max=200)])
    status = SelectField(_l("Status"), default="", choices=[("", _l("Any status"))] + list(STATUS_WORDS.items()))


@bp.get("/messages")
@login_required
def messages():
    user = current_user._get_current_object()
    if not can(user, Capability.READ_MESSAGES):
        abort(403)
    form = MessageFilters(request.args)
    number = request.args.get("page", 1, type=int)
    number = min(max(number, 1), MAX_PAGE)
    rows, total, errors = [], 0, {}
    try:
        f = message_filter(request.args, current_app.config["COUNTRY"])
    except ValidationError as e:
        errors = e.fields or {}
        for name, text in errors.items():
            if name in form:
                form[name].errors = [text]
    else:
        with unit_of_work(read_only=True):
            rows, total = page(user, f, number, PER_PAGE)
            rows = [(m, m.grievance.tracking_code if m.grievance else None, delivery_status(m)) for m in rows]
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/messages.html", form=form, rows=rows, total=total, page=number,
                           pages=max(1, -(-total // PER_PAGE)), args=args, errors=errors,
                           status_words=STATUS_WORDS, delivery_words=DELIVERY_WORDS, display=tracking.display,
                           admin_tabs=can(user, Capability.ADMIN_PAGES)), (422 if errors else 200)
