"""The event catalogue (grs/events.py) describes every event the system writes, and record() keeps to it."""
from __future__ import annotations

import pathlib
import re
from datetime import datetime, timezone

import pytest

from grs import events
from grs.events import CATALOGUE, EventType
from grs.lifecycle import TRANSITIONS
from grs.models import Grievance
from grs.services.actors import Actor
from grs.services.history import record

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
DUE = "2026-03-16T09:00:00+00:00"


def test_the_catalogue_covers_every_transition_in_the_lifecycle_table():
    assert {t.event for t in TRANSITIONS.values()} - {str(t) for t in EventType} == set()


def test_every_type_has_a_staff_label_and_every_public_one_a_citizen_sentence():
    assert set(CATALOGUE) == set(EventType)
    for t, spec in CATALOGUE.items():
        assert spec.type is t
        assert str(spec.staff_label).strip(), t  # outside an app: the English msgid
        if spec.public:
            assert str(spec.citizen).strip(), t
        for sentence in spec.citizen_when.values():
            assert str(sentence).strip(), t


def test_public_and_webhook_sets_follow_the_catalogue():
    assert events.PUBLIC == {t for t, s in CATALOGUE.items() if s.public}
    # A reminder to an office is no step of the case for a subscriber; the changes of state are.
    assert EventType.WARNED not in events.WEBHOOK
    assert {EventType.LODGED, EventType.RESOLVED, EventType.ESCALATED, EventType.CLOSED} <= events.WEBHOOK


def test_types_are_their_stored_strings():
    assert EventType.RESOLVED == "resolved" and str(EventType.RESOLVED) == "resolved"
    assert events.spec_of("resolved") is CATALOGUE[EventType.RESOLVED]
    assert events.spec_of("no_such_type") is None


def test_shapes_are_frozen():
    spec = CATALOGUE[EventType.RESOLVED]
    with pytest.raises(TypeError):
        spec.fields["note"] = str
    with pytest.raises(AttributeError):
        spec.public = False


def test_resolved_carries_the_decision_and_whether_it_was_within_the_limit():
    shape = CATALOGUE[EventType.RESOLVED]
    assert {"decision", "within_limit"} <= shape.keys
    events.checked("resolved", {"decision": "upheld", "within_limit": True})
    events.checked("resolved", {"decision": "upheld", "within_limit": None, "due_at": DUE})  # an optional key


@pytest.mark.parametrize("type_, data, wrong", [
    ("resolved", {"decision": "upheld"}, "lacks"),  # within_limit missing
    ("resolved", {"decision": "upheld", "within_limit": "yes"}, "must be"),
    ("resolved", {"decision": "upheld", "within_limit": True, "phone": "01712345678"}, "may not carry"),
    ("extended", {"days": True}, "must be"),  # a flag is no count
    ("extended", {"days": "5"}, "must be"),
    ("lodged", None, "lacks"),
    ("acknowledged", {"note": "Called Rahima"}, "may not carry"),
])
def test_data_that_does_not_fit_the_shape_is_refused(type_, data, wrong):
    with pytest.raises(TypeError, match=wrong):
        events.checked(type_, data)


def unsaved_grievance() -> Grievance:
    return Grievance(tracking_code="482109375512", event_count=0, head_hash=None, level="union")


def test_record_refuses_a_type_the_catalogue_lacks_and_leaves_the_chain_alone():
    g = unsaved_grievance()
    with pytest.raises(ValueError, match="unknown event type 'reopened'"):
        record(g, "reopened", actor=Actor.system("test"), at=NOW)
    assert (g.event_count, g.head_hash) == (0, None)


def test_record_refuses_data_that_does_not_fit_before_touching_the_chain():
    g = unsaved_grievance()
    with pytest.raises(TypeError, match="may not carry 'complainant'"):
        record(g, EventType.WARNED, actor=Actor.system("sweep"), at=NOW,
               data={"due_at": DUE, "complainant": "Rahima Begum"})
    with pytest.raises(TypeError, match="lacks"):
        record(g, "warned", actor=Actor.system("sweep"), at=NOW)
    assert (g.event_count, g.head_hash) == (0, None)


# A cross-check for paths no test runs: record() refuses an unknown type only when it is called.
RECORD_CALL = re.compile(r'\brecord\(((?:\s*[\w.]+\s*,)+?)\s*"(\w+)"')
MEMBER = re.compile(r"\bEventType\.([A-Z_]+)\b")


def written_in_source() -> tuple[set[str], set[str]]:
    literals: set[str] = set()
    members: set[str] = set()
    for folder in ("grs", "escalation", "channels", "social_audit"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            literals |= {m.group(2) for m in RECORD_CALL.finditer(text)}
            members |= set(MEMBER.findall(text))
    return literals, members


def test_every_event_type_written_in_the_source_is_in_the_catalogue():
    literals, members = written_in_source()
    found = literals | {EventType[m].value for m in members if m in EventType.__members__}
    # The scan still sees the sweep's events, however they are spelled: else it has gone blind.
    assert {"deadline_breached", "ack_breached", "warned", "flagged_overdue"} <= found
    assert literals - {str(t) for t in EventType} == set()
    assert members - set(EventType.__members__) == set()
