"""Changing a time limit or adding a day off moves the deadlines of the open grievances it affects."""
from datetime import date, timedelta

import builders
from builders import BARIA, BARMI, T0
from escalation import admin
from escalation.policy import calendar_for
from grs.extensions import db
from grs import services as svc

import pytest
pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

NOW = T0 + timedelta(hours=1)


def reload(code):
    db.session.expire_all()
    return builders.find(code)


def test_changing_a_tier_limit_recomputes_open_grievances_at_that_tier_only(app, world):
    with app.app_context():
        open_code = builders.lodge(BARIA).tracking_code
        closed_code = builders.lodge(BARIA).tracking_code
        builders.act(world, "officer_baria", closed_code, "resolve", decision="upheld", resolution="Paid.")
        sensitive = builders.lodge(BARIA, category="corruption").tracking_code  # at district
        before = reload(open_code).due_at
        _, changed = builders.run(admin.save_policy, admin.PolicyIn("union", "grievance", 2, 3, 10), actor=world.actor("admin"),
                                       now=NOW)
        assert changed == 1
        g = reload(open_code)
        assert g.due_at == calendar_for(g.area, T0).add_working_days(T0, 3) < before
        assert g.events[-1].type == "deadline_changed"
        assert reload(closed_code).due_at is None
        assert reload(sensitive).level == "district"
        assert reload(sensitive).events[-1].type != "deadline_changed"


def test_a_category_limit_overrides_the_tier_default(app, world):
    with app.app_context():
        payment = builders.lodge(BARIA, category="payment").tracking_code
        other = builders.lodge(BARIA, category="exclusion").tracking_code
        builders.run(admin.save_policy, admin.PolicyIn("union", "grievance", 1, 5, 10, category="payment"),
                          actor=world.actor("admin"), now=NOW)
        cal = calendar_for(reload(payment).area, T0)
        assert reload(payment).due_at == cal.add_working_days(T0, 5)
        assert reload(other).due_at == cal.add_working_days(T0, 7)
        fresh = builders.lodge(BARIA, category="payment", now=NOW)
        assert fresh.due_at == cal.add_working_days(NOW, 5)


def test_invalid_limits_name_the_field(app, world):
    import pytest
    from grs.errors import ValidationError
    with app.app_context():
        with pytest.raises(ValidationError) as e:
            builders.run(admin.save_policy, admin.PolicyIn("union", "grievance", 2, 0, 10), actor=world.actor("admin"), now=NOW)
        assert "resolve_days" in e.value.fields
        with pytest.raises(ValidationError) as e:
            builders.run(admin.save_policy, admin.PolicyIn("moon", "grievance", 2, 5, 10), actor=world.actor("admin"), now=NOW)
        assert "tier" in e.value.fields


def test_a_local_day_off_moves_deadlines_only_in_that_area(app, world):
    with app.app_context():
        inside = builders.lodge(BARIA).tracking_code  # Gazipur Sadar upazila
        outside = builders.lodge(BARMI).tracking_code  # Sreepur upazila
        before_in, before_out = reload(inside).due_at, reload(outside).due_at
        # A flood closes Gazipur Sadar on Tuesday 3 March 2026, inside both clocks.
        _, changed = builders.run(admin.add_holiday, date(2026, 3, 3), "Flood closure", "BD-UPZ-320",
                                       actor=world.actor("admin"), now=NOW)
        assert changed == 1
        assert reload(inside).due_at > before_in
        assert reload(outside).due_at == before_out
        # New grievances there count around the closure too.
        fresh = builders.lodge(BARIA, now=NOW)
        assert fresh.due_at == reload(inside).due_at


def test_a_national_day_off_and_its_removal(app, world):
    with app.app_context():
        code = builders.lodge(BARIA).tracking_code
        before = reload(code).due_at
        h, changed = builders.run(admin.add_holiday, date(2026, 3, 4), "Special holiday", None, actor=world.actor("admin"), now=NOW)
        assert changed == 1 and reload(code).due_at > before
        assert builders.run(admin.delete_holiday, h.id, actor=world.actor("admin"), now=NOW) == 1
        assert reload(code).due_at == before
