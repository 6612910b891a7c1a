"""How hard the property tests search: the full count in CI (CI=true), a smaller one here, so the local suite
stays near 3 minutes on 2 cores while CI still searches as wide. One rule for every property test."""
from __future__ import annotations

import os

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def examples(n: int, floor: int = 25) -> int:
    """n examples in CI; here a quarter of n, but never fewer than `floor` (nor more than n)."""
    return n if IN_CI else min(n, max(floor, n // 4))
