"""Issue 11, findings 3 and 9, at the service: a transfer reaches only the offices the actor's scope allows,
and an operator of one area sees and places only the triaged complaints of that area."""
import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, BARMI, BASAN, SADAR, T0
from grs import permissions, queries
from grs.errors import Forbidden, InvalidTransition, ValidationError
from grs.extensions import db
from grs.models import Area, User
from grs.services import actions
from grs.services.accounts import create_user
from grs.uow import unit_of_work

SAVAR_UNION = "BD-UN-3271"  # Dhaka district: another district of the division


def transfer(world, who, code, office):
    return builders.act(world, who, code, "transfer", office=office, note="It belongs there.", now=T0)


def refused(world, who, code, office) -> ValidationError:
    before = builders.find(code).office.code
    with pytest.raises(ValidationError) as err:
        transfer(world, who, code, office)
    assert err.value.status == 422 and "office" in err.value.fields
    assert builders.find(code).office.code == before
    return err.value


def targets(world, who, code) -> set[str]:
    with unit_of_work(read_only=True) as uow:
        return {o.code for o in uow.session.scalars(
            actions.transfer_targets(uow, world.user(who), builders.find(code)))}


# ---------------------------------------------------------------- finding 3: transfers


@pytest.mark.parametrize("office", [f"OFF-{SAVAR_UNION}", f"OFF-{BARMI}", "OFF-BD-UPZ-320", "OFF-BD-DIS-41",
                                    "BD-NATIONAL"])
def test_an_officer_transfers_only_to_a_neighbour_of_the_same_tier(ctx, world, office):
    code = builders.lodge(BARIA).tracking_code
    refused(world, "officer_baria", code, office)
    assert transfer(world, "officer_baria", code, f"OFF-{BASAN}").office.code == f"OFF-{BASAN}"


def test_the_choices_offered_are_the_offices_the_service_accepts(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    # The unions of Gazipur Sadar (the upazila above Baria), Baria itself left out; nothing of another tier.
    sadar_unions = {f"OFF-{a.code}" for a in db.session.scalars(sa.select(Area).where(
        Area.parent_id == sa.select(Area.id).where(Area.code == SADAR).scalar_subquery()))}
    assert f"OFF-{BASAN}" in sadar_unions and f"OFF-{BARMI}" not in sadar_unions
    assert targets(world, "officer_baria", code) == sadar_unions - {f"OFF-{BARIA}"}
    assert targets(world, "officer_basan", code) == set()  # not their case: nothing to transfer


def test_a_supervisor_transfers_within_their_subtree(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    refused(world, "supervisor_sadar", code, f"OFF-{BARMI}")  # Sreepur: outside Gazipur Sadar
    assert f"OFF-{BARMI}" not in targets(world, "supervisor_sadar", code)
    assert "OFF-BD-UPZ-320" in targets(world, "supervisor_sadar", code)
    assert transfer(world, "supervisor_sadar", code, "OFF-BD-UPZ-320").level == "upazila"
    assert transfer(world, "supervisor", code, f"OFF-{BARMI}").office.code == f"OFF-{BARMI}"  # Gazipur's
    refused(world, "supervisor", code, f"OFF-{SAVAR_UNION}")


def test_a_national_admin_transfers_anywhere(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    assert transfer(world, "admin", code, f"OFF-{SAVAR_UNION}").office.code == f"OFF-{SAVAR_UNION}"


def test_a_sensitive_case_is_not_transferred_below_its_start_tier(ctx, world):
    code = builders.lodge(BARIA, category="corruption").tracking_code  # starts at the district
    assert builders.find(code).office.code == "OFF-BD-DIS-41"
    # Below the start tier is a 409 of its own (issue 12, item 3: tests/services/test_sensitive_protection.py).
    for who, office in (("supervisor", f"OFF-{BARIA}"), ("supervisor", "OFF-BD-UPZ-320"),
                        ("admin", f"OFF-{SAVAR_UNION}")):
        with pytest.raises(InvalidTransition):
            transfer(world, who, code, office)
    assert builders.find(code).office.code == "OFF-BD-DIS-41"
    assert not {o for o in targets(world, "admin", code) if o.startswith(("OFF-BD-UN-", "OFF-BD-UPZ-"))}
    with unit_of_work() as uow:  # a sensitive case goes only where an officer may open it
        create_user(uow, "dhaka-sensitive@test.grs", builders.PASSWORD, "officer", office_code="OFF-BD-DIS-47",
                    can_see_sensitive=True)
    assert transfer(world, "admin", code, "OFF-BD-DIS-47").office.code == "OFF-BD-DIS-47"


def test_the_transfer_reach_is_one_rule(ctx, world):
    g = builders.lodge(BARIA)
    assert permissions.transfer_reach(world.user("officer_baria"), g) == permissions.TransferReach(
        "/BD/BD-DIV-6/BD-DIS-41/BD-UPZ-320/", "union")
    assert permissions.transfer_reach(world.user("supervisor_sadar"), g) == permissions.TransferReach(
        "/BD/BD-DIV-6/BD-DIS-41/BD-UPZ-320/", None)
    assert permissions.transfer_reach(world.user("officer_basan"), g) is None
    assert permissions.transfer_reach(world.user("analyst"), g) is None


# ---------------------------------------------------------------- finding 9: the triage queue


@pytest.fixture
def sadar_operator(ctx, world):
    with unit_of_work() as uow:
        create_user(uow, "operator_sadar@test.grs", builders.PASSWORD, "operator", area_code=SADAR)
    return db.session.scalar(sa.select(User).where(User.email == "operator_sadar@test.grs"))


def triaged_in(area_code: str | None):
    """A grievance in the triage queue whose area is `area_code` (as when no office covered it)."""
    g = builders.lodge(None)
    if area_code is not None:
        with unit_of_work() as uow:
            g.area = uow.session.scalar(sa.select(Area).where(Area.code == area_code))
    return g


def test_an_operator_of_one_upazila_sees_only_its_triage(ctx, world, sadar_operator):
    mine, elsewhere, unknown = triaged_in(BARIA), triaged_in(SAVAR_UNION), triaged_in(None)
    seen = {g.tracking_code for g in db.session.scalars(queries.visible_query(sadar_operator))}
    assert mine.tracking_code in seen
    assert elsewhere.tracking_code not in seen and unknown.tracking_code not in seen
    assert not queries.can_view(sadar_operator, elsewhere)
    # A country-wide operator sees the whole queue.
    national = world.user("operator")
    assert {mine.tracking_code, elsewhere.tracking_code, unknown.tracking_code} <= {
        g.tracking_code for g in db.session.scalars(queries.visible_query(national))}


def test_an_operator_of_one_upazila_places_only_within_it(ctx, world, sadar_operator):
    from grs.services.actors import Actor
    from grs import services as svc

    def place(g, area):
        with unit_of_work() as uow:
            return svc.act(uow, g.tracking_code, svc.ActionRequest("place", area=area),
                           actor=Actor.staff(sadar_operator), now=T0)

    elsewhere = triaged_in(SAVAR_UNION)
    with pytest.raises(Forbidden):
        place(elsewhere, BARIA)
    mine = triaged_in(SADAR)
    with pytest.raises(ValidationError) as err:
        place(mine, SAVAR_UNION)  # routing it out of the operator's area
    assert "area" in err.value.fields
    assert place(mine, BASAN).office.code == f"OFF-{BASAN}"
