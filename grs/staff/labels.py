"""Plain words for the codes staff pages show: statuses, event types, actions, decisions."""
from __future__ import annotations

from flask_babel import gettext, lazy_gettext as _l, lazy_pgettext

from ..events import CATALOGUE

STATUS = {
    "received": _l("Received"),
    "acknowledged": _l("Acknowledged"),
    "in_progress": _l("In progress"),
    "awaiting_info": _l("Waiting for information"),
    "resolved": _l("Resolved"),
    "rejected": _l("Rejected"),
    "closed": _l("Closed"),
}

# A view of the event catalogue, for word(): each stored type's label in the case history.
EVENT = {str(t): spec.staff_label for t, spec in CATALOGUE.items()}

# The button on each action form; in context "action", since other parts use the same words as nouns.
ACTION = {
    "place": lazy_pgettext("action", "Place in area"),
    "acknowledge": lazy_pgettext("action", "Acknowledge"),
    "start": lazy_pgettext("action", "Start investigation"),
    "request_info": lazy_pgettext("action", "Ask the complainant for information"),
    "resume": lazy_pgettext("action", "Resume"),
    "extend": lazy_pgettext("action", "Extend the time limit"),
    "resolve": lazy_pgettext("action", "Resolve"),
    "reject": lazy_pgettext("action", "Reject"),
    "transfer": lazy_pgettext("action", "Transfer"),
    "escalate": lazy_pgettext("action", "Escalate"),
    "appeal": lazy_pgettext("action", "Appeal"),
    "feedback": lazy_pgettext("action", "Record feedback"),
    "close": lazy_pgettext("action", "Close"),
    "reclassify": lazy_pgettext("action", "Change the category"),
}

# What the flash says after the action succeeded.
DONE = {
    "place": _l("The grievance was placed."),
    "acknowledge": _l("The grievance was acknowledged."),
    "start": _l("The investigation was started."),
    "request_info": _l("The complainant was asked for information; the clock is paused."),
    "resume": _l("Work on the grievance resumed."),
    "extend": _l("The time limit was extended."),
    "resolve": _l("The grievance was resolved."),
    "reject": _l("The grievance was rejected."),
    "transfer": _l("The grievance was transferred."),
    "escalate": _l("The grievance was escalated."),
    "appeal": _l("The appeal was opened."),
    "reclassify": _l("The category was changed."),
    "feedback": _l("The feedback was recorded."),
    "close": _l("The grievance was closed."),
}

DECISION = {
    "upheld": _l("Upheld"),
    "partly_upheld": _l("Partly upheld"),
    "not_upheld": _l("Not upheld"),
    "referred": _l("Referred elsewhere"),
}

# Why a grievance was rejected (grs.events.REJECT_REASONS), as staff read it.
REJECT_REASON = {
    "unrelated": _l("Not about a programme (unrelated)"),
    "out_of_scope": _l("Outside what this system handles"),
    "duplicate": _l("Duplicate of another complaint"),
    "insufficient_information": _l("Not enough information to act on"),
    "withdrawn": _l("Withdrawn by the complainant"),
}

SEX = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")}

AGE_BAND = {"under_18": _l("Under 18"), "18_34": "18–34", "35_59": "35–59", "60_plus": _l("60 or older")}

# How a complaint came in, as the case page names it (the code itself is English: web, sms, ...).
CHANNEL = {
    "web": _l("Website"), "sms": _l("SMS"), "ussd": _l("USSD"), "operator": _l("Hotline"),
    "paper": _l("Paper form"), "hearing": _l("Public hearing"), "audit": _l("Social audit"),
    "scorecard": _l("Community score card"), "api": _l("Programme system"),
}


def word(table: dict, code: str | None) -> str:
    """The plain word for a code, or the code itself made readable when the table lacks it."""
    if not code:
        return ""
    return str(table[code]) if code in table else code.replace("_", " ")


def actor_label(event) -> str:
    """Who took a step, as a person would say it."""
    if event.actor is not None:
        return event.actor.name or event.actor.email
    label = event.actor_label or ""
    if label.startswith("citizen"):
        channel = label.partition(":")[2]
        return gettext("Complainant (%(channel)s)", channel=word(CHANNEL, channel)) if channel \
            else gettext("Complainant")
    if label == "sweep":
        return gettext("Escalation sweep")
    return gettext("System")


# Notes the system writes in English on events (the sweep, the time-limit and day-off pages): shown in the
# page's language. Anything else in a note is what a person wrote, shown as written.
SYSTEM_NOTES = {
    "time limit passed": _l("Time limit passed"),
    "overdue at the highest tier": _l("Overdue at the highest tier"),
    "overdue; kept at this office by its policy": _l("Overdue; kept at this office by its policy"),
    "time limit changed": _l("Time limit changed"),
    "time limit removed": _l("Time limit removed"),
    "time limits reloaded": _l("Time limits reloaded"),
}
DAY_NOTES = {
    "day off added: ": _l("Day off added: %(day)s"),
    "day off removed: ": _l("Day off removed: %(day)s"),
}


def note(event, lang: str) -> str:
    """An event's note for the case history: system notes translated; a moved deadline with its two dates."""
    from datetime import date, datetime

    from ..i18n import localdate

    text = event.note or ""
    if text in SYSTEM_NOTES:
        text = str(SYSTEM_NOTES[text])
    else:
        for prefix, sentence in DAY_NOTES.items():
            if text.startswith(prefix):
                try:
                    day = date.fromisoformat(text[len(prefix):].strip())
                except ValueError:
                    break
                text = str(sentence) % {"day": localdate(day, lang)}
                break
    data = event.data or {}
    if event.type == "deadline_changed" and data.get("from") and data.get("to"):
        moved = gettext("Deadline moved from %(old)s to %(new)s.", old=localdate(datetime.fromisoformat(data["from"]), lang),
                        new=localdate(datetime.fromisoformat(data["to"]), lang))
        text = f"{text}: {moved}" if text else moved
    return text
