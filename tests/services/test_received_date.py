"""A paper form, box slip, hearing or audit finding is clocked from the day it was received, not the day it
was typed in (issue 12, item 5); the entry time is kept on the `lodged` event."""
from __future__ import annotations

from datetime import timedelta

import pytest
from builders import BARIA, T0

import builders
from grs.errors import ValidationError
from grs.services.actors import Actor

pytestmark = pytest.mark.both_backends

DAY = timedelta(days=1)
NOW = T0 + 30 * DAY  # 2026-03-31, a Tuesday


def _paper(world, received, who="officer_baria", now=NOW):
    from grs import services
    from grs.uow import unit_of_work
    with unit_of_work() as uow:
        return services.lodge(uow, builders.intake(BARIA, channel="paper", received_at=received),
                              actor=world.actor(who), now=now)


def test_a_form_received_ten_working_days_ago_is_due_ten_working_days_earlier(ctx, world):
    from grs.uow import unit_of_work
    with unit_of_work(read_only=True) as uow:
        cal = uow.policies.calendar(None, NOW)
    received, left = NOW, 10
    while left:  # ten working days before NOW, by the country's calendar
        received -= DAY
        left -= cal.is_working_day(cal.local_date(received))
    today, earlier = _paper(world, None), _paper(world, received)
    assert earlier.received_at == received and earlier.clock_started_at == received
    assert cal.working_days_between(earlier.due_at, today.due_at) == 10
    assert earlier.due_at < today.due_at
    lodged = [e for e in earlier.events if e.type == "lodged"][0]
    assert lodged.at == NOW  # when it was typed in


def test_a_date_received_in_the_future_is_refused(ctx, world):
    with pytest.raises(ValidationError) as e:
        _paper(world, NOW + 2 * DAY)
    assert "received_at" in e.value.fields


def test_an_old_form_needs_a_supervisor(ctx, world):
    with pytest.raises(ValidationError) as e:
        _paper(world, NOW - 61 * DAY)
    assert "supervisor" in e.value.fields["received_at"]
    g = _paper(world, NOW - 61 * DAY, who="admin")
    assert g.received_at == NOW - 61 * DAY
    assert g.due_at < NOW  # its time ran out before it was entered: the next sweep moves it on


def test_an_officers_paper_file_with_an_old_form_names_its_row_and_date_column(ctx, world):
    from grs.services.imports import ImportRejected, import_grievances
    from grs.uow import unit_of_work
    old = (NOW - 70 * DAY).date().isoformat()
    data = ("date_received,programme,category,area,description\n"
            f"{old},OAA,payment,{BARIA},A slip from the box in January\n").encode()
    with pytest.raises(ImportRejected) as caught:
        with unit_of_work() as uow:
            import_grievances(uow, "box.csv", data, actor=world.actor("officer_baria"),
                              user=world.user("officer_baria"), now=NOW)
    assert [(e.row, e.column) for e in caught.value.result.errors] == [(2, "date_received")]
    with unit_of_work() as uow:  # an admin may enter it (supervisors do not import files)
        result = import_grievances(uow, "box.csv", data, actor=world.actor("admin"), user=world.user("admin"),
                                   now=NOW)
    assert result.ok


@pytest.mark.config(OFFICE_HOURS_END="17:00")
def test_after_office_hours_a_complaint_counts_as_received_the_next_working_day(app, ctx, world):
    from datetime import datetime, timezone
    tuesday_noon = datetime(2026, 3, 3, 6, 0, tzinfo=timezone.utc)  # 12:00 in Dhaka
    tuesday_evening = datetime(2026, 3, 3, 12, 30, tzinfo=timezone.utc)  # 18:30
    thursday_evening = datetime(2026, 3, 5, 12, 30, tzinfo=timezone.utc)  # 18:30; Friday, Saturday off
    noon = builders.lodge(BARIA, now=tuesday_noon)
    evening = builders.lodge(BARIA, now=tuesday_evening)
    weekend = builders.lodge(BARIA, now=thursday_evening)
    assert noon.clock_started_at == tuesday_noon
    assert evening.received_at == tuesday_evening  # when it really came
    assert evening.clock_started_at == datetime(2026, 3, 3, 18, 0, tzinfo=timezone.utc)  # Wednesday 00:00
    assert weekend.clock_started_at == datetime(2026, 3, 7, 18, 0, tzinfo=timezone.utc)  # Sunday 00:00
    from grs.uow import unit_of_work
    with unit_of_work(read_only=True) as uow:
        cal = uow.policies.calendar(None, tuesday_noon)
    assert cal.working_days_between(noon.due_at, evening.due_at) == 1


def test_an_office_hours_setting_that_is_not_a_time_stops_the_app(tmp_path):
    from grs import create_app
    with pytest.raises(ValueError, match="OFFICE_HOURS_END"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "OFFICE_HOURS_END": "five",
                    "SECRET_KEY": "x" * 40})
