"""Appellate officers (issue 12, item 2): a flag on an officer of an office; appeals reaching the office are
theirs, marked as appeals, and the supervisors of the subtree keep their oversight."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from grs.errors import ValidationError
from grs.services.accounts import create_user
from grs.uow import unit_of_work

import builders as b
from grs.extensions import db
from grs.models import User


def test_the_world_has_an_appellate_officer_at_the_sadar_upazila_office(ctx, world):
    u = world.user("appellate_sadar")
    assert u.appellate and u.role == "officer" and u.office.code == "OFF-BD-UPZ-320"
    assert not world.user("officer_sadar").appellate


def test_only_an_officer_can_be_an_appellate_officer(ctx, world):
    with pytest.raises(ValidationError), unit_of_work() as uow:
        create_user(uow, "sup@test.grs", b.PASSWORD, "supervisor", area_code=b.SADAR, appellate=True)


def test_create_user_appellate_flag(app, world, runner):
    result = runner.invoke(args=["create-user", "--email", "ao@test.grs", "--password", b.PASSWORD,
                                 "--role", "officer", "--office", "OFF-BD-UPZ-321", "--appellate"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User.appellate).where(User.email == "ao@test.grs")) is True


# ---------------------------------------------------------------- appeals reach the appellate officer

from datetime import timedelta  # noqa: E402

from grs import permissions, queries, services as svc  # noqa: E402
from grs.errors import Forbidden, InvalidTransition, NotFound  # noqa: E402
from grs.models import OutboxMessage  # noqa: E402

RESOLVE = {"decision": "upheld", "resolution": "Arrears paid through the union office."}


def appealed(world):
    """A Baria grievance decided by the union office, then appealed by the complainant (NO): at the Sadar
    upazila office on the appeal clock."""
    code = b.lodge(b.BARIA).tracking_code
    b.act(world, "officer_baria", code, "resolve", **RESOLVE)
    b.run(svc.complainant_appeal, code, channel="web", now=b.T0 + timedelta(hours=2))
    return b.find(code)


def arrivals(g):
    return db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.grievance_id == g.id, OutboxMessage.template == "case_arrived")).all()


def test_an_appeal_is_told_to_the_appellate_officer_of_the_office_it_reaches(ctx, world):
    g = appealed(world)
    assert g.office.code == "OFF-BD-UPZ-320" and g.clock_kind == "appeal" and permissions.is_appeal(g)
    told = {m.recipient for m in arrivals(g)}
    assert world.email("appellate_sadar") in told
    assert world.email("officer_sadar") not in told  # the office's other officers are not its audience
    body = next(m.body for m in arrivals(g) if m.recipient == world.email("appellate_sadar"))
    assert "APPEAL" in body


def test_without_an_appellate_officer_the_office_is_told_as_before(ctx, world):
    b.run(lambda uow: setattr(uow.session.get(User, world.user("appellate_sadar").id), "appellate", False))
    g = appealed(world)
    assert {world.email("appellate_sadar"), world.email("officer_sadar")} <= {m.recipient for m in arrivals(g)}


def test_the_appellate_officer_acts_on_the_appeal_and_an_officer_elsewhere_cannot(ctx, world):
    g = appealed(world)
    u = world.user("appellate_sadar")
    assert permissions.hears_appeals(u) and not permissions.hears_appeals(world.user("officer_sadar"))
    assert "resolve" in permissions.actions_for(u, g, visible=queries.can_view(u, g))
    other = world.user("officer_sreepur")  # an officer of another upazila office
    assert permissions.actions_for(other, g, visible=queries.can_view(other, g)) == []
    with pytest.raises((Forbidden, NotFound, InvalidTransition)):
        b.act(world, "officer_sreepur", g.tracking_code, "resolve", **RESOLVE)
    done = b.act(world, "appellate_sadar", g.tracking_code, "resolve", now=b.T0 + timedelta(days=1), **RESOLVE)
    assert done.status == "resolved"


def test_the_supervisor_keeps_oversight_of_the_appeal(ctx, world):
    g = appealed(world)
    for key in ("supervisor", "supervisor_sadar"):  # the district's and the upazila's supervisors
        sup = world.user(key)
        assert queries.can_view(sup, g)
        assert "resolve" in permissions.actions_for(sup, g, visible=True)


def test_the_appeals_filter_lists_only_appeals(ctx, world):
    g = appealed(world)
    plain = b.lodge(b.BARIA, now=b.T0)
    u = world.user("appellate_sadar")
    codes = {x.tracking_code for x in db.session.scalars(
        queries.grievance_list(u, queries.GrievanceFilter(appeals=True), b.T0 + timedelta(days=1)))}
    assert codes == {g.tracking_code}
    sup = world.user("supervisor")
    assert plain.tracking_code not in {x.tracking_code for x in db.session.scalars(
        queries.grievance_list(sup, queries.GrievanceFilter(appeals=True), b.T0 + timedelta(days=1)))}


def test_a_missed_deadline_handed_over_on_the_appeal_clock_reaches_the_appellate_officer(ctx, world):
    """The ladder's hand-over (a tier's policy: on_breach "appeal", escalation/sweep.py) is escalate_one with
    clock="appeal": the next office's appellate officer is told, marked as an appeal."""
    code = b.lodge(b.BARIA).tracking_code
    g = b.find(code)
    late = g.due_at + timedelta(days=1)
    b.run(lambda uow: svc.escalate_one(uow, svc.find(uow.session, code), actor=b.Actor.system("sweep"), now=late,
                                       reason="deadline passed", breach=True, clock="appeal"))
    g = b.find(code)
    assert g.office.code == "OFF-BD-UPZ-320" and permissions.is_appeal(g)
    told = {m.recipient: m.body for m in arrivals(g)}
    assert world.email("appellate_sadar") in told and world.email("officer_sadar") not in told
    assert "APPEAL" in told[world.email("appellate_sadar")]


def test_a_sensitive_appeal_skips_an_appellate_officer_without_the_sensitive_right(ctx, world):
    """The appellate officer who may not see a sensitive case is not told of it; the office's officers with the
    sensitive right are, as before (nobody is left untold)."""
    from grs import notifications

    g = b.lodge(b.BARIA, category="corruption", description="The union member asked for a bribe.")
    assert g.sensitive and g.office.code == "OFF-BD-DIS-41"
    plain = world.user("officer_gazipur_plain").id

    def tell(uow):
        uow.session.get(User, plain).appellate = True
        grievance = svc.find(uow.session, g.tracking_code)
        notifications.tell_office(uow, grievance, grievance.office, "case_arrived", now=b.T0, appeal=True)
    b.run(tell)
    told = {m.recipient for m in arrivals(b.find(g.tracking_code)) if "APPEAL" in m.body}
    assert told == {world.email("officer_gazipur")}
