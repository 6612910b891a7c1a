"""The lifecycle, tested as a table: every status × every action, and who may take what."""
import pytest

from grs import lifecycle
from grs.errors import InvalidTransition
from grs.models import OPEN_STATUSES, STATUSES

SAME = "same"  # the action leaves the status as it is (the handler may still move it, e.g. feedback)

# The table as the issue and the contract describe it, written out independently of the code.
EXPECTED = {
    "place": {"received": "received"},
    "acknowledge": {"received": "acknowledged"},
    "start": {"received": "in_progress", "acknowledged": "in_progress"},
    "request_info": {"acknowledged": "awaiting_info", "in_progress": "awaiting_info"},
    "resume": {"awaiting_info": "in_progress"},
    "extend": {"acknowledged": SAME, "in_progress": SAME},
    "resolve": {s: "resolved" for s in ("received", "acknowledged", "in_progress")},
    "reject": {s: "rejected" for s in ("received", "acknowledged", "in_progress")},
    "transfer": {s: "received" for s in OPEN_STATUSES},
    "escalate": {s: "received" for s in OPEN_STATUSES},
    "appeal": {"resolved": "received", "rejected": "received"},
    "feedback": {"resolved": SAME},
    "close": {"resolved": "closed", "rejected": "closed"},
}
EVENTS = {"place": "placed", "acknowledge": "acknowledged", "start": "started", "request_info": "info_requested",
          "resume": "resumed", "extend": "extended", "resolve": "resolved", "reject": "rejected",
          "transfer": "transferred", "escalate": "escalated", "appeal": "appealed", "feedback": "feedback",
          "close": "closed"}

CONTRACT_ACTIONS = {"acknowledge", "start", "request_info", "resume", "extend", "resolve", "reject", "transfer",
                    "escalate", "close", "appeal", "feedback"}


def test_the_table_covers_the_contract_actions_and_statuses():
    assert CONTRACT_ACTIONS <= set(lifecycle.ACTIONS)
    assert set(lifecycle.ACTIONS) == set(EXPECTED)
    assert set(STATUSES) == {"received", "acknowledged", "in_progress", "awaiting_info", "resolved", "rejected",
                             "closed"}
    assert set(lifecycle.OPEN) == set(OPEN_STATUSES)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_transition_table(status, action):
    expected = EXPECTED[action].get(status)
    if expected is None:
        with pytest.raises(InvalidTransition) as err:
            lifecycle.transition(status, action)
        assert err.value.status == 409
        assert action.replace("_", " ") in err.value.message and status.replace("_", " ") in err.value.message
    else:
        t = lifecycle.transition(status, action)
        assert (t.target if t.target is not None else SAME) == expected
        assert t.event == EVENTS[action]


def test_closed_is_final():
    for action in lifecycle.ACTIONS:
        with pytest.raises(InvalidTransition):
            lifecycle.transition("closed", action)


def test_unknown_action_is_an_invalid_transition():
    with pytest.raises(InvalidTransition, match="unknown action"):
        lifecycle.transition("received", "delete")


# Who may take what (scope is checked elsewhere), written out from the domain's roles.
ROLE_ACTIONS = {
    None: {"appeal", "feedback"},  # the citizen
    "officer": {"acknowledge", "start", "request_info", "resume", "extend", "resolve", "reject", "transfer",
                "escalate", "close"},
    "supervisor": set(EXPECTED) - {"feedback"},
    "admin": set(EXPECTED),
    "operator": {"place", "appeal", "feedback"},
    "facilitator": set(),
    "analyst": set(),
}


@pytest.mark.parametrize("role", list(ROLE_ACTIONS), ids=lambda r: r or "citizen")
@pytest.mark.parametrize("status", STATUSES)
def test_allowed_actions_per_role_outside_triage(role, status):
    expected = [a for a in lifecycle.ACTIONS
                if a in ROLE_ACTIONS[role] and status in EXPECTED[a] and a != "place"]
    assert lifecycle.allowed_actions(status, role) == expected


@pytest.mark.parametrize("role,expected", [
    (None, []), ("operator", ["place"]), ("admin", ["place", "reject"]), ("supervisor", ["place", "reject"]),
    ("officer", ["reject"]), ("analyst", []), ("facilitator", []),
], ids=lambda v: v if isinstance(v, str) else None)
def test_triage_only_place_or_reject(role, expected):
    assert lifecycle.allowed_actions("received", role, in_triage=True) == expected
    # Nothing but place/reject is ever offered for a grievance without an office.
    for status in STATUSES:
        assert set(lifecycle.allowed_actions(status, role, in_triage=True)) <= {"place", "reject"}
    assert lifecycle.allowed_actions("closed", role, in_triage=True) == []


def test_examples_a_user_would_see():
    assert lifecycle.allowed_actions("resolved", None) == ["appeal", "feedback"]
    assert lifecycle.allowed_actions("rejected", None) == ["appeal"]
    assert lifecycle.allowed_actions("received", None) == []
    assert lifecycle.allowed_actions("in_progress", "officer") == [
        "request_info", "extend", "resolve", "reject", "transfer", "escalate"]
    assert lifecycle.allowed_actions("awaiting_info", "officer") == ["resume", "transfer", "escalate"]
    assert lifecycle.allowed_actions("resolved", "officer") == ["close"]
    assert lifecycle.allowed_actions("unknown-status", "admin") == []
    assert lifecycle.allowed_actions("received", "no-such-role") == []
