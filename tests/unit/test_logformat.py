"""Structured logs (GRS_LOG_FORMAT=json): one JSON object per line, request ids, nothing personal."""
import json
import logging

import pytest

from grs import logformat


def record(msg, *args, exc=None):
    return logging.LogRecord("grs.services.lodging", logging.INFO, __file__, 1, msg, args, exc)


def test_a_json_line_has_the_time_level_logger_and_a_redacted_message():
    line = logformat.JsonFormatter().format(record("lodged %s via %s", "GET /track/123456789012 HTTP/1.1", "web"))
    out = json.loads(line)
    assert set(out) == {"ts", "level", "logger", "message"}
    assert out["level"] == "INFO" and out["logger"] == "grs.services.lodging"
    assert "123456789012" not in out["message"] and "<code>" in out["message"]
    assert out["ts"].endswith("+00:00")


def test_an_exception_stays_on_one_line():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys
        line = logformat.JsonFormatter().format(record("failed", exc=sys.exc_info()))
    assert "\n" not in line and "RuntimeError: boom" in json.loads(line)["exception"]


def test_an_unknown_format_is_refused_at_start():
    with pytest.raises(ValueError, match="GRS_LOG_FORMAT"):
        logformat.formatter("xml")
