"""What the suite needs from outside the repository — the real data in ../shared, a browser — and the one
rule for when it is missing: a skip that says so on a developer's machine, a failure in CI (which always
has it, so a missing piece there is a broken build, not a reason to pass quietly)."""
from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The national hierarchy of Bangladesh (divisions down to unions), beside the checkout.
BD_AREAS = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "bd-admin-areas", "admin_areas.csv"))


def unavailable(reason: str):
    """Skip locally, fail in CI."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def shared_file(path: str = BD_AREAS) -> str:
    """`path` if it exists, else `unavailable` (../shared sits beside the checkout)."""
    if not os.path.exists(path):
        unavailable(f"{path} not found (the shared data folder sits beside the checkout)")
    return path
