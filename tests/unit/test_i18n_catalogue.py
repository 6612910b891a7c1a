"""Every text the pages and code mark for translation has a Bangla translation in some catalogue."""
from __future__ import annotations

import os


from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from grs import ROOT
from grs.i18n import TRANSLATION_DIRS

KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
            "lazy_pgettext": ((1, "c"), 2)}
# Where gettext calls live; everything else under the root (.venv, tests, docs) is not the app's text.
SOURCE_ROOTS = ("templates", "channels", "grs")


def used_msgids() -> dict[tuple[str | None, str], str]:
    """(msgctxt, msgid) → 'file:line' of its first use, extracted with the repository's babel.cfg mapping."""
    with open(os.path.join(ROOT, "babel.cfg")) as f:
        method_map, options_map = parse_mapping_cfg(f)

    def wanted(dirpath: str) -> bool:
        rel = os.path.relpath(dirpath, ROOT)
        return rel == "." or rel.split(os.sep)[0] in SOURCE_ROOTS

    found: dict[tuple[str | None, str], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=wanted):
        if filename.split(os.sep)[0] not in SOURCE_ROOTS:
            continue
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:  # gettext(variable) yields no literal: nothing to translate
                found.setdefault((context, msgid), f"{filename}:{lineno}")
    return found


def translated_msgids() -> set[tuple[str | None, str]]:
    """The (msgctxt, msgid) pairs with a non-empty Bangla text (every plural form filled) in any catalogue."""
    done: set[tuple[str | None, str]] = set()
    for folder in TRANSLATION_DIRS:
        path = os.path.join(ROOT, folder, "bn", "LC_MESSAGES", "messages.po")
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            catalogue = read_po(f, locale="bn")
        for message in catalogue:
            if not message.id or message.fuzzy:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if all(s and s.strip() for s in strings):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                done.update((message.context, msgid) for msgid in ids)
    return done


def test_extraction_finds_the_citizen_pages():
    used = used_msgids()
    # Guards the test itself: if extraction silently found nothing, every later check would pass.
    assert (None, "Make a complaint") in used and (None, "Grievance Redress System") in used
    assert (None, "Choose a programme.") in used  # lazy_gettext in python


def test_every_used_text_has_a_bangla_translation():
    used = used_msgids()
    done = translated_msgids()
    missing = sorted(f"{where}: {msgid!r}" + (f" (context {ctx!r})" if ctx else "")
                     for (ctx, msgid), where in used.items() if (ctx, msgid) not in done)
    assert not missing, f"{len(missing)} texts have no Bangla translation:\n" + "\n".join(missing)
