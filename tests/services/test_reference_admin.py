"""Reference data administration (issue 13, item 3): load a reference document (only what is missing,
or everything with replace), export it back unchanged, add and edit programmes and categories; every
change an admin event; bad codes, names and start tiers refused with what is wrong."""
import json
import os

import pytest
import sqlalchemy as sa

import builders
from builders import T0
from grs.errors import Conflict, NotFound, ValidationError
from grs.extensions import db
from grs.models import AdminEvent, Category, Programme
from grs.services.actors import Actor
from grs.services.reference_admin import (CategoryIn, ProgrammeIn, export_reference, load_reference,
                                          save_category, save_programme, start_tier_choices)

PACKS = os.path.join(os.path.dirname(__file__), "..", "..", "grs", "packs")
ADMIN = Actor.system("test-admin")


def events(kind):
    return db.session.scalars(sa.select(AdminEvent).where(AdminEvent.kind == kind).order_by(AdminEvent.seq)).all()


def programme(code):
    db.session.expire_all()
    return db.session.scalar(sa.select(Programme).where(Programme.code == code))


def category(code):
    db.session.expire_all()
    return db.session.scalar(sa.select(Category).where(Category.code == code))


DOC = {"programmes": [{"code": "NEWP", "names": {"en": "New programme", "bn": "নতুন কর্মসূচি"}, "active": True},
                      {"code": "OAA", "names": {"en": "Renamed allowance"}, "active": False}],
       "categories": [{"code": "new_cat", "names": {"en": "New category"}, "sensitive": True,
                       "start_tier": "+1", "active": True}]}


