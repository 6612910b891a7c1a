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
