"""SMS keywords in every language (issue 13, item 4): French, Hausa and Somali beside English and Bangla, the
spellings a basic phone types, only the deployment's languages, and the language a keyword says."""
from __future__ import annotations

import pytest

from channels.sms.commands import KEYWORDS, KEYWORDS_BY_LANGUAGE, parse
from grs.countries import PROFILES
from grs.tracking import check_digit

CODE = "48210937551" + check_digit("48210937551")
SPACED = f"{CODE[:4]} {CODE[4:8]} {CODE[8:]}"


@pytest.mark.parametrize("text, kind, lang", [
    (f"STATUT {CODE}", "status", "fr"), (f"État {SPACED}", "status", "fr"), (f"etat {CODE}", "status", "fr"),
    (f"OUI {CODE}", "yes", "fr"), (f"Non {CODE}", "no", "fr"), (f"APPEL {CODE}", "appeal", "fr"),
    (f"recours {CODE}", "appeal", "fr"), ("ARRET", "stop", "fr"), ("Arrêt", "stop", "fr"),
    ("REPRENDRE", "start", "fr"),
    (f"MATSAYI {CODE}", "status", "ha"), (f"EH {CODE}", "yes", "ha"), (f"A'A {CODE}", "no", "ha"),
    (f"a’a {SPACED}", "no", "ha"), (f"AA {CODE}", "no", "ha"), (f"DAUKAKA {CODE}", "appeal", "ha"),
    (f"Ɗaukaka {CODE}", "appeal", "ha"), (f"ƘARA {CODE}", "appeal", "ha"), (f"kara {CODE}", "appeal", "ha"),
    ("DAINA", "stop", "ha"), ("FARA", "start", "ha"),
    (f"XAALAD {CODE}", "status", "so"), (f"haa {CODE}", "yes", "so"), (f"MAYA {CODE}", "no", "so"),
    (f"RACFAAN {CODE}", "appeal", "so"), (f"Rafcaan {CODE}", "appeal", "so"), ("JOOJI", "stop", "so"),
    ("BILOW", "start", "so"),
])
def test_keywords_of_french_hausa_and_somali_with_or_without_accents_and_hooks(text, kind, lang):
    cmd = parse(text)
    assert (cmd.kind, cmd.language, cmd.keyword_language) == (kind, lang, lang)
    if kind not in ("stop", "start"):
        assert cmd.code == CODE


@pytest.mark.parametrize("text, code, answer, lang", [
    (f"BAYANI {CODE} An biya ni rabi kawai", CODE, "An biya ni rabi kawai", "ha"),
    (f"XOG {SPACED}: lacagta waa la ii dhimay", CODE, "lacagta waa la ii dhimay", "so"),
    (f"INFO {CODE} On m'a payé la moitié", CODE, "On m'a payé la moitié", "en"),  # INFO is English's too
])
def test_the_information_keyword_in_every_language(text, code, answer, lang):
    cmd = parse(text)
    assert (cmd.kind, cmd.code, cmd.text, cmd.language) == ("info", code, answer, lang)


@pytest.mark.parametrize("text", [
    "Non, je n'ai rien reçu depuis trois mois",  # French: starts with NON, then words
    "Arrêt des paiements depuis janvier",  # ARRET only counts alone
    "A'a, ba a biya ni ba tun watan jiya",  # Hausa: no, nobody paid me since last month
    "Daina karɓar cin hanci",  # Hausa: stop taking bribes
    "Maya, lacag ma helin",  # Somali: no, I got no money
    "Xaalad adag ayaan ku jiraa, gargaar ma helin",  # Somali: I am in a hard situation
    "Jooji laaluushka",  # Somali: stop the bribery
])
def test_a_complaint_that_starts_with_a_keyword_stays_a_complaint(text):
    assert parse(text).kind == "lodge"


def test_only_english_and_the_deployments_languages_count():
    # A Mali site (French, English) reads MATSAYI and XAALAD as words of a complaint, not as commands.
    assert parse(f"STATUT {CODE}", ("fr", "en")).kind == "status"
    assert parse(f"MATSAYI {CODE}", ("fr", "en")).kind == "lodge"
    assert parse(f"XAALAD {CODE}", ("fr", "en")).kind == "lodge"
    assert parse(f"অবস্থা {CODE}", ("fr", "en")).kind == "lodge"
    assert parse(f"STATUS {CODE}", ("so",)).kind == "status"  # English always counts
    assert parse(f"XAALAD {CODE}", ("so", "en")).kind == "status"


def test_english_and_shared_words_name_no_language():
    # STATUS is taught by every language's texts; STOP and INFO are English and French: the sender's stored
    # language decides the answer, not the word.
    for text in (f"STATUS {CODE}", "STOP", f"INFO {CODE} x", f"NO {CODE}"):
        assert parse(text).keyword_language is None, text


def test_no_word_means_two_commands_and_every_pack_language_has_keywords():
    for lang, table in KEYWORDS_BY_LANGUAGE.items():
        assert set(table) == set(KEYWORDS), lang
    owner: dict[str, str] = {}
    for table in KEYWORDS_BY_LANGUAGE.values():
        for cmd, words in table.items():
            for w in words:
                assert owner.setdefault(w, cmd) == cmd, f"{w!r} is both {owner[w]} and {cmd}"
                assert w == w.casefold(), w  # parse folds what it reads
    for prof in PROFILES.values():
        for lang in prof.languages:
            assert lang in KEYWORDS_BY_LANGUAGE, f"the {prof.code} pack speaks {lang}, which has no SMS keywords"


@pytest.mark.parametrize("text, lang", [
    ("Khouloum : je n'ai pas reçu mon transfert monétaire", "fr"),
    ("Le chef de village a pris l'argent", "fr"),
    ("Ba a biya ni ba tun watanni uku", "ha"),
    ("Wakili ya karɓi taka 200", "ha"),  # a hooked letter is Hausa on its own
    ("Hodan: lacagta Baxnaano laba bixin lama i siin", "so"),
    ("Waxaan ku noolahay Baydhabo, lacag ma helin", "so"),
    ("Naze ward: my cash transfer has not been paid for two cycles", "en"),
    ("The agent took 200 taka from my allowance", "en"),
    ("Baria", "en"),  # a place name alone says nothing
    ("আমার ভাতা দেরিতে আসে", "bn"),
])
def test_a_complaint_is_kept_in_the_language_it_is_written_in(text, lang):
    assert parse(text).language == lang


def test_a_language_the_deployment_does_not_speak_is_not_guessed():
    assert parse("Ba a biya ni ba tun watanni uku", ("so", "en")).language == "en"
    assert parse("Waxaan ku noolahay Baydhabo, lacag ma helin", ("so", "en")).language == "so"
