"""Small-cell suppression for published figures: no count under MIN_COUNT is shown, and none can be worked
out from the counts that are. Pure: counts in, the set of cells to hide out.

Primary suppression hides every count from 1 to MIN_COUNT - 1 (a 0 may show: it singles nobody out).
Secondary (complementary) suppression: figures that add up are given as *groups* — the parts and their
total, e.g. the received count of each programme and all received — and a group with exactly one hidden
cell would give it away by subtraction (total minus the other parts), so the smallest other cell of that
group is hidden too, preferring a non-zero one (or a cell the caller would rather give up). That is repeated until no group has exactly one hidden
cell; a cell may sit in several groups (a total shared by several tables, a row and a column), which is
how tables that share figures protect each other.

A share or rate is shown only when its numerator and denominator both are (`share_hidden`).
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

MIN_COUNT = 5


def primary(value: int | None, min_count: int = MIN_COUNT) -> bool:
    """A count that would single people out on its own: 1 to min_count - 1."""
    return value is not None and 0 < value < min_count


def suppress(cells: Mapping[Hashable, int], groups: Iterable[Sequence[Hashable]] = (), *,
             min_count: int = MIN_COUNT, hidden: Iterable[Hashable] = (), prefer: Iterable[Hashable] = (),
             locked: Iterable[Hashable] = ()) -> frozenset:
    """The keys of `cells` to hide. `groups`: keys linked by one sum (the parts and their total, in any
    order; keys absent from `cells` are ignored); `hidden`: cells already withheld (by an earlier pass,
    or never published); `prefer`: cells to give up first as complements (figures readers miss least);
    `locked`: cells an earlier pass published, taken as complements only if nothing else is left.

    A locked total is never needed for parts that add up to it: one hidden part beside parts that are
    all 0 equals the total, which is then small and was hidden by the earlier pass itself."""
    preferred, fixed = set(prefer), set(locked)
    out = {k for k, v in cells.items() if primary(v, min_count)} | {k for k in hidden if k in cells}
    lines = [[k for k in dict.fromkeys(g) if k in cells] for g in groups]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for k in line if k in out) != 1:
                continue
            candidates = [k for k in line if k not in out and k not in fixed] or [k for k in line if k not in out]
            if not candidates:
                continue
            # The smallest other cell costs the reader least; a 0 only when nothing else is left (hiding
            # a known 0 would protect nothing, but a 0 here is not known: it shows as "fewer than 5").
            pick = min(candidates, key=lambda k: (k not in preferred, cells[k] == 0, cells[k], str(k)))
            out.add(pick)
            changed = True
    return frozenset(out)


def share_hidden(numerator: Hashable, denominator: Hashable, suppressed: frozenset | set, *,
                 values: Mapping[Hashable, int] | None = None, min_count: int = MIN_COUNT) -> bool:
    """Whether a share numerator/denominator must be hidden: either side hidden, or (given `values`)
    either side a small count on its own."""
    if numerator in suppressed or denominator in suppressed:
        return True
    if values is not None:
        return primary(values.get(numerator), min_count) or primary(values.get(denominator), min_count)
    return False
