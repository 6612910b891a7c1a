"""French is complete (issue 13, item 4): every text of the catalogue translated with its placeholders and
markup kept, and every SMS template written in French, within its segment budget with long Malian values.

Wording rules the tests hold the French to: one word for a grievance ("plainte", never "réclamation");
USSD screens and SMS texts in GSM-7 letters only (é è à ù are GSM-7; ç ê â î ô û ï ë are not, and one of
them turns the whole SMS into UCS-2, 70 characters a segment), so a French SMS costs what an English one
does unless a place name itself carries such a letter.
"""
from __future__ import annotations

import csv
import glob
import itertools
import os
import re
from collections import Counter
from datetime import datetime, timezone

import pytest
from babel.messages.pofile import read_po

from grs import ROOT
from grs.catalogue import DIRECTORY, DOMAIN
from grs.models import STATUSES, Category, Grievance, Office
from grs.notifications import render_with
from grs.segments import is_gsm7, measure
from grs.services import asking
from grs.tracking import display

MESSAGES = os.path.join(ROOT, "templates", "messages")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{[\w.]*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _catalogue(lang: str):
    with open(os.path.join(DIRECTORY, lang, "LC_MESSAGES", DOMAIN + ".po"), "rb") as f:
        return read_po(f, locale=lang)


def _key(message) -> tuple[str | None, str]:
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


@pytest.fixture(scope="module")
def french():
    return _catalogue("fr")


def test_the_french_catalogue_holds_every_text_the_bangla_one_does(french):
    # `make extract` writes both from the same sources; test_i18n_catalogue holds Bangla to the sources.
    have = {_key(m) for m in french if m.id}
    missing = sorted(repr(k) for k in (_key(m) for m in _catalogue("bn") if m.id) if k not in have)
    assert not missing, f"{len(missing)} texts missing from the French catalogue (run `make extract`):\n" + \
        "\n".join(missing)


def test_every_french_entry_is_translated_with_the_placeholders_and_markup_of_its_english(french):
    problems = []
    for m in french:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        if len(strings) != french.num_plurals and m.pluralizable:
            problems.append(f"{len(strings)} plural forms, French has {french.num_plurals}: {ids[0]!r}")
        for s in strings:
            # A plural's forms may drop the number only where the English does; here every form keeps it.
            if not any(Counter(PLACEHOLDER.findall(s)) == Counter(PLACEHOLDER.findall(i)) for i in ids):
                problems.append(f"placeholders differ: {ids[0]!r} -> {s!r}")
            if Counter(TAG.findall(s)) != Counter(TAG.findall(ids[0])):
                problems.append(f"markup differs: {ids[0]!r} -> {s!r}")
            if "réclamation" in s.lower():
                problems.append(f"'réclamation' where the catalogue says 'plainte': {s!r}")
    problems += [f"{m.id!r}: {'; '.join(map(str, errors))}" for m, errors in french.check()]
    assert not problems, "\n".join(problems)


def test_french_ussd_screens_are_written_in_gsm_7_letters(french):
    wide = {m.id: s for m in french if m.context == "ussd" for s in [m.string] if not is_gsm7(s)}
    assert not wide, f"USSD texts with letters outside GSM-7: {wide}"


# ---- SMS templates -------------------------------------------------------------------------------------

NAMES = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(MESSAGES, "en", "*.txt")))
# Texts that carry an officer's words: cut to what fits asking.MAX_SEGMENTS, in every language.
FITTED = {"info_requested": "question", "resolved": "resolution", "rejected": "reason"}
WHYS = (None, "overdue", "escalated", "transfer", "satisfied", "no_answer", "withdrawn", "office")
DECISIONS = (None, "upheld", "partly_upheld", "not_upheld", "referred")
REASONS = (None, "unrelated", "out_of_scope", "duplicate", "insufficient_information", "withdrawn")
# An officer's words, in GSM-7 letters (what the officer writes is a value: with a ç or an ê in it the SMS is
# UCS-2, and asking.fit cuts it to three segments all the same).
LONG_TEXT = ("Veuillez envoyer une copie du bordereau de paiement de l'agence payeuse et le numéro de votre "
             "carte d'identité, et indiquez la date du dernier paiement obtenu du programme.")
