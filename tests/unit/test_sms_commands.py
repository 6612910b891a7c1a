"""Pure SMS parsing: commands, reply language, the place named in a message, programme and category."""
from __future__ import annotations

import pytest

from channels.sms.commands import AreaName, Command, classify, fold, language_of, match_area, parse
from grs.tracking import check_digit

CODE = "48210937551" + check_digit("48210937551")

BN_CODE = CODE.translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))


@pytest.mark.parametrize("text, kind", [
    (f"STATUS {CODE}", "status"), (f"status {CODE}", "status"), (f"Status {CODE[:4]}-{CODE[4:8]}-{CODE[8:]}", "status"),
    (f"অবস্থা {BN_CODE}", "status"), (f"স্ট্যাটাস {CODE}", "status"),
    (f"YES {CODE}", "yes"), (f"yes {CODE}", "yes"), (f"হ্যাঁ {CODE}", "yes"),
    (f"NO {CODE}", "no"), (f"no {CODE[:4]} {CODE[4:8]} {CODE[8:]}", "no"), (f"না {BN_CODE}", "no"),
    ("STOP", "stop"), ("stop", "stop"), ("Stop.", "stop"), ("বন্ধ", "stop"),
    ("START", "start"), ("চালু", "start"),
])
def test_commands_in_english_and_bangla_any_case(text, kind):
    cmd = parse(text)
    assert cmd.kind == kind
    if kind in ("status", "yes", "no"):
        assert cmd.code == CODE


@pytest.mark.parametrize("text", [
    "No payment for three months",
    "Stop taking bribes from old people",
    "Yes the agent asked me for 500 taka",
    "না, আমি টাকা পাইনি",
    "My allowance is late",
    "status of my allowance is unknown",
])
def test_messages_that_merely_start_with_a_keyword_are_complaints(text):
    cmd = parse(text)
    assert cmd == Command("lodge", text=text, language=language_of(text))


def test_a_mistyped_code_is_a_status_request_with_no_code():
    cmd = parse(f"STATUS {CODE[:-1]}{(int(CODE[-1]) + 1) % 10}")  # last digit wrong: the check digit catches it
    assert (cmd.kind, cmd.code) == ("status", None)
    assert (parse("status").kind, parse("status").code) == ("status", None)


def test_whitespace_is_tidied_and_an_empty_message_is_an_empty_complaint():
    assert parse("  My   allowance\nis late ").text == "My allowance is late"
    assert parse(None) == Command("lodge", text="", language="en")


@pytest.mark.parametrize("text, lang", [
    ("My allowance is late", "en"), ("আমার ভাতা দেরিতে আসে", "bn"), (f"STATUS {CODE}", "en"),
    (f"অবস্থা {CODE}", "bn"), ("Baria ইউনিয়ন", "bn"),
])
def test_the_reply_language_follows_the_script(text, lang):
    assert language_of(text) == lang


@pytest.mark.parametrize("a, b", [("Sreepur", "Sripur"), ("Kashimpur", "Kasimpur"), ("Gachha", "Gacha"),
                                  ("KONABARI", "konabari"), ("বাড়ীয়া", "বাড়িয়া"), ("পূবাইল", "পুবাইল")])
def test_spelling_variants_fold_to_the_same_key(a, b):
    assert fold(a) == fold(b)


