"""The lifecycle through grievances.act: roles, events, clocks, scope and messages to the citizen."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, T0
from escalation.policy import calendar_for
from grs.errors import Forbidden, InvalidTransition, ValidationError
from grs.extensions import db
from grs.models import Event, GrievanceOffice, Office, OutboxMessage
from grs import services as svc
from grs.services.actors import Actor

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

DAY = timedelta(days=1)
RESOLVE = {"decision": "upheld", "resolution": "Arrears paid through the union office."}


def events_of(g):
    return db.session.scalars(sa.select(Event).where(Event.grievance_id == g.id).order_by(Event.seq)).all()


def sms_templates(g):
    return db.session.scalars(sa.select(OutboxMessage.template).where(
        OutboxMessage.grievance_id == g.id, OutboxMessage.medium == "sms").order_by(OutboxMessage.id)).all()


def office_id(code):
    return db.session.scalar(sa.select(Office.id).where(Office.code == code))


def step(world, who, code, action, now, *, expect, events=1, **kw):
    """Take one action; check it wrote exactly `events` events, the last one saying who/when/from/to."""
    before = builders.find(code)
    n, status_before = before.event_count, before.status
    actor = world.actor(who) if who else Actor.citizen("sms")
    g = builders.run(svc.act, code, svc.ActionRequest(action, **kw), actor=actor, now=now)
    new = events_of(g)[n:]
    assert len(new) == events, [e.type for e in new]
    assert new[0].status_from == status_before
    assert new[-1].status_to == g.status == expect
    for e in new:
        assert e.at == now and e.actor_label == actor.label and e.actor_id == actor.user_id
    assert new[-1].office_id == g.office_id and new[-1].level == g.level
    return g


def test_the_whole_life_of_a_grievance(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    t = T0
    g = step(world, "officer_baria", code, "acknowledge", t, expect="acknowledged")
    assert g.acknowledged_at == t
    g = step(world, "officer_baria", code, "start", t + DAY, expect="in_progress")
    g = step(world, "officer_baria", code, "request_info", t + 2 * DAY, expect="awaiting_info",
             note="Send the number on your beneficiary card.")
    g = step(world, "officer_baria", code, "resume", t + 3 * DAY, expect="in_progress", note="Card number given.")
    g = step(world, "officer_baria", code, "extend", t + 3 * DAY, expect="in_progress", note="Field visit needed.")
    assert g.extended
    g = step(world, "officer_baria", code, "resolve", t + 4 * DAY, expect="resolved", **RESOLVE)
    assert (g.decision, g.resolution, g.resolved_at, g.is_open) == ("upheld", RESOLVE["resolution"], t + 4 * DAY,
                                                                    False)
    assert g.due_at is None and g.feedback_due_at > t + 4 * DAY
    g = step(None, None, code, "feedback", t + 5 * DAY, expect="closed", events=2, satisfied=True)
    assert [e.type for e in events_of(g)][-2:] == ["feedback", "closed"]
    assert g.satisfied is True and g.closed_at == t + 5 * DAY
    assert [e.type for e in events_of(g)] == ["lodged", "routed", "acknowledged", "started", "info_requested",
                                              "resumed", "extended", "resolved", "feedback", "closed"]
    assert sms_templates(g) == ["receipt", "info_requested", "extended", "resolved", "closed"]
    with pytest.raises(InvalidTransition):
        builders.run(svc.act, code, svc.ActionRequest("appeal"), actor=Actor.citizen("sms"), now=t + 6 * DAY)


def test_messages_are_queued_in_the_same_transaction(ctx, world):
    g = builders.lodge(BARIA)
    (receipt,) = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.grievance_id == g.id,
                                                                   OutboxMessage.medium == "sms")).all()
    assert (receipt.recipient, receipt.template, receipt.status, receipt.created_at) == (
        "+8801712345678", "receipt", "queued", T0)
    builders.act(world, "officer_baria", g.tracking_code, "acknowledge")
    builders.act(world, "officer_baria", g.tracking_code, "request_info", note="Which payment point?")
    body = db.session.scalar(sa.select(OutboxMessage.body).where(OutboxMessage.template == "info_requested"))
    assert "Which payment point?" in body
    # A refused action queues nothing.
    n = len(sms_templates(g))
    with pytest.raises(InvalidTransition):
        builders.act(world, "officer_baria", g.tracking_code, "resolve", **RESOLVE)
    assert len(sms_templates(g)) == n


@pytest.mark.parametrize("setup,action,kw", [
    ([], "resume", {}),
    ([], "close", {}),
    ([], "extend", {"note": "x"}),
    ([], "request_info", {"note": "x"}),
    (["acknowledge"], "acknowledge", {}),
    (["acknowledge", ("request_info", {"note": "x"})], "resolve", RESOLVE),
    ([("resolve", RESOLVE)], "resolve", RESOLVE),
    ([("resolve", RESOLVE), ("close", {"now": T0 + 30 * DAY})], "escalate", {"note": "x"}),  # after the window
])
def test_disallowed_transitions_are_409(ctx, world, setup, action, kw):
    code = builders.lodge(BARIA).tracking_code
    for s in setup:
        name, args = s if isinstance(s, tuple) else (s, {})
        builders.act(world, "officer_baria", code, name, **args)
    before = builders.find(code)
    status, n = before.status, before.event_count
    with pytest.raises(InvalidTransition) as err:
        builders.act(world, "officer_baria", code, action, **kw)
    assert err.value.status == 409
    after = builders.find(code)
    assert (after.status, after.event_count) == (status, n)


def test_extend_only_once(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    builders.act(world, "officer_baria", code, "acknowledge")
    first = builders.act(world, "officer_baria", code, "extend", note="Investigation opened.").due_at
    with pytest.raises(InvalidTransition, match="once"):
        builders.act(world, "officer_baria", code, "extend", note="Again.", now=T0 + DAY)
    g = builders.find(code)
    assert g.due_at == first and [e.type for e in events_of(g)].count("extended") == 1


def test_extend_adds_the_extension_days(ctx, world):
    g = builders.lodge(BARIA)
    builders.act(world, "officer_baria", g.tracking_code, "acknowledge")
    due = builders.find(g.tracking_code).due_at
    g = builders.act(world, "officer_baria", g.tracking_code, "extend", note="Investigation opened.")
    days = events_of(g)[-1].data["days"]
    assert days >= 1
    assert g.due_at == calendar_for(g.area, T0).add_working_days(due, days)


def test_actions_need_their_reasons(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    builders.act(world, "officer_baria", code, "acknowledge")
    for action, kw, field in [("request_info", {}, "note"), ("extend", {}, "note"), ("reject", {"reason_code": "unrelated"}, "note"),
                              ("reject", {"note": "x"}, "reason_code"), ("reject", {"note": "x", "reason_code": "bored"}, "reason_code"),
                              ("transfer", {"note": "x"}, "office"), ("transfer", {"office": "OFF-BD-UN-2870"}, "note"),
                              ("transfer", {"note": "x", "office": "NOPE"}, "office"),
                              ("escalate", {}, "note"), ("resolve", {"resolution": "r"}, "decision"),
                              ("resolve", {"decision": "maybe", "resolution": "r"}, "decision"),
                              ("resolve", {"decision": "upheld"}, "resolution")]:
        with pytest.raises(ValidationError) as err:
            builders.act(world, "officer_baria", code, action, **kw)
        assert field in err.value.fields, (action, kw)
    with pytest.raises(ValidationError):
        builders.act(world, "officer_baria", code, "dance")
    assert builders.find(code).event_count == 3


def test_request_info_and_resume_push_the_deadline_by_the_days_waited(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    builders.act(world, "officer_baria", code, "acknowledge")
    due = builders.find(code).due_at
    g = builders.act(world, "officer_baria", code, "request_info", note="Which payment point?")
    assert g.paused_at == T0 and g.due_at == due
    # Sunday → Wednesday: Monday, Tuesday and Wednesday were waited.
    g = builders.act(world, "officer_baria", code, "resume", now=T0 + 3 * DAY)
    cal = calendar_for(g.area, T0)
    assert cal.working_days_between(T0, T0 + 3 * DAY) == 3
    assert g.due_at == cal.add_working_days(due, 3)
    assert g.paused_at is None and g.paused_working_days == 3
    assert events_of(g)[-1].data["paused_working_days"] == 3


def test_request_info_over_a_weekend_counts_working_days_only(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    builders.act(world, "officer_baria", code, "acknowledge")
    due = builders.find(code).due_at
    thursday = T0 + 4 * DAY
    builders.act(world, "officer_baria", code, "request_info", note="?", now=thursday)
    g = builders.act(world, "officer_baria", code, "resume", now=thursday + 3 * DAY)  # Sunday
    assert g.paused_working_days == 1  # Friday and Saturday are the weekend
    assert g.due_at == calendar_for(g.area, T0).add_working_days(due, 1)


def test_transfer_same_tier_keeps_the_clock(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    builders.act(world, "officer_baria", code, "acknowledge")
    g0 = builders.find(code)
    due, started = g0.due_at, g0.clock_started_at
    g = builders.act(world, "officer_baria", code, "transfer", office="OFF-BD-UN-2870",
                     note="The complainant lives in Basan.", now=T0 + DAY)
    assert g.office_id == office_id("OFF-BD-UN-2870") and g.level == "union" and g.status == "received"
    assert g.due_at == due and g.clock_started_at == started
    ev = events_of(g)[-1]
    assert (ev.type, ev.data["from"], ev.data["to"], ev.data["clock"]) == (
        "transferred", "OFF-BD-UN-2870".replace("2870", "2869"), "OFF-BD-UN-2870", "kept")
    assert "forwarded" in sms_templates(g)
    # The old office may still read the case but no longer act on it; the new one acts.
    with pytest.raises(Forbidden):
        builders.act(world, "officer_baria", code, "acknowledge", now=T0 + DAY)
    builders.act(world, "officer_basan", code, "acknowledge", now=T0 + DAY)


def test_transfer_to_another_tier_restarts_the_clock(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    due = builders.find(code).due_at
    later = T0 + 2 * DAY
    # An officer hands a case only to a neighbour of the same tier (issue 11, finding 3); a supervisor moves it up.
    g = builders.act(world, "supervisor_sadar", code, "transfer", office="OFF-BD-UPZ-320",
                     note="Needs the upazila social services officer.", now=later)
    assert g.level == "upazila" and g.clock_started_at == later and g.due_at > due
    assert events_of(g)[-1].data["clock"] == "restarted"


def test_other_union_officer_is_forbidden(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    with pytest.raises(Forbidden) as err:
        builders.act(world, "officer_basan", code, "acknowledge")
    assert err.value.status == 403
    assert builders.find(code).status == "received"


def test_upazila_officer_cannot_act_on_a_union_case_but_the_district_supervisor_escalates(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    with pytest.raises(Forbidden):
        builders.act(world, "officer_sadar", code, "escalate", note="Union is slow.")
    g = builders.act(world, "supervisor", code, "escalate", note="Union is slow.", now=T0 + DAY)
    assert g.office_id == office_id("OFF-BD-UPZ-320") and g.level == "upazila" and g.status == "received"
    assert g.escalation_count == 1 and g.clock_started_at == T0 + DAY
    ev = events_of(g)[-1]
    assert (ev.type, ev.actor_id, ev.data["breach"]) == ("escalated", world.user("supervisor").id, False)
    # Ownership moved: the upazila officer acts now, the union officer no longer does.
    builders.act(world, "officer_sadar", code, "acknowledge", now=T0 + DAY)
    with pytest.raises(Forbidden):
        builders.act(world, "officer_baria", code, "start", now=T0 + DAY)
    offices = set(db.session.scalars(sa.select(GrievanceOffice.office_id).where(GrievanceOffice.grievance_id == g.id)))
    assert offices == {office_id("OFF-BD-UN-2869"), office_id("OFF-BD-UPZ-320")}


def test_roles_without_lifecycle_rights(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    for who in ("analyst", "facilitator", "operator"):
        with pytest.raises(Forbidden):
            builders.act(world, who, code, "acknowledge")
    with pytest.raises(Forbidden):
        builders.run(svc.act, code, svc.ActionRequest("acknowledge"), actor=Actor.citizen("sms"), now=T0)


def test_appeal_goes_one_tier_up_on_the_appeal_clock(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    builders.act(world, "officer_baria", code, "resolve", **RESOLVE)
    g = step(None, None, code, "appeal", T0 + DAY, expect="received", note="Still not paid.")
    assert g.office_id == office_id("OFF-BD-UPZ-320") and g.level == "upazila"
    assert (g.clock_kind, g.appeal_count, g.is_open, g.decision, g.resolved_at) == ("appeal", 1, True, None, None)
    assert g.clock_started_at == T0 + DAY and g.due_at > T0 + DAY
    assert events_of(g)[-1].data["to"] == "OFF-BD-UPZ-320"
    assert sms_templates(g)[-1] == "appeal_opened"
    # A second round goes one tier further.
    builders.act(world, "officer_sadar", code, "reject", note="Not eligible.", reason_code="out_of_scope", now=T0 + 2 * DAY)
    g = step(None, None, code, "appeal", T0 + 3 * DAY, expect="received")
    assert g.level == "district" and g.appeal_count == 2


def test_feedback_no_opens_the_appeal(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    builders.act(world, "officer_baria", code, "resolve", **RESOLVE)
    g = step(None, None, code, "feedback", T0 + DAY, expect="received", events=2, satisfied=False)
    assert [e.type for e in events_of(g)][-2:] == ["feedback", "appealed"]
    assert g.satisfied is False and g.level == "upazila"


def test_feedback_no_at_the_top_tier_is_recorded_and_goes_to_national_review(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    for n in range(3):
        builders.act(world, "admin", code, "escalate", note="up", now=T0 + n * DAY)
    g = builders.find(code)
    assert g.level == "national"
    with pytest.raises(InvalidTransition, match="highest"):
        builders.act(world, "admin", code, "escalate", note="up", now=T0 + 3 * DAY)
    builders.act(world, "admin", code, "resolve", now=T0 + 3 * DAY, **RESOLVE)
    n = builders.find(code).event_count
    builders.run(svc.act, code, svc.ActionRequest("feedback", satisfied=False), actor=Actor.citizen("sms"),
                 now=T0 + 4 * DAY)
    db.session.expire_all()
    g = builders.find(code)
    # Never dropped: the NO is a feedback event, and the grievance waits on the national review list.
    assert (g.status, g.event_count, g.satisfied, g.review_flagged_at) == ("resolved", n + 1, False, T0 + 4 * DAY)
    assert events_of(g)[-1].type == "feedback" and events_of(g)[-1].data == {"satisfied": False,
                                                                            "national_review": True}
    assert g.feedback_due_at is None  # answered: the sweep does not close it as unanswered
    assert sms_templates(g)[-1] == "national_review"


def test_appeal_after_the_window_is_refused(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    g = builders.act(world, "officer_baria", code, "resolve", **RESOLVE)
    late = g.feedback_due_at + DAY
    with pytest.raises(InvalidTransition):
        builders.run(svc.act, code, svc.ActionRequest("appeal"), actor=Actor.citizen("sms"), now=late)
    g = builders.act(world, "officer_baria", code, "close", note="No answer.", now=late)
    assert g.status == "closed" and g.closed_at == late and not g.is_open


def test_reject_then_close(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    g = step(world, "officer_baria", code, "reject", T0, expect="rejected", note="Not about a programme.",
             reason_code="unrelated")
    assert sms_templates(g)[-1] == "rejected" and not g.is_open and g.due_at is None
    with pytest.raises(InvalidTransition, match="may answer until"):
        builders.act(world, "officer_baria", code, "close", now=T0 + DAY)
    step(world, "admin", code, "close", T0 + DAY, expect="closed", note="Withdrawn at the union office.")


def test_tracking_code_typed_with_spaces_finds_the_case(ctx, world):
    g = builders.lodge(BARIA)
    spaced = f"{g.tracking_code[:4]} {g.tracking_code[4:8]}-{g.tracking_code[8:]}"
    assert builders.act(world, "officer_baria", spaced, "acknowledge").status == "acknowledged"