# A French SMS stays in GSM-7 with GSM-7 values: two segments at most (English has one, and French takes a
# fifth more words). A place name with a UCS-2 letter (a few of Mali's communes carry â, ï or ’, such as
# "Koporokendié Nâ") makes the whole text UCS-2: three segments there, as the Bangla step texts have.
BUDGET = {"GSM-7": 2, "UCS-2": 3}


def _de(name: str) -> str:
    return f"d'{name}" if name[:1].lower() in "aeiouyhàâéèêîïôû" else f"de {name}"


def _longest_communes() -> tuple[str, str]:
    """The longest commune names of Mali's areas file: (the longest in GSM-7, the longest with a UCS-2 letter)."""
    with open(os.path.join(ROOT, "grs", "packs", "ml", "areas.csv"), encoding="utf-8") as f:
        names = [r["name_local"] or r["name_en"] for r in csv.DictReader(f) if r["level"] == "commune"]
    gsm = max((n for n in names if is_gsm7(n)), key=len)
    wide = max((n for n in names if not is_gsm7(n)), key=len, default=gsm + "ï")
    return gsm, wide


def _offices() -> list[Office]:
    """Never stored: offices named as grs.services.areas names Mali's communes in French, longest first."""
    return [Office(code=f"OFF-ML-{i}", tier="commune", name_en=f"{name} Commune GRS Office",
                   names={"fr": f"Bureau des plaintes, commune {_de(name)}"})
            for i, name in enumerate(_longest_communes())]


def _contexts(office: Office, name: str):
    category = Category(code="payment_agency_misconduct", name_en="Payment agency")
    # September has the longest French month name; August's ("août") has a letter outside GSM-7, which the
    # templates write "aout" (the 1990 spelling) so that a date alone never makes an SMS UCS-2.
    dates = [datetime(2026, month, 28, 6, 0, tzinfo=timezone.utc) for month in (9, 8)]
    extras = [{}, {"sms_number": "+223 20 22 33 44", "hotline": "+223 80 00 11 22"}]
    # Each value is varied where a template reads it: statuses in the status texts, why, appeal and the day
    # it is taken up in the step texts (the officer's words are fitted to the budget below).
    statuses = STATUSES if name in ("sms_status", "sms_answer_refused") else ("in_progress",)
    combos = [dict(due=d, status=s, late=late, text=LONG_TEXT, why=None, appeal=False, queued=None)
              for d, s, late in itertools.product(dates, statuses, (False, True))]
    if name not in FITTED:
        combos += [dict(due=d, status="in_progress", late=False, text=LONG_TEXT, why=w, appeal=a, queued=q)
                   for d, w, a, q in itertools.product(dates, WHYS, (False, True), (None, dates[-1]))]
    # resolved reads only the decision and rejected only the reason: one pair at a time tries each of both.
    pairs = list(itertools.zip_longest(DECISIONS, REASONS)) if name in ("resolved", "rejected") else [(None, None)]
    for c, extra, (decision, reason_code) in itertools.product(combos, extras, pairs):
        if (decision or reason_code) and c["why"] is not None:
            continue  # the decision words are tried against every date and status, not against each why
        g = Grievance(tracking_code="482109375512", due_at=c["due"], office=office, category=category,
                      status=c["status"], is_open=True, language="fr", decision=decision)
        yield {"code": display(g.tracking_code), "grievance": g, "lang": "fr", "office": office,
               "office_name": office.name("fr"), "question": c["text"], "reason": c["text"],
               "resolution": c["text"], "status": c["status"], "late": c["late"], "day": "28 septembre 2026",
               "why": c["why"], "appeal": c["appeal"], "to_office": office, "queued_on": c["queued"],
               "open": 1234, "due_today": 567, "overdue": 890, "reason_code": reason_code, "empty": c["late"],
               "length": 1234, "limit": 918, **extra}


