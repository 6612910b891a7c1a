"""Errors as the caller can read them: JSON {"error": {...}} for the API and webhooks, pages elsewhere."""
from __future__ import annotations

import logging

from flask import Flask, abort, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .errors import DomainError
from .extensions import db

log = logging.getLogger(__name__)

MACHINE_PREFIXES = ("/api/", "/hooks/", "/open311/")


def wants_json() -> bool:
    return request.path.startswith(MACHINE_PREFIXES) or request.accept_mimetypes.best == "application/json"


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    """The contract's error shape for machines, a short page for people."""
    if wants_json():
        body = {"error": {"code": code, "message": message}}
        if fields:
            body["error"]["fields"] = fields
        return jsonify(body), status
    return render_template("error.html", status=status, message=message, fields=fields or {}), status


def init_error_handlers(app: Flask) -> None:
    @app.before_request
    def refuse_json_on_pages():
        """Pages read web forms; Flask-WTF would try to read a JSON body as one, and fail on an array."""
        if request.is_json and not request.path.startswith(MACHINE_PREFIXES):
            abort(415, "This page takes a web form, not JSON.")

    @app.before_request
    def refuse_nul_characters():
        """No text column can hold NUL (PostgreSQL refuses it), and no person types one: refuse it here."""
        message = "Remove the NUL characters (\\x00) from what you sent."
        bad = [key for source in (request.args, request.form) for key, values in source.lists()
               if any("\x00" in v for v in [key, *values])]
        if bad:
            # Named like any other invalid field, so an API client sees which parameter to fix.
            return error_response(400, "bad_request", message,
                                  {key.replace("\x00", "\\x00"): "Contains a NUL character." for key in bad})
        if "\x00" in request.path:
            abort(400, message)

    @app.errorhandler(DomainError)
    def domain_error(e: DomainError):
        return error_response(e.status, e.code, e.message, e.fields)

    @app.errorhandler(CSRFError)
    def csrf_error(e: CSRFError):
        return error_response(400, "csrf", "The form expired or was not sent from this site. Reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        code = (e.name or "error").lower().replace(" ", "_")
        message = {413: "The upload is too large.",
                   # Flask-Limiter's description is the limit itself ("10 per 1 minute"): say what it means.
                   429: f"Too many requests from this client in a short time (at most {e.description}); "
                        "try again later."}.get(e.code, e.description or e.name)
        return error_response(e.code or 500, code, message)

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        # A failed statement leaves the transaction unusable, and the error page may read the database.
        db.session.rollback()
        return error_response(500, "internal", "Something went wrong on our side; nothing you sent was lost.")
