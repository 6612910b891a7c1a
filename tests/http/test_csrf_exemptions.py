"""The webhooks and the API authenticate each request themselves and need no CSRF token; the app factory,
not an import, says so."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
PHONE = "+8801712345678"


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_with_csrf_on_the_webhooks_and_the_api_answer_while_a_form_without_its_token_is_refused(client, auth):
    r = client.post("/hooks/sms/africastalking?key=at-test-key", data={"id": "ATXid_9", "from": PHONE, "text": "help"})
    assert r.status_code == 200, r.get_data(as_text=True)
    r = client.post("/hooks/ussd/africastalking?key=at-test-key",
                    data={"sessionId": "ATUid_9", "phoneNumber": PHONE, "serviceCode": "*384*333#", "text": ""})
    assert r.status_code == 200 and r.get_data(as_text=True).startswith("CON ")
    r = client.post("/api/v1/grievances", json={}, headers=auth("operator"))
    assert r.status_code != 400 or r.get_json()["error"]["code"] != "csrf", r.get_json()
    assert client.post("/login", data={"email": "x@example.org", "password": "x"}).status_code == 400


def test_importing_the_blueprints_exempts_nothing():
    code = ("import importlib, grs\nfrom grs.extensions import csrf\n"
            "for name in grs.BLUEPRINTS: importlib.import_module(name)\n"
            "print(len(csrf._exempt_views), len(csrf._exempt_blueprints))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0 0"  # views exempted, blueprints exempted
