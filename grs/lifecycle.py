"""The grievance lifecycle as one transition table (who may take each action: `grs.permissions`)."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidTransition

OPEN = ("received", "acknowledged", "in_progress", "awaiting_info")
WORKING = ("received", "acknowledged", "in_progress")


@dataclass(frozen=True)
class Transition:
    """An action: the statuses it may start from, and the status it leads to (None = unchanged)."""

    action: str
    sources: tuple[str, ...]
    target: str | None
    event: str


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("place", ("received",), "received", "placed"),
    Transition("acknowledge", ("received",), "acknowledged", "acknowledged"),
    Transition("start", ("received", "acknowledged"), "in_progress", "started"),
    Transition("request_info", ("acknowledged", "in_progress"), "awaiting_info", "info_requested"),
    Transition("resume", ("awaiting_info",), "in_progress", "resumed"),
    # The complainant's answer to an information request (any channel): it resumes the clock like resume.
    Transition("add_info", ("awaiting_info",), "in_progress", "info_added"),
    Transition("extend", ("acknowledged", "in_progress"), None, "extended"),
    Transition("resolve", WORKING, "resolved", "resolved"),
    Transition("reject", WORKING, "rejected", "rejected"),
    Transition("transfer", OPEN, "received", "transferred"),
    Transition("escalate", OPEN, "received", "escalated"),
    # Appeal after a decision, or from a working status once its resolution deadline has passed without
    # one (grs.services.actions.open_appeal checks the deadline; grs.permissions offers it only then).
    Transition("appeal", (*WORKING, "resolved", "rejected"), "received", "appealed"),
    Transition("feedback", ("resolved", "rejected"), None, "feedback"),
    Transition("close", ("resolved", "rejected"), "closed", "closed"),
    # A new category (and so sensitivity) for an open grievance, with a reason; it moves the case when the new
    # category starts higher or is sensitive (grs.services.actions._do_reclassify). The status stays.
    Transition("reclassify", OPEN, None, "reclassified"),
)}

ACTIONS = tuple(TRANSITIONS)


def transition(status: str, action: str) -> Transition:
    """The transition for `action` from `status`, or InvalidTransition."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise InvalidTransition(f"unknown action '{action}'")
    if status not in t.sources:
        raise InvalidTransition(f"cannot {action.replace('_', ' ')} a grievance that is {status.replace('_', ' ')}")
    return t
