"""Plain words for a grievance's status and history, as a citizen reads them; never personal data."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

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


def status_words(status: str) -> tuple[str, str]:
    """A short label and one sentence on what it means; an unknown status reads as itself."""
    label, meaning = STATUS.get(status, (status.replace("_", " "), ""))
    return str(label), str(meaning)


def event_sentence(ev: Event, lang: str) -> str:
    """One sentence for one step of the history; unknown event types get a neutral sentence."""
    office = ev.office.name(lang) if ev.office is not None else _("the office")
    data = ev.data or {}
    t = ev.type
    if t == "lodged":
        return _("Complaint received through %(channel)s.", channel=CHANNEL.get(data.get("channel"), _("a channel")))
    if t == "routed":
        return _("Sent to %(office)s.", office=office)
    if t == "triaged":
        return _("Waiting for an operator to choose the right office.")
    if t == "placed":
        return _("An operator sent it to %(office)s.", office=office)
    if t == "acknowledged":
        return _("%(office)s acknowledged the complaint.", office=office)
    if t == "started":
        return _("%(office)s started looking into the complaint.", office=office)
    if t == "info_requested":
        return _("%(office)s asked for more information; the time limit is paused.", office=office)
    if t == "resumed":
        return _("Work on the complaint continued.")
    if t == "extended":
        return _("The time limit was extended by %(days)s working days.", days=data.get("days", "?"))
    if t == "resolved":
        decision = DECISION.get(data.get("decision"))
        done = _("%(office)s resolved the complaint.", office=office)
        return f"{done} {decision}" if decision else done
    if t == "rejected":
        return _("%(office)s rejected the complaint as outside what it can handle.", office=office)
    if t == "transferred":
        return _("Transferred to %(office)s.", office=office)
    if t == "escalated":
        if data.get("breach"):
            return _("The time limit passed, so it moved up to %(office)s.", office=office)
        return _("Moved up to %(office)s.", office=office)
    if t == "appealed":
        return _("An appeal was opened at %(office)s.", office=office)
    if t == "feedback":
        return _("You said you were satisfied.") if data.get("satisfied") else _("You said you were not satisfied.")
    if t == "closed":
        return _("The complaint was closed.")
    if t == "deadline_breached":
        return _("The time limit passed before the complaint was resolved.")
    if t == "ack_breached":
        return _("The office did not acknowledge the complaint in time.")
    if t == "warned":
        return _("The office was reminded that the time limit is near.")
    if t == "flagged_overdue":
        return _("The time limit passed at the highest level; the complaint is being followed up there.")
    if t == "deadline_changed":
        return _("The expected date was recalculated.")
    return _("The complaint was updated.")


def history(g: Grievance, lang: str) -> list[tuple[Event, str]]:
    return [(ev, event_sentence(ev, lang)) for ev in g.events]
