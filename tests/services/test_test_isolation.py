"""The suite's own footing (tests/conftest.py): each test starts from the committed world, whatever ran before
it on this worker, and what the application commits is seen by every app context of the test."""
import pytest
import sqlalchemy as sa

import builders
from grs.extensions import db
from grs.models import Event, Grievance, User
from grs.timeutil import utcnow

pytestmark = pytest.mark.both_backends  # sequences (PostgreSQL) and rowids (SQLite) behave differently


def test_every_test_starts_from_the_world_and_ids_do_not_depend_on_earlier_tests(app, world):
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == len(builders.ACCOUNTS)
        g = builders.lodge()
        db.session.commit()  # the application's commit releases a savepoint only
        assert g.id == 1
        first_event = db.session.scalar(sa.select(sa.func.min(Event.id)))
        assert first_event == 1


def test_a_commit_in_one_app_context_is_seen_by_the_others(app, world, client_as):
    code = builders.lodge_in(app)
    with app.app_context():
        assert db.session.scalar(sa.select(Grievance.tracking_code)) == code
    r = client_as("officer_baria").get(f"/cases/{code}")  # each request has its own app context and session
    assert r.status_code == 200


def test_a_test_without_the_world_gets_an_empty_schema(app):
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_the_clock_is_pinned(pinned_clock):
    assert utcnow() == pinned_clock


@pytest.mark.wall_clock
def test_a_test_may_ask_for_the_real_clock(pinned_clock):
    assert pinned_clock is None
    assert utcnow() != utcnow()  # it moves
