"""Aware-UTC time helpers shared by models, services and views."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa


_fixed_now: datetime | None = None


def utcnow() -> datetime:
    """The current time, aware, in UTC: the one place the app reads the clock."""
    return _fixed_now if _fixed_now is not None else datetime.now(timezone.utc)


def fix_clock(at: datetime | None) -> None:
    """Make utcnow() answer `at` (aware) from now on, or the real time again with None: for a test
    suite or a replay that must not depend on the day it runs."""
    global _fixed_now
    if at is not None and at.tzinfo is None:
        raise ValueError("the fixed time must be aware")
    _fixed_now = at


def as_utc(value: datetime) -> datetime:
    """A datetime in UTC; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def parse_iso(text: str) -> datetime:
    """An ISO 8601 timestamp as aware UTC ('Z' accepted; naive means UTC)."""
    return as_utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))


class UTCDateTime(sa.types.TypeDecorator):
    """Stores naive UTC, returns aware UTC, so SQLite and PostgreSQL behave the same."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return as_utc(value).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)
