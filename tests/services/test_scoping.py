"""Who sees which grievances: area subtrees, past offices, sensitive permission, the triage queue."""
from datetime import timedelta

import pytest

import builders
from builders import BARIA, BARMI, BASAN, GAZIPUR, T0
from grs import permissions, queries
from grs.extensions import db
from grs.services.accounts import create_user

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

SAVAR_UNION = "BD-UN-3271"  # Dhaka district: outside Gazipur


@pytest.fixture
def cases(ctx, world):
    """One grievance per place that matters, by name → tracking code."""
    made = {
        "baria": builders.lodge(BARIA),
        "basan": builders.lodge(BASAN),
        "barmi": builders.lodge(BARMI),
        "savar": builders.lodge(SAVAR_UNION),
        "sensitive": builders.lodge(BARIA, category="sea_gbv"),
        "triage": builders.lodge(None),
    }
    return {k: g.tracking_code for k, g in made.items()}


def actions_for(user, g):
    return permissions.actions_for(user, g, visible=queries.can_view(user, g))


def seen(world, who, cases):
    user = world.user(who) if isinstance(who, str) else who
    codes = {g.tracking_code for g in db.session.scalars(queries.visible_query(user))}
    names = {name for name, code in cases.items() if code in codes}
    # can_view must agree with the list, row by row.
    for name, code in cases.items():
        from builders import find
        assert queries.can_view(user, find(code)) == (name in names), (who, name)
    return names


@pytest.mark.parametrize("who,expected", [
    ("officer_baria", {"baria"}),
    ("officer_basan", {"basan"}),
    ("officer_sadar", {"baria", "basan"}),  # the unions below the upazila
    ("officer_sreepur", {"barmi"}),
    ("supervisor_sadar", {"baria", "basan"}),
    ("facilitator", {"baria", "basan"}),
    ("officer_gazipur", {"baria", "basan", "barmi", "sensitive"}),
    ("officer_gazipur_plain", {"baria", "basan", "barmi"}),
    ("supervisor", {"baria", "basan", "barmi", "sensitive"}),
    ("analyst", {"baria", "basan", "barmi", "savar", "triage"}),  # national, no sensitive permission
    ("operator", {"baria", "basan", "barmi", "savar", "triage"}),
    ("officer_national", {"baria", "basan", "barmi", "savar", "sensitive"}),
    ("admin", {"baria", "basan", "barmi", "savar", "sensitive", "triage"}),
])
def test_visible_per_role_and_area(world, cases, who, expected):
    assert seen(world, who, cases) == expected


def test_a_district_operator_sees_its_district_but_not_the_countrys_triage_queue(world, cases):
    # Issue 11, finding 9: a complaint of no known area waits for the country's accounts, not every operator.
    op = builders.run(create_user, "op.gazipur@test.grs", builders.PASSWORD, "operator", area_code=GAZIPUR)
    assert seen(world, op, cases) == {"baria", "basan", "barmi"}


def test_a_district_analyst_sees_only_its_district(world, cases):
    an = builders.run(create_user, "an.gazipur@test.grs", builders.PASSWORD, "analyst", area_code=GAZIPUR)
    assert seen(world, an, cases) == {"baria", "basan", "barmi"}


def test_past_offices_keep_visibility_after_escalation(world, cases):
    code = cases["baria"]
    builders.act(world, "supervisor", code, "escalate", note="slow", now=T0 + timedelta(days=1))
    builders.act(world, "supervisor", code, "escalate", note="slower", now=T0 + timedelta(days=2))
    assert "baria" in seen(world, "officer_baria", cases)
    assert "baria" in seen(world, "officer_sadar", cases)
    # Readable, not actionable, for the offices it has left.
    from builders import find
    g = find(code)
    assert g.level == "district"
    assert actions_for(world.user("officer_baria"), g) == []
    assert actions_for(world.user("officer_sadar"), g) == []
    assert "acknowledge" in actions_for(world.user("officer_gazipur"), g)
    # A neighbouring union never had it.
    assert "baria" not in seen(world, "officer_basan", cases)


def test_transfer_to_a_neighbour_keeps_the_origin_seeing_it(world, cases):
    builders.act(world, "officer_baria", cases["baria"], "transfer", office="OFF-BD-UN-2870", note="lives in Basan")
    assert seen(world, "officer_baria", cases) == {"baria"}
    assert seen(world, "officer_basan", cases) == {"baria", "basan"}


def test_sensitive_cases_need_the_permission_even_at_the_right_office(world, cases):
    from builders import find
    g = find(cases["sensitive"])
    assert g.office.code == "OFF-BD-DIS-41"
    assert actions_for(world.user("officer_gazipur_plain"), g) == []
    assert "acknowledge" in actions_for(world.user("officer_gazipur"), g)
    # The union officer whose office may be implicated never sees it.
    assert "sensitive" not in seen(world, "officer_baria", cases)


def test_triage_is_actionable_by_operators_only(world, cases):
    from builders import find
    g = find(cases["triage"])
    assert actions_for(world.user("operator"), g) == ["place"]
    assert actions_for(world.user("admin"), g) == ["place", "reject"]
    assert actions_for(world.user("analyst"), g) == []
    assert actions_for(world.user("officer_baria"), g) == []
