"""The morning digest: each office's officers hear how many cases are open, due today and overdue."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from grs import queries
from grs.extensions import db
from grs.models import Grievance, Office, OutboxMessage, User
from grs.notifications import queue_sms, render_text

from .policy import country_calendar


def office_counts(now: datetime) -> dict[int, tuple[int, int, int]]:
    """Per office id: (open, due by the end of today, overdue)."""
    cal = country_calendar(now)
    end_today = cal.end_of_day(cal.local_date(now))
    rows = db.session.execute(
        sa.select(Grievance.office_id, sa.func.count(),
                  sa.func.sum(sa.case((sa.and_(Grievance.paused_at.is_(None), Grievance.due_at >= now,
                                               Grievance.due_at <= end_today), 1), else_=0)),
                  sa.func.sum(sa.case((queries.overdue(now), 1), else_=0)))
        .where(Grievance.is_open.is_(True), Grievance.office_id.is_not(None))
        .group_by(Grievance.office_id)).all()
    return {oid: (n, int(today or 0), int(over or 0)) for oid, n, today, over in rows}


def send_daily_digests(now: datetime) -> int:
    """Queue one digest per officer of every office with open cases; once per local day."""
    day = country_calendar(now).local_date(now).isoformat()
    counts = office_counts(now)
    queued = 0
    for office_id, (n_open, n_today, n_over) in counts.items():
        office = db.session.get(Office, office_id)
        officers = db.session.scalars(sa.select(User).where(
            User.office_id == office_id, User.active.is_(True), User.role == "officer")).all()
        for u in officers:
            key = f"digest:{day}:{u.id}"
            context = dict(office=office, open=n_open, due_today=n_today, overdue=n_over, day=day, lang=u.language)
            if u.notify_by == "sms" and u.phone:
                if queue_sms(u.phone, "digest", u.language, now=now, dedupe_key=key, **context):
                    queued += 1
            elif u.notify_by == "email" and u.email:
                if db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
                    continue
                db.session.add(OutboxMessage(dedupe_key=key, medium="email", recipient=u.email, template="digest",
                                             language=u.language, body=render_text("digest", u.language, **context),
                                             status="queued", next_attempt_at=now, created_at=now))
                queued += 1
    db.session.commit()
    return queued
