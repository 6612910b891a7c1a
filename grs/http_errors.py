"""Errors as the caller can read them: JSON {"error": {...}} for the API and webhooks, pages elsewhere."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, abort, g, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from .errors import DomainError
from .extensions import db

log = logging.getLogger(__name__)

MACHINE_PREFIXES = ("/api/", "/hooks/", "/open311/")
RETRY_AFTER_SECONDS = 30  # what a 503 asks callers (providers retry webhooks on it) to wait


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


def unavailable_response(code: str, message: str, fields: dict | None = None):
    """A 503 with Retry-After: nothing was done, the same request will work again soon."""
    try:
        response = make_response(error_response(503, code, message, fields))
    except Exception:  # the page itself could not be drawn (it reads the database too): a bare one
        log.warning("the 503 page could not be rendered", exc_info=True)
        response = make_response(f"<!doctype html><title>503</title><h1>503</h1><p>{escape(message)}</p>", 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# SQLite reports a missing table as an OperationalError too: only these mean "the database is away".
_SQLITE_AWAY = ("database is locked", "unable to open database", "disk i/o error", "database or disk is full",
                "readonly database")


def _database_away(e: sa.exc.DBAPIError) -> bool:
    """The database cannot be reached or dropped the connection (a restart, a failover, a lock held past the
    busy timeout), as opposed to a statement it refused (that is a bug: a 500 with its traceback)."""
    if getattr(e, "connection_invalidated", False):
        return True
    if not isinstance(e, sa.exc.OperationalError):
        return False
    if type(e.orig).__module__.startswith("sqlite3"):
        return any(text in str(e.orig).lower() for text in _SQLITE_AWAY)
    return True


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
        if e.status == 503:
            return unavailable_response(e.code, e.message, e.fields)
        return error_response(e.status, e.code, e.message, e.fields)

    @app.errorhandler(sa.exc.DBAPIError)
    def database_error(e: sa.exc.DBAPIError):
        if not _database_away(e):
            return unexpected(e)
        # No traceback and no statement: the cause is outside the app, and the pool (pool_pre_ping) replaces
        # the dead connections by itself once the database is back.
        log.warning("database unavailable on %s %s: %s", request.method, request.path,
                    type(e.orig or e).__name__)
        try:
            db.session.rollback()
        except Exception:  # the connection is gone; the session is discarded at the end of the request anyway
            pass
        if "_login_user" not in g:
            # Nobody can be looked up while the database is away: the error page is drawn as for a visitor
            # (Flask-Login would otherwise query the account again, and fail again, to draw the menu).
            from .extensions import login_manager

            g._login_user = login_manager.anonymous_user()
        return unavailable_response("database_unavailable", "The service cannot reach its database just now, "
                                    "so nothing was saved. Try again in a minute.")

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
