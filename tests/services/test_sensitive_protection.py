"""Issue 12, item 3: a sensitive grievance stays at or above its category's start tier, and only at an office with
an officer who may open it, in every country profile; `reclassify` changes the category, re-routes and counts."""
import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, BASAN, T0
from grs import statistics
from grs.errors import InvalidTransition, ValidationError
from grs.extensions import db
from grs.models import Category, Event, Office
from grs.services import actions, routing
from grs.services.accounts import create_user
from grs.services.actors import Actor
from grs.services.areas import ensure_country, import_areas
from grs.services.reference import seed_reference
from grs.uow import unit_of_work


def transfer(actor, code, office):
    with unit_of_work() as uow:
        return actions.act(uow, code, actions.ActionRequest("transfer", office=office, note="It belongs there."),
                           actor=actor, now=T0)


def reclassify(actor, code, category, note="It is about a bribe."):
    with unit_of_work() as uow:
        return actions.act(uow, code, actions.ActionRequest("reclassify", note=note, extra={"category": category}),
                           actor=actor, now=T0)


def counters_follow():
    assert statistics.stored_counts(db.session) == statistics.recount(db.session)


# ---------------------------------------------------------------- the start tier, relative to the ladder


@pytest.mark.parametrize("spec, rank", [(None, 1), ("+0", 1), ("+1", 2), ("+2", 3), ("+9", 4), ("upazila", 2),
                                        ("district", 3), ("nowhere", 4), (" +1 ", 2)])
def test_a_start_tier_is_a_code_or_relative_to_the_lowest(spec, rank):
    ranks = {"union": 1, "upazila": 2, "district": 3, "national": 4}
    assert routing.resolve_start_rank(ranks, spec) == rank


def test_misconduct_and_corruption_are_sensitive_from_two_above_the_lowest(ctx, world):
    for code in ("misconduct", "corruption", "sea_gbv"):
        c = db.session.scalar(sa.select(Category).where(Category.code == code))
        assert c.sensitive and c.start_tier == "+2"
    g = builders.lodge(BARIA, category="misconduct")
    assert g.sensitive and g.office.code == "OFF-BD-DIS-41"  # as Bangladesh's GRS: the district, confidentially


# ---------------------------------------------------------------- Bangladesh


def test_bd_a_sensitive_case_is_not_transferred_below_its_start_tier(ctx, world):
    code = builders.lodge(BARIA, category="sea_gbv").tracking_code
    for office in (f"OFF-{BARIA}", "OFF-BD-UPZ-320"):
        with pytest.raises(InvalidTransition) as err:
            transfer(world.actor("supervisor"), code, office)
        assert err.value.status == 409 and "district tier or above" in str(err.value)
    assert builders.find(code).office.code == "OFF-BD-DIS-41"


def test_bd_nor_to_an_office_without_an_officer_who_may_see_it(ctx, world):
    code = builders.lodge(BARIA, category="corruption").tracking_code
    with pytest.raises(InvalidTransition) as err:
        transfer(world.actor("admin"), code, "OFF-BD-DIS-47")  # Dhaka district: nobody there holds the right
    assert "officer who may see sensitive cases" in str(err.value)
    with unit_of_work(read_only=True) as uow:
        offered = {o.code for o in uow.session.scalars(
            actions.transfer_targets(uow, world.user("admin"), builders.find(code)))}
    assert "OFF-BD-DIS-47" not in offered and offered <= {"BD-NATIONAL"}


def test_bd_a_triaged_complaint_made_sensitive_is_placed_where_it_may_be_opened(ctx, world):
    g = builders.lodge(None, category="payment")  # no area: the triage queue
    assert g.office_id is None
    code = g.tracking_code
    with unit_of_work() as uow:
        found = actions.find(uow.session, code)
        found.sensitive = True
        found.category = uow.session.scalar(sa.select(Category).where(Category.code == "corruption"))
    builders.act(world, "admin", code, "place", area=BARIA)  # the operator may not see it now
    assert builders.find(code).office.code == "OFF-BD-DIS-41"
    with unit_of_work(read_only=True) as uow:  # and the guard place runs refuses anything lower
        g = actions.find(uow.session, code)
        with pytest.raises(InvalidTransition):
            actions.guard_sensitive(uow, g, uow.session.scalar(sa.select(Office).where(Office.code == "OFF-BD-UPZ-320")))


# ---------------------------------------------------------------- other country profiles

AREAS = {
    "NG": ("code,parent_code,level,name_en\nNG-KN,NG,state,Kano\nNG-KN-1,NG-KN,lga,Dala\n"
           "NG-KN-1-1,NG-KN-1,ward,Adakawa\nNG-KN-1-2,NG-KN-1,ward,Bakin Ruwa\n",
           "NG-KN-1-1", {"lowest": "OFF-NG-KN-1-1", "below": "OFF-NG-KN-1", "start": "OFF-NG-KN"}),
    "SO": ("code,parent_code,level,name_en\nSO-BN,SO,state,Banadir\nSO-BN-R,SO-BN,region,Banadir Region\n"
           "SO-BN-R-1,SO-BN-R,district,Hodan\nSO-BN-R-2,SO-BN-R,district,Wadajir\n",
           "SO-BN-R-1", {"lowest": "OFF-SO-BN-R-1", "below": "OFF-SO-BN-R", "start": "OFF-SO-BN"}),
}