AREAS = [
    AreaName("BD-UN-2869", "union", "Baria", ("বাড়ীয়া",), "BD-UPZ-320"),
    AreaName("BD-UN-2870", "union", "Basan", ("বাসন",), "BD-UPZ-320"),
    AreaName("BD-UN-2872", "union", "Kashimpur", ("কাশিমপুর",), "BD-UPZ-320"),
    AreaName("BD-UN-2878", "union", "Gazipur", ("গাজীপুর",), "BD-UPZ-321"),
    AreaName("BD-UN-2877", "union", "Barmi", ("বরমী",), "BD-UPZ-321"),
    AreaName("BD-UN-2864", "union", "Tokh", ("টোক",), "BD-UPZ-319"),
    AreaName("BD-UN-9001", "union", "Chandpur", ("চাঁদপুর",), "BD-UPZ-319"),
    AreaName("BD-UN-9002", "union", "Chandpur", ("চাঁদপুর",), "BD-UPZ-366"),
    AreaName("BD-UPZ-320", "upazila", "Gazipur Sadar", ("গাজীপুর সদর",)),
    AreaName("BD-UPZ-321", "upazila", "Sreepur", ("শ্রীপুর",)),
    AreaName("BD-UPZ-319", "upazila", "Kapasia", ("কাপাসিয়া",)),
    AreaName("BD-UPZ-366", "upazila", "Dhamrai", ("ধামরাই",)),
]


@pytest.mark.parametrize("text, code", [
    ("I live in Basan union and got nothing", "BD-UN-2870"),
    ("basan", "BD-UN-2870"),
    ("from Kasimpur, payment missing", "BD-UN-2872"),  # misspelt
    ("Bariya union parishad", "BD-UN-2869"),  # misspelt
    ("আমি বাসনে থাকি", "BD-UN-2870"),  # Bangla with a case ending
    ("বাড়িয়া ইউনিয়ন", "BD-UN-2869"),  # short i for long ii
    ("Sripur upazila", "BD-UPZ-321"),
    ("শ্রীপুরের বরমী ইউনিয়ন", "BD-UN-2877"),  # union beats upazila
    ("Gazipur Sadar upazila office", "BD-UPZ-320"),  # not the Gazipur union in Sreepur
    ("Gazipur union", "BD-UN-2878"),
    ("Chandpur union, Kapasia", "BD-UN-9001"),  # the namesake inside the named upazila
    ("Chandpur union", None),  # two Chandpurs and nothing to choose: triage decides
    ("I took the bus to town", None),  # "took" is not Tokh
    ("", None),
])
def test_match_area_finds_the_place_a_message_names(text, code):
    assert match_area(text, AREAS) == code


def test_every_local_name_an_area_has_is_matched_not_only_the_bangla_one():
    areas = [AreaName("SO-D-1", "district", "Baidoa", ("Baydhabo",), "SO-R-1"),
             AreaName("SO-D-2", "district", "Hargeisa", ("Hargeysa",), "SO-R-2"),
             AreaName("BD-UN-1", "union", "Notunpara", ("নতুনপাড়া", "Nouveau Quartier"), "BD-UPZ-1")]
    assert match_area("Waxaan ku noolahay Baydhabo, lacag ma helin", areas) == "SO-D-1"
    assert match_area("I live in Baidoa", areas) == "SO-D-1"
    assert match_area("Hargeysa", areas) == "SO-D-2"
    assert match_area("J'habite Nouveau Quartier", areas) == "BD-UN-1"
    assert match_area("নতুনপাড়ায় থাকি", areas) == "BD-UN-1"


@pytest.mark.parametrize("text, programme, category", [
    ("I am a widow and my allowance was not paid", "WA", "payment"),
    ("আমি বিধবা, তালিকায় নাম নেই", "WA", "exclusion"),
    ("My disabled son lost his allowance", "DA", None),
    ("The chairman asked a bribe to put me on the list", None, "corruption"),  # a bribe asked (issue 12)
    ("Fraud by the union secretary", None, "corruption"),
    ("The agent harassed me at the pay point", None, "misconduct"),  # ambiguous word + an official named
    ("আমার বয়স্ক ভাতার টাকা কেটে নিয়েছে", "OAA", "payment"),
    ("Please call me", None, None),
])
def test_classify_points_to_a_programme_and_category_by_keyword(text, programme, category):
    assert classify(text) == (programme, category)


def test_every_command_has_a_handler():
    from channels.sms import commands
    from channels.sms.service import HANDLERS

    assert set(HANDLERS) == set(commands.KEYWORDS) | {"lodge"}
