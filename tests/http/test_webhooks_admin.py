"""/admin/webhooks and /api/v1/webhooks: national admins only, CSRF on the page, the secret shown once, the log."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, T0
from grs import webhooks
from grs.extensions import db
from grs.models import WebhookSubscription

URL = "https://mis.example.org/grs-events"


def subscription_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(WebhookSubscription))


def test_an_admin_subscribes_on_the_page_sees_the_secret_once_and_then_the_log(app, world, client_as):
    admin = client_as("admin")
    page = admin.get("/admin/webhooks")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Event webhooks" in html and 'value="resolved"' in html and 'value="warned"' not in html
    r = admin.post("/admin/webhooks", data={"url": URL, "label": "Allowance MIS", "events": ["lodged", "routed"],
                                            "active": "y"})
    assert r.status_code == 201 and r.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code id="webhook-secret">([^<]+)</code>', r.get_data(as_text=True)).group(1)
    with app.app_context():
        sub = db.session.scalar(sa.select(WebhookSubscription))
        assert (sub.url, sub.label, sub.events, sub.active, sub.secret) == (
            URL, "Allowance MIS", ["lodged", "routed"], True, secret)
        builders.lodge(BARIA, now=T0)
    later = admin.get("/admin/webhooks").get_data(as_text=True)
    assert secret not in later
    assert "Delivery log" in later and later.count("<td>queued</td>") == 2


@pytest.mark.parametrize("url, problem", [
    ("http://mis.example.org/hook", "plain http is allowed only to this machine"),
    ("ftp://mis.example.org/hook", "full https:// URL"),
    ("https://user:pw@mis.example.org/", "no user name or password"),
    ("not a url", "full https:// URL"),
])
def test_a_url_that_cannot_receive_is_refused_on_its_field(app, client_as, url, problem):
    r = client_as("admin").post("/admin/webhooks", data={"url": url, "events": ["lodged"]})
    assert r.status_code == 422
    assert problem in r.get_data(as_text=True)
    assert subscription_count(app) == 0


def test_pausing_and_removing_on_the_page(app, world, client_as):
    with app.app_context():
        sub, _ = builders.run(webhooks.create, webhooks.SubscriptionIn(URL, ("lodged",)), actor_id=None, now=T0)
        sub_id = sub.id
    admin = client_as("admin")
    assert admin.post(f"/admin/webhooks/{sub_id}/active", data={"active": "0"}).status_code == 302
    with app.app_context():
        assert db.session.get(WebhookSubscription, sub_id).active is False
    assert admin.post(f"/admin/webhooks/{sub_id}/delete").status_code == 302
    assert subscription_count(app) == 0
    assert admin.post("/admin/webhooks/999/delete").status_code == 303


@pytest.mark.parametrize("who", ["officer_baria", "supervisor", "analyst", "operator"])
def test_only_admins_may_open_the_webhooks_page(client_as, who):
    client = client_as(who)
    assert client.get("/admin/webhooks").status_code == 403
    assert client.post("/admin/webhooks", data={"url": URL, "events": ["lodged"]}).status_code == 403


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_the_webhook_forms_need_the_csrf_token(app, world, client_as):
    admin = client_as("admin")
    assert admin.post("/admin/webhooks", data={"url": URL, "events": ["lodged"]}).status_code == 400
    assert subscription_count(app) == 0
    page = admin.get("/admin/webhooks").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = admin.post("/admin/webhooks", data={"url": URL, "events": ["lodged"], "csrf_token": token})
    assert r.status_code == 201 and subscription_count(app) == 1


# ---------------------------------------------------------------- the API


def test_the_api_creates_lists_shows_and_deletes_subscriptions(app, world, client, auth):
    h = auth("admin")
    r = client.post("/api/v1/webhooks", json={"url": URL, "events": ["resolved", "lodged"], "label": "MIS"},
                    headers=h)
    assert r.status_code == 201, r.get_json()
    created = r.get_json()
    assert created["events"] == ["lodged", "resolved"] and len(created["secret"]) >= 32
    assert r.headers["Location"].endswith(f"/api/v1/webhooks/{created['id']}")
    own = client.post("/api/v1/webhooks", json={"url": "http://localhost:8080/in", "events": ["closed"],
                                                "secret": "a-secret-of-our-own-choosing"}, headers=h)
    assert own.status_code == 201 and own.get_json()["secret"] == "a-secret-of-our-own-choosing"

    listed = client.get("/api/v1/webhooks", headers=h).get_json()
    assert [s["id"] for s in listed["items"]] == [created["id"], own.get_json()["id"]]
    assert "secret" not in str(listed["items"]) and "warned" not in listed["event_types"]

    with app.app_context():
        builders.lodge(BARIA, now=T0)
    detail = client.get(f"/api/v1/webhooks/{created['id']}", headers=h).get_json()
    assert [(d["event_type"], d["status"], d["attempts"]) for d in detail["deliveries"]] == [("lodged", "queued", 0)]
    assert "secret" not in detail

    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=h).status_code == 204
    assert client.get(f"/api/v1/webhooks/{created['id']}", headers=h).status_code == 404
    assert client.delete("/api/v1/webhooks/abc", headers=h).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"url": "http://mis.example.org/x", "events": ["lodged"]}, "url"),
    ({"url": URL, "events": ["warned"]}, "events"),
    ({"url": URL, "events": []}, "events"),
    ({"url": URL, "events": "lodged"}, "events"),
    ({"url": URL, "events": ["lodged"], "secret": "short"}, "secret"),
    ({"url": URL, "events": ["lodged"], "colour": "blue"}, "colour"),
    ({"events": ["lodged"]}, "url"),
    ({"url": 7, "events": ["lodged"]}, "url"),
    ({"url": URL, "events": [1, None]}, "events"),
])
def test_the_api_refuses_a_bad_subscription_naming_the_field(client, auth, body, field):
    r = client.post("/api/v1/webhooks", json=body, headers=auth("admin"))
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"]


@pytest.mark.parametrize("who", ["officer_baria", "supervisor", "analyst", "operator"])
def test_only_admins_may_use_the_webhooks_api(client, auth, who):
    h = auth(who)
    assert client.get("/api/v1/webhooks", headers=h).status_code == 403
    assert client.post("/api/v1/webhooks", json={"url": URL, "events": ["lodged"]}, headers=h).status_code == 403
    assert client.delete("/api/v1/webhooks/1", headers=h).status_code == 403


def test_the_webhooks_api_needs_a_token(client, world):
    assert client.get("/api/v1/webhooks").status_code == 401
