"""Lifecycle actions through POST /api/v1/grievances/<code>/actions: transitions, rights, scope, errors."""
from __future__ import annotations

import builders
import pytest
from builders import BARIA

from grs.timeutil import utcnow

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)



@pytest.fixture
def code(app, world):
    """A fresh grievance at the Baria union office (lodged by a citizen on the web)."""
    with app.app_context():
        return builders.lodge(BARIA, now=utcnow()).tracking_code


def act(client, headers, code, **body):
    return client.post(f"/api/v1/grievances/{code}/actions", json=body, headers=headers)


def test_full_lifecycle_through_the_api(client, auth, code):
    officer = auth("officer_baria")
    steps = [
        ({"action": "acknowledge"}, "acknowledged"),
        ({"action": "start", "note": "Checking the payment sheet."}, "in_progress"),
        ({"action": "request_info", "note": "Which mobile wallet number do you use?"}, "awaiting_info"),
        ({"action": "resume", "note": "Number received by phone."}, "in_progress"),
        ({"action": "resolve", "decision": "upheld", "resolution": "The missed payment will be sent on 5 Dec."},
         "resolved"),
    ]
    for body, status in steps:
        r = act(client, officer, code, **body)
        assert r.status_code == 200, (body, r.get_json())
        assert r.get_json()["status"] == status
    resolved = r.get_json()
    assert resolved["decision"] == "upheld" and resolved["resolution"].startswith("The missed payment")
    assert resolved["allowed_actions"] == []  # no close while the complainant may still answer
    assert resolved["feedback_due_at"] is not None

    r = act(client, auth("operator"), code, action="feedback", satisfied=True, note="Caller is happy.")
    assert r.status_code == 200, r.get_json()
    closed = r.get_json()
    assert closed["status"] == "closed" and closed["satisfied"] is True and closed["closed_at"]

    got = client.get(f"/api/v1/grievances/{code}", headers=officer).get_json()
    assert [e["type"] for e in got["events"]] == [
        "lodged", "routed", "acknowledged", "started", "info_requested", "resumed", "resolved", "feedback",
        "closed"]
    asked = got["events"][4]
    assert asked["status_from"] == "in_progress" and asked["status_to"] == "awaiting_info"
    assert asked["note"] == "Which mobile wallet number do you use?"
    assert asked["actor"]["kind"] == "staff" and asked["actor"]["email"] == "officer_baria@test.grs"
    assert asked["office"]["code"] == "OFF-BD-UN-2869" and asked["level"] == "union"
    assert got["events"][0]["actor"]["kind"] == "citizen"
    assert got["allowed_actions"] == []

    again = act(client, officer, code, action="resolve", decision="upheld", resolution="Again.")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invalid_transition"


def test_wrong_state_is_409(client, auth, code):
    r = act(client, auth("officer_baria"), code, action="resume")
    assert r.status_code == 409
    assert r.get_json()["error"]["message"]


def test_analyst_cannot_act(client, auth, code):
    r = act(client, auth("analyst"), code, action="acknowledge")
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "forbidden"


def test_officer_next_door_is_403(client, auth, code):
    r = act(client, auth("officer_basan"), code, action="acknowledge")
    assert r.status_code == 403
    assert client.get(f"/api/v1/grievances/{code}", headers=auth("officer_baria")).get_json()["status"] == "received"


def test_unknown_code_is_404(client, auth, world):
    assert act(client, auth("officer_baria"), "123456789012", action="acknowledge").status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"action": "resolve", "resolution": "Paid."}, "decision"),
    ({"action": "resolve", "decision": "maybe", "resolution": "Paid."}, "decision"),
    ({"action": "resolve", "decision": "upheld"}, "resolution"),
    ({"action": "reject", "reason_code": "unrelated"}, "note"),
    ({"action": "reject", "note": "Not ours."}, "reason_code"),
    ({"action": "reject", "note": "Not ours.", "reason_code": "bored"}, "reason_code"),
    ({"action": "fly"}, "action"),
    ({}, "action"),
    ({"action": "acknowledge", "mood": "good"}, "mood"),
    ({"action": "feedback", "satisfied": "yes"}, "satisfied"),
    ({"action": "acknowledge", "note": 12}, "note"),
])
def test_missing_or_bad_fields_are_422_naming_them(client, auth, code, body, field):
    r = client.post(f"/api/v1/grievances/{code}/actions", json=body, headers=auth("officer_baria"))
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"]


def test_bad_json_is_400(client, auth, code):
    r = client.post(f"/api/v1/grievances/{code}/actions", data="action=acknowledge",
                    headers={**auth("officer_baria"), "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "bad_json"


def test_transfer_moves_scope(client, auth, code):
    r = act(client, auth("officer_baria"), code, action="transfer", office="OFF-BD-UN-2870",
            note="The complainant lives in Basan.")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["office"]["code"] == "OFF-BD-UN-2870"
    assert "acknowledge" in client.get(f"/api/v1/grievances/{code}",
                                       headers=auth("officer_basan")).get_json()["allowed_actions"]


def test_operator_places_a_triaged_grievance(app, client, auth, world):
    with app.app_context():
        triaged = builders.lodge(None).tracking_code
    r = act(client, auth("operator"), triaged, action="place", area=BARIA)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["office"]["code"] == "OFF-BD-UN-2869"
    assert r.get_json()["area"] == BARIA
