"""Routing and the escalation ladder, as pure choices over the offices covering an area."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalation.rules import OfficeChoice, next_up, route

UNION, UPAZILA, DISTRICT, NATIONAL = (OfficeChoice(1, "union", 1), OfficeChoice(2, "upazila", 2),
                                      OfficeChoice(3, "district", 3), OfficeChoice(4, "national", 4))
FULL = [NATIONAL, DISTRICT, UNION, UPAZILA]  # order of the chain must not matter


@pytest.mark.parametrize("min_rank,expected", [(1, UNION), (2, UPAZILA), (3, DISTRICT), (4, NATIONAL), (5, None)])
def test_route_picks_lowest_tier_at_or_above_the_start_rank(min_rank, expected):
    assert route(FULL, min_rank) == expected


def test_route_defaults_to_the_lowest_tier():
    assert route(FULL) == UNION


def test_route_skips_tiers_without_an_office():
    # A union with no union parishad office yet: the upazila handles it.
    assert route([NATIONAL, UPAZILA, DISTRICT]) == UPAZILA
    # A sensitive category starting at the district, in a district without an office: national.
    assert route([UNION, UPAZILA, NATIONAL], 3) == NATIONAL


def test_route_with_no_office_is_none():
    assert route([]) is None
    assert route([], 3) is None


@pytest.mark.parametrize("current,expected", [(1, UPAZILA), (2, DISTRICT), (3, NATIONAL), (4, None)])
def test_next_up_is_one_tier_up(current, expected):
    assert next_up(FULL, current) == expected


def test_next_up_skips_tiers_without_an_office():
    assert next_up([UNION, DISTRICT, NATIONAL], 1) == DISTRICT
    assert next_up([UNION, UPAZILA, NATIONAL], 2) == NATIONAL
    assert next_up([UNION, UPAZILA], 2) is None


def test_next_up_at_the_top_is_none():
    assert next_up(FULL, NATIONAL.rank) is None
    assert next_up([UNION], 1) is None


chains = st.lists(st.sampled_from([UNION, UPAZILA, DISTRICT, NATIONAL]), unique=True)


@given(chains, st.integers(0, 6))
def test_property_route_is_the_minimum_eligible(chain, min_rank):
    got = route(chain, min_rank)
    eligible = [o for o in chain if o.rank >= min_rank]
    if not eligible:
        assert got is None
    else:
        assert got in chain and got.rank >= min_rank and all(got.rank <= o.rank for o in eligible)


@given(chains, st.integers(1, 4))
def test_property_the_ladder_climbs_strictly_and_ends(chain, start):
    seen, current = [], start
    while (up := next_up(chain, current)) is not None:
        assert up.rank > current
        seen.append(up)
        current = up.rank
    assert len(seen) == len([o for o in chain if o.rank > start])
