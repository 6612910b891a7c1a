"""Gateways that hand one message to a provider: console, Africa's Talking, Twilio, e-mail, webhooks, a test fake.

Every gateway has `send(recipient, body) -> Sent` and raises TemporaryFailure (try again later) or
PermanentFailure (this message can never go). The dispatcher in channels/outbox.py does the rest.
"""
from __future__ import annotations

import abc

import http.client
import json
import logging
import smtplib
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage

from flask import Flask

from grs.phones import mask

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sent:
    """A provider accepted the message; its id lets a delivery report find the row again."""

    provider: str
    message_id: str | None
    status_code: int | None = None  # webhooks: the receiver's HTTP status


class GatewayError(Exception):
    """A provider refused or could not be reached; `reason` is short and free of personal data."""

    def __init__(self, reason: str, status_code: int | None = None):
        super().__init__(reason)
        self.reason = reason[:480]
        self.status_code = status_code  # webhooks: the receiver's HTTP status, when it answered


class TemporaryFailure(GatewayError):
    """Worth trying again later: network, timeouts, throttling, provider outages, low balance."""


class Throttled(TemporaryFailure):
    """The provider asks us to slow down (HTTP 429, Twilio 20429): the message was not taken, and every message to
    that provider would be refused the same way for a while. `retry_after`: seconds, when the provider said."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentFailure(GatewayError):
    """Trying again cannot help: invalid number, blacklisted, rejected content or sender."""


class Gateway(abc.ABC):
    """One provider; `name` is stored on the outbox row as its provider."""

    name = "gateway"

    @abc.abstractmethod
    def send(self, recipient: str, body: str) -> Sent:
        """Hand one message to the provider; raise TemporaryFailure or PermanentFailure."""


def _mask_email(address: str) -> str:
    user, _, domain = address.partition("@")
    return (user[:1] + "•••@" + domain) if domain else "•••"


class ConsoleGateway(Gateway):
    """Logs a masked line instead of sending, so the demo works offline."""

    name = "console"

    def __init__(self, medium: str = "sms"):
        self.medium = medium

    def send(self, recipient: str, body: str) -> Sent:
        who = _mask_email(recipient) if self.medium == "email" else mask(recipient)
        log.info("console %s to %s (%d characters)", self.medium, who, len(body))
        return Sent(self.name, f"console-{uuid.uuid4().hex[:16]}")


# ---------------------------------------------------------------- Africa's Talking

# Per-recipient status codes in the send response (developers.africastalking.com, SMS "Sending").
AT_ACCEPTED = {100, 101, 102}  # Processed, Sent, Queued
AT_TEMPORARY = {401, 405, 407, 500, 501, 502}  # RiskHold, InsufficientBalance, CouldNotRoute, server/gateway
# 402 InvalidSenderId, 403 InvalidPhoneNumber, 404 UnsupportedNumberType, 406 UserInBlacklist,
# 409 DoNotDisturbRejection: anything else is permanent.


class AfricasTalkingGateway(Gateway):
    """Africa's Talking bulk SMS through its SDK, with an explicit network timeout on every call."""

    name = "africastalking"

    def __init__(self, username: str, api_key: str, sender: str | None, timeout: float):
        from africastalking.SMS import SMSService  # a service of our own, not the SDK's module globals

        self.service = SMSService(username, api_key)
        self.sender = sender or None
        # (connect, read): the SDK's request helpers pass this straight to requests.post.
        self.timeout = (min(3.05, float(timeout)), float(timeout))

    def send(self, recipient: str, body: str) -> Sent:
        import requests
        from africastalking.Service import AfricasTalkingException

        try:
            response = self.service.send(body, [recipient], sender_id=self.sender, timeout=self.timeout)
        except ValueError as e:  # the SDK validates numbers before sending
            raise PermanentFailure(f"invalid number: {type(e).__name__}")
        except requests.RequestException as e:
            raise TemporaryFailure(f"network: {type(e).__name__}")
        except AfricasTalkingException as e:
            # Non-2xx answer; the body is the provider's message (bad credentials, outage...).
            raise TemporaryFailure(f"africastalking http error: {str(e)[:200]}")
        return self._read(response)

    def _read(self, response) -> Sent:
        if isinstance(response, (str, bytes)):
            try:
                response = json.loads(response)
            except ValueError:
                raise TemporaryFailure("africastalking: unreadable response")
        recipients = ((response or {}).get("SMSMessageData") or {}).get("Recipients") or []
        if not recipients:
            message = ((response or {}).get("SMSMessageData") or {}).get("Message", "no recipients")
            # "InvalidPhoneNumber" / "InvalidSenderId" come back with an empty recipient list.
            if "invalid" in str(message).lower():
                raise PermanentFailure(f"africastalking: {message}"[:200])
            raise TemporaryFailure(f"africastalking: {message}"[:200])
        r = recipients[0]
        code = int(r.get("statusCode") or 0)
        if code in AT_ACCEPTED:
            return Sent(self.name, r.get("messageId"))
        reason = f"africastalking {code} {r.get('status', '')}".strip()
        raise (TemporaryFailure if code in AT_TEMPORARY else PermanentFailure)(reason)


