"""Social accountability records through the services: forums, scorecard cycles, social audits,
hearings, awareness events and report cards; what they raise turned into grievances, linked both ways;
and who may record or read what."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from builders import BARIA, BARMI, BASAN, SADAR, T0, find, run
from grs.errors import Forbidden, NotFound, ValidationError
from social_audit import services as sa_svc
from social_audit.services import (ActivityIn, FollowUpIn, ForumIn, GroupIn, InputIn, ItemIn, LodgeIn, MemberIn,
                                   ScoreIn, TeamIn)

DAY = date(2026, 2, 20)  # before T0 and the pinned clock


@pytest.fixture
def forum(ctx, world):
    f = run(sa_svc.create_forum, ForumIn(
        name="Baria Union SP Forum", tier="union", ngo="Uttaran", area=BARIA,
        members=(MemberIn("Facilitator", role="facilitator", user_email=world.email("facilitator")),
                 MemberIn("Amena Khatun", role="chair", sex="female"))), user=world.user("admin"))
    return f.id


def scorecard(world, forum_id, held_on=DAY, **kw):
    data = ActivityIn(kind="scorecard", forum_id=forum_id, area=BARIA, title="Old-age allowance scorecard",
                      held_on=held_on, programme="OAA", service_point="Baria union parishad",
                      interface_attendees="UP chairman, social welfare officer",
                      groups=(GroupIn("Elderly women", kind="elderly", women=12, with_disability=2, age_band="60_plus"),
                              GroupIn("Men", kind="men", men=9)),
                      inputs=(InputIn("Allowance per month", "600 taka", "500 taka", "100 taka kept by agent"),),
                      indicators=("Allowance paid in full", "Staff treat us with respect"), **kw)
    return run(sa_svc.record_activity, data, user=world.user("facilitator"), now=T0)


def test_a_scorecard_cycle_compares_community_and_providers(ctx, world, forum):
    a = scorecard(world, forum)
    women, men = a.groups
    first, second = a.indicators
    scores = [ScoreIn(first.id, 2, women.id, "Agent keeps 100 taka", "Pay by mobile money"),
              ScoreIn(first.id, 3, men.id), ScoreIn(first.id, 5, None, "We pay on time"),
              ScoreIn(second.id, 4, women.id)]
    run(sa_svc.set_scores, a.id, scores, user=world.user("facilitator"))
    rows = {c.indicator.text: c for c in sa_svc.comparison(a)}
    assert rows["Allowance paid in full"].community == 2.5 and rows["Allowance paid in full"].provider == 5
    assert rows["Staff treat us with respect"].community == 4 and rows["Staff treat us with respect"].provider is None
    # Scoring the same pair again replaces the score.
    run(sa_svc.set_scores, a.id, [ScoreIn(first.id, 4, men.id)], user=world.user("facilitator"))
    assert sa_svc.comparison(a)[0].community == 3.0


def test_trend_follows_an_indicator_across_cycles(ctx, world, forum):
    old = scorecard(world, forum, held_on=date(2025, 8, 10))
    new = scorecard(world, forum)
    for cycle, value in ((old, 1), (new, 4)):
        run(sa_svc.set_scores, cycle.id, [ScoreIn(cycle.indicators[0].id, value, cycle.groups[0].id)],
            user=world.user("facilitator"))
    from grs.uow import unit_of_work
    with unit_of_work(read_only=True) as uow:
        series = sa_svc.trend(uow, new)
    assert series["allowance paid in full"] == [(date(2025, 8, 10), 1.0, None), (DAY, 4.0, None)]


def test_scores_off_the_scale_and_groups_that_do_not_add_up_are_explained(ctx, world, forum):
    a = scorecard(world, forum)
    with pytest.raises(ValidationError) as e:
        run(sa_svc.set_scores, a.id, [ScoreIn(a.indicators[0].id, 7, a.groups[0].id)], user=world.user("facilitator"))
    assert "scores[0].score" in e.value.fields
    with pytest.raises(ValidationError) as e:
        run(sa_svc.record_activity, ActivityIn(
            kind="hearing", forum_id=forum, area=BARIA, title="Hearing", held_on=DAY, women=10, men=5, total=20),
            user=world.user("facilitator"), now=T0)
    assert set(e.value.fields) == {"total"}
    with pytest.raises(ValidationError) as e:
        run(sa_svc.record_activity, ActivityIn(
            kind="scorecard", forum_id=forum, area=BARIA, title="", held_on=None, programme="NOPE",
            groups=(GroupIn("Empty"),)), user=world.user("facilitator"), now=T0)
    assert {"title", "held_on", "programme", "groups[0].women"} <= set(e.value.fields)


def test_a_social_audit_flags_residents_and_checks_its_verification(ctx, world, forum):
    data = ActivityIn(kind="audit", forum_id=forum, area=BARIA, title="OAA audit 2025-26", held_on=DAY,
                      programme="OAA", period_from=date(2025, 7, 1), period_to=date(2025, 12, 31),
                      records_examined="Beneficiary list, payment sheets", checked=120, found=112, not_found=8,
                      ineligible=5, amount_due=864000, amount_paid=790000,
                      team=(TeamIn("Outsider", resident_area=BARMI), TeamIn("Insider", resident_area=BARIA)))
    a = run(sa_svc.record_activity, data, user=world.user("facilitator"), now=T0)
    assert [m.resident_in_audited_area for m in a.team] == [False, True]
    bad = ActivityIn(kind="audit", forum_id=forum, area=BARIA, title="x", held_on=DAY, programme="OAA",
                     period_from=date(2026, 1, 1), period_to=date(2025, 1, 1), checked=10, found=9, not_found=3)
    with pytest.raises(ValidationError) as e:
        run(sa_svc.record_activity, bad, user=world.user("facilitator"), now=T0)
    assert {"period_to", "not_found"} <= set(e.value.fields)


def test_a_finding_becomes_a_grievance_linked_both_ways(ctx, world, forum):
    a = run(sa_svc.record_activity, ActivityIn(
        kind="audit", forum_id=forum, area=BARIA, title="Audit", held_on=DAY, programme="OAA",
        period_from=date(2025, 7, 1), period_to=date(2025, 12, 31)), user=world.user("facilitator"), now=T0)
    item = run(sa_svc.add_item, a.id, ItemIn(kind="finding", title="Agent deducts 100 taka per payment",
                                             finding_type="unauthorised_deduction", amount=12000,
                                             responsible="Payment agent"), user=world.user("facilitator"))
    g = run(sa_svc.lodge_item, item.id, LodgeIn(category="payment"), user=world.user("facilitator"), now=T0)
    again = run(sa_svc.lodge_item, item.id, LodgeIn(category="payment"), user=world.user("facilitator"), now=T0)
    assert again.id == g.id  # lodging twice lands once
    g = find(g.tracking_code)
    assert g.channel == "audit" and g.source_ref == f"sa-item:{item.id}"
    assert g.received_at.date() <= DAY  # the day it was raised (local midnight, in UTC)
    assert g.office is not None and g.office.area.code == BARIA  # routed like any other
    from grs.extensions import db
    assert sa_svc.source_of(db.session, g.id).id == item.id


def test_commitments_need_an_owner_and_a_date_and_follow_ups_follow_the_meeting(ctx, world, forum):
    h = run(sa_svc.record_activity, ActivityIn(kind="hearing", forum_id=forum, area=BARIA, title="Hearing",
                                               held_on=DAY, women=30, men=20, total=50, panel="UNO, UP chairman"),
            user=world.user("facilitator"), now=T0)
    with pytest.raises(ValidationError) as e:
        run(sa_svc.add_item, h.id, ItemIn(kind="commitment", title="Pay arrears"), user=world.user("facilitator"))
    assert {"responsible", "due_on"} <= set(e.value.fields)
    c = run(sa_svc.add_item, h.id, ItemIn(kind="commitment", title="Pay arrears", responsible="UNO",
                                          due_on=date(2026, 2, 25)), user=world.user("facilitator"))
    from grs.uow import unit_of_work
    with unit_of_work(read_only=True) as uow:
        assert [i.id for i in sa_svc.overdue_items(uow, world.user("facilitator"), date(2026, 3, 1))] == [c.id]
    with pytest.raises(ValidationError) as e:
        run(sa_svc.follow_up, c.id, FollowUpIn(date(2026, 2, 1), "Asked", "in_progress"),
            user=world.user("facilitator"), now=T0)
    assert "on" in e.value.fields
    run(sa_svc.follow_up, c.id, FollowUpIn(date(2026, 2, 24), "Arrears paid", "done"),
        user=world.user("facilitator"), now=T0)
    with unit_of_work(read_only=True) as uow:
        assert sa_svc.overdue_items(uow, world.user("facilitator"), date(2026, 3, 1)) == []


def test_only_members_record_and_only_those_in_the_area_read(ctx, world, forum):
    # A facilitator who is no member of the forum may not record for it.
    other = run(sa_svc.create_forum, ForumIn(name="Basan forum", tier="union", ngo="NGO", area=BASAN),
                user=world.user("admin"))
    with pytest.raises(Forbidden):
        run(sa_svc.record_activity, ActivityIn(kind="hearing", forum_id=other.id, area=BASAN, title="H",
                                               held_on=DAY), user=world.user("facilitator"), now=T0)
    a = scorecard(world, forum)
    # An officer of another union cannot read it; the upazila supervisor can.
    with pytest.raises(NotFound):
        run(sa_svc.get_activity, a.id, user=world.user("officer_basan"))
    assert run(sa_svc.get_activity, a.id, user=world.user("supervisor_sadar")).id == a.id
    # Only administrators set up forums; an area outside the forum is refused.
    with pytest.raises(Forbidden):
        run(sa_svc.create_forum, ForumIn(name="x", tier="union", ngo="y", area=BARIA), user=world.user("facilitator"))
    with pytest.raises(ValidationError) as e:
        run(sa_svc.record_activity, ActivityIn(kind="hearing", forum_id=forum, area=SADAR, title="H", held_on=DAY),
            user=world.user("facilitator"), now=T0)
    assert "area" in e.value.fields


def test_awareness_reach_and_report_card_results(ctx, world, forum):
    ev = run(sa_svc.record_activity, ActivityIn(kind="awareness", forum_id=forum, area=BARIA, title="Courtyard",
                                                held_on=DAY, event_type="courtyard_meeting", women=40, men=12),
             user=world.user("facilitator"), now=T0)
    assert ev.total == 52
    rc = run(sa_svc.record_activity, ActivityIn(kind="report_card", forum_id=forum, area=BARIA, title="Survey",
                                                held_on=DAY, programme="OAA", groups=(GroupIn("All", women=30, men=20),)),
             user=world.user("facilitator"), now=T0)
    with pytest.raises(ValidationError):
        run(sa_svc.add_item, rc.id, ItemIn(kind="result", title="Paid on time?", results={"yes": -1}),
            user=world.user("facilitator"))
    r = run(sa_svc.add_item, rc.id, ItemIn(kind="result", title="Paid on time?", results={"yes": 32, "no": 18}),
            user=world.user("facilitator"))
    assert r.results == {"yes": 32, "no": 18}


def test_the_insider_flag_follows_a_corrected_audit_area(ctx, world):
    upazila = run(sa_svc.create_forum, ForumIn(
        name="Sadar forum", tier="upazila", ngo="Uttaran", area=SADAR,
        members=(MemberIn("Facilitator", role="facilitator", user_email=world.email("facilitator")),)),
        user=world.user("admin"))
    data = ActivityIn(kind="audit", forum_id=upazila.id, area=BARIA, title="Audit", held_on=DAY, programme="OAA",
                      period_from=date(2025, 7, 1), period_to=date(2025, 12, 31),
                      team=(TeamIn("Lives in Baria", resident_area=BARIA), TeamIn("Lives in Basan", resident_area=BASAN)))
    a = run(sa_svc.record_activity, data, user=world.user("facilitator"), now=T0)
    assert [m.resident_in_audited_area for m in a.team] == [True, False]
    moved = run(sa_svc.update_activity, a.id, replace(data, area=BASAN), user=world.user("facilitator"), now=T0)
    assert [m.resident_in_audited_area for m in moved.team] == [False, True]
