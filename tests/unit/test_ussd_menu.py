"""The USSD menu walked screen by screen, with the demo and the full country geography, in both languages."""
from __future__ import annotations

import json
from collections import deque
from datetime import date

import pytest
from shared_data import BD_AREAS, shared_file

from channels.ussd import menu
from channels.ussd.menu import MAX_SCREEN, ListReference, Option, StatusInfo
from grs.demo import DEMO_AREAS
from grs.services.reference import CATEGORIES, PROGRAMMES
from grs.tracking import check_digit

COUNTRY_FILE = BD_AREAS
LEVELS = [Option("district", "District", {"bn": "জেলা"}), Option("upazila", "Upazila", {"bn": "উপজেলা"}),
          Option("union", "Union", {"bn": "ইউনিয়ন"})]
REAL_PROGRAMMES = [Option(c, en, names) for c, en, names in PROGRAMMES]
REAL_CATEGORIES = [Option(c[0], c[1], c[2]) for c in CATEGORIES]
LONG_PROGRAMMES = REAL_PROGRAMMES + [
    Option("LONG1", "National Social Insurance Scheme for Informal Sector Workers and Their Families in Rural Areas",
           {"bn": "গ্রামীণ এলাকার অনানুষ্ঠানিক খাতের শ্রমিক ও তাদের পরিবারের জন্য জাতীয় সামাজিক বীমা প্রকল্প"}),
    Option("LONG2", "Supercalifragilisticexpialidociousprogrammewithoutanyspaces",
           {"bn": "অতিদীর্ঘনামবিশিষ্টকর্মসূচিযাতেকোনোফাঁকানেইএকেবারেই"}),
]
LONG_CATEGORIES = REAL_CATEGORIES + [
    Option("LONG", "A very long category name (with an aside that is itself too long to fit on one line)",
           {"bn": "একটি অনেক দীর্ঘ শ্রেণির নাম (যার ভেতরে একটি ব্যাখ্যাও আছে যা এক লাইনে আঁটে না)"}),
]
ANSWERS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "00", "98", "99", "x", "", "123",
           "My allowance was not paid", "৩"]
CODE = "48210937551"
CODE += check_digit(CODE)


def _reference(path: str, programmes=REAL_PROGRAMMES, categories=REAL_CATEGORIES) -> ListReference:
    ref = ListReference.from_areas_csv(path, programmes, categories, LEVELS)
    ref.statuses[CODE] = StatusInfo(CODE, "awaiting_info", Option("national", "National", {"bn": "জাতীয়"}),
                                    date(2026, 9, 30))
    return ref


def walk(ref: ListReference, lang: str, lists_only: bool = False) -> tuple[int, list[str], set[str]]:
    """Every state reachable from the main menu with every answer; returns (screens, too long, areas picked)."""
    first = menu.start(lang)
    seen, queue, too_long, count, picked = set(), deque([first.state]), [], 0, set()

    def check(screen: str) -> None:
        nonlocal count
        count += 1
        if len(screen) > MAX_SCREEN:
            too_long.append(screen)

    check(first.screen)
    while queue:
        state = queue.popleft()
        # Before the confirm screen, which programme and category were chosen changes no screen.
        shown = state if state["screen"] in ("describe", "confirm") else \
            {k: v for k, v in state.items() if k not in ("programme", "category")}
        key = json.dumps(shown, sort_keys=True, ensure_ascii=False)
        if key in seen:
            continue
        seen.add(key)
        for answer in ANSWERS:
            reply = menu.step(state, answer, ref)
            check(reply.screen)
            if reply.state.get("via") == "list":
                picked.add(reply.state["area"])
            if reply.lodge is not None:
                check(menu.lodged_screen(reply.lodge.language, CODE))
                check(menu.failed_screen(reply.lodge.language))
            if not reply.done and reply.state["lang"] == lang:
                # With 4,540 unions, the screens after the choice are checked once per union below.
                if lists_only and reply.state["screen"] in ("describe", "confirm"):
                    continue
                queue.append(reply.state)
    return count, too_long, picked


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_every_screen_with_the_demo_geography_fits_160_characters(lang):
    ref = _reference(DEMO_AREAS, LONG_PROGRAMMES, LONG_CATEGORIES)
    count, too_long, picked = walk(ref, lang)
    assert too_long == []
    assert {o.code for o in ref.numbers.values()} <= picked  # every union can be reached through the lists


