"""Where a lifecycle step's writes go: the events, the office it arrives at, the messages it queues.

The rules of a step (escalation/sweep.py `_escalate`, actions.escalate_one) are written once against an
`Effects`. This default writes through the ORM session one grievance at a time (history.record,
routing.arrive, notifications.tell_*); the batch sweep (escalation/batch.py) passes one that gathers the
same rows for a whole batch and writes them with bulk statements, so the two paths cannot drift.
"""
from __future__ import annotations

from datetime import datetime

from .. import notifications
from . import routing
from .history import record


class Effects:
    """The per-grievance writes, in the caller's unit of work."""

    def __init__(self, uow):
        self.uow = uow

    def next_office_up(self, g):
        return routing.next_office_up(self.uow, g)

    def arrive(self, g, office, now: datetime) -> None:
        routing.arrive(self.uow, g, office, now)

    def record(self, g, type_, **kw):
        return record(g, type_, **kw)

    def tell_office(self, g, office, template: str, *, now: datetime, **context) -> None:
        notifications.tell_office(self.uow, g, office, template, now=now, **context)

    def tell_citizen(self, g, template: str, *, now: datetime, dedupe_key: str | None = None, **context) -> None:
        notifications.tell_citizen(self.uow, g, template, now=now, dedupe_key=dedupe_key, **context)