def _country(tmp_path, country):
    text, ward, offices = AREAS[country]
    path = tmp_path / "areas.csv"
    path.write_text(text)
    # The app runs as that country (the `app` parameter below): seeding loads its pack's policies.json.
    with unit_of_work() as uow:
        ensure_country(uow, country)
        import_areas(uow, str(path), country, with_offices=True)
        seed_reference(uow)
        create_user(uow, f"sens-{country}@test.grs", builders.PASSWORD, "officer", office_code=offices["start"],
                    can_see_sensitive=True)
        create_user(uow, f"admin-{country}@test.grs", builders.PASSWORD, "admin", area_code=country,
                    can_see_sensitive=True)
    return ward, offices


@pytest.mark.parametrize("app, country", [({"COUNTRY": "NG"}, "NG"), ({"COUNTRY": "SO"}, "SO")],
                         indirect=["app"])
def test_other_profiles_keep_a_sensitive_case_at_its_start_tier(ctx, tmp_path, country):
    ward, offices = _country(tmp_path, country)
    assert {o.code for o in db.session.scalars(sa.select(Office))} >= set(offices.values())
    programme = {"NG": "NCTP", "SO": "BAX"}[country]  # the pack's programmes (reference.json)
    g = builders.lodge(ward, programme=programme, category="sea_gbv", phone=None)
    assert g.office.code == offices["start"]  # two above the lowest: the state, not Somalia's district
    from grs.models import User

    actor = Actor.staff(db.session.scalar(sa.select(User).where(User.email == f"admin-{country.lower()}@test.grs")))
    for office in (offices["lowest"], offices["below"]):
        with pytest.raises(InvalidTransition):
            transfer(actor, g.tracking_code, office)
    assert builders.find(g.tracking_code).office.code == offices["start"]
    # a complaint that turns out to be about abuse moves up to the confidential office when reclassified
    plain = builders.lodge(ward, programme=programme, category="payment", phone=None)
    assert plain.office.code == offices["lowest"]
    moved = reclassify(actor, plain.tracking_code, "sea_gbv", note="She was asked for sex.")
    assert moved.office.code == offices["start"] and moved.sensitive
    counters_follow()


# ---------------------------------------------------------------- reclassify


def test_reclassify_moves_a_bribe_to_the_confidential_office_as_an_event(ctx, world):
    code = builders.lodge(BARIA, category="payment", description="The agent asked 500 taka for my allowance.")\
        .tracking_code
    builders.act(world, "officer_baria", code, "acknowledge")
    g = reclassify(world.actor("officer_baria"), code, "corruption")
    assert (g.category.code, g.sensitive, g.office.code, g.status) == ("corruption", True, "OFF-BD-DIS-41", "received")
    e = db.session.scalars(sa.select(Event).where(Event.grievance_id == g.id).order_by(Event.seq.desc())).first()
    assert e.type == "reclassified" and e.note == "It is about a bribe."
    assert e.data["from"] == "payment" and e.data["to"] == "corruption" and e.data["sensitive"] is True
    assert e.data["moved_to"] == "OFF-BD-DIS-41" and e.data["due_at"]
    counters_follow()
    # back to a plain category: it stays where it is (never moved down by a change of category)
    g = reclassify(world.actor("officer_gazipur"), code, "payment", note="No bribe after all: a late payment.")
    assert (g.category.code, g.sensitive, g.office.code) == ("payment", False, "OFF-BD-DIS-41")
    counters_follow()


def test_reclassify_within_the_same_tier_keeps_the_case_and_its_status(ctx, world):
    code = builders.lodge(BARIA, category="payment").tracking_code
    builders.act(world, "officer_baria", code, "start")
    g = reclassify(world.actor("officer_baria"), code, "data_correction", note="The name is misspelt.")
    assert (g.category.code, g.office.code, g.status) == ("data_correction", f"OFF-{BARIA}", "in_progress")
    counters_follow()


def test_reclassify_needs_a_reason_a_real_category_and_the_case(ctx, world):
    code = builders.lodge(BARIA, category="payment").tracking_code
    with pytest.raises(ValidationError) as err:
        reclassify(world.actor("officer_baria"), code, "corruption", note="  ")
    assert "note" in err.value.fields
    with pytest.raises(ValidationError) as err:
        reclassify(world.actor("officer_baria"), code, "nonsense")
    assert "category" in err.value.fields
    with pytest.raises(ValidationError):
        reclassify(world.actor("officer_baria"), code, "payment")
    from grs.errors import Forbidden

    with pytest.raises(Forbidden):
        reclassify(world.actor(f"officer_basan"), code, "corruption")  # another union's officer
    assert BASAN  # the neighbour above
    g = reclassify(world.actor("supervisor"), code, "information", note="A question, not a complaint.")
    assert g.category.code == "information"
