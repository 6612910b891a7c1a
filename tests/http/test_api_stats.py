"""GET /api/v1/stats: the statistics service's figures, scoped to the caller, errors naming the field."""
from __future__ import annotations

import builders
import pytest
from builders import BARIA, BARMI, GAZIPUR, SADAR, T0


def get(client, headers, **params):
    return client.get("/api/v1/stats", query_string=params, headers=headers)


def test_figures_by_level_with_the_share_at_each_tier(app, client, auth, world):
    a = builders.lodge_in(app, BARIA)
    b = builders.lodge_in(app, BARIA)
    builders.lodge_in(app, BARMI)
    builders.act_in(app, world, "officer_baria", a, "resolve", decision="upheld", resolution="Paid.")
    builders.act_in(app, world, "officer_baria", b, "reject", reason_code="unrelated", note="Road.")
    r = get(client, auth("admin"), group_by="level", area=GAZIPUR)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    t = body["total"]
    assert (t["received"], t["resolved"], t["rejected"], t["pending"]) == (3, 1, 1, 1)
    assert t["rejected_by_reason"]["unrelated"] == 1
    assert body["shares"]["resolved_at"] == {"union": 0.5} and body["shares"]["rejected_unrelated"] == 0.5


def test_a_caller_sees_only_its_subtree(app, client, auth, world):
    builders.lodge_in(app, BARIA)
    builders.lodge_in(app, BARMI)  # Sreepur: outside Gazipur Sadar
    r = get(client, auth("supervisor_sadar"))
    assert r.status_code == 200 and r.get_json()["area"] == SADAR
    assert r.get_json()["total"]["received"] == 1
    r = get(client, auth("supervisor_sadar"), area=GAZIPUR)
    assert r.status_code == 403


@pytest.mark.parametrize("params, field", [
    ({"group_by": "weekday"}, "group_by"), ({"from": "2026-13-01"}, "from"), ({"to": "yesterday"}, "to"),
    ({"from": "2026-03-02", "to": "2026-03-01"}, "from"), ({"channel": "pigeon"}, "channel"),
    ({"programme": "NOPE"}, "programme"), ({"area": "NOPE"}, "area"), ({"colour": "red"}, "colour"),
    ({"disability": "maybe"}, "disability"),
])
def test_bad_parameters_are_422_naming_them(client, auth, world, params, field):
    r = get(client, auth("admin"), **params)
    assert r.status_code == 422
    assert field in r.get_json()["error"]["fields"]


def test_needs_a_token(client, world):
    assert client.get("/api/v1/stats").status_code == 401
