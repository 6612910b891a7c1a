"""Every word the USSD menu says, as entries of the app's catalogue; option keys stay Latin digits in all languages.

The English text is the msgid and the translations live in grs/translations with every other text, under
msgctxt "ussd": a screen holds 160 characters, so these are worded apart from the pages' texts. `make
extract` finds them through the NC_ marker; the catalogue loads without an app, so the menu stays pure.
"""
from __future__ import annotations

from grs.catalogue import translations
from grs.countries import LANGUAGE_NAMES  # noqa: F401  each language in its own name, for the language menu

# Every language with a catalogue; a deployment offers those of its country pack (config LANGUAGES).
LANGUAGES = ("en", "bn", "fr", "ha", "so")
CONTEXT = "ussd"
# The word "language" in each language, for the main menu's "3 Language/ভাষা" and the language menu's title (the
# languages offered, default first): the same whatever language the screen is in, so not in the catalogue.
LANGUAGE_WORDS = {"en": "Language", "bn": "ভাষা", "fr": "Langue", "ha": "Harshe", "so": "Luqad"}


def NC_(context: str, message: str) -> str:
    """Marks a text for the catalogue under a context without translating it (extracted as NC_:1c,2)."""
    return message


TEXTS: dict[str, str] = {
    "main_title": NC_("ussd", "Grievance service"),
    "main_lodge": NC_("ussd", "1 Make a complaint"),
    "main_status": NC_("ussd", "2 Check a complaint"),
    "choose_programme": NC_("ussd", "Which programme"),
    "choose_category": NC_("ussd", "What is the problem"),
    "choose_area": NC_("ussd", "Your %(level)s"),
    "back": NC_("ussd", "0 Back"),
    "home": NC_("ussd", "00 Menu"),
    "more": NC_("ussd", "98 More"),
    "by_code": NC_("ussd", "99 %(level)s code"),
    "enter_area_code": NC_("ussd", "Type your %(level)s code number:"),
    "describe": NC_("ussd", "In a few words, what happened? Or 1 to skip."),
    "confirm_title": NC_("ussd", "Send this complaint?"),
    "confirm_send": NC_("ussd", "1 Send"),
    "confirm_cancel": NC_("ussd", "2 Cancel"),
    "lodged": NC_("ussd", "Complaint received. Your code: %(code)s. Keep it to check the status. "
                          "An SMS with the code follows."),
    "cancelled": NC_("ussd", "Cancelled. Nothing was sent."),
    "failed": NC_("ussd", "Sorry, the complaint could not be saved. Please try again later."),
    "enter_tracking": NC_("ussd", "Type your 12-digit complaint code:"),
    "status_line": NC_("ussd", "Complaint %(code)s: %(status)s, %(where)s."),
    "status_due": NC_("ussd", "Answer due by %(date)s."),
    "where_office": NC_("ussd", "at the %(level)s office"),
    "where_triage": NC_("ussd", "being sent to the right office"),
    "language_saved": NC_("ussd", "Language saved."),
    "hint_invalid": NC_("ussd", "Not a choice, try again."),
    "hint_area_code": NC_("ussd", "Code not found."),
    "hint_tracking": NC_("ussd", "Code not valid."),
    "hint_not_found": NC_("ussd", "No complaint has that code."),
    "too_many_lookups": NC_("ussd", "Too many checks from this number. Please try again in an hour."),
    "hint_empty": NC_("ussd", "Please type something."),
    "no_description": NC_("ussd", "%(category)s (%(programme)s). Lodged by USSD without a description."),
}

# Statuses in plain words: what the citizen needs to know, not the workflow's vocabulary.
STATUS_WORDS: dict[str, str] = {
    "received": NC_("ussd", "received, waiting to be seen"),
    "acknowledged": NC_("ussd", "seen by the office"),
    "in_progress": NC_("ussd", "being looked into"),
    "awaiting_info": NC_("ussd", "waiting for information from you"),
    "resolved": NC_("ussd", "resolved"),
    "rejected": NC_("ussd", "closed as not about a programme"),
    "closed": NC_("ussd", "closed"),
}

# The decision in force, short (issue 10): what was decided, or why it was not accepted.
DECISION_WORDS: dict[str, str] = {
    "upheld": NC_("ussd", "decided: complaint upheld"),
    "partly_upheld": NC_("ussd", "decided: partly upheld"),
    "not_upheld": NC_("ussd", "decided: not upheld"),
    "referred": NC_("ussd", "decided: referred elsewhere"),
    "unrelated": NC_("ussd", "not accepted: not about a programme"),
    "out_of_scope": NC_("ussd", "not accepted: outside what the office handles"),
    "duplicate": NC_("ussd", "not accepted: repeats another complaint"),
    "insufficient_information": NC_("ussd", "not accepted: not enough information"),
    "withdrawn": NC_("ussd", "not accepted: withdrawn"),
}


def decision_words(lang: str, key: str | None) -> str | None:
    """The decision or rejection reason in a few words, or None for a key it does not know."""
    if key not in DECISION_WORDS:
        return None
    return _translations(lang).pgettext(CONTEXT, DECISION_WORDS[key])


def text(lang: str, key: str, **values) -> str:
    """One text in the caller's language (English if the language is not offered)."""
    message = _translations(lang).pgettext(CONTEXT, TEXTS[key])
    return message % values if values else message


def status_words(lang: str, status: str) -> str:
    if status not in STATUS_WORDS:
        return status.replace("_", " ")
    return _translations(lang).pgettext(CONTEXT, STATUS_WORDS[status])


def _translations(lang: str):
    return translations(lang if lang in LANGUAGES else "en")
