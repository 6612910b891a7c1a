"""Blueprint `sms`: the SMS providers' webhooks (inbound messages and delivery reports)."""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, jsonify, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from grs import phones, ratelimit
from grs.errors import ValidationError
from grs.http_errors import error_response
from grs.timeutil import utcnow
from grs.uow import unit_of_work

from .. import outbox
from . import commands, intake, places, service

bp = Blueprint("sms", __name__, url_prefix="/hooks/sms")
# Every callback per client address, and those that fail authentication far lower: a forger guessing the
# key or a signature is stopped while the provider's own traffic goes on.
ratelimit.guard_callbacks(bp)


def _status_allowed(sender: str, text: str) -> bool:
    """A STATUS look-up counts against its number's limit (before the unit of work: SQLite has one writer)."""
    if commands.parse(text).kind != "status":
        return True
    try:
        number = phones.normalise(sender, current_app.config["COUNTRY"]) or sender
    except ValidationError:
        number = sender
    return ratelimit.allow("STATUS_LOOKUP_RATE_LIMIT", number)
# From the app factory on (not the first SMS), area changes in this process refresh the place index.
bp.record_once(lambda state: places.watch_sessions())


def _at_key_ok() -> bool:
    """Africa's Talking signs nothing: the callback URL carries a secret; no secret set, no entry."""
    expected = current_app.config.get("AT_CALLBACK_KEY") or ""
    given = request.args.get("key") or ""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _twilio_signature_ok() -> bool:
    """Check X-Twilio-Signature against the URL Twilio called: PUBLIC_URL, as TLS proxies hide it."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN") or ""
    signature = request.headers.get("X-Twilio-Signature") or ""
    if not token or not signature:
        return False
    public = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    if public:
        query = request.query_string.decode("latin-1")
        url = public + request.path + ("?" + query if query else "")
    else:
        url = request.url
    return RequestValidator(token).validate(url, request.form, signature)


def _forbidden():
    return error_response(403, "forbidden", "The callback could not be authenticated.")


def _missing(*names: str):
    absent = [n for n in names if not (request.form.get(n) or "").strip()]
    if absent:
        return error_response(400, "bad_request", "Required fields are missing.",
                              {n: "Required." for n in absent})
    return None


@bp.post("/africastalking")
def africastalking_inbound():
    if not _at_key_ok():
        return _forbidden()
    if (bad := _missing("id", "from")) is not None:
        return bad
    f = request.form
    sms = service.InboundSms("africastalking", f["id"].strip(), f["from"].strip(), f.get("text") or "", f.get("to"))
    allowed = _status_allowed(sms.sender, sms.text)
    # Recorded in one small transaction and answered once it committed; the intake worker acts on it
    # (channels/sms/intake.py). The code its complaint will have is reserved now.
    with unit_of_work() as uow:
        recorded = intake.record(uow, sms, now=utcnow(), status_allowed=allowed)
    return jsonify({"received": True, "duplicate": recorded.duplicate})


@bp.post("/twilio")
def twilio_inbound():
    if not _twilio_signature_ok():
        return _forbidden()
    if (bad := _missing("MessageSid", "From")) is not None:
        return bad
    f = request.form
    sms = service.InboundSms("twilio", f["MessageSid"].strip(), f["From"].strip(), f.get("Body") or "", f.get("To"))
    allowed = _status_allowed(sms.sender, sms.text)
    with unit_of_work() as uow:
        handled = service.receive(uow, sms, now=utcnow(), reply_inline=True, status_allowed=allowed)
    twiml = MessagingResponse()
    if handled.reply:
        twiml.message(handled.reply)
    return Response(str(twiml), mimetype="application/xml")


@bp.post("/africastalking/delivery")
def africastalking_delivery():
    if not _at_key_ok():
        return _forbidden()
    f = request.form
    with unit_of_work() as uow:
        known = outbox.record_delivery(uow, "africastalking", (f.get("id") or "").strip(), f.get("status"),
                                       f.get("failureReason"), now=utcnow())
    # Unknown ids answer 200 too: the provider only needs to know we have the report.
    return jsonify({"received": True, "known": known})


@bp.post("/twilio/status")
def twilio_status():
    if not _twilio_signature_ok():
        return _forbidden()
    f = request.form
    code = (f.get("ErrorCode") or "").strip()
    with unit_of_work() as uow:
        known = outbox.record_delivery(uow, "twilio", (f.get("MessageSid") or "").strip(), f.get("MessageStatus"),
                                       f"error {code}" if code else None, now=utcnow())
    return jsonify({"received": True, "known": known})
