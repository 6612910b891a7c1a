"""Edges of intake: triage has a limit, sensitive complaints never wait in triage, state errors are 409."""
from datetime import datetime, timedelta

import pytest

import builders
from builders import BARIA, T0
from escalation.sweep import sweep
from grs.errors import InvalidTransition
from grs import services as svc

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)


def test_the_triage_queue_has_an_acknowledgement_limit_that_the_sweep_counts(app, world):
    with app.app_context():
        g = builders.lodge(None)
        assert g.office_id is None and g.ack_due_at is not None and g.due_at is None
        code, ack_due = g.tracking_code, g.ack_due_at
        assert sweep(ack_due + timedelta(minutes=1)).ack_breached == [code]
        assert builders.find(code).office_id is None  # still waiting for an operator: breaches don't move it


def test_a_sensitive_complaint_without_an_area_goes_to_the_national_cell_not_triage(app, world):
    with app.app_context():
        g = builders.lodge(None, category="sea_gbv")
        assert (g.office.code, g.level, g.sensitive) == ("BD-NATIONAL", "national", True)
        assert g.due_at is not None


def test_a_paper_form_date_without_a_time_zone_is_taken_as_utc(app, world):
    with app.app_context():
        filled_in = datetime(2026, 2, 25, 9, 0)  # naive, as a CSV import might give it
        g = builders.run(svc.lodge, builders.intake(BARIA, channel="paper", received_at=filled_in),
                      actor=world.actor("operator"), now=T0)
        assert g.received_at.isoformat() == "2026-02-25T09:00:00+00:00"


def test_placing_a_grievance_that_is_already_placed_is_a_state_error(app, world):
    with app.app_context():
        code = builders.lodge(BARIA).tracking_code
        with pytest.raises(InvalidTransition):
            builders.act(world, "operator", code, "place", area=BARIA)


def test_acting_on_a_grievance_still_in_triage_is_a_state_error_for_its_handlers(app, world):
    with app.app_context():
        code = builders.lodge(None).tracking_code
        with pytest.raises(InvalidTransition):
            builders.act(world, "admin", code, "acknowledge")
