"""Issue 13, item 5: phone numbers, dates and money as each country writes them."""
from datetime import date

import pytest

from grs import catalogue, phones


@pytest.mark.parametrize("region, typed, e164, shown", [
    ("BD", "01712-345678", "+8801712345678", "01712-345678"),
    ("NG", "0803 123 4567", "+2348031234567", "0803 123 4567"),
    ("ML", "76 12 34 56", "+22376123456", "76 12 34 56"),
    ("SO", "061 5123456", "+252615123456", "61 512 3456"),
])
def test_a_local_number_is_read_and_written_as_the_country_writes_it(region, typed, e164, shown):
    assert phones.normalise(typed, region) == e164
    assert phones.display(e164, region) == shown


def test_a_number_of_another_country_is_written_in_full():
    assert phones.display("+8801712345678", "ML") == "+880 1712-345678"
    assert phones.display("not a number", "BD") == "not a number" and phones.display(None) == ""


@pytest.mark.parametrize("lang, written", [
    ("en", "5 Dec 2026"), ("bn", "৫ ডিসেম্বর ২০২৬"), ("fr", "5 décembre 2026"), ("ha", "5 Disamba 2026"),
    ("so", "5 Diseembar 2026"),
])
def test_a_day_in_each_language_s_own_form(lang, written):
    assert catalogue.long_date(date(2026, 12, 5), lang) == written


def test_french_writes_the_first_of_a_month_as_an_ordinal_and_no_other_day():
    assert catalogue.long_date(date(2026, 9, 1), "fr") == "1er septembre 2026"
    assert catalogue.long_date(date(2026, 9, 11), "fr") == "11 septembre 2026"
    assert catalogue.long_date(date(2026, 9, 21), "fr") == "21 septembre 2026"
    assert catalogue.long_date(date(2026, 9, 1), "en") == "1 Sep 2026"
    assert catalogue.long_date(date(2026, 9, 1), "bn") == "১ সেপ্টেম্বর ২০২৬"


@pytest.mark.parametrize("currency, lang, written", [
    ("BDT", "bn", "১২,৩৪,৫৬৭৳"),            # Bangla digits, the lakh grouping
    ("BDT", "en", "BDT\u00a01,234,567"),
    ("XOF", "fr", "1\u202f234\u202f567\u00a0F\u202fCFA"),
    ("NGN", "ha", "₦\u00a01,234,567"),
    ("SOS", "so", "S1,234,567"),
    ("USD", "so", "US$1,234,567"),
])
def test_money_in_the_pack_s_currency_in_whole_units(currency, lang, written):
    assert catalogue.money(1234567, currency, lang) == written
