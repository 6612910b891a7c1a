"""Which catalogue texts a citizen sees: the rule that says which entries of a language's catalogue must be
translated for a language that covers only the citizen's side (Hausa, Somali), and tests use.

A text is citizen-facing when a source a citizen reaches uses it (the `#:` locations `make extract` writes:
the public pages, the USSD menu, the web channel's forms and wording, the errors a citizen can meet), or
when it is a citizen's sentence of the event catalogue (the track page's history, grs/events.py). Staff,
admin and dashboard pages are not.
"""
from __future__ import annotations

import os
from functools import lru_cache

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Folders and files, relative to the repository, whose texts a citizen reads.
CITIZEN_FOLDERS = ("templates/web/", "channels/web/", "channels/ussd/")
CITIZEN_FILES = frozenset({
    "templates/base.html",  # the header and footer of every public page
    "templates/error.html",  # too many look-ups, file too large, page not found
    "templates/_charts.html",  # the public statistics page's charts
    "grs/services/intake.py",  # what a lodge refuses (choose a category, unknown area)
    "grs/services/storage.py",  # an attachment refused
    "grs/phones.py",  # a phone number refused
    "grs/i18n.py",  # the expired form, the description too long, werkzeug's 404
})
# Languages whose catalogue must be complete for every text, staff pages too; the others in a pack need
# the citizen-facing texts only.
COMPLETE_LANGUAGES = ("bn", "fr")
CITIZEN_LANGUAGES = ("ha", "so")


def citizen_source(path: str) -> bool:
    """Whether a source file (as a `#:` location names it) is one a citizen reads."""
    if os.path.isabs(path):
        path = os.path.relpath(path, _ROOT)
    path = path.replace("\\", "/").removeprefix("./")
    return path in CITIZEN_FILES or path.startswith(CITIZEN_FOLDERS)


@lru_cache(maxsize=1)
def event_sentences() -> frozenset[str]:
    """The msgids of the event catalogue's sentences for citizens (their track page's history)."""
    from grs import events

    found = set()
    for spec in events.CATALOGUE.values():
        for sentence in (spec.citizen, *spec.citizen_when.values()):
            if sentence is not None:
                found.add(_msgid(sentence))
    return frozenset(found)


def _msgid(text) -> str:
    args = getattr(text, "_args", None)  # flask_babel's LazyString keeps the msgid as its first argument
    return args[0] if args else str(text)


def citizen_facing(message) -> bool:
    """Whether a catalogue entry (a babel Message) is one a citizen sees."""
    if any(citizen_source(path) for path, _ in message.locations):
        return True
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return message.context is None and msgid in event_sentences()
