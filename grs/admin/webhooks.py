"""Admin page /admin/webhooks: event subscriptions for programme systems, with each one's delivery log."""
from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from grs import webhooks
from grs.errors import DomainError
from grs.events import CATALOGUE
from grs.extensions import db
from grs.forms import message, populate_errors
from grs.permissions import is_national
from grs.services.actors import Actor
from grs.timeutil import utcnow
from grs.uow import unit_of_work

from .views import admin_required, bp

LOG_ROWS = 20


class WebhookForm(FlaskForm):
    url = StringField(_l("Receiver URL (https)"), validators=[DataRequired(), Length(max=webhooks.MAX_URL)])
    label = StringField(_l("Label (which system this is)"), validators=[Optional(), Length(max=120)])
    events = SelectMultipleField(_l("Event types"), validators=[DataRequired()],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    active = BooleanField(_l("Active"), default=True)


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[DataRequired()])  # "1" resumes, "0" pauses


class RemoveForm(FlaskForm):
    pass  # the CSRF token is the whole form


def _form(formdata=None) -> WebhookForm:
    form = WebhookForm(formdata=formdata)
    form.events.choices = [(t, str(CATALOGUE[t].staff_label)) for t in webhooks.EVENT_TYPES]
    return form


def _id(sub_id: str) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", sub_id):  # within INTEGER, ASCII digits only
        abort(404)
    return int(sub_id)


def _national_admin(view):
    """A subscription receives the whole country's events, so only a national admin may manage them."""
    from functools import wraps

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not is_national(current_user):
            abort(403)
        return view(*args, **kwargs)
    return admin_required(wrapped)


@bp.get("/webhooks", endpoint="webhooks")
@_national_admin
def webhook_list(form: WebhookForm | None = None, status: int = 200, created=None, secret: str | None = None):
    subs = webhooks.subscriptions(db.session)
    logs = {s.id: webhooks.deliveries(db.session, s.id, limit=LOG_ROWS) for s in subs}
    labels = {t: CATALOGUE[t].staff_label for t in webhooks.EVENT_TYPES}
    response = render_template("admin/webhooks.html", subs=subs, logs=logs, labels=labels,
                               form=form or _form(), active_form=ActiveForm(), remove_form=RemoveForm(),
                               created=created, secret=secret, log_rows=LOG_ROWS)
    headers = {"Cache-Control": "no-store"} if secret else {}
    return response, status, headers


@bp.post("/webhooks")
@_national_admin
def add_webhook():
    form = _form(request.form)
    if not form.validate():
        return webhook_list(form, 400)
    try:
        with unit_of_work() as uow:
            sub, secret = webhooks.create(uow, webhooks.SubscriptionIn(
                url=form.url.data, events=tuple(form.events.data), label=form.label.data,
                active=form.active.data), actor_id=current_user.id, now=utcnow())
            sub_id = sub.id
    except DomainError as e:
        for text in populate_errors(form, e).values():
            flash(text, "error")
        return webhook_list(form, e.status)
    # The secret is shown on this one answer and never again (no redirect: it must not sit in a flash cookie).
    return webhook_list(_form(), 201, created=sub_id, secret=secret)


@bp.post("/webhooks/<sub_id>/active")
@_national_admin
def set_webhook_active(sub_id: str):
    sub_id = _id(sub_id)
    form = ActiveForm(request.form)
    if not form.validate() or form.active.data not in ("0", "1"):
        abort(400)
    try:
        with unit_of_work() as uow:
            webhooks.set_active(uow, sub_id, form.active.data == "1", actor=Actor.staff(current_user), now=utcnow())
    except DomainError as e:
        flash(message(e), "error")
        return redirect(url_for(".webhooks")), 303
    flash(_("Subscription resumed.") if form.active.data == "1" else _("Subscription paused."), "success")
    return redirect(url_for(".webhooks"))


@bp.post("/webhooks/<sub_id>/delete")
@_national_admin
def delete_webhook(sub_id: str):
    sub_id = _id(sub_id)
    if not RemoveForm(request.form).validate():
        abort(400)
    try:
        with unit_of_work() as uow:
            webhooks.delete(uow, sub_id, actor=Actor.staff(current_user), now=utcnow())
    except DomainError as e:
        flash(message(e), "error")
        return redirect(url_for(".webhooks")), 303
    flash(_("Subscription removed with its delivery log."), "success")
    return redirect(url_for(".webhooks"))
