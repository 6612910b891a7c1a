"""The accountability API: forums, scorecard cycles, social audits and hearings as whole records, the
grievances lodged from them (linked both ways, once however often asked), checks that name each bad field,
and scope (another union's officer gets 404; a role without the right 403)."""
from __future__ import annotations

import pytest

from builders import BARIA, BASAN, find, run
from social_audit import services as sa_svc
from social_audit.services import ForumIn, MemberIn


@pytest.fixture
def forum_id(app, world):
    with app.app_context():
        return run(sa_svc.create_forum, ForumIn(
            name="Baria Union SP Forum", tier="union", ngo="Uttaran", area=BARIA,
            members=(MemberIn("Facilitator", role="facilitator", user_email=world.email("facilitator")),)),
            user=world.user("admin")).id


SCORECARD = {
    "area": BARIA, "programme": "OAA", "title": "OAA scorecard", "held_on": "2026-11-20",
    "service_point": "Baria UP", "interface_meeting": {"attendees": "UP chairman", "women": 10, "men": 8, "total": 18},
    "groups": [{"name": "Elderly women", "kind": "elderly", "women": 12, "with_disability": 2},
               {"name": "Men", "kind": "men", "men": 9}],
    "inputs": [{"item": "Allowance per month", "entitlement": "600 taka", "actual": "500 taka"}],
    "indicators": ["paid_in_full", "Staff are present on payment day"],
    "scores": [{"indicator": 0, "group": 0, "score": 2, "reason": "Agent keeps 100 taka"},
               {"indicator": 0, "group": 1, "score": 4}, {"indicator": 0, "group": None, "score": 5}],
    "action_plan": [{"title": "Stop deductions", "action": "Mobile money", "responsible": "UNO",
                     "due_on": "2026-12-20"}],
}


def test_a_scorecard_cycle_as_one_record(client, auth, forum_id):
    r = client.post("/api/v1/scorecards", json={**SCORECARD, "forum_id": forum_id}, headers=auth("facilitator"))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert r.headers["Location"].endswith(f"/api/v1/scorecards/{body['id']}")
    first = body["indicators"][0]
    assert first["library_code"] == "paid_in_full" and first["community_mean"] == 3.0 and first["provider"] == 5
    assert body["items"][0]["kind"] == "action" and body["items"][0]["due_on"] == "2026-12-20"
    got = client.get(f"/api/v1/scorecards/{body['id']}", headers=auth("supervisor_sadar"))
    assert got.status_code == 200 and got.get_json()["groups"][0]["women"] == 12
    listed = client.get("/api/v1/scorecards?area=BD-UPZ-320", headers=auth("analyst")).get_json()["items"]
    assert [i["id"] for i in listed] == [body["id"]]
    # The same record is no audit.
    assert client.get(f"/api/v1/audits/{body['id']}", headers=auth("analyst")).status_code == 404


def test_bad_bodies_name_each_field_and_store_nothing(client, auth, forum_id):
    bad = {**SCORECARD, "forum_id": forum_id, "held_on": "2026-13-01",
           "scores": [{"indicator": 0, "group": 0, "score": 11}], "groups": [{"name": ""}]}
    r = client.post("/api/v1/scorecards", json=bad, headers=auth("facilitator"))
    assert r.status_code == 422
    fields = r.get_json()["error"]["fields"]
    assert {"held_on", "scores[0].score", "groups[0].name"} <= set(fields)
    # The service's rules: attendance that does not add up, a score off the 1–5 scale.
    r = client.post("/api/v1/scorecards", json={**SCORECARD, "forum_id": forum_id,
                                                "interface_meeting": {"women": 1, "men": 1, "total": 5},
                                                "scores": [{"indicator": 0, "group": 0, "score": 0}]},
                    headers=auth("facilitator"))
    assert r.status_code == 422 and "total" in r.get_json()["error"]["fields"]
    assert client.get("/api/v1/scorecards", headers=auth("facilitator")).get_json()["items"] == []
    assert client.post("/api/v1/scorecards", data="nope", headers={**auth("facilitator"),
                                                                  "Content-Type": "application/json"}).status_code == 400


def test_a_finding_lodged_through_the_api_once(client, auth, forum_id, app):
    audit = {"forum_id": forum_id, "area": BARIA, "programme": "OAA", "title": "Audit", "held_on": "2026-11-20",
             "period_from": "2025-07-01", "period_to": "2025-12-31",
             "verification": {"checked": 50, "found": 45, "not_found": 5},
             "team": [{"name": "Outsider", "resident_area": BASAN}, {"name": "Insider", "resident_area": BARIA}],
             "findings": [{"title": "100 taka deducted", "finding_type": "unauthorised_deduction", "amount": 5000}]}
    r = client.post("/api/v1/audits", json=audit, headers=auth("facilitator"))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert [m["resident_in_audited_area"] for m in body["team"]] == [False, True]
    item = body["items"][0]["id"]
    first = client.post(f"/api/v1/audits/{body['id']}/grievances", json={"item_id": item, "category": "payment"},
                        headers=auth("facilitator"))
    again = client.post(f"/api/v1/audits/{body['id']}/grievances", json={"item_id": item, "category": "payment"},
                        headers=auth("facilitator"))
    assert first.status_code == 201 and again.status_code == 200
    code = first.get_json()["tracking_code"]
    assert again.get_json()["tracking_code"] == code and first.get_json()["channel"] == "audit"
    with app.app_context():
        assert find(code).source_ref == f"sa-item:{item}"
    shown = client.get(f"/api/v1/audits/{body['id']}", headers=auth("facilitator")).get_json()
    assert shown["items"][0]["grievance"]["tracking_code"] == code


def test_hearings_and_scope(client, auth, forum_id):
    hearing = {"forum_id": forum_id, "area": BARIA, "title": "Hearing", "held_on": "2026-11-20", "panel": "UNO",
               "attendance": {"women": 30, "men": 20, "total": 50}, "issues": [{"title": "Bribe asked"}],
               "commitments": [{"title": "Review the list", "responsible": "UNO", "due_on": "2026-11-25"}]}
    r = client.post("/api/v1/hearings", json=hearing, headers=auth("facilitator"))
    assert r.status_code == 201, r.get_json()
    hid = r.get_json()["id"]
    assert r.get_json()["items"][1]["overdue"] is True  # due 25 Nov, today 29 Nov
    assert client.get(f"/api/v1/hearings/{hid}", headers=auth("officer_basan")).status_code == 404
    assert client.get("/api/v1/hearings", headers=auth("operator")).status_code == 403
    # An officer reads but does not record; an admin sets up forums, a facilitator does not.
    assert client.post("/api/v1/hearings", json=hearing, headers=auth("officer_baria")).status_code == 403
    forum = {"name": "Basan forum", "tier": "union", "ngo": "NGO", "area": BASAN}
    assert client.post("/api/v1/forums", json=forum, headers=auth("facilitator")).status_code == 403
    made = client.post("/api/v1/forums", json=forum, headers=auth("admin"))
    assert made.status_code == 201 and made.get_json()["area"] == BASAN
    assert {f["name"] for f in client.get("/api/v1/forums", headers=auth("analyst")).get_json()["items"]} == {
        "Baria Union SP Forum", "Basan forum"}
