"""Routing and the escalation ladder: pure choices over the offices that cover an area."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class OfficeChoice:
    """An office on the chain from the grievance's area up to the country, with its tier's rank."""

    office_id: int
    tier: str
    rank: int


def route(chain: Sequence[OfficeChoice], min_rank: int = 1) -> OfficeChoice | None:
    """The office of the lowest tier at or above `min_rank` among those covering the area."""
    eligible = [o for o in chain if o.rank >= min_rank]
    return min(eligible, key=lambda o: o.rank) if eligible else None


def next_up(chain: Sequence[OfficeChoice], current_rank: int) -> OfficeChoice | None:
    """The office one tier up the ladder (skipping tiers with no office there), or None at the top."""
    return route(chain, current_rank + 1)
