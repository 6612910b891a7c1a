"""The operator console's and the admin pages' work through the API: caller look-up, call logs, time
limits, days off, pausing a webhook subscription."""
from __future__ import annotations

import builders
import pytest
from builders import BARIA, BARMI, GAZIPUR

from grs.extensions import db
from grs.models import Grievance


# ---------------------------------------------------------------- console


def test_lookup_finds_the_callers_grievances_the_caller_may_see(app, client, auth, world):
    mine = builders.lodge_in(app, BARIA, phone="01712345678")
    builders.lodge_in(app, BARMI, phone="01812345678")
    r = client.post("/api/v1/callers/lookup", json={"phone": "+8801712345678"}, headers=auth("operator"))
    assert r.status_code == 200
    body = r.get_json()
    assert body["phone"] == "+8801712345678"
    assert [g["tracking_code"] for g in body["items"]] == [mine]
    assert body["items"][0]["complainant"]["phone"] == "+8801712345678"
    bad = client.post("/api/v1/callers/lookup", json={"phone": "12"}, headers=auth("operator"))
    assert bad.status_code == 422 and "phone" in bad.get_json()["error"]["fields"]
    assert client.post("/api/v1/callers/lookup", json={"phone": "01712345678"},
                       headers=auth("officer_baria")).status_code == 403


def test_a_call_is_opened_listed_and_closed_with_its_grievance(app, client, auth, world):
    headers = auth("operator")
    r = client.post("/api/v1/calls", json={"phone": "01712345678"}, headers=headers)
    assert r.status_code == 201
    call = r.get_json()
    assert call["phone"] == "+8801712345678" and call["ended_at"] is None
    assert r.headers["Location"].endswith(f"/api/v1/calls/{call['id']}")
    assert [c["id"] for c in client.get("/api/v1/calls", headers=headers).get_json()["items"]] == [call["id"]]
    code = builders.lodge_in(app, BARIA)
    r = client.post(f"/api/v1/calls/{call['id']}/end", json={"outcome": "lodged"}, headers=headers)
    assert r.status_code == 422 and "grievance" in r.get_json()["error"]["fields"]
    r = client.post(f"/api/v1/calls/{call['id']}/end", json={"outcome": "lodged", "grievance": code,
                                                             "notes": "Read the code back."}, headers=headers)
    assert r.status_code == 200
    ended = r.get_json()
    assert ended["outcome"] == "lodged" and ended["grievance"] == code and ended["ended_at"]
    again = client.post(f"/api/v1/calls/{call['id']}/end", json={"outcome": "dropped"}, headers=headers)
    assert again.status_code == 409
    assert client.get(f"/api/v1/calls/{call['id']}", headers=headers).get_json() == ended


