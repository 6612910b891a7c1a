"""A programme system lodging a paper form through the API gives the day it was received (issue 12, item 5)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from builders import BARIA

import builders
from grs.timeutil import utcnow

pytestmark = pytest.mark.both_backends

BODY = {"channel": "paper", "programme": "OAA", "category": "payment", "area": BARIA,
        "description": "A complaint-box slip, typed in by the MIS."}


def test_a_paper_form_lodged_through_the_api_is_clocked_from_the_day_received(app, client, auth, world):
    day = (utcnow() - timedelta(days=12)).date()
    r = client.post("/api/v1/grievances", json={**BODY, "received_on": day.isoformat()},
                    headers=auth("officer_baria"))
    assert r.status_code == 201, r.get_json()
    start_of_day = datetime.combine(day, datetime.min.time()).replace(tzinfo=timezone.utc) - timedelta(hours=6)
    assert datetime.fromisoformat(r.get_json()["received_at"]) == start_of_day  # Dhaka is UTC+6
    with app.app_context():
        assert builders.find(r.get_json()["tracking_code"]).clock_started_at == start_of_day


@pytest.mark.parametrize("days, who, field_text", [(-3, "officer_baria", "future"),
                                                     (70, "officer_baria", "supervisor")])
def test_a_date_received_the_api_cannot_take_is_a_422_on_received_on(client, auth, world, days, who, field_text):
    day = (utcnow() - timedelta(days=days)).date()
    r = client.post("/api/v1/grievances", json={**BODY, "received_on": day.isoformat()}, headers=auth(who))
    assert r.status_code == 422, r.get_json()
    assert field_text in r.get_json()["error"]["fields"]["received_on"]


def test_a_date_that_is_not_a_date_is_a_400_naming_the_field(client, auth, world):
    r = client.post("/api/v1/grievances", json={**BODY, "received_on": "yesterday"}, headers=auth("officer_baria"))
    assert r.status_code in (400, 422) and "received_on" in r.get_json()["error"]["fields"]
