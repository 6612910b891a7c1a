"""The lifecycle, tested as a table: every status × every action (who may take what: test_permissions)."""
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
    "add_info": {"awaiting_info": "in_progress"},  # the complainant's answer resumes the clock
    "extend": {"acknowledged": SAME, "in_progress": SAME},
    "resolve": {s: "resolved" for s in ("received", "acknowledged", "in_progress")},
    "reject": {s: "rejected" for s in ("received", "acknowledged", "in_progress")},
    "transfer": {s: "received" for s in OPEN_STATUSES},
    "escalate": {s: "received" for s in OPEN_STATUSES},
    # An undecided grievance may be appealed once its deadline has passed (the service checks the clock).
    "appeal": {s: "received" for s in ("received", "acknowledged", "in_progress", "resolved", "rejected")},
    "feedback": {"resolved": SAME, "rejected": SAME},  # YES closes; NO appeals (or, at the top, national review)
    "close": {"resolved": "closed", "rejected": "closed"},
    # A new category with a reason (issue 12): the status stays unless the handler re-routes it (received there).
    "reclassify": {s: SAME for s in OPEN_STATUSES},
}
EVENTS = {"place": "placed", "acknowledge": "acknowledged", "start": "started", "request_info": "info_requested",
          "resume": "resumed", "add_info": "info_added", "extend": "extended", "resolve": "resolved", "reject": "rejected",
          "transfer": "transferred", "escalate": "escalated", "appeal": "appealed", "feedback": "feedback",
          "close": "closed", "reclassify": "reclassified"}

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
