"""Every response carries a request id (the proxy's when it is sane), and JSON log lines name it."""
import json
import logging

from grs import logformat


def test_a_sane_proxy_id_is_kept_and_a_bad_one_replaced(client):
    r = client.get("/healthz", headers={"X-Request-ID": "abc123-proxy-7"})
    assert r.headers["X-Request-ID"] == "abc123-proxy-7"
    r = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert len(r.headers["X-Request-ID"]) == 32 and "<" not in r.headers["X-Request-ID"]
    assert client.get("/healthz").headers["X-Request-ID"] != client.get("/healthz").headers["X-Request-ID"]


def test_a_json_log_line_in_a_request_names_its_id_and_redacted_path(app):
    with app.test_request_context("/track/123456789012", headers={"X-Request-ID": "req-00000001"}):
        app.preprocess_request()
        line = logformat.JsonFormatter().format(
            logging.LogRecord("grs", logging.WARNING, __file__, 1, "looked up", (), None))
    out = json.loads(line)
    assert out["request_id"] == "req-00000001" and out["path"] == "/track/<code>" and out["method"] == "GET"
