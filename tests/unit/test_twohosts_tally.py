"""The counting behind bench/twohosts.py: a message sent twice, lost or never seen by the gateway, an SMS stored
twice or lodged twice, a grievance escalated twice, and two schedulers leading at once are each caught."""
from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[2] / "bench" / "twohosts.py"


@pytest.fixture(scope="module")
def twohosts():
    spec = importlib.util.spec_from_file_location("bench_twohosts", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _outbox(t, *statuses):
    """Rows 1..n with distinct messages, each sent (if its status says so) with send id s<n>."""
    rows = [(n, status, t.send_key(f"+88017000000{n:02d}", f"body {n}"), f"s{n}" if status == "sent" else None)
            for n, status in enumerate(statuses, 1)]
    sends = [(pid, key) for _, status, key, pid in rows if status == "sent"]
    return rows, sends


def test_every_row_sent_once_is_correct(twohosts):
    rows, sends = _outbox(twohosts, "sent", "sent", "suppressed")
    r = twohosts.tally_sends(rows, sends)
    assert (r["ok"], r["sent_once"], r["twice"], r["not_sent"]) == (True, 2, 0, 0)


def test_a_second_send_of_a_message_is_caught_though_the_row_keeps_one_id(twohosts):
    rows, sends = _outbox(twohosts, "sent", "sent")
    sends.append(("other-dispatcher-1", rows[0][2]))  # the row stores only its last send's id
    r = twohosts.tally_sends(rows, sends)
    assert (r["ok"], r["twice"], r["sent_once"]) == (False, 1, 1)


def test_two_rows_with_the_same_text_to_the_same_number_sent_once_each_are_not_twice(twohosts):
    key = twohosts.send_key("+8801700000001", "same words")
    rows = [(1, "sent", key, "s1"), (2, "sent", key, "s2")]
    r = twohosts.tally_sends(rows, [("s1", key), ("s2", key)])
    assert (r["ok"], r["twice"]) == (True, 0)


def test_a_row_left_queued_or_claimed_is_not_sent_and_a_row_marked_sent_unseen_is_caught(twohosts):
    rows, sends = _outbox(twohosts, "sent", "queued", "sending")
    r = twohosts.tally_sends(rows, sends)
    assert (r["ok"], r["not_sent"]) == (False, 2)
    r = twohosts.tally_sends(rows, [])
    assert (r["ok"], r["sent_unseen"]) == (False, 1)


def test_a_send_in_flight_when_its_dispatcher_died_shows_as_sent_twice_and_not_sent(twohosts):
    # The gateway took it, the dispatcher died before it recorded so: the row is still claimed.
    rows, sends = _outbox(twohosts, "sent", "sending")
    sends.append(("dead-1", rows[1][2]))
    r = twohosts.tally_sends(rows, sends)
    assert (r["ok"], r["twice"], r["not_sent"]) == (False, 1, 1)


def test_inbound_stored_once_each_with_its_own_grievance(twohosts):
    rows = [("A1", 10, "done", "111", "111"), ("A2", 11, "done", "222", "222")]
    r = twohosts.tally_inbound(["A1", "A2"], rows, [10, 11])
    assert r["ok"] and r["missing"] == 0


@pytest.mark.parametrize("rows, grievances, answered, what", [
    ([("A1", 10, "done", "1", "1")], [10], ["A1", "A2"], "missing"),
    ([("A1", 10, "done", "1", "1"), ("A1", 11, "done", "2", "2")], [10, 11], ["A1"], "twice"),
    ([("A1", None, "done", "1", None)], [], ["A1"], "without_grievance"),
    ([("A1", 10, "done", "1", "1"), ("A2", 10, "done", "2", "1")], [10], ["A1", "A2"], "grievance_shared"),
    ([("A1", 10, "done", "1", "1")], [10, 12], ["A1"], "orphan_grievances"),  # a message lodged twice
    ([("A1", 10, "done", "1", "9")], [10], ["A1"], "code_differs"),
])
def test_inbound_faults_are_each_caught(twohosts, rows, grievances, answered, what):
    r = twohosts.tally_inbound(answered, rows, grievances)
    assert not r["ok"] and r[what] == 1


def test_inbound_left_pending_or_failed_is_not_ok(twohosts):
    r = twohosts.tally_inbound(["A1"], [("A1", 10, "failed", "1", "1")], [10])
    assert not r["ok"]


def test_escalations_once_never_twice_and_fresh_touched(twohosts):
    rows = {"o1": (1, "upazila"), "o2": (0, "union"), "o3": (2, "district"), "f1": (0, "union"), "f2": (1, "upazila")}
    events = Counter({("o1", "escalated"): 1, ("o1", "deadline_breached"): 1, ("o3", "escalated"): 2,
                      ("o3", "deadline_breached"): 1, ("f2", "escalated"): 1})
    r = twohosts.tally_escalations(rows, events, ["o1", "o2", "o3"], ["f1", "f2"])
    assert (r["once"], r["never"], r["more_than_once"], r["fresh_touched"], r["ok"]) == (1, 1, 1, 1, False)
    r = twohosts.tally_escalations(rows, events, ["o1"], ["f1"])
    assert r["ok"]


def test_an_escalation_event_written_twice_on_a_row_escalated_once_is_caught(twohosts):
    events = Counter({("o1", "escalated"): 2, ("o1", "deadline_breached"): 1})
    r = twohosts.tally_escalations({"o1": (1, "upazila")}, events, ["o1"], [])
    assert (r["ok"], r["more_than_once"]) == (False, 1)


def test_leadership_terms_and_two_holders_at_once(twohosts):
    samples = [(0.0, ()), (0.1, ("scheduler-a",)), (0.2, ("scheduler-a",)), (0.3, ()), (0.4, ("scheduler-b",))]
    r = twohosts.tally_leadership(samples)
    assert r["ok"] and r["terms"] == [(0.1, "scheduler-a"), (0.4, "scheduler-b")]
    assert not twohosts.tally_leadership([(0.0, ("scheduler-a", "scheduler-b"))])["ok"]
    assert not twohosts.tally_leadership([(0.0, ())])["ok"]  # nobody led: nothing ran


def test_a_scheduler_that_acts_outside_its_own_term_is_caught(twohosts):
    samples = [(0.0, ("scheduler-a",)), (0.1, ("scheduler-a",)), (0.2, ()), (5.0, ("scheduler-b",)),
               (5.1, ("scheduler-b",))]
    inside = {"scheduler-a": [0.05, 0.3], "scheduler-b": [5.05, 5.2]}
    r = twohosts.tally_leadership(samples, inside)
    assert (r["ok"], r["acts"], r["acted_outside"]) == (True, 4, 0)
    # scheduler-b sending while scheduler-a held the lock, and scheduler-a after it had lost it
    r = twohosts.tally_leadership(samples, {"scheduler-a": [3.0], "scheduler-b": [0.1]})
    assert (r["ok"], r["acted_outside"]) == (False, 2)
