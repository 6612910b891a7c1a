"""Admin page /admin/audit: the admin events' chain (time limits, days off, accounts, reference data, webhooks,
privacy operations), newest first, filtered by kind and day; the same rows as GET /api/v1/admin/audit."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from grs import tracking
from grs.errors import ValidationError
from grs.extensions import db
from grs.models import User
from grs.services import admin_audit
from grs.uow import unit_of_work

from .views import admin_required, bp

PER_PAGE = 50
MAX_PAGE = 100_000


class AuditFilters(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    kind = SelectField(_l("Kind"), default="", validators=[Optional()])
    date_from = StringField(_l("From (YYYY-MM-DD)"), validators=[Optional(), Length(max=10)])
    date_to = StringField(_l("To (YYYY-MM-DD)"), validators=[Optional(), Length(max=10)])


def actors(rows) -> dict[int, str]:
    """The e-mail of each staff actor on these rows (the chain keeps the id)."""
    ids = {r.actor_id for r in rows if r.actor_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.email).where(User.id.in_(ids))).all())


@bp.get("/audit")
@admin_required
def audit():
    form = AuditFilters(request.args)
    form.kind.choices = [("", _l("Any kind"))] + [(k.value, admin_audit.LABELS[k]) for k in admin_audit.AdminEventKind]
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    rows, total, errors, who = [], 0, {}, {}
    try:
        f = admin_audit.audit_filter(request.args.get("kind"), request.args.get("date_from"),
                                     request.args.get("date_to"))
    except ValidationError as e:
        errors = e.fields or {}
        for name, text in errors.items():
            field = {"from": "date_from", "to": "date_to"}.get(name, name)
            if field in form:
                form[field].errors = [text]
    else:
        with unit_of_work(read_only=True):
            rows, total = admin_audit.events_page(db.session, f, country=current_app.config["COUNTRY"],
                                                  page=number, per_page=PER_PAGE)
            who = actors(rows)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/audit.html", form=form, rows=rows, total=total, page=number,
                           pages=max(1, -(-total // PER_PAGE)), args=args, errors=errors, who=who,
                           labels=admin_audit.LABELS, display=tracking.display), (422 if errors else 200)
