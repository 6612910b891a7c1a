"""Small-cell suppression (grs/suppression.py): no count from 1 to 4 is shown, and none can be worked out by
subtracting the shown parts from a shown total."""
from __future__ import annotations

from hypothesis import given, strategies as st

from grs.suppression import primary, share_hidden, suppress


def test_a_cell_of_3_is_hidden_and_0_and_5_are_not():
    assert [primary(v) for v in (0, 1, 3, 4, 5, None)] == [False, True, True, True, False, False]
    assert suppress({"a": 3, "b": 0, "c": 5}) == {"a"}


def test_one_hidden_part_of_a_shown_total_takes_the_next_smallest_with_it():
    cells = {"OAA": 3, "WA": 12, "DA": 7, "all": 22}
    hidden = suppress(cells, [("OAA", "WA", "DA", "all")])
    assert hidden == {"OAA", "DA"}  # 22 - 12 - 7 would give OAA away; DA is the smallest other part
    shown = {k: v for k, v in cells.items() if k not in hidden}
    assert shown == {"WA": 12, "all": 22}  # OAA + DA = 10: OAA could be 1..4


def test_a_non_zero_complement_is_preferred_to_a_zero():
    assert suppress({"a": 2, "b": 0, "c": 9, "all": 11}, [("a", "b", "c", "all")]) == {"a", "c"}
    # Only zeros left beside the hidden cell: hide one (it shows as "fewer than 5", not as 0).
    assert suppress({"a": 2, "b": 0, "c": 0, "all": 2}, [("a", "b", "c", "all")]) == {"a", "all"}


def test_a_preferred_cell_is_given_up_first():
    cells = {"resolved": 5, "rejected": 1, "decided": 6}
    assert suppress(cells, [("resolved", "rejected", "decided")]) == {"rejected", "resolved"}
    assert suppress(cells, [("resolved", "rejected", "decided")], prefer=["decided"]) == {"rejected", "decided"}


def test_two_small_parts_protect_each_other():
    assert suppress({"a": 2, "b": 3, "c": 40, "all": 45}, [("a", "b", "c", "all")]) == {"a", "b"}


def test_a_small_total_is_hidden_and_then_needs_a_partner():
    # The total of 4 is hidden; without another hidden part, 9 + 0 ... the total's row would give it back.
    hidden = suppress({"a": 4, "b": 0, "all": 4}, [("a", "b", "all")])
    assert hidden == {"a", "all"}


def test_suppression_spreads_through_shared_cells_until_no_group_has_one():
    # A 2 x 2 table with margins: hiding the cell of 3 must hide a second cell in its row AND column,
    # then the cell that closes the rectangle.
    cells = {(0, 0): 3, (0, 1): 20, (1, 0): 30, (1, 1): 40,
             (0, "t"): 23, (1, "t"): 70, ("t", 0): 33, ("t", 1): 60, ("t", "t"): 93}
    groups = [[(r, 0), (r, 1), (r, "t")] for r in (0, 1, "t")] + [[(0, c), (1, c), ("t", c)] for c in (0, 1, "t")]
    hidden = suppress(cells, groups)
    assert (0, 0) in hidden
    assert all(sum(k in hidden for k in g) != 1 for g in groups)


def test_cells_never_published_count_as_hidden():
    assert suppress({"a": 30, "b": 20, "all": 50}, [("a", "b", "all")], hidden=["b"]) == {"a", "b"}


def test_a_share_is_hidden_when_either_side_is():
    hidden = suppress({"within": 3, "resolved": 40})
    assert share_hidden("within", "resolved", hidden)
    assert not share_hidden("resolved", "received", hidden, values={"resolved": 40, "received": 50})
    assert share_hidden("resolved", "received", frozenset(), values={"resolved": 40, "received": 4})
    assert not share_hidden("within", "resolved", frozenset(), values={"within": 0, "resolved": 8})


@given(st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=6))
def test_no_hidden_part_of_a_line_can_be_worked_out_from_what_is_shown(parts):
    cells = {i: v for i, v in enumerate(parts)} | {"all": sum(parts)}
    hidden = suppress(cells, [list(cells)])
    assert not any(primary(v) and k not in hidden for k, v in cells.items())
    assert sum(k in hidden for k in cells) != 1
    # With the total shown, the hidden parts are known only as a sum of two or more: none alone.
    if "all" not in hidden:
        assert sum(k in hidden for k in cells if k != "all") in (0, 2, 3, 4, 5, 6)
