"""Tracking codes a citizen can type on a keypad and read over the phone.

Eleven random digits and a Damm check digit: the check catches every single mistyped digit and
every swap of two neighbouring digits, and 10^11 codes make guessing one hopeless.
"""
from __future__ import annotations

import re
import secrets

RANDOM_DIGITS = 11
CODE_LENGTH = RANDOM_DIGITS + 1

# Damm's totally anti-symmetric quasigroup of order 10.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def check_digit(digits: str) -> str:
    """The Damm check digit of a string of digits."""
    interim = 0
    for d in digits:
        interim = _DAMM[interim][int(d)]
    return str(interim)


def new_code() -> str:
    """A fresh random tracking code (uniqueness is the database's job)."""
    body = "".join(str(secrets.randbelow(10)) for _ in range(RANDOM_DIGITS))
    return body + check_digit(body)


def normalise(text: str | None) -> str | None:
    """The code inside what someone typed ('4821-0937 5512' → '482109375512'), or None if invalid."""
    if not text:
        return None
    digits = re.sub(r"[\s\-./]", "", text.strip())
    # Bangla digits typed on a Bangla keypad count too.
    digits = digits.translate(str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789"))
    # isascii(): str.isdigit() also passes '²' (which int() rejects) and other scripts' digits.
    if len(digits) != CODE_LENGTH or not (digits.isascii() and digits.isdigit()):
        return None
    return digits if check_digit(digits) == "0" else None


def display(code: str) -> str:
    """The code in groups of four, as it is read out: '4821 0937 5512'."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))
