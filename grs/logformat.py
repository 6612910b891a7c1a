"""The log's shape: plain text for people at a terminal (the default), or one JSON object per line for a
log collector (GRS_LOG_FORMAT=json): time (UTC, ISO 8601), level, logger, message, the request id and,
for a request, its method and redacted path. Every request gets an id (the proxy's X-Request-ID when it
sends a sane one, else a new one), sent back in X-Request-ID, so a citizen's "it failed" can be found.

What a log line says was already stripped of personal data where it was written (phones masked, no
complaint texts); request paths pass through grs/logredact.py like the access log.
"""
from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

from .logredact import redact, redact_path

PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """One JSON object per record; exceptions as one string field, never several lines."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname, "logger": record.name, "message": redact(record.getMessage())}
        rid = request_id()
        if rid:
            out["request_id"] = rid
            out["method"] = request.method
            out["path"] = redact_path(request.path)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to plain records too (as "-" outside a request), for formats that name it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() or "-"
        return True


def formatter(kind: str) -> logging.Formatter:
    if kind == "json":
        return JsonFormatter()
    if kind in ("", "plain", "text"):
        return logging.Formatter(PLAIN)
    raise ValueError(f"GRS_LOG_FORMAT={kind!r}: use plain or json")


def configure(app: Flask) -> None:
    """Root logging in the configured shape, and request ids on every request."""
    fmt = formatter((app.config.get("LOG_FORMAT") or "plain").strip().lower())
    root = logging.getLogger()
    # Only a handler of our own: where something else configured logging first (a test runner, an
    # embedding server), its handlers and their format stay as they are.
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(fmt)
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
        root.setLevel(app.config["LOG_LEVEL"])

    @app.before_request
    def _assign_request_id():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex

    @app.after_request
    def _send_request_id(response):
        if g.get("request_id"):
            response.headers["X-Request-ID"] = g.request_id
        return response
