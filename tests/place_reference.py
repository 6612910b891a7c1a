"""The difflib place matcher as it was before the index (commit 7993b1e): the oracle the index must agree with.

Kept verbatim (only renamed, and reading an area's local names where it read its Bangla one) so tests/unit/test_place_index.py and bench/sms_match.py can compare the
index's picks and cost with it. Do not use it in the app: it compares every name with every word window.
"""
from __future__ import annotations

import difflib
import re

from channels.sms.commands import _BANGLA, _BANGLA_SUFFIXES, AreaName, fold, words


def _similar(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(b) < 5:  # short names match exactly or not at all ("Tokh" is not "took")
        return 0.0
    # Typos keep the first letter and roughly the length; this also keeps thousands of names fast.
    if a[:1] != b[:1] or abs(len(a) - len(b)) > 2:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def _stripped(word: str) -> list[str]:
    out = [word]
    if _BANGLA.search(word):
        out += [word[: -len(s)] for s in _BANGLA_SUFFIXES if word.endswith(s) and len(word) > len(s) + 1]
    return out


def reference_match_area(text: str, areas: list[AreaName], *, threshold: float = 0.85) -> str | None:
    """The code of the union or upazila a message names, or None if none (or it is ambiguous)."""
    tokens = words(text)
    if not tokens:
        return None
    hits: list[tuple[float, int, int, AreaName]] = []  # score, start, length in words, area
    for area in areas:
        for name in (area.name_en, *area.local_names):
            key = [fold(w) for w in re.findall(r"[\w\u0980-\u09FF]+", name or "")]
            key = [k for k in key if k]
            if not key:
                continue
            n = len(key)
            for i in range(len(tokens) - n + 1):
                window = tokens[i:i + n]
                score = min(max(_similar(v, k) for v in _stripped(w)) for w, k in zip(window, key))
                if score >= threshold:
                    hits.append((score, i, n, area))
    if not hits:
        return None
    # A name inside a longer matched name does not count: "Gazipur" in "Gazipur Sadar".
    spans = [(s, i, n, a) for s, i, n, a in hits
             if not any(n2 > n and i2 <= i and i + n <= i2 + n2 for _, i2, n2, _ in hits)]
    levels = []
    for a in areas:
        if a.level not in levels:
            levels.append(a.level)
    finer = {lvl: rank for rank, lvl in enumerate(levels)}
    named_codes = {a.code for _, _, _, a in spans}
    best: dict[str, tuple[float, AreaName]] = {}
    for s, _, _, a in spans:
        if a.code not in best or best[a.code][0] < s:
            best[a.code] = (s, a)
    candidates = sorted(best.values(), key=lambda sa: (finer.get(sa[1].level, 99), -sa[0]))
    for level in levels:
        at_level = [(s, a) for s, a in candidates if a.level == level]
        if not at_level:
            continue
        # A union inside an upazila that is also named wins over a namesake elsewhere.
        inside = [(s, a) for s, a in at_level if a.parent_code in named_codes]
        pool = inside or at_level
        top = max(s for s, _ in pool)
        leaders = {a.code for s, a in pool if s == top}
        if len(leaders) == 1:
            return leaders.pop()
        # Same name in two places and nothing to tell them apart: try the coarser level.
    return None