def test_load_creates_only_what_is_missing_unless_replace(ctx, world):
    before = programme("OAA").name_en
    seeded = len(events("reference_loaded"))  # the world's own seed loaded its pack's reference.json
    counts = builders.run(load_reference, DOC, actor=ADMIN, now=T0)
    assert counts == {"programmes": {"created": 1, "updated": 0, "unchanged": 1},
                      "categories": {"created": 1, "updated": 0, "unchanged": 0}}
    assert programme("NEWP").name("bn") == "নতুন কর্মসূচি" and programme("OAA").name_en == before
    assert category("new_cat").sensitive and category("new_cat").start_tier == "+1"
    assert len(events("reference_loaded")) == seeded + 1
    again = builders.run(load_reference, DOC, actor=ADMIN, now=T0)
    assert again["programmes"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert len(events("reference_loaded")) == seeded + 1  # nothing changed: no event
    replaced = builders.run(load_reference, DOC, actor=ADMIN, now=T0, replace=True)
    assert replaced["programmes"] == {"created": 0, "updated": 1, "unchanged": 1}
    oaa = programme("OAA")
    assert oaa.name_en == "Renamed allowance" and oaa.names == {} and oaa.active is False
    assert events("reference_loaded")[-1].data["replace"] is True


def test_export_then_load_changes_nothing(ctx, world):
    doc = builders.run(lambda uow: export_reference(uow.session))
    assert {p["code"] for p in doc["programmes"]} >= {"OAA", "WA"}
    assert all("en" in c["names"] for c in doc["categories"])
    json.dumps(doc)  # plain JSON
    counts = builders.run(load_reference, doc, actor=ADMIN, now=T0, replace=True)
    assert counts["programmes"]["updated"] == counts["categories"]["updated"] == 0
    assert counts["programmes"]["created"] == counts["categories"]["created"] == 0
    assert builders.run(lambda uow: export_reference(uow.session)) == doc


@pytest.mark.parametrize("cc", ["bd", "ng", "ml", "so"])
def test_every_pack_reference_file_loads_in_its_own_country(ctx, cc):
    """Each pack's reference.json is a document load_reference reads (start tiers of that pack's ladder)."""
    from grs.services.areas import ensure_country
    path = os.path.join(PACKS, cc, "reference.json")
    assert os.path.isfile(path), f"the {cc} pack has no reference.json"
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    builders.run(ensure_country, cc.upper())
    counts = builders.run(load_reference, doc, actor=ADMIN, now=T0)
    assert counts["programmes"]["created"] == len(doc["programmes"])
    assert counts["categories"]["created"] == len(doc["categories"])
    assert builders.run(lambda uow: export_reference(uow.session)) == {
        "programmes": [{"active": True, **p, "names": dict(p["names"])} for p in doc["programmes"]],
        "categories": [{"active": True, "sensitive": False, "start_tier": None, **c} for c in doc["categories"]]}


@pytest.mark.parametrize("doc, where", [
    ({"programmes": [{"code": "bad code!", "names": {"en": "X"}}]}, "programmes[1].code"),
    ({"programmes": [{"code": "X1", "names": {"bn": "নাম"}}]}, "programmes[1].names.en"),
    ({"programmes": [{"code": "X1", "names": "X"}]}, "programmes[1].names"),
    ({"categories": [{"code": "c1", "names": {"en": "C"}, "start_tier": "ward"}]}, "categories[1].start_tier"),
    ({"categories": [{"code": "c1", "names": {"en": "C"}, "start_tier": "+4"}]}, "categories[1].start_tier"),
    ({"categories": [{"code": "c1", "names": {"en": "C"}, "sensitive": "yes"}]}, "categories[1].sensitive"),
    ({"categories": [{"code": "c1", "names": {"en": "C"}}, {"code": "c1", "names": {"en": "D"}}]},
     "categories[2].code"),
    ({"programmes": {"code": "X"}}, "programmes"),
    ({"areas": []}, "file"),
])
def test_a_bad_document_loads_nothing_and_says_where(ctx, world, doc, where):
    good = {"programmes": [{"code": "GOOD1", "names": {"en": "Good"}}]}
    merged = {**good, **doc} if "programmes" not in doc else {**doc}
    with pytest.raises(ValidationError) as e:
        builders.run(load_reference, merged, actor=ADMIN, now=T0)
    assert where in e.value.fields, e.value.fields
    assert programme("GOOD1") is None and category("c1") is None


def test_start_tier_choices_are_the_ladder_and_relative_steps(ctx, world):
    choices = builders.run(lambda uow: start_tier_choices(uow.session))
    assert choices == ["", "union", "upazila", "district", "national", "+1", "+2", "+3"]


def test_save_programme_adds_and_edits_with_an_admin_event(ctx, world):
    admin = Actor.staff(world.user("admin"))
    row, what = builders.run(save_programme, ProgrammeIn("SCH", {"en": "School stipend", "bn": "উপবৃত্তি"}),
                             actor=admin, now=T0, new=True)
    assert what == "created"
    with pytest.raises(Conflict):
        builders.run(save_programme, ProgrammeIn("SCH", {"en": "Again"}), actor=admin, now=T0, new=True)
    _row, what = builders.run(save_programme, ProgrammeIn("SCH", {"en": "School stipend", "bn": ""}, active=False),
                              actor=admin, now=T0, new=False)
    assert what == "updated" and programme("SCH").names == {} and programme("SCH").active is False
    with pytest.raises(NotFound):
        builders.run(save_programme, ProgrammeIn("NOPE", {"en": "X"}), actor=admin, now=T0, new=False)
    saved = events("programme_saved")
    assert [e.data["change"] for e in saved] == ["created", "updated"] and saved[0].actor_id == admin.user_id


def test_save_category_checks_the_start_tier(ctx, world):
    admin = Actor.staff(world.user("admin"))
    with pytest.raises(ValidationError) as e:
        builders.run(save_category, CategoryIn("harass", {"en": "Harassment"}, sensitive=True, start_tier="lga"),
                     actor=admin, now=T0, new=True)
    assert "start_tier" in e.value.fields and "tiers" in e.value.message
    _row, what = builders.run(save_category, CategoryIn("harass", {"en": "Harassment"}, sensitive=True,
                                                        start_tier="district"), actor=admin, now=T0, new=True)
    assert what == "created" and category("harass").start_tier == "district"
    _row, what = builders.run(save_category, CategoryIn("harass", {"en": "Harassment"}, sensitive=True,
                                                        start_tier="+2"), actor=admin, now=T0, new=False)
    assert what == "updated" and category("harass").start_tier == "+2"
    assert events("category_saved")[-1].data["start_tier"] == "+2"


@pytest.mark.both_backends
def test_the_same_code_added_at_the_same_moment_is_a_conflict_not_a_500(ctx, world, monkeypatch):
    """Two admins add one code at once: the second's insert fails on the unique code, inside a savepoint."""
    from grs.services import reference_admin
    monkeypatch.setattr(reference_admin, "_exists", lambda uow, model, code: False)  # both saw it free
    monkeypatch.setattr(reference_admin, "_put_programme", lambda uow, data: reference_admin._insert(
        uow, Programme(code=data.code, name_en="Twice", names={}), "programme"))
    with pytest.raises(Conflict) as e:
        builders.run(save_programme, ProgrammeIn("OAA", {"en": "Twice"}), actor=ADMIN, now=T0, new=True)
    assert "a moment ago" in e.value.message
    assert programme("OAA").name_en == "Old Age Allowance"
