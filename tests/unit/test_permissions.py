"""Who may do what, tested as a table: role × capability, role × action, and how far each reaches."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from grs import lifecycle, permissions
from grs.models import ROLES, STATUSES
from grs.permissions import Capability as C

ALL_ACTIONS = {"place", "acknowledge", "start", "request_info", "resume", "extend", "resolve", "reject",
               "transfer", "escalate", "appeal", "feedback", "close", "add_info", "reclassify"}

# The capabilities each role holds (the sensitive flag set, accounts at district level unless "national"),
# written out from the domain's roles rather than from the code.
HOLDS = {
    # Officers read the forums' findings and commitments about their area (ACCOUNTABILITY_VIEW).
    "officer": {C.VIEW_CASES, C.SEE_SENSITIVE, C.SEE_PERSONAL_DATA, C.LODGE, C.IMPORT, C.ACCOUNTABILITY_VIEW},
    # Supervisors read the outbox of their area's cases (what each citizen was told, what failed).
    "supervisor": {C.VIEW_CASES, C.SEE_SENSITIVE, C.SEE_PERSONAL_DATA, C.LODGE, C.DASHBOARD, C.ACCOUNTABILITY_VIEW,
                   C.READ_MESSAGES},
    "admin": set(C),
    "operator": {C.VIEW_CASES, C.SEE_SENSITIVE, C.SEE_PERSONAL_DATA, C.LODGE, C.SEE_TRIAGE, C.OPERATOR_CONSOLE,
                 C.IMPORT},
    "facilitator": {C.VIEW_CASES, C.SEE_SENSITIVE, C.LODGE, C.ACCOUNTABILITY, C.ACCOUNTABILITY_VIEW},
    "analyst": {C.VIEW_CASES, C.SEE_SENSITIVE, C.DASHBOARD, C.ACCOUNTABILITY_VIEW},
}
# What only national accounts of the role hold besides.
NATIONAL_ONLY = {"supervisor": {C.SEE_TRIAGE}, "analyst": {C.SEE_TRIAGE}}

COUNTRY, DISTRICT, UPAZILA = "/BD/", "/BD/DIS-41/", "/BD/DIS-41/UPZ-1/"


def office(oid: int, path: str):
    return SimpleNamespace(id=oid, area=SimpleNamespace(path=path))


def user(role: str, path: str = DISTRICT, *, office_=None, sensitive=True, uid=1):
    return SimpleNamespace(id=uid, role=role, area=SimpleNamespace(path=path), office=office_,
                           office_id=office_.id if office_ else None, can_see_sensitive=sensitive)


def grievance(status: str = "in_progress", at=None, *, due_at=None, feedback_due_at=None, review_flagged_at=None):
    return SimpleNamespace(status=status, office=at, office_id=at.id if at else None, due_at=due_at, paused_at=None,
                           feedback_due_at=feedback_due_at, review_flagged_at=review_flagged_at)


def test_every_role_has_a_row():
    assert set(permissions.GRANTS) == set(ROLES) == set(HOLDS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("capability", list(C))
def test_capabilities_per_role(role, capability):
    assert permissions.can(user(role), capability) == (capability in HOLDS[role])
    national = HOLDS[role] | NATIONAL_ONLY.get(role, set())
    assert permissions.can(user(role, COUNTRY), capability) == (capability in national)


@pytest.mark.parametrize("role", ROLES)
def test_sensitive_cases_need_the_accounts_own_flag(role):
    assert not permissions.can(user(role, sensitive=False), C.SEE_SENSITIVE)


def test_personal_data_only_for_roles_that_handle_cases():
    assert {r for r in ROLES if permissions.sees_personal_data(user(r))} == {"officer", "supervisor", "operator",
                                                                             "admin"}


def test_a_misspelt_capability_is_an_error_not_a_refusal():
    with pytest.raises(ValueError):
        permissions.can(user("admin"), "see_dashbord")
    assert permissions.can(user("admin"), "dashboard")  # plain strings work (templates pass them)


def test_call_logs_are_their_operators_unless_the_account_sees_all_calls():
    assert permissions.may_see_call(user("operator", uid=7), 7)
    assert not permissions.may_see_call(user("operator", uid=7), 8)
    assert permissions.may_see_call(user("admin", uid=7), 8)


def test_landing_page():
    assert permissions.landing_endpoint(user("operator")) == "operator.console"
    assert permissions.landing_endpoint(user("admin")) == "cases.inbox"


HERE, NEXT_DOOR, ABOVE = office(1, UPAZILA), office(2, "/BD/DIS-41/UPZ-2/"), office(3, DISTRICT)


@pytest.mark.parametrize("who,at,expected", [
    # An officer acts at their own office only, even on cases they can still see.
    (user("officer", office_=HERE), HERE, ["request_info", "extend", "resolve", "reject", "transfer", "escalate",
                                           "reclassify"]),
    (user("officer", office_=HERE), NEXT_DOOR, []),
    (user("officer", office_=ABOVE), HERE, []),
    # A supervisor or admin acts on cases at any office of their area subtree.
    (user("supervisor", DISTRICT), HERE, ["request_info", "extend", "resolve", "reject", "transfer", "escalate",
                                          "reclassify"]),
    (user("supervisor", UPAZILA), NEXT_DOOR, []),
    (user("admin", UPAZILA), ABOVE, []),
    # An operator records a caller's word on anything visible, wherever it is now.
    (user("operator", UPAZILA), ABOVE, []),
    (user("analyst", COUNTRY), HERE, []),
    (user("facilitator", DISTRICT), HERE, []),
], ids=lambda v: getattr(v, "role", None))
def test_actions_reach_as_far_as_the_scope(who, at, expected):
    assert permissions.actions_for(who, grievance("in_progress", at), visible=True) == expected


def test_operators_act_on_what_they_see_wherever_it_moved():
    assert permissions.actions_for(user("operator", UPAZILA), grievance("resolved", ABOVE), visible=True) == [
        "appeal", "feedback"]


def test_triage_is_worked_by_whoever_may_see_it():
    for role, expected in (("operator", ["place"]), ("admin", ["place", "reject"]),
                           ("supervisor", ["place", "reject"]), ("analyst", [])):
        assert permissions.actions_for(user(role, COUNTRY), grievance("received"), visible=True) == expected


def test_nothing_to_do_on_what_one_cannot_see():
    for role in ROLES:
        assert permissions.actions_for(user(role, office_=HERE), grievance("received", HERE), visible=False) == []


def test_the_lifecycle_part_of_the_table():
    assert set(permissions.STAFF_ACTIONS) == set(ROLES)
    for role, actions in permissions.STAFF_ACTIONS.items():
        assert actions <= set(lifecycle.ACTIONS), role


# Who may take what (scope is checked elsewhere), written out from the domain's roles.
ROLE_ACTIONS = {
    None: {"appeal", "feedback", "add_info"},  # the citizen (add_info: the answer to an information request)
    "officer": {"acknowledge", "start", "request_info", "resume", "extend", "resolve", "reject", "transfer",
                "escalate", "close", "reclassify"},
    "supervisor": ALL_ACTIONS - {"feedback"},
    "admin": ALL_ACTIONS,
    "operator": {"place", "appeal", "feedback", "add_info"},  # add_info: on the caller's behalf
    "facilitator": set(),
    "analyst": set(),
}


@pytest.mark.parametrize("role", list(ROLE_ACTIONS), ids=lambda r: r or "citizen")
@pytest.mark.parametrize("status", STATUSES)
def test_allowed_actions_per_role_outside_triage(role, status):
    expected = [a for a in lifecycle.ACTIONS
                if a in ROLE_ACTIONS[role] and status in lifecycle.TRANSITIONS[a].sources and a != "place"]
    assert permissions.allowed_actions(status, role) == expected


@pytest.mark.parametrize("role,expected", [
    (None, []), ("operator", ["place"]), ("admin", ["place", "reject"]), ("supervisor", ["place", "reject"]),
    ("officer", ["reject"]), ("analyst", []), ("facilitator", []),
], ids=lambda v: v if isinstance(v, str) else None)
def test_triage_only_place_or_reject(role, expected):
    assert permissions.allowed_actions("received", role, in_triage=True) == expected
    # Nothing but place/reject is ever offered for a grievance without an office.
    for status in STATUSES:
        assert set(permissions.allowed_actions(status, role, in_triage=True)) <= {"place", "reject"}
    assert permissions.allowed_actions("closed", role, in_triage=True) == []


def test_examples_a_user_would_see():
    assert permissions.allowed_actions("resolved", None) == ["appeal", "feedback"]
    assert permissions.allowed_actions("rejected", None) == ["appeal", "feedback"]
    assert permissions.allowed_actions("received", None) == ["appeal"]  # once overdue (actions_for checks the clock)
    assert permissions.allowed_actions("closed", None) == []
    assert permissions.allowed_actions("in_progress", "officer") == [
        "request_info", "extend", "resolve", "reject", "transfer", "escalate", "reclassify"]
    assert permissions.allowed_actions("awaiting_info", "officer") == ["resume", "transfer", "escalate", "reclassify"]
    assert permissions.allowed_actions("resolved", "officer") == ["close"]
    assert permissions.allowed_actions("unknown-status", "admin") == []
    assert permissions.allowed_actions("received", "no-such-role") == []


NOW = datetime(2026, 11, 29, 5, 0, tzinfo=timezone.utc)


def test_an_undecided_grievance_is_appealable_only_once_its_deadline_passed():
    operator = user("operator", UPAZILA)
    assert permissions.actions_for(operator, grievance("in_progress", HERE, due_at=NOW + timedelta(hours=1)),
                                   visible=True, now=NOW) == []
    assert permissions.actions_for(operator, grievance("in_progress", HERE, due_at=NOW - timedelta(hours=1)),
                                   visible=True, now=NOW) == ["appeal"]


def test_close_waits_for_the_answer_window_except_for_an_admin():
    officer = user("officer", office_=HERE)
    waiting = grievance("resolved", HERE, feedback_due_at=NOW + timedelta(days=3))
    assert permissions.actions_for(officer, waiting, visible=True, now=NOW) == []
    assert "close" in permissions.actions_for(user("admin", DISTRICT), waiting, visible=True, now=NOW)
    over = grievance("resolved", HERE, feedback_due_at=NOW - timedelta(days=1))
    assert permissions.actions_for(officer, over, visible=True, now=NOW) == ["close"]
    # On the national review list only an admin closes it.
    flagged = grievance("resolved", HERE, review_flagged_at=NOW)
    assert permissions.actions_for(officer, flagged, visible=True, now=NOW) == []
