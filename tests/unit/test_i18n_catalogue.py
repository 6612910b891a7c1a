"""The one catalogue holds exactly the texts `make extract` finds in the sources, translated: every text in the
complete languages (grs.citizen_texts.COMPLETE_LANGUAGES), the citizen's texts in the others, and every citizen's
text in each language of every country pack."""
from __future__ import annotations

import os
import re
import shlex

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from grs import ROOT
from grs.catalogue import DIRECTORY, DOMAIN
from grs.citizen_texts import CITIZEN_LANGUAGES, COMPLETE_LANGUAGES, citizen_facing
from grs.countries import PROFILES

LANGUAGES = sorted(d for d in os.listdir(DIRECTORY)
                   if os.path.isfile(os.path.join(DIRECTORY, d, "LC_MESSAGES", DOMAIN + ".po")))
RUN_EXTRACT = "run `make extract`, then translate the new entries in " + os.path.relpath(DIRECTORY, ROOT)


def _extract_keywords() -> list[str]:
    """The keyword options `make extract` passes to pybabel, read from the Makefile so the two cannot differ."""
    with open(os.path.join(ROOT, "Makefile"), encoding="utf-8") as f:
        found = re.search(r"^EXTRACT_KEYWORDS\s*:?=(.*)$", f.read(), re.M)
    assert found, "the Makefile no longer defines EXTRACT_KEYWORDS"
    return shlex.split(found.group(1))


def _ids(catalog) -> dict[tuple[str | None, str], object]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> dict:
    """(msgctxt, msgid) → message of the template that `make extract` writes, extracted into a temp dir."""
    pot = tmp_path_factory.mktemp("extract") / "messages.pot"
    CommandLineInterface().run(["pybabel", "--quiet", "extract", "-F", os.path.join(ROOT, "babel.cfg"),
                                *_extract_keywords(), "-o", str(pot), ROOT])
    with open(pot, "rb") as f:
        return _ids(read_po(f))


def _catalogue(lang: str):
    with open(os.path.join(DIRECTORY, lang, "LC_MESSAGES", DOMAIN + ".po"), "rb") as f:
        return read_po(f, locale=lang)


def test_extraction_finds_every_kind_of_text(template):
    # Guards the test itself: if extraction silently missed a kind of source, every later check would pass.
    assert (None, "Make a complaint") in template  # a page template
    assert (None, "Choose a programme.") in template  # lazy_gettext in a form
    assert ("action", "Resolve") in template  # lazy_pgettext
    assert (None, "%(num)d grievance") in template  # ngettext
    assert (None, "The form expired or was not sent from this site. Reload the page and try again.") in template  # N_
    assert ("ussd", "Grievance service") in template and ("ussd", "Your %(level)s") in template  # NC_


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_in_the_sources_is_in_the_catalogue(template, lang):
    held = _ids(_catalogue(lang))
    missing = sorted(f"{msgid!r}" + (f" (msgctxt {ctx!r})" if ctx else "")
                     + f" from {os.path.relpath(template[ctx, msgid].locations[0][0], ROOT)}"
                     for ctx, msgid in template if (ctx, msgid) not in held)
    assert not missing, f"{len(missing)} texts are not in the {lang} catalogue ({RUN_EXTRACT}):\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalogue_holds_no_text_the_sources_do_not_use(template, lang):
    # `make extract` would drop such an entry: it is dead, or shown through gettext(variable) unmarked (mark it N_).
    stale = sorted(repr(msgid) for ctx, msgid in _ids(_catalogue(lang)) if (ctx, msgid) not in template)
    assert not stale, f"{len(stale)} {lang} entries match no text in the sources ({RUN_EXTRACT}):\n" + "\n".join(stale)


def _untranslated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(message.id) and (message.fuzzy or not all(s and s.strip() for s in strings))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_with_its_placeholders(lang):
    # The complete languages translate every text; a citizen's language (Hausa, Somali) the texts a citizen
    # sees (grs.citizen_texts.citizen_facing: the public pages, USSD, the web channel, the track history).
    catalog = _catalogue(lang)
    if lang in COMPLETE_LANGUAGES:
        untranslated = [repr(m.id) for m in catalog if _untranslated(m)]
    elif lang in CITIZEN_LANGUAGES:
        untranslated = [repr(m.id) for m in catalog if _untranslated(m) and citizen_facing(m)]
    else:
        untranslated = []  # a catalogue still being written: its placeholders are checked all the same
    assert not untranslated, f"{len(untranslated)} {lang} entries have no translation:\n" + "\n".join(untranslated)
    # Babel's checks: the same %(name)s placeholders in the translation as in the English, plural forms complete.
    wrong = [f"{message.id!r}: {'; '.join(map(str, errors))}" for message, errors in catalog.check()]
    assert not wrong, f"{lang} translations that would break formatting:\n" + "\n".join(wrong)


def test_the_citizen_rule_covers_the_public_pages_ussd_and_the_track_history(template):
    facing = {key for key, m in template.items() if citizen_facing(m)}
    for key in [(None, "Make a complaint"), ("ussd", "Grievance service"), (None, "Choose a programme."),
                (None, "Your tracking code"), (None, "Sent to %(office)s."), (None, "Complaint figures"),
                (None, "The office is looking into your complaint.")]:
        assert key in facing, key
    for key in [(None, "%(num)d grievance"), ("action", "Resolve")]:
        assert key not in facing, key  # staff pages


# Every (country pack, language other than English) pair: its citizens read the catalogue in that language.
PACK_LANGUAGES = sorted({(code, lang) for code, prof in PROFILES.items() for lang in prof.languages if lang != "en"})


@pytest.mark.parametrize("country, lang", PACK_LANGUAGES)
def test_every_citizen_text_has_an_entry_in_each_pack_language(template, country, lang):
    assert lang in LANGUAGES, f"the {country} pack speaks {lang}, which has no catalogue in {DIRECTORY}"
    held = _ids(_catalogue(lang))
    missing = sorted(f"{msgid!r}" + (f" (msgctxt {ctx!r})" if ctx else "")
                     for (ctx, msgid), m in template.items()
                     if citizen_facing(m) and ((ctx, msgid) not in held or _untranslated(held[ctx, msgid])))
    assert not missing, (f"{len(missing)} texts a citizen sees have no {lang} translation ({country} pack; "
                         f"{RUN_EXTRACT}):\n" + "\n".join(missing))


MESSAGES = os.path.join(ROOT, "templates", "messages")


@pytest.mark.parametrize("country, lang", PACK_LANGUAGES)
def test_every_sms_text_exists_in_each_pack_language(country, lang):
    english = set(os.listdir(os.path.join(MESSAGES, "en")))
    folder = os.path.join(MESSAGES, lang)
    have = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    assert not english - have, f"SMS texts with no {lang} version ({country} pack): {sorted(english - have)}"
