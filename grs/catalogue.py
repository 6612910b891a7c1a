"""The app's one gettext catalogue (grs/translations, domain "messages"), readable without an app.

Flask-Babel serves it to pages (grs/i18n.py); pure code, such as the USSD menu, loads it here.
"""
from __future__ import annotations

import gettext
import io
import os
import re
from functools import lru_cache

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DIRECTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations")
DOMAIN = "messages"
_LOCALE_NAME = re.compile(r"[A-Za-z]{2,3}(_[A-Za-z0-9]+)?")


@lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of one language, as `make translations` compiles it; the msgids (English) without one."""
    folder = os.path.join(DIRECTORY, lang, "LC_MESSAGES")
    po, mo = os.path.join(folder, DOMAIN + ".po"), os.path.join(folder, DOMAIN + ".mo")
    if not _LOCALE_NAME.fullmatch(lang) or not (os.path.isfile(po) or os.path.isfile(mo)):
        return gettext.NullTranslations()
    if os.path.isfile(mo) and not (os.path.isfile(po) and os.path.getmtime(po) > os.path.getmtime(mo)):
        with open(mo, "rb") as f:
            return Translations(f, domain=DOMAIN)
    # Not compiled yet, or edited since: compile it in memory, so a fresh checkout's tests read the .po.
    with open(po, "rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


# Digits of the numbering systems CLDR gives as a language's default (Bangla writes ১২৩). Babel formats
# numbers and dates with Latin digits whatever the locale; `native_digits` writes them the reader's way.
_DIGITS = {"beng": "০১২৩৪৫৬৭৮৯", "arab": "٠١٢٣٤٥٦٧٨٩", "deva": "०१२३४५६७८९"}


@lru_cache(maxsize=None)
def _digit_table(lang: str) -> dict | None:
    from babel import Locale, UnknownLocaleError

    try:
        system = Locale.parse(lang).default_numbering_system
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    digits = _DIGITS.get(system)
    return str.maketrans("0123456789", digits) if digits else None


def native_digits(text: str, lang: str) -> str:
    """`text` with its digits in the language's own numerals (Bangla: '১,২৩৪'); unchanged for the others."""
    table = _digit_table(lang or "en")
    return text.translate(table) if table else text


# How a day is written to a reader: English keeps its short month ('13 Dec 2026'); other languages get the
# full month name in their own digits ('১৩ ডিসেম্বর ২০২৬'), as their readers write a date.
_DAY_FORMATS = {"en": "d MMM yyyy"}


def day_pattern(lang: str, day: int, default: str = "d MMMM y") -> str:
    """The date pattern for `lang`; French writes the first of a month as an ordinal ('1er septembre 2026')."""
    pattern = _DAY_FORMATS.get(lang, default)
    if day == 1 and lang.split("_")[0] == "fr":
        pattern = pattern.replace("d", "d'er'", 1)
    return pattern


def money(value, currency: str, lang: str | None) -> str:
    """A whole amount in a currency for the reader's language: the locale's currency pattern without the
    decimals (programme amounts are whole units), in the language's own digits."""
    from babel.core import Locale
    from babel.numbers import format_currency

    lang = lang or "en"
    try:
        pattern = Locale.parse(lang).currency_formats["standard"].pattern
    except (ValueError, KeyError, AttributeError):
        pattern = "¤#,##0.00"
    pattern = re.sub(r"\.0+|\.#+", "", pattern.split(";")[0])
    text = format_currency(value, currency, format=pattern, locale=lang, currency_digits=False)
    text = re.sub(r"^([A-Z]{3})(?=\d)", "\\1\u00a0", text)  # 'BDT600' -> 'BDT 600'
    return native_digits(text, lang)


def long_date(value, lang: str | None) -> str:
    """A calendar date for SMS texts, USSD screens and pages (the one formatter they share)."""
    from babel.dates import format_date

    lang = lang or "en"
    return native_digits(format_date(value, format=day_pattern(lang, value.day), locale=lang), lang)
