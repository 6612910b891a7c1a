"""The USSD menu with each country pack (issue 13): its geography, tier names, programmes and categories, in
each of its languages: every list screen fits 160 characters, every area can be reached, and the describe and
confirm screens hold the pack's longest names."""
from __future__ import annotations

import json
from collections import deque

import pytest

from channels.ussd import menu
from channels.ussd.menu import MAX_SCREEN, ListReference, Option
from grs.countries import PROFILES, read_json

ANSWERS = ["1", "2", "3", "9", "0", "00", "98", "99", "x"]
CASES = sorted((code, lang) for code, prof in PROFILES.items() for lang in prof.languages)


def _options(items: list[dict]) -> list[Option]:
    return [Option(i["code"], i["names"]["en"], {k: v for k, v in i["names"].items() if k != "en"})
            for i in items if i.get("active", True)]


def _reference(code: str) -> ListReference:
    prof = PROFILES[code]
    doc = read_json(code, "reference.json")
    # The menu asks the area levels of the tiers below national, top first (as DbReference.levels does).
    levels = [Option(level, prof.level_name(level), {lang: prof.level_name(level, lang) for lang in prof.languages})
              for _, level, *_ in reversed(prof.tiers) if level != prof.levels[0][0]]
    ref = ListReference.from_areas_csv(prof.areas_file, _options(doc["programmes"]), _options(doc["categories"]),
                                       levels, local_language=prof.local_language)
    ref.languages = tuple(prof.site_languages)
    return ref


@pytest.mark.parametrize("country, lang", CASES)
def test_every_list_screen_of_each_pack_fits_in_each_of_its_languages(country, lang):
    ref = _reference(country)
    first = menu.start(lang, ref.languages)
    assert first.state["lang"] == lang
    seen, queue, too_long, picked = set(), deque([first.state]), [], set()
    while queue:
        state = queue.popleft()
        key = json.dumps({k: v for k, v in state.items() if k not in ("programme", "category")}, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        for answer in ANSWERS + [str(n) for n in range(4, 9)]:
            reply = menu.step(state, answer, ref)
            if len(reply.screen) > MAX_SCREEN:
                too_long.append(reply.screen)
            if reply.state.get("via") == "list":
                picked.add(reply.state["area"])
                continue  # the describe and confirm screens are checked below with the longest names
            if not reply.done and reply.state["lang"] == lang:
                queue.append(reply.state)
    assert too_long == []
    lowest = {o.code for parent in ref.children.values() for o in parent
              if o.code not in ref.children}  # areas with nothing below them: where a complaint is placed
    assert lowest <= picked, sorted(lowest - picked)[:5]


@pytest.mark.parametrize("country, lang", CASES)
def test_the_longest_names_of_each_pack_fit_the_describe_and_confirm_screens(country, lang):
    ref = _reference(country)
    areas = sorted((o for opts in ref.children.values() for o in opts), key=lambda o: -len(o.label(lang)))[:5]
    programme = max(ref.programmes, key=lambda o: len(o.label(lang)))
    category = max(ref.categories, key=lambda o: len(o.label(lang)))
    for area in areas:
        state = {"lang": lang, "screen": "describe", "programme": programme.code, "category": category.code,
                 "area": area.code, "area_en": area.en, "area_names": dict(area.names), "via": "list"}
        for answer in ("1", "", "zz", "Lacag ma helin"):
            reply = menu.step(state, answer, ref)
            assert len(reply.screen) <= MAX_SCREEN, reply.screen
            if reply.state["screen"] == "confirm":
                for again in ("x", "1", "2"):
                    assert len(menu.step(reply.state, again, ref).screen) <= MAX_SCREEN


@pytest.mark.parametrize("country", sorted(PROFILES))
def test_the_language_menu_lists_the_packs_languages_default_first(country):
    ref = _reference(country)
    prof = PROFILES[country]
    shown = menu.step(menu.start(prof.default_language, ref.languages).state, "3", ref).screen.split("\n")
    names = {"en": "English", "bn": "বাংলা", "fr": "Français", "ha": "Hausa", "so": "Soomaali"}
    assert shown[1:-1] == [f"{n} {names[lang]}" for n, lang in enumerate(prof.site_languages, start=1)]
    assert shown[1] == f"1 {names[prof.default_language]}"
    for n, lang in enumerate(prof.site_languages, start=1):
        chosen = menu.step(menu.step(menu.start("en", ref.languages).state, "3", ref).state, str(n), ref)
        assert chosen.remember_language == lang and chosen.state["lang"] == lang


@pytest.mark.parametrize("label, expected", [
    ("Shirin Tallafin Zamantakewa na Jihar Imo", "Shirin Tallafin Zamantakewa."),  # a whole word kept at the cut
    ("Transferts monétaires et mesures d'accompagnement", "Transferts monétaires."),  # not "... et."
    ("Diiwaanka Bulshada ee Qaranka iyo wax kale", "Diiwaanka Bulshada."),  # not "... ee."
    ("Sexual exploitation, abuse or gender-based violence", "Sexual exploitation, abuse."),
])
def test_a_cut_label_keeps_whole_words_and_ends_on_no_small_word_in_any_language(label, expected):
    assert menu.shorten(label, 28) == expected


def test_the_programmes_of_each_pack_stay_apart_when_cut():
    for code in PROFILES:
        ref = _reference(code)
        for lang in PROFILES[code].languages:
            cut = [menu.shorten(o.label(lang), menu.LABEL_MAX) for o in ref.programmes]
            assert len(set(cut)) == len(cut), (code, lang, cut)
