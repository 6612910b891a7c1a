"""Every event type the system writes has words for staff and for the citizen's track page."""
import pathlib
import re

from grs.lifecycle import TRANSITIONS

ROOT = pathlib.Path(__file__).resolve().parents[2]


def written_event_types() -> set[str]:
    found = {t.event for t in TRANSITIONS.values()}
    for folder in ("grs", "escalation", "channels", "social_audit"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(re.findall(r'\brecord\(\s*\w+,\s*"(\w+)"', path.read_text(encoding="utf-8")))
    return found


def test_the_scan_finds_the_sweep_events():
    assert {"lodged", "routed", "deadline_breached", "escalated", "flagged_overdue"} <= written_event_types()


def test_staff_history_has_a_label_for_every_event_type():
    from grs.staff.labels import EVENT
    assert written_event_types() - set(EVENT) == set()


def test_track_page_has_a_sentence_for_every_event_type():
    source = (ROOT / "channels" / "web" / "wording.py").read_text(encoding="utf-8")
    described = set(re.findall(r'"(\w+)"', source))
    assert written_event_types() - described == set()
