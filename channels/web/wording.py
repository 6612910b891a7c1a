"""Plain words for a grievance's status and history, as a citizen reads them; never personal data."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grs import events
from grs.models import Event, Grievance

STATUS = {
    "received": (_l("Received"), _l("The office has your complaint and will acknowledge it soon.")),
    "acknowledged": (_l("Acknowledged"), _l("The office has accepted your complaint and will look into it.")),
    "in_progress": (_l("Being investigated"), _l("The office is looking into your complaint.")),
    "awaiting_info": (_l("Waiting for information"),
                      _l("The office needs more information from you. The time limit is paused until then.")),
    "resolved": (_l("Resolved"), _l("The office has decided on your complaint. If you are not satisfied, you can appeal.")),
    "rejected": (_l("Rejected"), _l("The office found that the complaint is outside what it can handle.")),
    "closed": (_l("Closed"), _l("The complaint is closed.")),
}

CHANNEL = {
    "web": _l("the website"), "sms": _l("SMS"), "ussd": _l("USSD"), "operator": _l("the hotline"),
    "paper": _l("a paper form"), "hearing": _l("a public hearing"), "audit": _l("a social audit"),
    "scorecard": _l("a community score card"), "api": _l("a programme system"),
}

DECISION = {
    "upheld": _l("Your complaint was upheld."),
    "partly_upheld": _l("Your complaint was partly upheld."),
    "not_upheld": _l("Your complaint was not upheld."),
    "referred": _l("Your complaint was referred elsewhere."),
}

# Why a complaint was rejected (grs.events.REJECT_REASONS), in the complainant's words.
REJECT_REASON = {
    "unrelated": _l("It is not about a social protection programme."),
    "out_of_scope": _l("It is about something this office cannot handle."),
    "duplicate": _l("It repeats a complaint already made."),
    "insufficient_information": _l("There was not enough information to act on it."),
    "withdrawn": _l("You withdrew it."),
}


def status_words(status: str) -> tuple[str, str]:
    """A short label and one sentence on what it means; an unknown status reads as itself."""
    label, meaning = STATUS.get(status, (status.replace("_", " "), ""))
    return str(label), str(meaning)


def event_sentence(ev: Event, lang: str) -> str:
    """One sentence for one step of the history, from the event catalogue; a neutral one for a type
    the catalogue does not describe for citizens."""
    spec = events.spec_of(ev.type)
    data = ev.data or {}
    sentence = spec.citizen_sentence(data) if spec is not None else None
    if sentence is None:
        return _("The complaint was updated.")
    text = str(sentence)
    if "%(" in text:  # like gettext, format only a sentence that has placeholders
        office = ev.office.name(lang) if ev.office is not None else _("the office")
        channel = CHANNEL.get(data.get("channel"), _("a channel"))
        text = text % {"office": office, "channel": channel, "days": data.get("days", "?")}
    extra = DECISION.get(data.get("decision")) or REJECT_REASON.get(data.get("reason_code"))
    return f"{text} {extra}" if extra else text


def history(g: Grievance, lang: str) -> list[tuple[Event, str]]:
    """The public steps of a grievance with their sentences; internal ones stay on the staff pages."""
    return [(ev, event_sentence(ev, lang)) for ev in g.events if ev.type in events.PUBLIC]


def decision_words(decision) -> str:
    """The decision (grs.services.asking.Decision) in one plain sentence: what was decided, or for a
    rejection why, in the complainant's words."""
    if decision.kind == "rejected":
        reason = REJECT_REASON.get(decision.reason_code)
        return str(reason) if reason else _("The office rejected the complaint.")
    words = DECISION.get(decision.decision)
    return str(words) if words else _("The office resolved the complaint.")