# ---------------------------------------------------------------- Twilio

# Error codes that no retry will fix (www.twilio.com/docs/api/errors).
TWILIO_PERMANENT_CODES = {21211, 21212, 21265, 21401, 21407, 21408, 21421, 21601, 21602, 21604, 21606,
                          21610, 21612, 21614, 21617, 30003, 30004, 30005, 30006, 30007, 30008}


class TwilioGateway(Gateway):
    """Twilio Programmable Messaging, through an HTTP client with a timeout."""

    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, from_: str, timeout: float,
                 status_callback: str | None = None, http_client=None):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        self.http_client = http_client or TwilioHttpClient(timeout=float(timeout))
        self.client = Client(account_sid, auth_token, http_client=self.http_client)
        self.from_ = from_
        self.status_callback = status_callback

    def send(self, recipient: str, body: str) -> Sent:
        from requests import RequestException
        from twilio.base.exceptions import TwilioException, TwilioRestException

        kwargs = {"to": recipient, "from_": self.from_, "body": body}
        if self.status_callback:
            kwargs["status_callback"] = self.status_callback
        try:
            msg = self.client.messages.create(**kwargs)
        except TwilioRestException as e:
            raise classify_twilio(e.status, e.code)
        except (RequestException, TwilioException) as e:
            raise TemporaryFailure(f"network: {type(e).__name__}")
        return Sent(self.name, msg.sid)


def classify_twilio(status: int | None, code: int | None) -> GatewayError:
    """A Twilio REST error as temporary (throttled, server side) or permanent (the message is refused)."""
    reason = f"twilio {status} error {code}"
    if code in TWILIO_PERMANENT_CODES:
        return PermanentFailure(reason)
    if status == 429 or code == 20429:
        return Throttled(reason)  # the SDK's exception carries no Retry-After: the dispatcher's pause applies
    if status is None or status >= 500:
        return TemporaryFailure(reason)
    if status in (401, 403):  # credentials or account: fixable by an admin, so keep the message
        return TemporaryFailure(reason)
    return PermanentFailure(reason)


# ---------------------------------------------------------------- e-mail


class SmtpGateway(Gateway):
    """Plain SMTP (STARTTLS when configured), one connection per message, with a timeout."""

    name = "smtp"

    def __init__(self, host: str, port: int, sender: str, timeout: float, username: str | None = None,
                 password: str | None = None, starttls: bool = True):
        self.host, self.port, self.sender, self.timeout = host, port, sender, float(timeout)
        self.username, self.password, self.starttls = username, password, starttls

    def send(self, recipient: str, body: str) -> Sent:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, recipient, body[:60]
        msg.set_content(body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused:
            raise PermanentFailure("smtp: recipient refused")
        except (smtplib.SMTPException, OSError) as e:
            raise TemporaryFailure(f"smtp: {type(e).__name__}")
        return Sent(self.name, msg.get("Message-ID"))


# ---------------------------------------------------------------- webhooks


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new target: following it would POST our events somewhere unchecked."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# Receiver answers worth trying again: timeouts, throttling, conflicts in flight, server errors.
WEBHOOK_TEMPORARY = {408, 409, 425, 429}


class WebhookGateway:
    """POSTs one signed JSON event to a subscriber with a timeout; 2xx is delivered.

    5xx, 408/409/425/429, timeouts and network errors are temporary; any other answer (a redirect, 4xx) is
    permanent: the receiver refused this delivery and will refuse it again.
    """

    name = "webhook"

    def __init__(self, timeout: float, user_agent: str = "GRS-Webhooks/1"):
        self.timeout = float(timeout)
        self.user_agent = user_agent
        self._opener = urllib.request.build_opener(_NoRedirect)

    def post(self, url: str, body: str, *, secret: str, timestamp: int, event_type: str, delivery_id: int) -> Sent:
        from grs import webhooks

        data = body.encode()
        req = urllib.request.Request(url, data=data, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": self.user_agent,
            webhooks.SIGNATURE_HEADER: webhooks.signature_header(secret, timestamp, data),
            webhooks.TIMESTAMP_HEADER: str(int(timestamp)),
            webhooks.EVENT_HEADER: event_type,
            webhooks.DELIVERY_HEADER: str(delivery_id),
        })
        try:
            with self._opener.open(req, timeout=self.timeout) as response:
                status = response.status
                response.read(1024)  # the answer's body is not ours to keep
        except urllib.error.HTTPError as e:
            status = e.code
            e.close()
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:  # refused, DNS, TLS, timeout
            reason = getattr(e, "reason", None)
            raise TemporaryFailure(f"webhook network: {type(reason or e).__name__}")
        if 200 <= status < 300:
            return Sent(self.name, None, status_code=status)
        reason = f"webhook receiver answered {status}"
        if status >= 500 or status in WEBHOOK_TEMPORARY:
            raise TemporaryFailure(reason, status_code=status)
        raise PermanentFailure(reason, status_code=status)


