"""Gateways against fake provider HTTP (no network): timeouts are set, answers and errors are classified."""
from __future__ import annotations

import json

import pytest
import requests
from flask import Flask
from requests.adapters import BaseAdapter

from channels import gateways
from channels.gateways import (AfricasTalkingGateway, ConsoleGateway, FakeGateway, PermanentFailure,
                               TemporaryFailure, TwilioGateway, classify_twilio)


def _response(status: int, payload, content_type: str = "application/json") -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = (json.dumps(payload) if not isinstance(payload, str) else payload).encode()
    r.headers["content-type"] = content_type
    return r


# ---------------------------------------------------------------- Africa's Talking


class FakeAfricasTalking:
    """Stands in for requests.post as the Africa's Talking SDK calls it; records every call."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def __call__(self, url, headers, params, data, timeout):
        self.calls.append({"url": url, "data": data, "timeout": timeout})
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def _at_answer(code: int, status: str, message_id: str = "ATXid_abc123"):
    return {"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: BDT 0.2500", "Recipients": [
        {"statusCode": code, "number": "+8801712345678", "status": status, "cost": "BDT 0.2500",
         "messageId": message_id}]}}


@pytest.fixture
def at(monkeypatch):
    def install(answer) -> FakeAfricasTalking:
        fake = FakeAfricasTalking(answer)
        monkeypatch.setattr(requests, "post", fake)
        return fake
    return install


def test_africastalking_send_passes_a_timeout_and_returns_the_message_id(at):
    fake = at(_response(201, _at_answer(101, "Success")))
    sent = AfricasTalkingGateway("grs", "key", "GRS", timeout=8).send("+8801712345678", "GRS: hello")
    assert sent == gateways.Sent("africastalking", "ATXid_abc123")
    [call] = fake.calls
    assert call["timeout"] == (3.05, 8.0)
    assert call["url"] == "https://api.africastalking.com/version1/messaging"
    assert call["data"]["to"] == "+8801712345678" and call["data"]["from"] == "GRS"


def test_africastalking_json_with_charset_is_read_too(at):
    at(_response(201, _at_answer(102, "Queued"), "application/json; charset=utf-8"))
    assert AfricasTalkingGateway("grs", "key", None, 5).send("+8801712345678", "x").message_id == "ATXid_abc123"


@pytest.mark.parametrize("code, status, error", [
    (403, "InvalidPhoneNumber", PermanentFailure), (406, "UserInBlacklist", PermanentFailure),
    (409, "DoNotDisturbRejection", PermanentFailure), (405, "InsufficientBalance", TemporaryFailure),
    (500, "InternalServerError", TemporaryFailure), (407, "CouldNotRoute", TemporaryFailure),
])
def test_africastalking_recipient_status_codes_are_classified(at, code, status, error):
    at(_response(201, _at_answer(code, status)))
    with pytest.raises(error) as e:
        AfricasTalkingGateway("grs", "key", None, 5).send("+8801712345678", "x")
    assert e.value.reason == f"africastalking {code} {status}"


@pytest.mark.parametrize("answer, error", [
    (requests.Timeout("read timed out"), TemporaryFailure),
    (requests.ConnectionError("no route"), TemporaryFailure),
    (_response(401, "The supplied authentication is invalid", "text/plain"), TemporaryFailure),
    (_response(503, "Service Unavailable", "text/plain"), TemporaryFailure),
])
def test_africastalking_transport_errors_are_temporary(at, answer, error):
    at(answer)
    with pytest.raises(error):
        AfricasTalkingGateway("grs", "key", None, 5).send("+8801712345678", "x")


def test_africastalking_refuses_a_malformed_number_without_calling_out(at):
    fake = at(_response(201, _at_answer(101, "Success")))
    with pytest.raises(PermanentFailure):
        AfricasTalkingGateway("grs", "key", None, 5).send("01712345678", "x")
    assert fake.calls == []


# ---------------------------------------------------------------- Twilio


class FakeTwilioAdapter(BaseAdapter):
    """A requests transport that answers like api.twilio.com; records the timeout it was given."""

    def __init__(self, status: int, payload: dict | Exception):
        super().__init__()
        self.status, self.payload, self.requests = status, payload, []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.requests.append((request, timeout))
        if isinstance(self.payload, Exception):
            raise self.payload
        r = _response(self.status, self.payload)
        r.request, r.url = request, request.url
        return r

    def close(self):
        pass


def _twilio(status: int, payload) -> tuple[TwilioGateway, FakeTwilioAdapter]:
    gw = TwilioGateway("ACtest", "token", "+15005550006", timeout=7,
                       status_callback="https://grs.example.org/hooks/sms/twilio/status")
    adapter = FakeTwilioAdapter(status, payload)
    gw.http_client.session.mount("https://", adapter)
    return gw, adapter


def test_twilio_send_uses_the_timeout_and_returns_the_sid():
    gw, adapter = _twilio(201, {"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued",
                                "to": "+8801712345678", "from": "+15005550006", "body": "GRS: hello"})
    sent = gw.send("+8801712345678", "GRS: hello")
    assert sent == gateways.Sent("twilio", "SM0123456789abcdef0123456789abcdef")
    [(request, timeout)] = adapter.requests
    assert timeout == 7.0
    assert request.url == "https://api.twilio.com/2010-04-01/Accounts/ACtest/Messages.json"
    assert "StatusCallback=https%3A%2F%2Fgrs.example.org%2Fhooks%2Fsms%2Ftwilio%2Fstatus" in request.body


@pytest.mark.parametrize("status, code, error", [
    (400, 21211, PermanentFailure), (400, 21610, PermanentFailure), (400, 21408, PermanentFailure),
    (429, 20429, TemporaryFailure), (500, 20500, TemporaryFailure), (503, None, TemporaryFailure),
])
def test_twilio_errors_are_classified(status, code, error):
    gw, _ = _twilio(status, {"code": code, "message": "error", "more_info": "", "status": status})
    with pytest.raises(error) as e:
        gw.send("+8801712345678", "x")
    assert e.value.reason == f"twilio {status} error {code}"


def test_twilio_network_failure_is_temporary():
    gw, _ = _twilio(0, requests.ConnectTimeout("connect timed out"))
    with pytest.raises(TemporaryFailure):
        gw.send("+8801712345678", "x")


def test_classify_twilio_table():
    assert isinstance(classify_twilio(401, 20003), TemporaryFailure)  # credentials: an admin can fix them
    assert isinstance(classify_twilio(400, 21614), PermanentFailure)  # not a mobile number
    assert isinstance(classify_twilio(404, 20404), PermanentFailure)


# ---------------------------------------------------------------- choosing, console, fake


def _app(**config) -> Flask:
    app = Flask("gateway-test")
    app.config.update({"SMS_TIMEOUT_SECONDS": 9, "AT_USERNAME": "grs", "AT_API_KEY": "k", "AT_SENDER": "",
                       "TWILIO_ACCOUNT_SID": "ACx", "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM": "+15005550006",
                       "PUBLIC_URL": "https://grs.example.org", **config})
    return app


def test_the_configured_provider_is_built_once_with_the_configured_timeout():
    app = _app(SMS_PROVIDER="twilio")
    gw = gateways.for_medium(app, "sms")
    assert isinstance(gw, TwilioGateway) and gw.http_client.timeout == 9
    assert gw.status_callback == "https://grs.example.org/hooks/sms/twilio/status"
    assert gateways.for_medium(app, "sms") is gw
    at = gateways.for_medium(_app(SMS_PROVIDER="africastalking"), "sms")
    assert isinstance(at, AfricasTalkingGateway) and at.timeout == (3.05, 9.0)
    assert isinstance(gateways.for_medium(_app(SMS_PROVIDER="console"), "sms"), ConsoleGateway)
    assert isinstance(gateways.for_medium(_app(SMS_PROVIDER="twilio"), "email"), ConsoleGateway)


def test_the_fake_provider_is_one_gateway_for_sms_and_email():
    app = _app(SMS_PROVIDER="fake")
    assert gateways.for_medium(app, "email") is gateways.fake(app)


def test_console_gateway_logs_a_masked_line_and_never_the_text(caplog):
    caplog.set_level("INFO", logger="channels.gateways")
    sent = ConsoleGateway().send("+8801712345678", "My allowance was not paid")
    assert sent.provider == "console" and sent.message_id.startswith("console-")
    assert "+880•••••••678" in caplog.text
    assert "01712345678" not in caplog.text and "allowance" not in caplog.text


def test_fake_gateway_fails_as_told_then_records_what_it_sent():
    fake = FakeGateway()
    fake.fail_next(1)
    fake.fail_next(1, permanent=True, reason="blacklisted")
    with pytest.raises(TemporaryFailure):
        fake.send("+8801712345678", "a")
    with pytest.raises(PermanentFailure, match="blacklisted"):
        fake.send("+8801712345678", "b")
    assert fake.send("+8801712345678", "c").message_id == "fake-1"
    assert fake.to("+8801712345678") == ["c"] and fake.calls == 3
