"""Issue 12, item 6: a grievance escalated on a weekend day or a day off reaches the next office's queue on
the next working day, and the messages about it say that day (the office's and the complainant's)."""
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, T0
from escalation import admin
from escalation.sweep import sweep
from grs.extensions import db
from grs.models import OutboxMessage

pytestmark = pytest.mark.both_backends

DHAKA = timezone(timedelta(hours=6))


def at(y, m, d, hh=0, mm=5):
    return datetime(y, m, d, hh, mm, tzinfo=DHAKA).astimezone(timezone.utc)


def bodies(code, template):
    db.session.expire_all()
    g = builders.find(code)
    return g, [m.body for m in db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.grievance_id == g.id, OutboxMessage.template == template)).all()]


def union_limit(world, days):
    builders.run(admin.save_policy, admin.PolicyIn("union", "grievance", 2, days, 10), actor=world.actor("admin"),
                 now=T0)


def test_a_deadline_passed_on_thursday_night_reaches_the_upazila_queue_on_sunday(app, world):
    with app.app_context():
        union_limit(world, 4)  # Sunday 1 March + 4 working days: Thursday 5 March
        code = builders.lodge(BARIA, now=T0).tracking_code
        assert builders.find(code).due_at == at(2026, 3, 5, 23, 59) + timedelta(seconds=59)
        sweep(at(2026, 3, 6, 0, 5))  # Friday, 00:05 in Dhaka: the weekend
        g, office = bodies(code, "case_arrived")
        assert g.office.code == "OFF-BD-UPZ-320"
        office = [b for b in office if "Upazila" in b or "উপজেলা" in b]  # not the union's, told at lodging
        # Friday: the clock counts from Sunday, and 7 working days end on Monday 16 March.
        assert office and all("Resolve by 16 Mar 2026" in b or "১৬ মার্চ ২০২৬" in b for b in office)
        assert all("In your queue from 8 Mar 2026" in b or "৮ মার্চ ২০২৬ থেকে আপনার তালিকায়" in b
                              for b in office), office
        _, citizen = bodies(code, "forwarded")
        assert len(citizen) == 1 and "They take it up on 8 Mar 2026" in citizen[0], citizen
        escalated = [e for e in g.events if e.type == "escalated"][-1]
        assert escalated.data["queued_on"] == "2026-03-08"


def test_a_day_off_after_the_weekend_moves_the_queue_day_on(app, world):
    with app.app_context():
        admin_actor = world.actor("admin")
        builders.run(admin.add_holiday, date(2026, 3, 8), "Office closed", None, actor=admin_actor, now=T0)
        union_limit(world, 4)
        code = builders.lodge(BARIA, now=T0).tracking_code
        sweep(at(2026, 3, 7, 9, 0))  # Saturday morning; Sunday 8 March is a day off too
        _, citizen = bodies(code, "forwarded")
        assert "They take it up on 9 Mar 2026" in citizen[0], citizen


def test_an_escalation_on_a_working_day_names_no_queue_day(app, world):
    with app.app_context():
        code = builders.lodge(BARIA, now=T0).tracking_code  # 7 working days: due Tuesday 10 March
        sweep(builders.find(code).due_at + timedelta(minutes=1))  # Wednesday 11 March, 00:00
        g, office = bodies(code, "case_arrived")
        _, citizen = bodies(code, "forwarded")
        assert office and citizen
        assert not any("queue from" in b or "take it up" in b or "তালিকায়" in b or "কাজ শুরু" in b
                       for b in office + citizen)
        assert "queued_on" not in [e for e in g.events if e.type == "escalated"][-1].data


@pytest.mark.config(OFFICE_HOURS_END="17:00")
def test_after_office_hours_the_queue_day_is_the_next_working_day(app, world):
    with app.app_context():
        code = builders.lodge(BARIA, now=T0).tracking_code
        g = builders.find(code)
        late = g.due_at + timedelta(hours=18)  # Wednesday 11 March, 18:00 in Dhaka
        sweep(late)
        _, citizen = bodies(code, "forwarded")
        assert "They take it up on 12 Mar 2026" in citizen[0], citizen
