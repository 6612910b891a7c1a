"""POST /api/v1/imports: paper forms and complaint-box slips as a CSV or Excel body, as on /cases/import —
every row lands or none, with each bad row named; a file sent twice lands once."""
from __future__ import annotations

from flask import jsonify, request

from ..errors import Forbidden, ValidationError
from ..http_errors import error_response
from ..permissions import Capability, can
from ..services.actors import Actor
from ..services.imports import ImportRejected, import_grievances
from ..timeutil import utcnow
from ..uow import unit_of_work
from .auth import api_user
from .views import bp

TYPES = {"text/csv": "upload.csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "upload.xlsx"}


def _text(err) -> str:
    return err.message % err.params if err.params else err.message


def _where(err) -> str:
    if not err.row:
        return "file"
    return f"row {err.row}" + (f".{err.column}" if err.column else "")


@bp.post("/imports")
def import_file():
    user = api_user()
    if not can(user, Capability.IMPORT):
        raise Forbidden(f"the {user.role} role cannot import paper forms")
    filename = TYPES.get(request.mimetype)
    if filename is None:
        raise ValidationError("send the file as text/csv or as an .xlsx workbook",
                              {"Content-Type": "Use text/csv or application/vnd.openxmlformats-officedocument."
                                               "spreadsheetml.sheet."})
    try:
        with unit_of_work() as uow:
            result = import_grievances(uow, filename, request.get_data(), actor=Actor.staff(user), user=user,
                                       now=utcnow())
    except ImportRejected as e:
        errors = e.result.errors
        response, status = error_response(422, "import_rejected", e.message,
                                          {_where(err): _text(err) for err in errors})
        body = response.get_json()
        body["error"]["rows"] = [{"row": err.row, "column": err.column or None, "message": _text(err)}
                                 for err in errors]
        return jsonify(body), status
    return jsonify({
        "lodged": [{"row": n, "tracking_code": code} for n, code in result.lodged],
        "already": [{"row": n, "tracking_code": code} for n, code in result.already],
        "skipped": list(result.skipped),
    })
