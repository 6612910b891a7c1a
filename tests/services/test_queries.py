"""One "overdue": the SQL condition, its Python twin, the list filter and the morning digest agree."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, T0
from escalation.digest import office_counts
from grs import queries
from grs.extensions import db
from grs.models import Grievance
from grs.uow import unit_of_work

pytestmark = pytest.mark.both_backends  # dates compared in SQL: the backend matters

MINUTE = timedelta(minutes=1)


def reload(code: str) -> Grievance:
    return db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))


@pytest.fixture
def cases(ctx, world):
    """Past due, paused for the complainant, resolved, in triage, and lodged later (not yet due)."""
    made = {name: builders.lodge(BARIA).tracking_code for name in ("due", "paused", "resolved")}
    made["triage"] = builders.lodge(None).tracking_code
    made["fresh"] = builders.lodge(BARIA, now=T0 + timedelta(days=60)).tracking_code
    builders.act(world, "officer_baria", made["paused"], "acknowledge")
    builders.act(world, "officer_baria", made["paused"], "request_info", note="Which month was missed?")
    builders.act(world, "officer_baria", made["resolved"], "resolve", decision="upheld", resolution="Paid.")
    return made


def test_the_sql_condition_and_its_python_twin_agree(ctx, cases):
    now = reload(cases["due"]).due_at + MINUTE
    in_sql = set(db.session.scalars(sa.select(Grievance.tracking_code).where(queries.overdue(now))))
    in_python = {code for code in cases.values() if queries.is_overdue(reload(code), now)}
    assert in_sql == in_python == {cases["due"]}
    # The paused case's date has passed too: it is not overdue while the complainant has the turn.
    assert reload(cases["paused"]).due_at < now


def test_the_list_filter_and_order_use_it(ctx, world, cases):
    now = reload(cases["due"]).due_at + MINUTE
    supervisor = world.user("admin")
    listed = [g.tracking_code for g in db.session.scalars(
        queries.grievance_list(supervisor, queries.GrievanceFilter(overdue=True), now))]
    assert listed == [cases["due"]]
    everything = [g.tracking_code for g in db.session.scalars(
        queries.grievance_list(supervisor, queries.GrievanceFilter(open_only=True), now))]
    assert everything[0] == cases["due"] and cases["resolved"] not in everything


def test_the_digest_does_not_count_a_paused_case_as_overdue(ctx, cases):
    now = reload(cases["due"]).due_at + MINUTE
    office_id = reload(cases["due"]).office_id
    with unit_of_work() as uow:
        n_open, _due_today, n_overdue = office_counts(uow, now)[office_id]
    assert n_open == 3  # due, paused and fresh; the resolved one is no longer open
    assert n_overdue == 1
