"""The catalogue of event types: each one's data, who may see it, and its words for staff and citizens.

History (`grs.services.history.record`), the staff case page, the citizen's track page, statistics and
webhooks read this one table. An event's `data` carries only the keys its type declares, so nothing
outside the catalogue (least of all personal data) can reach a reader; free text lives in `note`,
which webhooks and the track page never carry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType, UnionType
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l


class EventType(StrEnum):
    """Every kind of step the system writes into a grievance's history (the value is stored)."""

    LODGED = "lodged"
    ROUTED = "routed"
    TRIAGED = "triaged"
    PLACED = "placed"
    ACKNOWLEDGED = "acknowledged"
    STARTED = "started"
    INFO_REQUESTED = "info_requested"
    RESUMED = "resumed"
    INFO_ADDED = "info_added"
    EXTENDED = "extended"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    TRANSFERRED = "transferred"
    ESCALATED = "escalated"
    APPEALED = "appealed"
    FEEDBACK = "feedback"
    CLOSED = "closed"
    DEADLINE_BREACHED = "deadline_breached"
    ACK_BREACHED = "ack_breached"
    FLAGGED_OVERDUE = "flagged_overdue"
    WARNED = "warned"
    DEADLINE_CHANGED = "deadline_changed"
    ANONYMISED = "anonymised"
    RECLASSIFIED = "reclassified"


# Why a grievance is rejected (the contract's list, the one place it is kept): the `rejected` event's
# reason_code; statistics count "unrelated" as its own figure.
REJECT_REASONS: tuple[str, ...] = ("unrelated", "out_of_scope", "duplicate", "insufficient_information", "withdrawn")

# A field's type as isinstance takes it: a class or a union (`str | None`). Dates are ISO 8601 strings.
FieldType = type | UnionType

# The deadlines an event may record as they stood after it (services' `_clock_data`): statistics judge
# them later. Optional on every step that starts, moves, pauses or ends a clock.
CLOCK: Mapping[str, FieldType] = {"ack_due_at": str | None, "due_at": str | None, "clock": str}


def _allows_bool(t: FieldType) -> bool:
    return t is bool or (isinstance(t, UnionType) and bool in t.__args__)


@dataclass(frozen=True)
class EventSpec:
    """One event type: the shape of its data, where it may be shown, and its words."""

    type: EventType
    staff_label: Any  # a lazy string: rendered in the reader's language
    fields: Mapping[str, FieldType] = field(default_factory=dict)  # keys its data always carries
    optional: Mapping[str, FieldType] = field(default_factory=dict)  # keys it may carry
    public: bool = True  # shown on the citizen's track page
    citizen: Any = None  # the track page's sentence; may use %(office)s, %(channel)s, %(days)s
    citizen_when: Mapping[str, Any] = field(default_factory=dict)  # data key → sentence when it is true
    webhook: bool = True  # subscribers may receive it (type, time, statuses, data; never note or actor)

    def __post_init__(self) -> None:
        overlap = set(self.fields) & set(self.optional)
        if overlap:
            raise ValueError(f"{self.type}: keys both required and optional: {sorted(overlap)}")
        if self.public and self.citizen is None:
            raise ValueError(f"{self.type}: a public event needs a citizen sentence")
        allowed = {**self.optional, **self.fields}
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        object.__setattr__(self, "optional", MappingProxyType(dict(self.optional)))
        object.__setattr__(self, "citizen_when", MappingProxyType(dict(self.citizen_when)))
        # Precomputed so that check() costs a set difference and one isinstance per key.
        object.__setattr__(self, "_allowed", MappingProxyType(allowed))
        object.__setattr__(self, "_required", frozenset(self.fields))
        object.__setattr__(self, "_no_bool", frozenset(k for k, t in allowed.items() if not _allows_bool(t)))

    @property
    def keys(self) -> frozenset[str]:
        """Every key this type's data may carry."""
        return frozenset(self._allowed)

    def check(self, data: Mapping[str, Any]) -> None:
        """TypeError unless `data` has exactly this type's required keys, optional ones, and their types."""
        missing = self._required - data.keys()
        if missing:
            raise TypeError(f"'{self.type}' event data lacks {sorted(missing)}")
        allowed = self._allowed
        for key, value in data.items():
            t = allowed.get(key)
            if t is None:
                raise TypeError(f"'{self.type}' event data may not carry '{key}' (add it to grs/events.py)")
            # bool is an int to isinstance; a flag where a count belongs is a mistake.
            if not isinstance(value, t) or ((value is True or value is False) and key in self._no_bool):
                raise TypeError(f"'{self.type}' event data '{key}' must be {t}, not {type(value).__name__}")

    def citizen_sentence(self, data: Mapping[str, Any]):
        """The lazy sentence for the track page, before its %(...)s are filled; None when not public."""
        if not self.public:
            return None
        for key, sentence in self.citizen_when.items():
            if data.get(key):
                return sentence
        return self.citizen


