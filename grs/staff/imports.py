"""Blueprint `imports`: officers and operators upload paper forms and complaint-box slips (CSV or Excel),
see every row's mistakes or the tracking codes of what landed, and download the template."""
from __future__ import annotations

import os
import re
import time

from flask import Blueprint, abort, current_app, render_template, send_file
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from .. import permissions, tracking
from ..i18n import current_language
from ..permissions import Capability
from ..services.actors import Actor
from ..services.imports import (KINDS, ImportRejected, RowError, as_csv, as_xlsx, error_rows, import_grievances,
                                reference_codes, template_rows)
from ..timeutil import utcnow
from ..uow import unit_of_work

bp = Blueprint("imports", __name__, url_prefix="/cases/import")

REPORT_TTL_SECONDS = 24 * 3600  # the error reports hold personal data: kept a day, for the one who uploaded
MIME = {"csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class UploadForm(FlaskForm):
    """The file only; its type, size and every row are the import service's to check."""

    file = FileField(_l("CSV or Excel file"), validators=[FileRequired(_l("Choose a file to upload."))])


@bp.before_request
@login_required
def require_importer():
    """Only accounts that may import (officers, operators, admins) see these pages."""
    if not permissions.can(current_user._get_current_object(), Capability.IMPORT):
        abort(403)


def _user():
    return current_user._get_current_object()


def describe(e: RowError) -> str:
    """A row's mistake in the reader's language."""
    return gettext(e.message, **e.params)


def _reports_dir() -> str:
    return os.path.join(current_app.config["UPLOAD_DIR"], "import-reports")


def _report_path(digest: str, kind: str) -> str:
    return os.path.join(_reports_dir(), f"{_user().id}-{digest}.{kind}")


def _keep_report(result) -> str | None:
    """Write the rows with an `errors` column as CSV and XLSX for this user; the key to download them."""
    if result.table is None:
        return None  # an unreadable file has no rows to give back
    folder = _reports_dir()
    os.makedirs(folder, exist_ok=True)
    cutoff = time.time() - REPORT_TTL_SECONDS
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if os.path.getmtime(path) < cutoff:
            os.remove(path)
    rows = error_rows(result, describe)
    digest = result.table.digest
    for kind, data in (("csv", as_csv(rows)), ("xlsx", as_xlsx({"errors": rows}))):
        with open(_report_path(digest, kind), "wb") as fh:
            fh.write(data)
    return digest


def _page(form, *, result=None, errors=None, report=None, status=200):
    return render_template("cases/import.html", form=form, result=result, errors=errors, report=report,
                           describe=describe, display=tracking.display), status


@bp.route("", methods=["GET", "POST"])
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(form, status=422 if form.is_submitted() else 200)
    f = form.file.data
    data = f.read()
    try:
        with unit_of_work() as uow:
            result = import_grievances(uow, f.filename or "", data, actor=Actor.staff(_user()), user=_user(),
                                       now=utcnow())
    except ImportRejected as e:
        return _page(form, errors=e.result, report=_keep_report(e.result), status=422)
    return _page(UploadForm(formdata=None), result=result)


@bp.route("/report/<digest>.<kind>")
def report(digest: str, kind: str):
    if kind not in KINDS or not re.fullmatch(r"[0-9a-f]{64}", digest):
        abort(404)
    path = _report_path(digest, kind)
    if not os.path.exists(path):
        abort(404)
    response = send_file(path, mimetype=MIME[kind], as_attachment=True, download_name=f"import-errors.{kind}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/template.<kind>")
def template(kind: str):
    if kind not in KINDS:
        abort(404)
    lang = current_language()
    with unit_of_work(read_only=True) as uow:
        header, example = template_rows(uow, _user())
        if kind == "csv":
            data = as_csv([header, example])
        else:
            data = as_xlsx({"grievances": [header, example], **reference_codes(uow, lang, _user())})
    response = current_app.response_class(data, mimetype=MIME[kind])
    response.headers["Content-Disposition"] = f"attachment; filename=paper-forms-template.{kind}"
    return response
