"""Domain errors onto forms: each message on the field it names, in the reader's language."""
from __future__ import annotations

from collections.abc import Collection

from flask_babel import gettext

from .errors import DomainError


def message(error: DomainError) -> str:
    """The error's own message in the page's language (services write English, marked with `N_`)."""
    return gettext(error.message)


def populate_errors(form, error: DomainError, *, fields: Collection[str] | None = None,
                    page_keys: Collection[str] = ()) -> dict[str, str]:
    """Put each field message of `error` on the form field of that name, translated, and return the rest.

    `fields` limits which of the form's fields may take a message (default: all but the CSRF token).
    What is returned is keyed by page part: a key in `page_keys` (an input the page draws itself, such
    as the area picker) keeps its own key; any other message, or the error's own message when it names
    no field at all, goes under "form".
    """
    rest: dict[str, list[str]] = {}
    for key, text in (error.fields or {}).items():
        text = gettext(text)  # an unknown message comes back unchanged
        if key in form and key != "csrf_token" and (fields is None or key in fields):
            form[key].errors = [*form[key].errors, text]
        else:
            rest.setdefault(key if key in page_keys else "form", []).append(text)
    if not error.fields:
        rest["form"] = [message(error)]
    return {key: " ".join(texts) for key, texts in rest.items()}