def _specs(*specs: EventSpec) -> Mapping[EventType, EventSpec]:
    table = {s.type: s for s in specs}
    missing = set(EventType) - set(table)
    if missing or len(table) != len(specs):
        raise ValueError(f"the catalogue must describe each event type once (missing {sorted(missing)})")
    return MappingProxyType(table)


E = EventType

CATALOGUE: Mapping[EventType, EventSpec] = _specs(
    EventSpec(E.LODGED, _l("Complaint lodged"),
              fields={"channel": str, "anonymous": bool},
              citizen=_l("Complaint received through %(channel)s.")),
    EventSpec(E.ROUTED, _l("Sent to the office"),
              fields={"office": str, "tier": str, **CLOCK},
              citizen=_l("Sent to %(office)s.")),
    EventSpec(E.TRIAGED, _l("Put in the triage queue"),
              fields={"ack_due_at": str}, optional={"due_at": str | None, "clock": str},
              citizen=_l("Waiting for an operator to choose the right office.")),
    EventSpec(E.PLACED, _l("Placed in an area"),
              fields={"area": str, "office": str, **CLOCK},
              citizen=_l("An operator sent it to %(office)s.")),
    EventSpec(E.ACKNOWLEDGED, _l("Acknowledged"), optional=CLOCK,
              citizen=_l("%(office)s acknowledged the complaint.")),
    EventSpec(E.STARTED, _l("Investigation started"), optional=CLOCK,
              citizen=_l("%(office)s started looking into the complaint.")),
    EventSpec(E.INFO_REQUESTED, _l("Information requested from the complainant"), optional=CLOCK,
              citizen=_l("%(office)s asked for more information; the time limit is paused.")),
    # pause_limit: resumed by the sweep because no answer came within the pause limit.
    EventSpec(E.RESUMED, _l("Work resumed"),
              fields={"paused_working_days": int}, optional={"pause_limit": bool, **CLOCK},
              citizen=_l("Work on the complaint continued."),
              citizen_when={"pause_limit": _l("No answer came in time, so the office will decide on what it has.")}),
    # The complainant's answer to an information request (the text is the note); it resumes the clock.
    # channel: how it came (sms, web, operator, api); attachments: how many files came with it.
    EventSpec(E.INFO_ADDED, _l("Complainant's information added"),
              fields={"paused_working_days": int, "channel": str}, optional={"attachments": int, **CLOCK},
              citizen=_l("You sent the information asked for (%(channel)s); work continued.")),
    EventSpec(E.EXTENDED, _l("Time limit extended"),
              fields={"days": int}, optional=CLOCK,
              citizen=_l("The time limit was extended by %(days)s working days.")),
    # within_limit: resolved by the deadline in force (None where no deadline ran); working_days: from
    # receipt to the decision on the country's calendar (absent on decisions recorded before it).
    EventSpec(E.RESOLVED, _l("Resolved"),
              fields={"decision": str, "within_limit": bool | None},
              optional={"working_days": int, **CLOCK},
              citizen=_l("%(office)s resolved the complaint.")),
    # reason_code: one of REJECT_REASONS (absent on rejections recorded before it).
    EventSpec(E.REJECTED, _l("Rejected"),
              optional={"reason_code": str, "within_limit": bool | None, "working_days": int, **CLOCK},
              citizen=_l("%(office)s rejected the complaint as outside what it can handle.")),
    # clock: "kept" (same tier, the deadline carries over) or "restarted"; from is None out of triage.
    EventSpec(E.TRANSFERRED, _l("Transferred"),
              fields={"from": str | None, "to": str, "clock": str},
              optional={"ack_due_at": str | None, "due_at": str | None},
              citizen=_l("Transferred to %(office)s.")),
    # breach: moved by the sweep because the time limit passed, rather than by an officer. queued_on: the
    # working day it is in the new office's queue, when it arrived on a day off or after office hours.
    EventSpec(E.ESCALATED, _l("Escalated"),
              fields={"from": str, "to": str, "tier": str, "breach": bool, **CLOCK}, optional={"queued_on": str},
              citizen=_l("Moved up to %(office)s."),
              citizen_when={"breach": _l("The time limit passed, so it moved up to %(office)s.")}),
    # appeal: how many appeals this grievance has had, this one included. undecided: appealed because its
    # resolution deadline (overdue_since) passed without a decision, not against a decision.
    EventSpec(E.APPEALED, _l("Appealed"),
              fields={"from": str, "to": str, "tier": str, "appeal": int, **CLOCK},
              optional={"undecided": bool, "overdue_since": str, "queued_on": str},
              citizen=_l("An appeal was opened at %(office)s.")),
    # national_review: not satisfied with no tier left to appeal to, so it went to the national review list.
    EventSpec(E.FEEDBACK, _l("Complainant's feedback"),
              fields={"satisfied": bool}, optional={"national_review": bool},
              citizen=_l("You said you were not satisfied."),
              citizen_when={"satisfied": _l("You said you were satisfied."),
                            "national_review": _l("You said you were not satisfied; the complaint went to "
                                                  "national review.")}),
    # reason: why it closed when no officer closed it ("satisfied", the feedback window ran out, "withdrawn"
    # or "closed by an admin": an admin closing with a reason, the note).
    EventSpec(E.CLOSED, _l("Closed"),
              optional={"reason": str},
              citizen=_l("The complaint was closed.")),
    # kind: the clock that ran out ("grievance" or "appeal").
    EventSpec(E.DEADLINE_BREACHED, _l("Time limit passed"),
              fields={"due_at": str, "working_days_over": int, "kind": str},
              citizen=_l("The time limit passed before the complaint was resolved.")),
    EventSpec(E.ACK_BREACHED, _l("Not acknowledged in time"),
              fields={"ack_due_at": str},
              citizen=_l("The office did not acknowledge the complaint in time.")),
    # national_review: the policy sends a missed deadline to the national review list (the final review cell).
    EventSpec(E.FLAGGED_OVERDUE, _l("Overdue at the highest tier"), optional={"national_review": bool},
              citizen=_l("The time limit passed at the highest level; the complaint is being followed up there."),
              citizen_when={"national_review": _l("The time limit passed without a decision; the complaint went "
                                                  "to the national review.")}),
    # A reminder to the office, not a step of the case: subscribers learn of the breach if it comes.
    EventSpec(E.WARNED, _l("Office warned: deadline near"),
              fields={"due_at": str},
              citizen=_l("The office was reminded that the time limit is near."),
              webhook=False),
    # from/to: the resolution deadline before and after a change of limits or days off.
    EventSpec(E.DEADLINE_CHANGED, _l("Deadline recalculated"),
              fields={"from": str | None, "to": str}, optional={"ack_due_at": str | None},
              citizen=_l("The expected date was recalculated.")),
    # The retention run removed the personal data (grs/services/retention.py). sealed: for each earlier event,
    # in order, the SHA-256 of what it says now (notes replaced by a marker) and of its original hash, so
    # `grs audit verify` still checks those events although their original notes are gone; events: how many.
    EventSpec(E.ANONYMISED, _l("Personal data removed (retention)"),
              fields={"sealed": list, "events": int}, public=False, webhook=False),
    # The category changed (issue 12, item 3): from/to category codes and the sensitivity after; moved_to: the
    # office it was re-routed to. Staff only: a category such as sea_gbv says more than the track page should.
    EventSpec(E.RECLASSIFIED, _l("Category changed"),
              fields={"from": str, "to": str, "sensitive": bool},
              optional={"moved_to": str, "ack_due_at": str | None, "due_at": str | None, "clock": str},
              public=False, webhook=False),
)

del E


def spec_of(type_: str) -> EventSpec | None:
    """The catalogue entry for a stored type, or None for a type the catalogue does not know."""
    return CATALOGUE.get(type_)  # a StrEnum member hashes and compares as its value


def checked(type_: EventType | str, data: Mapping[str, Any] | None) -> EventType:
    """The event type, after checking it is catalogued and `data` fits its shape (a programming error if not)."""
    try:
        t = EventType(type_)
    except ValueError:
        raise ValueError(f"unknown event type '{type_}': add it to grs/events.py") from None
    CATALOGUE[t].check(data or {})
    return t


PUBLIC: frozenset[EventType] = frozenset(t for t, s in CATALOGUE.items() if s.public)
WEBHOOK: frozenset[EventType] = frozenset(t for t, s in CATALOGUE.items() if s.webhook)
