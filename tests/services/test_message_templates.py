"""Every SMS template exists in English and Bangla and fits: one GSM-7 segment, or two UCS-2 segments."""
from __future__ import annotations

import glob
import itertools
import os
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

import builders
from grs.segments import measure
from grs import ROOT
from grs.extensions import db
from grs.models import STATUSES, Category, Grievance, Office
from grs.notifications import render_with
from grs.services import asking
from grs.services.areas import import_areas
from grs.tracking import display

MESSAGES = os.path.join(ROOT, "templates", "messages")
LIMITS = {"en": ("GSM-7", 1), "bn": ("UCS-2", 2)}
# Texts that carry an officer's words (the question, the decision): the words are cut to what lets the whole
# SMS fit in asking.MAX_SEGMENTS segments (the question is refused beyond that), in every language.
FITTED = {"info_requested": "question", "resolved": "resolution", "rejected": "reason"}
# Texts told to the complainant at a step that changes what they should expect, whose Bangla carries an office
# name, the reason in plain words and a date with its full month: up to three UCS-2 segments there.
STEP_BUDGETS = {"bn": {"forwarded": 3, "appeal_opened": 3, "national_review": 3, "extended": 3, "closed": 3,
                       "sms_status": 3}}
# What each step text may say why (grs.services.actions: forwarded's reasons, closed's CLOSE_WHY and "office").
WHYS = (None, "overdue", "escalated", "transfer", "satisfied", "no_answer", "withdrawn", "office")
NAMES = sorted({os.path.basename(p)[:-4] for p in glob.glob(os.path.join(MESSAGES, "*", "*.txt"))})

# The longest names in the national hierarchy (../shared/data/bd-admin-areas), loaded next to the demo
# world so that "the longest office name in the database" is the longest one a deployment will have.
LONGEST_AREAS = """code,parent_code,level,name_en,name_bn
LONG-DIS,BD-DIV-6,district,Chapainawabganj,ব্রাহ্মণবাড়িয়া
LONG-UPZ,LONG-DIS,upazila,Chapainawabganj Sadar,ব্রাহ্মণবাড়িয়া সদর
LONG-UN,LONG-UPZ,union,Ramachandrapur (North),আলগী দুর্গাপুর (দক্ষিণ)
"""
LONG_TEXT = ("Please send a copy of the payment slip from the bank agent and the number on your national "
             "identity card, and tell us the date of the last payment you received from the programme.")


def test_every_template_exists_in_english_and_bangla():
    for lang in LIMITS:
        have = {os.path.basename(p)[:-4] for p in glob.glob(os.path.join(MESSAGES, lang, "*.txt"))}
        assert have == set(NAMES), f"missing in {lang}: {sorted(set(NAMES) - have)}"
    for needed in ("receipt", "forwarded", "info_requested", "resolved", "rejected", "appeal_opened", "closed",
                   "case_arrived", "deadline_warning", "sms_status", "extended", "national_review", "appeal_left"):
        assert needed in NAMES


def _longest(lang: str) -> Office:
    """The office whose name in `lang` is longest (the first such by id)."""
    return min(db.session.scalars(sa.select(Office).order_by(Office.id)), key=lambda o: -len(o.name(lang)))


def _contexts(lang: str):
    """Every combination of realistic worst-case values a template may be rendered with."""
    office = _longest(lang)
    category = db.session.scalar(sa.select(Category).order_by(sa.func.length(Category.code).desc()).limit(1))
    # A different month makes a different date length (Bangla month names vary most).
    dates = [datetime(2026, month, 28, 6, 0, tzinfo=timezone.utc) for month in range(1, 13)]
    # Jinja's truncate(n) lets up to n+5 characters through whole, so every length near a limit is tried.
    texts = [LONG_TEXT] + [LONG_TEXT[:n].rstrip() + "." for n in range(20, 110)]
    combos = [(due, status, late, LONG_TEXT) for due, status, late in itertools.product(dates, STATUSES, (False, True))]
    combos += [(due, "awaiting_info", False, text) for due, text in itertools.product(dates[:1], texts)]
    combos = [(*c, None, False) for c in combos]
    combos += [(due, "in_progress", False, LONG_TEXT, why, appeal)
               for due, why, appeal in itertools.product(dates, WHYS, (False, True))]
    for due, status, late, text, why, appeal in combos:
        g = Grievance(tracking_code="482109375512", due_at=due, office=office, category=category,
                      status=status, is_open=True, language=lang)
        yield {"code": display(g.tracking_code), "grievance": g, "lang": lang, "office": office,
               "office_name": office.name(lang), "question": text, "reason": text, "status": status,
               "late": late, "day": "28 Sep 2026", "why": why, "appeal": appeal, "to_office": office,
               "open": 1234, "due_today": 567, "overdue": 890}


@pytest.mark.parametrize("lang", sorted(LIMITS))
def test_every_template_fits_its_segment_budget_with_the_longest_values(ctx, world, tmp_path, lang):
    csv = tmp_path / "longest.csv"
    csv.write_text(LONGEST_AREAS, encoding="utf-8")
    builders.run(import_areas, str(csv), "BD", with_offices=True)
    encoding, max_segments = LIMITS[lang]

    def render(template, language, **values):
        return render_with(ctx.jinja_env, tuple(ctx.config["LANGUAGES"]), template, language, **values)
    too_long = {}
    for name in NAMES:
        worst = ""
        for context in _contexts(lang):
            if name in FITTED:
                key = FITTED[name]
                context = {**context, key: asking.fit(render, name, lang, key, LONG_TEXT * 3, **context)}
            text = render_with(ctx.jinja_env, tuple(ctx.config["LANGUAGES"]), name, lang, **context)
            worst = max(worst, text, key=lambda t: measure(t)[1] * 1000 + len(t))
            assert "{{" not in text and "{%" not in text
        got_encoding, segments = measure(worst)
        assert worst.strip(), f"{lang}/{name} renders empty"
        if lang == "en":
            assert got_encoding == "GSM-7", f"{lang}/{name} needs UCS-2: {worst!r}"
        if segments > (asking.MAX_SEGMENTS if name in FITTED else STEP_BUDGETS.get(lang, {}).get(name, max_segments)):
            too_long[name] = (segments, len(worst), worst)
    assert too_long == {}, f"{lang} templates over {max_segments} {encoding} segment(s): {too_long}"
    db.session.rollback()  # the transient grievances must not be flushed
