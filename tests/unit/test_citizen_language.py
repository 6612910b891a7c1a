"""The citizen's language, kept (issue 10, item 6): the reply language, Bangla keywords, Bangla dates and the
USSD labels cut without a dangling "বা"."""
from datetime import date

import pytest

from channels.sms.commands import parse, reply_language
from channels.ussd.menu import shorten
from grs.catalogue import long_date
from grs.tracking import check_digit

CODE = "48210937551" + check_digit("48210937551")
LANGS = ("en", "bn")


@pytest.mark.parametrize("stored, script, expected", [
    (("bn", None), "en", "bn"),      # a Bangla complainant typing the Latin STATUS the texts show
    ((None, "bn"), "en", "bn"),      # no phone contact language: the complaint's
    (("en", "bn"), "bn", "en"),      # the phone contact's comes first
    ((None, None), "bn", "bn"),      # nothing stored: the script decides
    ((None, None), "en", "en"),
    (("ha", None), "bn", "bn"),      # a language the deployment does not speak does not count
])
def test_replies_use_the_stored_language_before_the_script(stored, script, expected):
    assert reply_language(stored, script, LANGS) == expected


@pytest.mark.parametrize("text, kind", [
    (f"অবস্থা {CODE}", "status"), (f"হ্যাঁ {CODE}", "yes"), (f"না {CODE}", "no"), (f"আপিল {CODE}", "appeal"),
    (f"APPEAL {CODE}", "appeal"), (f"appeal {CODE[:4]}-{CODE[4:8]}-{CODE[8:]}", "appeal"),
])
def test_bangla_and_latin_keywords(text, kind):
    cmd = parse(text)
    assert (cmd.kind, cmd.code) == (kind, CODE)


def test_appeal_that_names_no_code_is_a_complaint():
    assert parse("Appeal to the chairman: the agent took money").kind == "lodge"


def test_dates_in_bangla_have_bangla_digits_and_full_months():
    assert long_date(date(2026, 12, 13), "bn") == "১৩ ডিসেম্বর ২০২৬"
    assert long_date(date(2026, 9, 28), "bn") == "২৮ সেপ্টেম্বর ২০২৬"
    assert long_date(date(2026, 12, 13), "en") == "13 Dec 2026"


def test_a_cut_bangla_label_ends_neither_on_ba_nor_on_a_full_stop():
    label = "যৌন শোষণ বা নির্যাতন বা লিঙ্গভিত্তিক সহিংসতা"
    for width in range(10, len(label)):
        cut = shorten(label, width)
        assert len(cut) <= width and not cut.endswith((" বা…", "বা.", ".")), (width, cut)
    assert shorten("Sexual exploitation, abuse or gender-based violence", 28) == "Sexual exploitation, abuse."
