"""Tracking codes: 12 digits, at least 10 of them random, and a check digit that catches every
single mistyped digit and every swap of two neighbouring digits."""
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grs import tracking

BANGLA = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
# Enough codes that every position sees every wrong digit many times over.
SAMPLE = [tracking.new_code() for _ in range(1000)]


def test_codes_are_twelve_ascii_digits_with_at_least_ten_random():
    assert tracking.CODE_LENGTH == 12
    assert tracking.RANDOM_DIGITS >= 10
    for code in SAMPLE:
        assert len(code) == 12 and code.isascii() and code.isdigit()
        assert tracking.normalise(code) == code


def test_every_random_position_takes_every_digit():
    # A constant or biased digit would quietly shrink the space a guesser has to search.
    for pos in range(tracking.RANDOM_DIGITS):
        assert {c[pos] for c in SAMPLE} == set("0123456789"), f"position {pos} is not random"
    assert len(set(SAMPLE)) == len(SAMPLE)


def test_every_single_digit_substitution_is_rejected():
    checked = 0
    for code in SAMPLE:
        for pos in range(len(code)):
            for d in "0123456789":
                if d == code[pos]:
                    continue
                typo = code[:pos] + d + code[pos + 1:]
                assert tracking.normalise(typo) is None, f"{code} mistyped as {typo} was accepted"
                checked += 1
    assert checked == len(SAMPLE) * 12 * 9


def test_every_adjacent_transposition_is_rejected():
    checked = 0
    for code in SAMPLE:
        for pos in range(len(code) - 1):
            a, b = code[pos], code[pos + 1]
            if a == b:
                continue
            swapped = code[:pos] + b + a + code[pos + 2:]
            assert tracking.normalise(swapped) is None, f"{code} swapped as {swapped} was accepted"
            checked += 1
    assert checked > len(SAMPLE) * 9  # nearly 11 swaps per code; equal neighbours are rare


def test_check_digit_alone_catches_every_error_over_all_digit_pairs():
    # Exhaustive over the quasigroup: for every body prefix state, every substitution and swap.
    for a in range(10):
        for b in range(10):
            body = f"{a}{b}"
            full = body + tracking.check_digit(body)
            for pos in range(3):
                for d in "0123456789":
                    if d != full[pos]:
                        assert tracking.check_digit(full[:pos] + d + full[pos + 1:]) != "0"
            if a != b:
                assert tracking.check_digit(f"{b}{a}" + full[2]) != "0"


@pytest.mark.parametrize("typed", [
    "{0} {1} {2}", "{0}-{1}-{2}", " {0}{1}{2} ", "{0}.{1}.{2}", "{0} - {1} - {2}", "{0}/{1}/{2}",
])
def test_normalise_accepts_spaces_and_dashes(typed):
    code = SAMPLE[0]
    text = typed.format(code[:4], code[4:8], code[8:])
    assert tracking.normalise(text) == code


def test_normalise_accepts_bangla_digits_and_mixed():
    code = SAMPLE[1]
    assert tracking.normalise(code.translate(BANGLA)) == code
    mixed = code[:6].translate(BANGLA) + "-" + code[6:]
    assert tracking.normalise(mixed) == code
    assert tracking.normalise(tracking.display(code).translate(BANGLA)) == code


@pytest.mark.parametrize("text", [
    None, "", "   ", "abc", "12345", "1234567890123",
    # Other scripts' digits pass str.isdigit() but are not what a Bangladeshi keypad sends, and must
    # never crash the look-up (superscripts are digits to isdigit() but not to int()).
    "12345678901²", "١٢٣٤٥٦٧٨٩٠١٢", "１２３４５６７８９０１２",
])
def test_normalise_rejects_what_is_not_a_code(text):
    assert tracking.normalise(text) is None


def test_normalise_returns_ascii_for_any_accepted_input():
    # The returned value is compared with the stored code, which is ASCII.
    for digits in ("١٢٣٤٥٦٧٨٩٠١", "１２３４５６７８９０１", "๑๒๓๔๕๖๗๘๙๐๑"):
        # With a valid check digit in the same script, a non-Bangla script must still not slip through.
        body = digits
        ascii_body = "".join(str(int(c)) for c in body)
        check = tracking.check_digit(ascii_body)
        result = tracking.normalise(body + check)
        assert result is None or result == ascii_body + check


def test_display_groups_in_fours_and_round_trips():
    code = SAMPLE[2]
    shown = tracking.display(code)
    assert shown == f"{code[:4]} {code[4:8]} {code[8:]}"
    assert tracking.normalise(shown) == code


@given(st.text(alphabet="0123456789", min_size=tracking.RANDOM_DIGITS, max_size=tracking.RANDOM_DIGITS))
def test_any_body_with_its_check_digit_is_a_valid_code(body):
    code = body + tracking.check_digit(body)
    assert tracking.normalise(code) == code


@given(st.text(alphabet="0123456789", min_size=tracking.RANDOM_DIGITS, max_size=tracking.RANDOM_DIGITS),
       st.integers(0, tracking.CODE_LENGTH - 1), st.integers(1, 9))
def test_property_any_substitution_is_rejected(body, pos, delta):
    code = body + tracking.check_digit(body)
    typo = code[:pos] + str((int(code[pos]) + delta) % 10) + code[pos + 1:]
    assert tracking.normalise(typo) is None


@given(st.text(alphabet="0123456789", min_size=tracking.RANDOM_DIGITS, max_size=tracking.RANDOM_DIGITS),
       st.integers(0, tracking.CODE_LENGTH - 2))
def test_property_any_adjacent_swap_is_rejected(body, pos):
    code = body + tracking.check_digit(body)
    swapped = code[:pos] + code[pos + 1] + code[pos] + code[pos + 2:]
    if swapped != code:
        assert tracking.normalise(swapped) is None


@given(st.text(max_size=40))
def test_property_normalise_never_crashes_and_returns_a_code_or_none(text):
    result = tracking.normalise(text)
    assert result is None or (len(result) == 12 and result.isascii() and result.isdigit()
                              and tracking.check_digit(result) == "0")


def test_guessing_is_hopeless():
    # 10^11 codes: even a million guesses hit a given grievance with odds below 1 in 100,000.
    assert 10 ** tracking.RANDOM_DIGITS / 1_000_000 >= 100_000
    rng = random.Random(7)
    guesses = {"".join(rng.choice("0123456789") for _ in range(12)) for _ in range(10000)}
    valid = sum(1 for g in guesses if tracking.normalise(g))
    # About one random 12-digit string in ten has a valid check digit, no more.
    assert 700 < valid < 1300