def webhook(app: Flask) -> WebhookGateway:
    """The webhook gateway (real HTTP in every configuration: a test runs its own receiver)."""
    cache = app.extensions.setdefault("grs_gateways", {})
    if "webhook" not in cache:
        cache["webhook"] = WebhookGateway(app.config.get("WEBHOOK_TIMEOUT_SECONDS") or 10)
    return cache["webhook"]


# ---------------------------------------------------------------- the test fake


@dataclass
class FakeGateway(Gateway):
    """Records what it sent; `fail_next(n)` makes the next n sends fail, temporarily or for good."""

    name: str = "fake"
    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (recipient, body, message id)
    failures: list[GatewayError] = field(default_factory=list)
    calls: int = 0

    def fail_next(self, n: int, *, permanent: bool = False, reason: str = "provider unavailable") -> None:
        kind = PermanentFailure if permanent else TemporaryFailure
        self.failures.extend(kind(reason) for _ in range(n))

    def throttle_next(self, retry_after: float | None = None) -> None:
        self.failures.append(Throttled("fake 429 too many requests", retry_after))

    def send(self, recipient: str, body: str) -> Sent:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        message_id = f"fake-{len(self.sent) + 1}"
        self.sent.append((recipient, body, message_id))
        return Sent(self.name, message_id)

    def to(self, recipient: str) -> list[str]:
        return [body for r, body, _ in self.sent if r == recipient]


# ---------------------------------------------------------------- choosing


def for_medium(app: Flask, medium: str) -> Gateway:
    """The gateway for 'sms' or 'email' as configured; built once per app and kept in app.extensions."""
    cache = app.extensions.setdefault("grs_gateways", {})
    if medium not in cache:
        cache[medium] = _build(app, medium)
    return cache[medium]


def _build(app: Flask, medium: str) -> Gateway:
    cfg = app.config
    timeout = cfg.get("SMS_TIMEOUT_SECONDS") or 10
    provider = cfg.get("SMS_PROVIDER") or "console"
    if provider == "fake":
        # Tests: one fake for both media, so a test sees every message the app "sent".
        cache = app.extensions.setdefault("grs_gateways", {})
        return cache.get("sms") or cache.get("email") or FakeGateway()
    if medium == "email":
        if cfg.get("SMTP_HOST"):
            return SmtpGateway(cfg["SMTP_HOST"], int(cfg.get("SMTP_PORT") or 587),
                               cfg.get("MAIL_FROM") or "grs@localhost", timeout,
                               cfg.get("SMTP_USERNAME"), cfg.get("SMTP_PASSWORD"),
                               bool(cfg.get("SMTP_STARTTLS", True)))
        return ConsoleGateway("email")
    if provider == "africastalking":
        return AfricasTalkingGateway(cfg.get("AT_USERNAME") or "sandbox", cfg.get("AT_API_KEY") or "",
                                     cfg.get("AT_SENDER"), timeout)
    if provider == "twilio":
        public = (cfg.get("PUBLIC_URL") or "").rstrip("/")
        return TwilioGateway(cfg.get("TWILIO_ACCOUNT_SID") or "", cfg.get("TWILIO_AUTH_TOKEN") or "",
                             cfg.get("TWILIO_FROM") or "", timeout,
                             status_callback=f"{public}/hooks/sms/twilio/status" if public else None)
    return ConsoleGateway("sms")


def fake(app: Flask) -> FakeGateway:
    """The FakeGateway of an app configured with SMS_PROVIDER='fake' (for tests)."""
    gateway = for_medium(app, "sms")
    assert isinstance(gateway, FakeGateway), "SMS_PROVIDER is not 'fake'"
    return gateway
