"""Phone numbers: E.164 everywhere inside, masked wherever staff see lists."""
from __future__ import annotations

import functools

import phonenumbers

from .errors import N_, ValidationError


def normalise(raw: str | None, region: str = "BD") -> str | None:
    """E.164 form of a number typed in local or international form; None for blank; error if invalid."""
    if raw is None or not raw.strip():
        return None
    found = _e164(raw.strip(), region)
    if found is _UNREADABLE:
        raise ValidationError("phone number not understood", {"phone": N_("Enter a valid phone number.")})
    if found is _INVALID:
        raise ValidationError("phone number not valid", {"phone": N_("Enter a valid phone number.")})
    return found


_UNREADABLE, _INVALID = object(), object()


@functools.lru_cache(maxsize=8192)
def _e164(raw: str, region: str):
    """Kept per process: a provider's callbacks bring the same senders again and again, and phonenumbers'
    parse and validation were a twentieth of the SMS webhook's CPU (bench/intake.py)."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return _UNREADABLE
    if not phonenumbers.is_valid_number(parsed):
        return _INVALID
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display(phone: str | None, region: str = "BD") -> str:
    """A number as people of the country write it: the national form for one of the country's own
    ('01712-345678' in Bangladesh, '0803 123 4567' in Nigeria), the international form for any other."""
    if not phone:
        return ""
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return phone
    if not phonenumbers.is_valid_number(parsed):
        return phone
    own = phonenumbers.region_code_for_number(parsed) == region
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL if own
                                      else phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask(phone: str | None) -> str:
    """'+8801712345678' → '+880•••••••678': enough to recognise, not enough to misuse or log."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return "•" * len(phone)
    return phone[:4] + "•" * (len(phone) - 7) + phone[-3:]