def test_every_english_sms_template_has_a_french_one():
    have = {os.path.basename(p)[:-4] for p in glob.glob(os.path.join(MESSAGES, "fr", "*.txt"))}
    assert set(NAMES) - have == set(), f"no French text for {sorted(set(NAMES) - have)}"
    assert have - set(NAMES) == set(), f"French texts with no English one: {sorted(have - set(NAMES))}"


def test_french_sms_templates_use_what_their_english_ones_use():
    # The same values: a French text reads what its English one reads (a value added to the English, such as
    # queued_on, is said in French too), and never one the code does not pass.
    from jinja2 import Environment, meta

    env = Environment()
    env.filters["localdate"] = lambda value, lang=None: ""

    def variables(lang: str, name: str) -> set[str]:
        with open(os.path.join(MESSAGES, lang, name + ".txt"), encoding="utf-8") as f:
            return meta.find_undeclared_variables(env.parse(f.read()))

    differ = {n: sorted(variables("fr", n) ^ variables("en", n)) for n in NAMES}
    assert {n: v for n, v in differ.items() if v} == {}, "values read by only one of the English and French texts"


@pytest.fixture
def jinja_env():
    """The message templates as the app renders them (no autoescape for .txt, the app's own localdate), on
    Mali's clock, without building the app: a bare Flask context holds the one setting the filter reads."""
    from flask import Flask
    from jinja2 import Environment, FileSystemLoader

    from grs.i18n import localdate

    bare = Flask("french-sms")
    bare.config["COUNTRY"] = "ML"
    env = Environment(loader=FileSystemLoader(os.path.join(ROOT, "templates")))
    env.filters["localdate"] = localdate
    env.globals.update(sms_number="", hotline="")
    with bare.app_context():
        yield env


def test_every_french_sms_fits_its_segment_budget_with_long_malian_values(jinja_env):
    languages = ("en", "fr")

    def render(template, language, **values):
        return render_with(jinja_env, languages, template, language, **values)

    too_long = {}
    for office, name in itertools.product(_offices(), NAMES):
        worst = ""
        for context in _contexts(office, name):
            if name in FITTED:
                key = FITTED[name]
                context = {**context, key: asking.fit(render, name, "fr", key, LONG_TEXT * 3, **context)}
            text = render(name, "fr", **context)
            assert "{{" not in text and "{%" not in text and text.strip(), f"fr/{name}: {text!r}"
            worst = max(worst, text, key=lambda t: measure(t)[1] * 1000 + len(t))
        encoding, segments = measure(worst)
        gsm_values = is_gsm7(office.name("fr"))
        if gsm_values:
            assert encoding == "GSM-7", f"fr/{name} needs UCS-2 with GSM-7 values: {worst!r}"
        budget = asking.MAX_SEGMENTS if name in FITTED else BUDGET[encoding]
        if segments > budget:
            too_long[(name, office.name("fr"))] = (encoding, segments, len(worst), worst)
    assert too_long == {}, f"French SMS texts over budget {BUDGET}: {too_long}"


def test_a_time_on_the_first_of_a_month_reads_1er_in_french_in_mali_s_time_zone():
    from datetime import datetime, timezone

    from flask import Flask

    from grs.i18n import localtime

    bare = Flask("french-time")
    bare.config["COUNTRY"] = "ML"
    with bare.app_context():
        assert localtime(datetime(2026, 9, 1, 10, 5, tzinfo=timezone.utc), "fr") == "1er septembre 2026, 10:05"
        assert localtime(datetime(2026, 9, 2, 10, 5, tzinfo=timezone.utc), "fr") == "2 septembre 2026, 10:05"
