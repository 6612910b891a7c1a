"""Event webhooks: a real receiver on 127.0.0.1 checks each signature and timestamp, fails the first attempt,
and still gets every event it subscribed to exactly once after the outbox retries; nothing personal leaves."""
from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, T0
from channels.outbox import dispatch
from grs import webhooks
from grs.extensions import db
from grs.models import OutboxMessage, WebhookDelivery

NAME, PHONE, STORY = "Rahima Begum", "01712345678", "My allowance was not paid this quarter."


class Receiver:
    """A programme system's endpoint: verifies what it gets, answers from a script (then 200)."""

    def __init__(self):
        self.secrets: dict[str, str] = {}  # path -> secret
        self.clock = 0  # the unix time the receiver believes it is (the test's dispatch time)
        self.script: list[int] = []
        self.got: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                secret = receiver.secrets.get(self.path, "")
                header = self.headers.get(webhooks.SIGNATURE_HEADER)
                stamp = self.headers.get(webhooks.TIMESTAMP_HEADER)
                ok = (webhooks.verify(secret, header, body, now=receiver.clock)
                      and header.startswith(f"t={stamp},"))
                status = receiver.script.pop(0) if receiver.script else 200
                receiver.got.append({"path": self.path, "ok": ok, "status": status, "body": body.decode(),
                                     "event": self.headers.get(webhooks.EVENT_HEADER),
                                     "delivery": self.headers.get(webhooks.DELIVERY_HEADER),
                                     "payload": json.loads(body)})
                self.send_response(status if ok else 401)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # a free port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def accepted(self, path: str | None = None) -> list[dict]:
        return [r for r in self.got if r["ok"] and r["status"] == 200 and (path is None or r["path"] == path)]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def subscribe(receiver: Receiver, path: str, events, **kw):
    sub, secret = builders.run(webhooks.create, webhooks.SubscriptionIn(receiver.url(path), tuple(events), **kw),
                               actor_id=None, now=T0)
    receiver.secrets[path] = secret
    return sub.id


def run_outbox(receiver: Receiver, at):
    receiver.clock = int(at.timestamp())
    return dispatch(at)


def webhook_rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.medium == "webhook")
                              .order_by(OutboxMessage.id)).all()


def test_each_event_arrives_signed_exactly_once_after_a_failed_first_attempt(ctx, world, receiver):
    sub = subscribe(receiver, "/mis", ["lodged", "routed", "acknowledged"])
    receiver.script = [500]  # the receiver is down for the first delivery
    code = builders.lodge(BARIA, now=T0).tracking_code
    builders.act(world, "officer_baria", code, "acknowledge", now=T0 + timedelta(minutes=1))
    assert len(webhook_rows()) == 3  # queued in the units of work of the events themselves

    first = run_outbox(receiver, T0 + timedelta(minutes=2))
    assert first.retried == 1  # (the SMS receipt and the office's e-mail went out too)
    assert [r["status"] for r in receiver.got] == [500, 200, 200] and all(r["ok"] for r in receiver.got)
    failed = receiver.got[0]["delivery"]
    assert run_outbox(receiver, T0 + timedelta(minutes=2, seconds=10)).attempted == 0  # backoff: 30 s
    again = run_outbox(receiver, T0 + timedelta(minutes=2, seconds=31))
    assert again.attempted == 1 and receiver.got[-1]["delivery"] == failed
    for later in (5, 60, 600):
        assert run_outbox(receiver, T0 + timedelta(minutes=later)).attempted == 0

    events = [(r["payload"]["grievance"]["tracking_code"], r["payload"]["seq"], r["payload"]["type"])
              for r in receiver.accepted()]
    assert sorted(events) == [(code, 1, "lodged"), (code, 2, "routed"), (code, 3, "acknowledged")]
    assert all(r["event"] == r["payload"]["type"] for r in receiver.got)
    routed = next(r["payload"] for r in receiver.accepted() if r["payload"]["type"] == "routed")
    assert routed["office"] == "OFF-BD-UN-2869" and routed["level"] == "union"
    assert routed["status_to"] == "received" and routed["data"]["office"] == "OFF-BD-UN-2869"
    assert routed["grievance"] == {"tracking_code": code, "programme": "OAA", "category": "payment",
                                   "channel": "web", "sensitive": False}

    log = {d.id: d for d, _, _ in webhooks.deliveries(db.session, sub)}
    retried = log[int(failed)]
    assert (retried.attempts, retried.last_status_code, retried.last_error) == (2, 200, None)
    assert retried.delivered_at == T0 + timedelta(minutes=2, seconds=31)
    assert all(row.status == "sent" and row.provider == "webhook" for row in webhook_rows())


def test_a_subscription_gets_only_the_types_it_asked_for(ctx, world, receiver):
    subscribe(receiver, "/decisions", ["resolved", "rejected"])
    subscribe(receiver, "/arrivals", ["routed"])
    code = builders.lodge(BARIA, now=T0).tracking_code
    for action in ("acknowledge", "start"):
        builders.act(world, "officer_baria", code, action, now=T0)
    builders.act(world, "officer_baria", code, "resolve", now=T0, decision="upheld",
                 resolution="Paid in full on 3 March.")
    run_outbox(receiver, T0)
    assert [r["payload"]["type"] for r in receiver.accepted("/decisions")] == ["resolved"]
    assert [r["payload"]["type"] for r in receiver.accepted("/arrivals")] == ["routed"]
    assert len(receiver.got) == 2


