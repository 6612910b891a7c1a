"""docs/security.md names, for each threat, the test that covers it: every test it names exists, so a
renamed or deleted test cannot leave the page pointing at nothing."""
from __future__ import annotations

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# `tests/x/test_y.py::test_name`, or `::test_name` for another test in the file named last.
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`")


def references() -> list[tuple[str, str | None]]:
    text = open(os.path.join(ROOT, "docs", "security.md"), encoding="utf-8").read()
    found, last = [], None
    for m in REFERENCE.finditer(text):
        path, name = m.group(1), m.group(2)
        if path is None and name is None:
            continue
        last = path or last
        found.append((last, name))
    return found


def test_every_test_the_security_page_names_exists():
    refs = references()
    assert len(refs) > 30
    missing = []
    for path, name in refs:
        full = os.path.join(ROOT, path)
        if not os.path.isfile(full):
            missing.append(path)
        elif name and not re.search(rf"^def {name}\(", open(full, encoding="utf-8").read(), re.M):
            missing.append(f"{path}::{name}")
    assert not missing
