"""Blueprint `ussd`: Africa's Talking USSD callbacks, answered from the menu in milliseconds."""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, request

from grs import phones, ratelimit
from grs.errors import ValidationError
from grs.timeutil import utcnow
from grs.uow import unit_of_work

from .service import StatusLookups, UssdRequest, answer

bp = Blueprint("ussd", __name__, url_prefix="/hooks/ussd")
# As the SMS hooks: every callback per client address, and those that fail authentication far lower.
ratelimit.guard_callbacks(bp)


@bp.post("/africastalking")
def africastalking():
    """One USSD step; the secret is in the URL because Africa's Talking signs nothing."""
    expected = current_app.config.get("AT_CALLBACK_KEY") or ""
    given = request.args.get("key", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(403)
    session_id = (request.form.get("sessionId") or "").strip()
    phone = (request.form.get("phoneNumber") or "").strip()
    if not session_id or not phone or len(session_id) > 120:
        abort(400, "sessionId and phoneNumber are required")
    req = UssdRequest(session_id=session_id, phone=phone, text=request.form.get("text") or "",
                      service_code=request.form.get("serviceCode") or "",
                      network_code=request.form.get("networkCode") or "")
    try:
        number = phones.normalise(phone, current_app.config["COUNTRY"]) or phone
    except ValidationError:
        number = phone
    # Status look-ups per number: read when the caller asks for one (its own connection, never the request's
    # transaction) and counted after the unit of work (SQLite has one writer).
    lookups = StatusLookups(check=lambda: not ratelimit.exhausted("STATUS_LOOKUP_RATE_LIMIT", number))
    with unit_of_work() as uow:
        reply = answer(uow, req, now=utcnow(), lookups=lookups)
    for _ in range(lookups.made):
        ratelimit.spend("STATUS_LOOKUP_RATE_LIMIT", number)
    return Response(reply, mimetype="text/plain")
