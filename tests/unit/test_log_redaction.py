"""The access logs write no callback key, phone or tracking code (issue 11, finding 10): the development
server's request log and gunicorn's, with the settings in gunicorn.conf.py."""
from __future__ import annotations

import logging
import os
import runpy
from datetime import timedelta
from types import SimpleNamespace

from grs.logredact import RedactingLogger, WerkzeugFilter, redact, redact_target

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEY = "at-secret-callback-key-1234"


def test_secrets_phones_and_codes_are_hidden_and_paging_is_kept():
    assert redact_target(f"/hooks/sms/africastalking?key={KEY}") == "/hooks/sms/africastalking?key=…"
    assert redact_target("/track/123456789012") == "/track/<code>"
    assert redact_target("/api/v1/messages?recipient=%2B8801711111111&page=2&status=failed") == \
        "/api/v1/messages?recipient=…&page=2&status=failed"
    line = f'127.0.0.1 - - [02/Dec/2026 10:00:00] "GET /track/123456789012?lang=bn HTTP/1.1" 200 -'
    assert redact(line) == '127.0.0.1 - - [02/Dec/2026 10:00:00] "GET /track/<code>?lang=bn HTTP/1.1" 200 -'
    assert redact("POST /cases/123456789012/actions/resolve HTTP/1.1") == \
        "POST /cases/<code>/actions/resolve HTTP/1.1"


def test_the_development_servers_request_log_is_redacted(caplog):
    logger = logging.getLogger("werkzeug")
    f = WerkzeugFilter()
    logger.addFilter(f)
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            logger.info('%s - - [%s] "%s" %s -', "127.0.0.1", "02/Dec/2026",
                        f"POST /hooks/sms/africastalking?key={KEY} HTTP/1.1", 200)
    finally:
        logger.removeFilter(f)
    assert KEY not in caplog.text and "/hooks/sms/africastalking?key=… HTTP/1.1" in caplog.text


def test_gunicorns_access_log_with_the_repos_settings_is_redacted():
    settings = runpy.run_path(os.path.join(ROOT, "gunicorn.conf.py"))
    assert settings["logger_class"] == "grs.logredact.RedactingLogger"
    cfg = SimpleNamespace(errorlog="-", accesslog=None, loglevel="info", syslog=False, capture_output=False,
                          logconfig=None, logconfig_dict={}, logconfig_json=None, syslog_addr=None,
                          syslog_prefix=None, syslog_facility="user", disable_redirect_access_to_syslog=False,
                          access_log_format=settings["access_log_format"], user=os.getuid(), group=os.getgid(),
                          umask=0, errorlog_level="info")
    logger = RedactingLogger.__new__(RedactingLogger)
    logger.cfg = cfg
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": f"/hooks/sms/africastalking?key={KEY}&from=%2B88017",
               "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/hooks/sms/africastalking",
               "QUERY_STRING": f"key={KEY}&from=%2B88017", "REMOTE_ADDR": "10.0.0.9",
               "HTTP_REFERER": "https://grs.example/track/123456789012"}
    resp = SimpleNamespace(status="200 OK", sent=12, headers=[])
    atoms = logger.atoms(resp, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=7))
    line = settings["access_log_format"] % atoms
    assert KEY not in line and "88017" not in line and "123456789012" not in line
    assert '"POST /hooks/sms/africastalking?key=…&from=… HTTP/1.1" 200' in line
    assert "https://grs.example/track/<code>" in line