def test_no_personal_data_or_free_text_leaves_and_a_sensitive_case_hides_its_category(ctx, world):
    sub, _ = builders.run(webhooks.create, webhooks.SubscriptionIn("https://mis.example.org/grs",
                                                                   webhooks.EVENT_TYPES), actor_id=None, now=T0)
    code = builders.lodge(BARIA, now=T0, description=STORY).tracking_code
    question = "Please send the number on your beneficiary card"
    builders.act(world, "officer_baria", code, "acknowledge", now=T0)
    builders.act(world, "officer_baria", code, "request_info", now=T0, note=question)
    builders.act(world, "officer_baria", code, "resume", now=T0, note="Card number 12345 received by phone")
    secret = builders.lodge(BARIA, now=T0, category="sea_gbv", description="The supervisor abused me").tracking_code
    bodies = [row.body for row in webhook_rows()]
    assert len(bodies) == 7  # lodged, routed, acknowledged, info_requested, resumed; lodged, routed (the second)
    text = "\n".join(bodies)
    for private in (NAME, PHONE, "+8801712345678", STORY, question, "12345 received", "abused", "female",
                    "60_plus"):
        assert private not in text
    for body in bodies:
        payload = json.loads(body)
        assert set(payload) == {"type", "at", "seq", "grievance", "status_from", "status_to", "level", "office",
                                "data"}
        assert "note" not in body and "actor" not in body
    sensitive = [json.loads(b)["grievance"] for b in bodies if json.loads(b)["grievance"]["tracking_code"] == secret]
    assert sensitive and all(g["sensitive"] and g["category"] is None for g in sensitive)


def test_warnings_are_not_offered_to_subscribers(ctx):
    assert "warned" not in webhooks.EVENT_TYPES
    with pytest.raises(webhooks.ValidationError) as e:
        webhooks.check_events(["warned"])
    assert "events" in e.value.fields


def test_a_paused_or_removed_subscription_gets_nothing_more(ctx, world, receiver):
    paused = subscribe(receiver, "/paused", ["lodged"])
    removed = subscribe(receiver, "/removed", ["lodged"])
    kept = subscribe(receiver, "/kept", ["lodged"])
    builders.lodge(BARIA, now=T0)
    builders.run(webhooks.set_active, paused, False)
    builders.run(webhooks.delete, removed)
    result = run_outbox(receiver, T0)
    assert result.suppressed == 1  # the paused one; the removed one's row was suppressed with it
    assert sorted(row.status for row in webhook_rows()) == ["sent", "suppressed", "suppressed"]
    assert [r["path"] for r in receiver.got] == ["/kept"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)
                             .where(WebhookDelivery.subscription_id == removed)) == 0
    builders.lodge(BARIA, now=T0)  # paused: not even queued any more
    assert len(webhooks.deliveries(db.session, paused)) == 1
    assert len(webhooks.deliveries(db.session, kept)) == 2


@pytest.mark.config(OUTBOX_MAX_ATTEMPTS=3)
def test_a_refusal_is_permanent_and_a_receiver_that_stays_down_fails_after_the_last_attempt(ctx, world, receiver):
    gone = subscribe(receiver, "/gone", ["lodged"])
    down = subscribe(receiver, "/down", ["routed"])
    receiver.script = [410, 503, 503, 503]
    builders.lodge(BARIA, now=T0)
    at = T0
    for _ in range(5):
        run_outbox(receiver, at)
        at += timedelta(hours=1)
    (g, g_row, _), = webhooks.deliveries(db.session, gone)
    (d, d_row, _), = webhooks.deliveries(db.session, down)
    assert (g_row.status, g.attempts, g.last_status_code) == ("failed", 1, 410)
    assert (d_row.status, d.attempts, d.last_status_code) == ("failed", 3, 503)
    assert d.last_error == "webhook receiver answered 503" and d.delivered_at is None


def test_an_unreachable_receiver_is_retried(ctx, world):
    sub, _ = builders.run(webhooks.create, webhooks.SubscriptionIn("http://127.0.0.1:9/closed", ("lodged",)),
                          actor_id=None, now=T0)
    builders.lodge(BARIA, now=T0)
    assert dispatch(T0).retried == 1
    (d, row, _), = webhooks.deliveries(db.session, sub.id)
    assert row.status == "retry" and d.attempts == 1 and d.last_status_code is None
    assert d.last_error.startswith("webhook network:")


def test_the_subscriptions_are_read_once_per_unit_of_work(ctx, world):
    builders.run(webhooks.create, webhooks.SubscriptionIn("https://mis.example.org/a", ("lodged", "routed")),
                 actor_id=None, now=T0)
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if "FROM webhook_subscriptions" in statement:
            seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    try:
        builders.lodge(BARIA, now=T0)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
    assert len(seen) == 1
    assert len(webhook_rows()) == 2
