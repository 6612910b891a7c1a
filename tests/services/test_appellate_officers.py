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
