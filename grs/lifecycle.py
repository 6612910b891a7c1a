"""The grievance lifecycle as one transition table, and who may take each action."""
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
    Transition("extend", ("acknowledged", "in_progress"), None, "extended"),
    Transition("resolve", WORKING, "resolved", "resolved"),
    Transition("reject", WORKING, "rejected", "rejected"),
    Transition("transfer", OPEN, "received", "transferred"),
    Transition("escalate", OPEN, "received", "escalated"),
    Transition("appeal", ("resolved", "rejected"), "received", "appealed"),
    Transition("feedback", ("resolved",), None, "feedback"),
    Transition("close", ("resolved", "rejected"), "closed", "closed"),
)}

ACTIONS = tuple(TRANSITIONS)

# Which staff roles may take which action (scope is checked separately).
STAFF_ACTIONS: dict[str, frozenset[str]] = {
    "officer": frozenset({"acknowledge", "start", "request_info", "resume", "extend", "resolve",
                          "reject", "transfer", "escalate", "close"}),
    "supervisor": frozenset(ACTIONS) - {"feedback"},
    "admin": frozenset(ACTIONS),
    # Operators speak for callers: they place triaged complaints and record a caller's answer.
    "operator": frozenset({"place", "appeal", "feedback"}),
    "facilitator": frozenset(),
    "analyst": frozenset(),
}
# What a citizen may do for their own grievance, by SMS, USSD or the web.
CITIZEN_ACTIONS = frozenset({"appeal", "feedback"})


def transition(status: str, action: str) -> Transition:
    """The transition for `action` from `status`, or InvalidTransition."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise InvalidTransition(f"unknown action '{action}'")
    if status not in t.sources:
        raise InvalidTransition(f"cannot {action.replace('_', ' ')} a grievance that is {status.replace('_', ' ')}")
    return t


def allowed_actions(status: str, role: str | None, *, in_triage: bool = False) -> list[str]:
    """The actions a role (None = the citizen) may take on a grievance in `status`, in table order.

    A grievance in the triage queue has no office yet: it can only be placed or rejected.
    """
    permitted = CITIZEN_ACTIONS if role is None else STAFF_ACTIONS.get(role, frozenset())
    if in_triage:
        permitted = permitted & {"place", "reject"}
    else:
        permitted = permitted - {"place"}
    return [name for name, t in TRANSITIONS.items() if name in permitted and status in t.sources]
