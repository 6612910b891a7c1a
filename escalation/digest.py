"""The morning digest: each office's officers hear how many cases are open, due today and overdue."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from grs import queries
from grs.models import Grievance, Office, User
from grs.notifications import queue_email, queue_sms


def office_counts(uow, now: datetime) -> dict[int, tuple[int, int, int]]:
    """Per office id: (open, due by the end of today, overdue); a paused clock is neither due nor overdue."""
    cal = uow.policies.country_calendar(now)
    end_today = cal.end_of_day(cal.local_date(now))
    rows = uow.session.execute(
        sa.select(Grievance.office_id, sa.func.count(),
                  sa.func.sum(sa.case((sa.and_(Grievance.paused_at.is_(None), Grievance.due_at >= now,
                                               Grievance.due_at <= end_today), 1), else_=0)),
                  sa.func.sum(sa.case((queries.overdue(now), 1), else_=0)))
        .where(Grievance.is_open.is_(True), Grievance.office_id.is_not(None))
        .group_by(Grievance.office_id)).all()
    return {oid: (n, int(today or 0), int(over or 0)) for oid, n, today, over in rows}


def send_daily_digests(uow, now: datetime) -> int:
    """Queue one digest per officer of every office with open cases; once per local day, and only on the
    office's working days (its area's calendar: the weekend, public and local days off) — nobody needs
    Friday's count on Friday, and Sunday's digest counts what waited over the weekend."""
    country = uow.policies.country_calendar(now)
    day = country.local_date(now)
    if not country.is_working_day(day):  # (an area's calendar only adds days off to the country's)
        return 0
    counts = office_counts(uow, now)
    queued = 0
    for office_id, (n_open, n_today, n_over) in counts.items():
        office = uow.session.get(Office, office_id)
        if not uow.policies.calendar(office.area, now).is_working_day(day):
            continue
        officers = uow.session.scalars(sa.select(User).where(
            User.office_id == office_id, User.active.is_(True), User.role == "officer")).all()
        for u in officers:
            key = f"digest:{day.isoformat()}:{u.id}"
            context = dict(office=office, open=n_open, due_today=n_today, overdue=n_over, day=day.isoformat(),
                           lang=u.language)
            if u.notify_by == "sms" and u.phone:
                sent = queue_sms(uow, u.phone, "digest", u.language, now=now, dedupe_key=key, **context)
            elif u.notify_by == "email" and u.email:
                sent = queue_email(uow, u.email, "digest", u.language, now=now, dedupe_key=key, **context)
            else:
                sent = None
            queued += sent is not None
    return queued
