"""Request lines as the access logs write them, without secrets or personal data.

A provider's callback key travels in the query string (`/hooks/sms/africastalking?key=…`), a tracking
code in the path (`/track/123456789012`), a phone in a filter (`?recipient=+8801…`): whoever reads the
log could forge SMS, or open someone's complaint. The access logs of both servers go through `redact`:
gunicorn's (`RedactingLogger`, named by gunicorn.conf.py) and the development server's
(`WerkzeugFilter`, installed by `grs serve`). Query values are kept only for keys that carry nothing
personal (pages, filters by code, languages); tracking codes become `<code>`.
"""
from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, quote

# Query keys whose values are harmless to log (paging, filters by reference codes, languages). Not `from`
# and `to`: the API's date filters, but an SMS gateway's sender and number.
SAFE_KEYS = frozenset({"page", "per_page", "lang", "group_by", "status", "level", "area", "programme", "category",
                       "channel", "overdue", "open", "review", "min_cases", "format", "fmt", "period", "quarter",
                       "month", "sex", "age_band", "disability", "active", "tier", "kind"})
HIDDEN = "…"
_CODE = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")  # a tracking code (tracking.py: 12 digits)


def redact_query(query: str) -> str:
    """The query string with every value not under a SAFE_KEYS key replaced by `…`."""
    if not query:
        return query
    parts = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        shown = value if key in SAFE_KEYS else HIDDEN
        parts.append(f"{quote(key, safe='')}={quote(shown, safe='…,:-') if shown is not HIDDEN else HIDDEN}")
    return "&".join(parts)


def redact_path(path: str) -> str:
    return _CODE.sub("<code>", path or "")


def redact_target(target: str) -> str:
    """A request target (path?query) as it may be logged."""
    path, sep, query = (target or "").partition("?")
    return redact_path(path) + (sep + redact_query(query) if sep else "")


_REQUEST_LINE = re.compile(r'(?P<method>[A-Z]+) (?P<target>\S+)(?P<rest> HTTP/[0-9.]+)')


def redact(line: str) -> str:
    """Any text holding request lines ("GET /track/… HTTP/1.1"), with each target redacted; other text
    keeps its tracking codes hidden too."""
    out = _REQUEST_LINE.sub(lambda m: f"{m['method']} {redact_target(m['target'])}{m['rest']}", line)
    return _CODE.sub("<code>", out)


try:  # gunicorn is a dependency of the production server only; the module imports without it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object


class RedactingLogger(_GunicornLogger):
    """gunicorn's logger with the request line, path, query and referrer redacted in the access log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = redact(atoms.get("r") or "")
        atoms["U"] = redact_path(atoms.get("U") or "")
        atoms["q"] = redact_query(atoms.get("q") or "")
        atoms["f"] = redact_target(atoms.get("f") or "-")
        for key in ("{raw_uri}e", "{request_uri}e", "{query_string}e", "{path_info}e", "{http_referer}e"):
            if key in atoms:
                value = str(atoms[key])
                atoms[key] = redact_query(value) if key == "{query_string}e" else redact_target(value)
        return atoms


class WerkzeugFilter(logging.Filter):
    """For the development server's request log (logger "werkzeug")."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot be formatted is left to the handler
            return True
        record.msg, record.args = redact(message), ()
        return True


def install_werkzeug_filter() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, WerkzeugFilter) for f in logger.filters):
        logger.addFilter(WerkzeugFilter())
