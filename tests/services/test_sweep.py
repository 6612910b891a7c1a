"""The escalation pass: up the ladder past each deadline, pauses respected, idempotent, appeals."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, T0
from escalation.policy import calendar_for
from escalation.sweep import sweep
from grs.extensions import db
from grs.models import Event, Grievance, OutboxMessage
from grs import services as svc
from grs.services.actors import Actor

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

MINUTE = timedelta(minutes=1)


def reload(code: str) -> Grievance:
    db.session.expire_all()
    return builders.find(code)


def events(code: str, type_: str) -> list[Event]:
    g = reload(code)
    return [e for e in g.events if e.type == type_]


def citizen_messages(code: str, template: str) -> list[OutboxMessage]:
    g = reload(code)
    return db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.grievance_id == g.id, OutboxMessage.template == template,
        OutboxMessage.recipient == g.complainant.phone)).all()


def test_cli_sweep_walks_a_grievance_up_every_tier_and_tells_the_citizen(app, world, runner):
    with app.app_context():
        code = builders.lodge(BARIA).tracking_code
    ladder = [("upazila", "OFF-BD-UPZ-320"), ("district", "OFF-BD-DIS-41"), ("national", "BD-NATIONAL")]
    for step, (level, office) in enumerate(ladder, start=1):
        with app.app_context():
            past_due = reload(code).due_at + MINUTE
        out = runner.invoke(args=["sweep", "--now", past_due.isoformat()])
        assert out.exit_code == 0, out.output
        assert f"escalated {code}" in out.output
        with app.app_context():
            g = reload(code)
            assert (g.level, g.office.code, g.status) == (level, office, "received")
            assert g.due_at > past_due  # a new clock with the new tier's limit
            escalated = events(code, "escalated")
            assert len(escalated) == step
            assert escalated[-1].office.code == office and escalated[-1].level == level
            assert escalated[-1].data["breach"] is True
            assert len(events(code, "deadline_breached")) == step
            assert len(citizen_messages(code, "forwarded")) == step
    with app.app_context():
        g = reload(code)
        # National limit is 30 working days, the longest.
        cal = calendar_for(g.area, g.clock_started_at)
        assert g.due_at == cal.add_working_days(g.clock_started_at, 30)
        past_due = g.due_at + MINUTE
    out = runner.invoke(args=["sweep", "--now", past_due.isoformat()])
    assert "overdue at the top tier: " + code in out.output
    with app.app_context():
        g = reload(code)
        assert (g.level, g.overdue_flagged) == ("national", True)
        assert len(events(code, "flagged_overdue")) == 1
    again = runner.invoke(args=["sweep", "--now", (past_due + timedelta(days=30)).isoformat()])
    assert "0 escalated, 0 flagged" in again.output


def test_a_pause_for_information_holds_the_clock(app, world):
    with app.app_context():
        code = builders.lodge(BARIA).tracking_code
        original_due = reload(code).due_at
        builders.act(world, "officer_baria", code, "acknowledge", now=T0 + timedelta(hours=2))
        builders.act(world, "officer_baria", code, "request_info", note="Send your card number.",
                     now=T0 + timedelta(days=1))
        # Well past the original deadline, but waiting on the citizen: nothing moves.
        assert not sweep(original_due + timedelta(days=5)).escalated
        assert reload(code).level == "union"
        resumed_at = original_due + timedelta(days=5)
        builders.act(world, "officer_baria", code, "resume", now=resumed_at)
        g = reload(code)
        cal = calendar_for(g.area, T0)
        waited = cal.working_days_between(T0 + timedelta(days=1), resumed_at)
        assert g.paused_working_days == waited > 0
        assert g.due_at == cal.add_working_days(original_due, waited)
        assert not sweep(g.due_at - MINUTE).escalated
        assert [c for c, *_ in sweep(g.due_at + MINUTE).escalated] == [code]
        assert reload(code).level == "upazila"


def test_sweeping_twice_at_the_same_time_does_nothing_the_second_time(app, world):
    with app.app_context():
        codes = [builders.lodge(BARIA, now=T0 + timedelta(minutes=i)).tracking_code for i in range(5)]
        now = reload(codes[-1]).due_at + timedelta(days=3)
        first = sweep(now)
        assert sorted(c for c, *_ in first.escalated) == sorted(codes)
        assert sorted(first.ack_breached) == sorted(codes)
        second = sweep(now)
        assert not second.did_anything
        assert all(len(events(c, "escalated")) == 1 for c in codes)


def test_nothing_due_makes_a_quick_pass(app, world):
    with app.app_context():
        builders.lodge(BARIA)
        result = sweep(T0 + timedelta(hours=1))
        assert not result.did_anything and result.conflicts == 0


def test_acknowledgement_breach_is_recorded_once_and_does_not_move_the_grievance(app, world):
    with app.app_context():
        code = builders.lodge(BARIA).tracking_code
        g = reload(code)
        after_ack = g.ack_due_at + MINUTE
        assert after_ack < g.due_at
        result = sweep(after_ack)
        assert result.ack_breached == [code] and not result.escalated
        g = reload(code)
        assert g.ack_breached and g.level == "union"
        assert not sweep(after_ack + timedelta(hours=1)).ack_breached


def test_acknowledging_in_time_means_no_breach(app, world):
    with app.app_context():
        code = builders.lodge(BARIA).tracking_code
        builders.act(world, "officer_baria", code, "acknowledge", now=T0 + timedelta(hours=3))
        g = reload(code)
        assert g.ack_due_at is None
        assert not sweep(T0 + timedelta(days=4)).ack_breached


def test_office_is_warned_two_working_days_before_the_deadline_by_default(app, world):
    # warn_days: 2 working days unless a policy says otherwise (tests/services/test_ladder_policies.py).
    with app.app_context():
        code = builders.lodge(BARIA).tracking_code
        g = reload(code)
        cal = calendar_for(g.area, T0)
        warn_at = cal.previous_working_day_end(g.due_at, 2)
        assert cal.working_days_between(warn_at, g.due_at) == 2
        assert not sweep(warn_at - MINUTE).warned
        result = sweep(warn_at + MINUTE)
        assert result.warned == [code]
        assert len(events(code, "warned")) == 1
        assert not sweep(warn_at + 2 * MINUTE).warned


def test_resolution_without_an_answer_closes_after_the_window(app, world):
    with app.app_context():
        code = builders.lodge(BARIA).tracking_code
        builders.act(world, "officer_baria", code, "resolve", decision="upheld",
                     resolution="Arrears paid.", now=T0 + timedelta(days=2))
        g = reload(code)
        assert g.feedback_due_at is not None
        assert not sweep(g.feedback_due_at - MINUTE).closed
        assert sweep(g.feedback_due_at + MINUTE).closed == [code]
        g = reload(code)
        assert g.status == "closed" and g.satisfied is None
        assert events(code, "closed")[-1].data["reason"].startswith("no answer")


def test_no_opens_an_appeal_one_tier_up_with_a_twenty_day_clock_and_a_second_no_goes_higher(app, world):
    with app.app_context():
        code = builders.lodge(BARIA).tracking_code
        builders.act(world, "officer_baria", code, "resolve", decision="not_upheld",
                     resolution="You are not eligible.", now=T0 + timedelta(days=1))
        answered = T0 + timedelta(days=2)
        builders.run(svc.act, code, svc.ActionRequest("feedback", satisfied=False), actor=Actor.citizen("sms"), now=answered)
        g = reload(code)
        assert (g.level, g.office.code, g.status, g.clock_kind) == ("upazila", "OFF-BD-UPZ-320", "received", "appeal")
        assert g.satisfied is False and g.appeal_count == 1
        assert g.due_at == calendar_for(g.area, answered).add_working_days(answered, 20)
        assert len(citizen_messages(code, "appeal_opened")) == 1
        builders.act(world, "officer_sadar", code, "resolve", decision="not_upheld",
                     resolution="Decision confirmed.", now=answered + timedelta(days=3))
        builders.run(svc.act, code, svc.ActionRequest("feedback", satisfied=False), actor=Actor.citizen("sms"),
                now=answered + timedelta(days=4))
        g = reload(code)
        assert (g.level, g.appeal_count) == ("district", 2)


def test_yes_closes_and_records_satisfaction(app, world):
    with app.app_context():
        code = builders.lodge(BARIA).tracking_code
        builders.act(world, "officer_baria", code, "resolve", decision="upheld", resolution="Paid.",
                     now=T0 + timedelta(days=1))
        builders.run(svc.act, code, svc.ActionRequest("feedback", satisfied=True), actor=Actor.citizen("sms"),
                now=T0 + timedelta(days=2))
        g = reload(code)
        assert (g.status, g.satisfied) == ("closed", True)
        assert [e.data.get("satisfied") for e in events(code, "feedback")] == [True]


def test_appeal_after_the_window_is_refused(app, world):
    import pytest
    from grs.errors import InvalidTransition
    with app.app_context():
        code = builders.lodge(BARIA).tracking_code
        builders.act(world, "officer_baria", code, "resolve", decision="upheld", resolution="Paid.",
                     now=T0 + timedelta(days=1))
        late = reload(code).feedback_due_at + MINUTE
        with pytest.raises(InvalidTransition):
            builders.run(svc.act, code, svc.ActionRequest("appeal"), actor=Actor.citizen("sms"), now=late)


def test_the_escalated_grievance_stays_visible_to_the_union_officer_but_not_actionable(app, world):
    from grs import permissions, queries
    with app.app_context():
        code = builders.lodge(BARIA).tracking_code
        sweep(reload(code).due_at + MINUTE)
        g = reload(code)
        officer = world.user("officer_baria")
        assert queries.can_view(officer, g)
        assert permissions.actions_for(officer, g, visible=True) == []
        sadar = world.user("officer_sadar")
        assert "acknowledge" in permissions.actions_for(sadar, g, visible=queries.can_view(sadar, g))


def test_cli_sweep_refuses_a_time_it_cannot_read(runner, world):
    out = runner.invoke(args=["sweep", "--now", "next tuesday"])
    assert out.exit_code == 2
    assert "not an ISO 8601 time" in out.output and "Traceback" not in out.output