def _country_file() -> str:
    """The national hierarchy in ../shared: skipped where it is missing, except in CI, which always has it."""
    return shared_file(COUNTRY_FILE)


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_every_screen_with_the_whole_country_fits_160_characters(lang):
    ref = _reference(_country_file(), LONG_PROGRAMMES, LONG_CATEGORIES)
    count, too_long, picked = walk(ref, lang, lists_only=True)
    assert too_long == []
    unions = {o.code for o in ref.numbers.values()}
    assert len(unions) == 4540 and unions <= picked  # every page of every district, upazila and union list
    for union in ref.numbers.values():  # the describe and confirm screens, with each union's name
        state = {"lang": lang, "screen": "describe", "programme": "LONG1", "category": "LONG",
                 "area": union.code, "area_en": union.en, "area_names": dict(union.names), "via": "list"}
        shown = [menu.step(state, "zz", ref).screen, menu.step(state, "", ref).screen]
        confirm = menu.step(state, "1", ref)
        shown += [confirm.screen, menu.step(confirm.state, "x", ref).screen]
        assert [s for s in shown if len(s) > MAX_SCREEN] == []


@pytest.mark.parametrize("lang", ["en", "bn"])
@pytest.mark.parametrize("geography", ["demo", "country"])
def test_the_longest_place_names_fit_on_the_describe_and_confirm_screens(geography, lang):
    ref = _reference(DEMO_AREAS if geography == "demo" else _country_file(), LONG_PROGRAMMES, LONG_CATEGORIES)
    unions = sorted(ref.numbers.values(), key=lambda o: -len(o.label(lang)))[:5]
    for union in unions:
        for prog in LONG_PROGRAMMES:
            for cat in LONG_CATEGORIES:
                state = {"lang": lang, "screen": "describe", "programme": prog.code, "category": cat.code,
                         "area": union.code, "area_en": union.en, "area_names": dict(union.names), "via": "code"}
                for answer in ("1", "", "zz"):
                    reply = menu.step(state, answer, ref)
                    assert len(reply.screen) <= MAX_SCREEN, reply.screen
                    if reply.state["screen"] == "confirm":
                        for again in ("x", "1"):
                            r2 = menu.step(reply.state, again, ref)
                            assert len(r2.screen) <= MAX_SCREEN, r2.screen


@pytest.mark.parametrize("lang", ["en", "bn"])
@pytest.mark.parametrize("status", ["received", "acknowledged", "in_progress", "awaiting_info", "resolved",
                                    "rejected", "closed"])
def test_status_screens_fit_and_say_the_status_in_plain_words(lang, status):
    for level in (None, Option("national", "National", {"bn": "জাতীয়"}),
                  Option("upazila", "Upazila", {"bn": "উপজেলা"})):
        for due in (None, date(2026, 9, 30), date(2026, 12, 31)):
            screen = menu.status_screen(lang, StatusInfo(CODE, status, level, due))
            assert len(screen) <= MAX_SCREEN
            assert "4821 0937 5514" in screen
            assert "_" not in screen  # words, not the workflow's codes


def test_lodging_walks_programme_category_district_upazila_union_text_confirm():
    ref = _reference(DEMO_AREAS)
    reply = menu.start("en")
    for answer in ("1", "1", "3", "2", "1", "1"):  # Old Age Allowance, Payment, Gazipur, Gazipur Sadar, Baria
        reply = menu.step(reply.state, answer, ref)
    assert reply.screen.startswith("Baria:")
    reply = menu.step(reply.state, "Agent took 200 taka", ref)
    assert reply.screen.splitlines()[1:4] == ["Old Age Allowance", "Payment", "Baria"]
    reply = menu.step(reply.state, "1", ref)
    assert reply.done
    assert reply.lodge == menu.LodgeRequest("OAA", "payment", "BD-UN-2869", "Agent took 200 taka", "en")