def test_another_operators_call_is_not_found_but_an_admin_sees_it(client, auth, world):
    call = client.post("/api/v1/calls", json={}, headers=auth("operator")).get_json()
    assert call["phone"] is None
    assert client.get(f"/api/v1/calls/{call['id']}", headers=auth("admin")).status_code == 200
    with client.application.app_context():
        from grs.services.accounts import create_user
        from grs.uow import unit_of_work
        with unit_of_work() as uow:
            create_user(uow, "operator2@test.grs", builders.PASSWORD, "operator", area_code="BD")
        token = builders.World({"other": "operator2@test.grs"}).token("other")
    other = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/calls/{call['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/calls/nine", headers=other).status_code == 404


# ---------------------------------------------------------------- admin


def test_time_limits_are_listed_saved_and_move_open_deadlines(app, client, auth, world):
    code = builders.lodge_in(app, BARIA)
    headers = auth("admin")
    policies = client.get("/api/v1/policies", headers=headers).get_json()["items"]
    union = next(p for p in policies if p["tier"] == "union" and p["kind"] == "grievance" and p["category"] is None)
    with app.app_context():
        before = db.session.query(Grievance).filter_by(tracking_code=code).one().due_at
    body = {"tier": "union", "ack_days": union["ack_days"], "resolve_days": union["resolve_days"] + 5,
            "extension_days": union["extension_days"]}
    r = client.post("/api/v1/policies", json=body, headers=headers)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["changed"] >= 1 and r.get_json()["policy"]["resolve_days"] == union["resolve_days"] + 5
    with app.app_context():
        assert db.session.query(Grievance).filter_by(tracking_code=code).one().due_at > before
    r = client.post("/api/v1/policies", json={**body, "category": "payment"}, headers=headers)
    added = r.get_json()["policy"]
    assert added["category"] == "payment"
    assert client.delete(f"/api/v1/policies/{added['id']}", headers=headers).status_code == 200
    assert client.delete(f"/api/v1/policies/{union['id']}", headers=headers).status_code == 422  # a tier default
    assert client.delete("/api/v1/policies/999999", headers=headers).status_code == 404


@pytest.mark.parametrize("changes, field", [
    ({"tier": "galaxy"}, "tier"),
    ({"ack_days": -1}, "ack_days"),
    ({"resolve_days": 0}, "resolve_days"),
    ({"resolve_days": "7"}, "resolve_days"),
    ({"extension_days": True}, "extension_days"),
    ({"category": "nope"}, "category"),
])
def test_bad_time_limits_are_422_naming_the_field(client, auth, world, changes, field):
    body = {"tier": "union", "ack_days": 2, "resolve_days": 7, "extension_days": 10, **changes}
    r = client.post("/api/v1/policies", json=body, headers=auth("admin"))
    assert r.status_code == 422
    assert field in r.get_json()["error"]["fields"]


def test_days_off_are_added_listed_and_removed(client, auth, world):
    headers = auth("admin")
    r = client.post("/api/v1/holidays", json={"day": "2026-12-03", "name": "Flood day", "area": GAZIPUR},
                    headers=headers)
    assert r.status_code == 201, r.get_json()
    day = r.get_json()["holiday"]
    assert (day["day"], day["area"]) == ("2026-12-03", GAZIPUR)
    listing = client.get("/api/v1/holidays?year=2026", headers=headers).get_json()
    assert listing["year"] == 2026 and "2026-12-16" in listing["public"]  # Victory Day
    assert day in listing["items"]
    twice = client.post("/api/v1/holidays", json={"day": "2026-12-03", "name": "Again", "area": GAZIPUR},
                        headers=headers)
    assert twice.status_code == 422 and "day" in twice.get_json()["error"]["fields"]
    bad = client.post("/api/v1/holidays", json={"day": "3 December", "name": "X"}, headers=headers)
    assert bad.status_code == 422 and "day" in bad.get_json()["error"]["fields"]
    assert client.delete(f"/api/v1/holidays/{day['id']}", headers=headers).status_code == 200
    assert client.delete(f"/api/v1/holidays/{day['id']}", headers=headers).status_code == 404


@pytest.mark.parametrize("call", [("get", "/api/v1/policies"), ("get", "/api/v1/holidays"),
                                  ("post", "/api/v1/holidays"), ("delete", "/api/v1/policies/1")])
def test_only_admins_change_limits_and_days_off(client, auth, world, call):
    method, path = call
    r = getattr(client, method)(path, json={"day": "2026-12-03", "name": "X"}, headers=auth("supervisor"))
    assert r.status_code == 403


def test_a_webhook_subscription_is_paused_and_resumed(client, auth, world):
    headers = auth("admin")
    sub = client.post("/api/v1/webhooks", json={"url": "https://mis.example.org/h", "events": ["lodged"]},
                      headers=headers).get_json()
    r = client.patch(f"/api/v1/webhooks/{sub['id']}", json={"active": False}, headers=headers)
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert client.get(f"/api/v1/webhooks/{sub['id']}", headers=headers).get_json()["active"] is False
    assert client.patch(f"/api/v1/webhooks/{sub['id']}", json={"active": "no"}, headers=headers).status_code == 422
    assert client.patch("/api/v1/webhooks/999999", json={"active": True}, headers=headers).status_code == 404
    assert client.patch(f"/api/v1/webhooks/{sub['id']}", json={"active": True},
                        headers=auth("officer_baria")).status_code == 403
