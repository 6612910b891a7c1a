"""Phone numbers: Bangladeshi local and international forms become E.164; bad ones name `phone`."""
import pytest

from grs import phones
from grs.errors import ValidationError


@pytest.mark.parametrize("typed", [
    "01712345678", "017 1234 5678", "017-1234-5678", "+8801712345678", "+880 1712-345678", "8801712345678",
    "008801712345678", " 01712345678 ", "০১৭১২৩৪৫৬৭৮",
])
def test_bangladeshi_forms_normalise_to_e164(typed):
    assert phones.normalise(typed) == "+8801712345678"


@pytest.mark.parametrize("typed,e164", [
    ("01312345678", "+8801312345678"), ("01812345678", "+8801812345678"), ("01912345678", "+8801912345678"),
    ("01512345678", "+8801512345678"),
])
def test_every_operator_prefix(typed, e164):
    assert phones.normalise(typed) == e164


def test_other_regions():
    assert phones.normalise("0803 123 4567", "NG") == "+2348031234567"
    assert phones.normalise("+234 803 123 4567") == "+2348031234567"  # international form, any region


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_is_none(blank):
    assert phones.normalise(blank) is None


@pytest.mark.parametrize("bad", ["12345", "0171234567", "017123456789", "abc", "+1 202", "01212345678",
                                 "phone: none", "+880"])
def test_invalid_numbers_raise_naming_phone(bad):
    with pytest.raises(ValidationError) as err:
        phones.normalise(bad)
    assert set(err.value.fields) == {"phone"}
    assert err.value.status == 422


def test_mask_hides_the_middle():
    masked = phones.mask("+8801712345678")
    assert masked == "+880•••••••678"
    assert len(masked) == len("+8801712345678")
    assert "1712345" not in masked and "12345" not in masked


@pytest.mark.parametrize("phone", ["+8801712345678", "+2348031234567", "+12025550100"])
def test_mask_keeps_no_more_than_seven_digits(phone):
    masked = phones.mask(phone)
    shown = sum(c.isdigit() for c in masked)
    assert shown <= 6  # country code and last three: recognisable, not dialable
    assert masked.endswith(phone[-3:])


@pytest.mark.parametrize("short", ["", None, "+88017", "12"])
def test_mask_of_short_or_missing_reveals_nothing(short):
    masked = phones.mask(short)
    assert not any(c.isdigit() for c in masked)