def test_a_union_code_typed_directly_skips_the_lists():
    ref = _reference(DEMO_AREAS)
    state = {"lang": "bn", "screen": "area", "depth": 0, "trail": [], "page": 0, "programme": "WA",
             "category": "exclusion"}
    reply = menu.step(state, "99", ref)
    assert reply.state["screen"] == "area_code"
    hint = menu.step(reply.state, "999999", ref)
    assert hint.screen.startswith("কোডটি পাওয়া যায়নি।") and hint.state == reply.state
    reply = menu.step(reply.state, "২৮৬৯", ref)  # typed on a Bangla keypad
    assert reply.state["area"] == "BD-UN-2869"
    assert reply.screen.startswith(ref.numbers["2869"].names["bn"] + ":")
    reply = menu.step(menu.step(reply.state, "1", ref).state, "1", ref)
    assert reply.lodge.description.startswith("বাদ পড়া")  # a skipped description still says what it is about


def test_zero_goes_back_one_page_then_one_screen_and_double_zero_goes_home():
    ref = _reference(DEMO_AREAS)  # Dhamrai's 16 unions take more than one page
    state = {"lang": "en", "screen": "area", "depth": 2, "trail": ["BD-DIS-47", "BD-UPZ-366"], "page": 0,
             "programme": "OAA", "category": "payment"}
    nxt = menu.step(state, "98", ref)
    assert nxt.state["page"] == 1 and " 2/" in nxt.screen.splitlines()[0]
    back = menu.step(nxt.state, "0", ref)
    assert back.state["page"] == 0 and back.state["depth"] == 2
    up = menu.step(back.state, "0", ref)
    assert up.state["screen"] == "area" and up.state["depth"] == 1 and up.state["trail"] == ["BD-DIS-47"]
    up = menu.step(menu.step(up.state, "0", ref).state, "0", ref)  # the districts, then the categories
    assert up.state["screen"] == "category"
    home = menu.step(nxt.state, "00", ref)
    assert home.state == {"lang": "en", "screen": "main"}


def test_an_unknown_answer_shows_the_same_screen_with_a_hint():
    ref = _reference(DEMO_AREAS)
    state = {"lang": "en", "screen": "programme", "page": 0}
    shown = menu.step({"lang": "en", "screen": "main"}, "1", ref)
    again = menu.step(state, "42", ref)
    assert again.state["screen"] == "programme"
    assert again.screen == "Not a choice, try again.\n" + shown.screen


def test_choosing_a_language_is_remembered_and_switches_the_menu():
    reply = menu.step(menu.start("en").state, "3", _reference(DEMO_AREAS))
    reply = menu.step(reply.state, "2", _reference(DEMO_AREAS))
    assert reply.remember_language == "bn"
    assert reply.screen.startswith("ভাষা সংরক্ষিত।\nঅভিযোগ সেবা")


def test_status_check_by_code_and_a_mistyped_code_gets_a_hint():
    ref = _reference(DEMO_AREAS)
    state = menu.step(menu.start("en").state, "2", ref).state
    wrong = CODE[:-2] + CODE[-1] + CODE[-2]  # two neighbouring digits swapped
    assert menu.step(state, wrong, ref).screen.startswith("Code not valid.")
    done = menu.step(state, "4821 0937 5514", ref)
    assert done.done
    assert done.screen == ("Complaint 4821 0937 5514: waiting for information from you, at the national office. "
                           "Answer due by 30 Sep 2026.")


@pytest.mark.parametrize("label, width, expected", [
    ("Old Age Allowance", 28, "Old Age Allowance"),
    ("Public Works (Employment Generation)", 28, "Public Works"),
    ("Payment (late, short, deducted, bribe asked)", 28, "Payment"),
    ("Sexual exploitation, abuse or gender-based violence", 28, "Sexual exploitation, abuse."),
    ("Supercalifragilisticexpialidocious", 10, "Supercali."),
])
def test_labels_are_shortened_at_a_word(label, width, expected):
    assert menu.shorten(label, width) == expected
    assert len(menu.shorten(label, width)) <= width
