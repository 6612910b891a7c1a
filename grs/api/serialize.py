"""Grievances and their events as the API shows them; personal data only to roles that handle cases."""
from __future__ import annotations

from datetime import datetime

from ..models import Event, Grievance, Office, User
from ..permissions import is_appeal, sees_personal_data_of
from ..queries import is_overdue
from ..services.asking import decision_of, pending_question


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with its offset (the model hands out aware UTC)."""
    return value.isoformat() if value is not None else None


def office(o: Office | None) -> dict | None:
    return {"code": o.code, "name": o.name("en")} if o is not None else None


def complainant(g: Grievance) -> dict | None:
    c = g.complainant
    if c is None:
        return None
    return {"name": c.name, "phone": c.phone, "gender": c.sex, "age_band": c.age_band,
            "disability": c.disability, "beneficiary_id": c.beneficiary_id}


def grievance(g: Grievance, viewer: User | None, *, now: datetime, personal: bool | None = None) -> dict:
    """The summary every response carries: state, place, clocks, and the complainant if allowed.

    `personal` overrides what the viewer's role allows (the server-side export has no viewer: True).
    """
    out = {
        "tracking_code": g.tracking_code,
        "status": g.status,
        "level": g.level,
        "office": office(g.office),
        "channel": g.channel,
        "programme": g.programme.code,
        "category": g.category.code,
        "area": g.area.code if g.area is not None else None,
        "sensitive": g.sensitive,
        "language": g.language,
        "anonymous": g.anonymous,
        "description": g.description,
        "received_at": iso(g.received_at),
        "ack_due_at": iso(g.ack_due_at),
        "due_at": iso(g.due_at),
        "acknowledged_at": iso(g.acknowledged_at),
        "resolved_at": iso(g.resolved_at),
        "closed_at": iso(g.closed_at),
        "feedback_due_at": iso(g.feedback_due_at),
        "overdue": is_overdue(g, now),
        "paused": g.paused_at is not None,
        "extended": g.extended,
        "escalation_count": g.escalation_count,
        "appeal_count": g.appeal_count,
        "appeal": is_appeal(g),
        "decision": g.decision,
        "resolution": g.resolution,
        "satisfied": g.satisfied,
        "national_review_since": iso(g.review_flagged_at),
    }
    if personal if personal is not None else sees_personal_data_of(viewer, g):
        out["complainant"] = complainant(g)
    return out


def receipt(g: Grievance) -> dict:
    """What anyone holding the tracking code may know (as on the public track page), and nothing more."""
    return {"tracking_code": g.tracking_code, "status": g.status, "level": g.level, "office": office(g.office),
            "received_at": iso(g.received_at), "due_at": iso(g.due_at) if g.is_open else None}


def actor(e: Event) -> dict:
    if e.actor is not None:
        return {"label": e.actor_label, "kind": "staff", "name": e.actor.name, "email": e.actor.email,
                "role": e.actor.role}
    kind = "citizen" if e.actor_label.startswith("citizen") else "system"
    return {"label": e.actor_label, "kind": kind}


def event(e: Event) -> dict:
    return {"seq": e.seq, "type": e.type, "at": iso(e.at), "actor": actor(e), "level": e.level,
            "office": office(e.office), "status_from": e.status_from, "status_to": e.status_to,
            "note": e.note, "data": e.data or {}}


def grievance_detail(g: Grievance, viewer: User, *, now: datetime, allowed_actions: list[str]) -> dict:
    """One grievance with its history and what the viewer may do with it next."""
    out = grievance(g, viewer, now=now)
    decided = decision_of(g)
    out["reason_code"] = decided.reason_code if decided is not None else None
    out["question"] = pending_question(g)
    out["events"] = [event(e) for e in g.events]
    out["allowed_actions"] = allowed_actions
    return out
