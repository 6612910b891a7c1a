"""Admin pages /admin/programmes and /admin/categories: list, add and edit the reference data (names in
every language of the deployment, a category's sensitive flag and start tier, active), so a ministry adds
a programme without a developer (grs.services.reference_admin; `grs reference load|export` for a file)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from grs.errors import DomainError
from grs.extensions import db
from grs.forms import populate_errors
from grs.models import Category, Programme, Tier
from grs.services import reference_admin as service
from grs.services.actors import Actor
from grs.timeutil import utcnow
from grs.uow import unit_of_work

from .views import _lang, admin_required, bp


class _ReferenceForm(FlaskForm):
    editing = HiddenField()  # the code of the row being edited; empty: a new row
    code = StringField(_l("Code (letters, digits, - _ .; cannot change later)"),
                       validators=[DataRequired(), Length(max=40)])
    active = BooleanField(_l("Active (offered when lodging)"), default=True)


class ProgrammeForm(_ReferenceForm):
    pass


class CategoryForm(_ReferenceForm):
    sensitive = BooleanField(_l("Sensitive (seen only by staff with the sensitive right)"), default=False)
    start_tier = SelectField(_l("Start tier"), validators=[Optional()], default="")


def _languages() -> dict[str, str]:
    """The deployment's languages, English first (its name is the one every other falls back to)."""
    languages = dict(current_app.config["LANGUAGES"])
    return {"en": languages.pop("en", "English"), **languages}


def _form(base, formdata=None):
    """The form with one name field per language of the deployment (English required)."""
    class Form(base):
        pass

    for lang, language in _languages().items():
        validators = [DataRequired(), Length(max=service.MAX_NAME)] if lang == "en" else [
            Optional(), Length(max=service.MAX_NAME)]
        setattr(Form, f"name_{lang}", StringField(_l("Name in %(language)s", language=language),
                                                  validators=validators))
    form = Form(formdata=formdata)
    if isinstance(form, CategoryForm):
        form.start_tier.choices = _start_tier_choices()
    return form


def _start_tier_choices() -> list[tuple[str, str]]:
    lang = _lang()
    tiers = db.session.scalars(sa.select(Tier).order_by(Tier.rank)).all()
    out = [("", _("The lowest tier (the complaint's own area)"))]
    out += [(t.code, t.name(lang)) for t in tiers]
    for n in range(1, len(tiers)):
        out.append((f"+{n}", _("%(n)d above the lowest (here: %(tier)s)", n=n, tier=tiers[n].name(lang))))
    return out


def _fill(form, row) -> None:
    form.editing.data = form.code.data = row.code
    for lang in _languages():
        getattr(form, f"name_{lang}").data = row.name_en if lang == "en" else (row.names or {}).get(lang, "")
    form.active.data = row.active
    if isinstance(form, CategoryForm):
        form.sensitive.data = row.sensitive
        form.start_tier.data = row.start_tier or ""


def _names(form) -> dict[str, str]:
    return {lang: (getattr(form, f"name_{lang}").data or "").strip() for lang in _languages()}


def _show_errors(form, error: DomainError) -> None:
    """The service's field keys (names.fr) on the form's fields (name_fr); the rest flashed."""
    fields = {(k.replace("names.", "name_", 1) if k.startswith("names.") else k): v
              for k, v in (error.fields or {}).items()}
    mapped = DomainError(error.message, fields=fields)
    for text in populate_errors(form, mapped).values():
        flash(text, "error")


def _start_tier_label(spec: str | None, tiers: list[Tier]) -> str:
    lang = _lang()
    if not spec:
        return _("The lowest tier")
    by_code = {t.code: t for t in tiers}
    if spec in by_code:
        return by_code[spec].name(lang)
    if spec.startswith("+") and spec[1:].isdigit() and tiers:
        n = min(int(spec[1:]), len(tiers) - 1)
        return _("%(n)d above the lowest (here: %(tier)s)", n=int(spec[1:]), tier=tiers[n].name(lang))
    return _("%(code)s (not a tier here: the highest tier is used)", code=spec)


def _page(kind: str, form=None, status: int = 200):
    model, template = (Programme, "admin/programmes.html") if kind == "programmes" else (
        Category, "admin/categories.html")
    base = ProgrammeForm if kind == "programmes" else CategoryForm
    rows = db.session.scalars(sa.select(model).order_by(model.id)).all()
    editing = None
    if form is None:
        form = _form(base)
        code = request.args.get("edit", "")
        editing = next((r for r in rows if r.code == code), None) if code else None
        if editing is not None:
            _fill(form, editing)
    else:
        editing = next((r for r in rows if r.code == form.editing.data), None) if form.editing.data else None
    tiers = db.session.scalars(sa.select(Tier).order_by(Tier.rank)).all()
    return render_template(template, rows=rows, form=form, editing=editing, languages=_languages(),
                           start_tier_label=lambda spec: _start_tier_label(spec, tiers)), status


def _save(kind: str):
    base = ProgrammeForm if kind == "programmes" else CategoryForm
    form = _form(base, request.form)
    if not form.validate():
        return _page(kind, form, 400)
    editing = (form.editing.data or "").strip()
    code = editing or form.code.data.strip()
    try:
        with unit_of_work() as uow:
            actor, now = Actor.staff(current_user), utcnow()
            if kind == "programmes":
                _row, what = service.save_programme(
                    uow, service.ProgrammeIn(code=code, names=_names(form), active=bool(form.active.data)),
                    actor=actor, now=now, new=not editing)
            else:
                _row, what = service.save_category(
                    uow, service.CategoryIn(code=code, names=_names(form), sensitive=bool(form.sensitive.data),
                                            start_tier=form.start_tier.data or None, active=bool(form.active.data)),
                    actor=actor, now=now, new=not editing)
    except DomainError as e:
        _show_errors(form, e)
        return _page(kind, form, e.status)
    done = {"created": _("%(code)s added.", code=code), "updated": _("%(code)s saved.", code=code),
            "unchanged": _("%(code)s: nothing changed.", code=code)}
    flash(done[what], "success")
    return redirect(url_for(f".{kind}"))


@bp.get("/programmes", endpoint="programmes")
@admin_required
def programme_list():
    return _page("programmes")


@bp.post("/programmes")
@admin_required
def save_programme():
    return _save("programmes")


@bp.get("/categories", endpoint="categories")
@admin_required
def category_list():
    return _page("categories")


@bp.post("/categories")
@admin_required
def save_category():
    return _save("categories")
