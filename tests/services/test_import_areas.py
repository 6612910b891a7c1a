"""`grs import-areas` with the real Bangladesh hierarchy: counts, idempotence, one office per area,
every union routing to its own office, and lodging anywhere."""
import random
import time

import pytest
from shared_data import shared_file
import sqlalchemy as sa

from builders import T0
from escalation import rules
import builders
from grs.extensions import db
from grs.models import Area, AreaLevel, Office, Tier
from grs import services as svc
from grs.services import routing
from grs.services.actors import Actor
from grs.services.areas import ensure_country, import_areas
from grs.services.reference import seed_reference

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

LEVELS = {"division": 8, "district": 64, "upazila": 494, "union": 4540}


@pytest.fixture
def bd_areas():
    return shared_file()


def count(q):
    return db.session.scalar(sa.select(sa.func.count()).select_from(q.subquery()))


@pytest.mark.committing_db
@pytest.mark.slow  # all 5,106 areas with offices: a long proof, run in CI (and by make run's demo)
def test_import_the_whole_country(app, runner, bd_areas, backend):
    started = time.perf_counter()
    first = runner.invoke(args=["import-areas", bd_areas, "--with-offices"])
    first_took = time.perf_counter() - started
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    for level, n in LEVELS.items():
        assert f"{level}: {n} ({n} new, 0 updated, 0 unchanged)" in lines, first.output
    assert "total: 5106 areas" in lines
    assert "offices created: district 64, union 4540, upazila 494 (total 5098)" in lines

    second = runner.invoke(args=["import-areas", bd_areas, "--with-offices"])
    assert second.exit_code == 0, second.output
    for level, n in LEVELS.items():
        assert f"{level}: {n} (0 new, 0 updated, {n} unchanged)" in second.output.splitlines(), second.output
    assert "offices created: 0" in second.output.splitlines()
    # The practical bar for loading a country: well under a minute even on a small machine.
    assert first_took < 60, f"import took {first_took:.1f}s on {backend}"
    print(f"\nimport-areas on {backend}: {first_took:.2f}s first run")

    with app.app_context():
        by_level = dict(db.session.execute(sa.select(Area.level, sa.func.count()).group_by(Area.level)).all())
        assert by_level == {**LEVELS, "country": 1}
        offices = dict(db.session.execute(sa.select(Office.tier, sa.func.count()).group_by(Office.tier)).all())
        assert offices == {"union": 4540, "upazila": 494, "district": 64, "national": 1}

        # Set-based: every union, upazila and district area has exactly one active office of its own tier.
        for tier in ("union", "upazila", "district"):
            own = (sa.select(Area.id).join(Office, sa.and_(Office.area_id == Area.id, Office.tier == tier,
                                                           Office.active.is_(True)))
                   .where(Area.level == tier))
            assert count(own) == LEVELS[tier], tier
            assert count(own.distinct()) == LEVELS[tier], tier
        # Every path is the parent's path plus the code, so subtree scoping works for every area.
        parent = sa.orm.aliased(Area)
        broken = sa.select(Area.id).join(parent, parent.id == Area.parent_id).where(
            Area.path != parent.path + Area.code + "/")
        assert count(broken) == 0

        rng = random.Random(4540)
        union_ids = db.session.scalars(sa.select(Area.id).where(Area.level == "union")).all()
        ranks = builders.run(lambda uow: uow.policies.tier_ranks())
        for area_id in rng.sample(union_ids, 300):
            area = db.session.get(Area, area_id)
            chain = builders.run(routing.office_chain, area)
            assert sorted(o.tier for o in chain) == ["district", "national", "union", "upazila"]
            local = db.session.get(Office, rules.route(chain).office_id)
            assert (local.tier, local.area_id) == ("union", area.id)
            sensitive = db.session.get(Office, rules.route(chain, ranks["district"]).office_id)
            assert sensitive.area_id == area.parent.parent_id
            up = db.session.get(Office, rules.next_up(chain, ranks["union"]).office_id)
            assert (up.tier, up.area_id) == ("upazila", area.parent_id)

        builders.run(seed_reference)
        for area_id in rng.sample(union_ids, 25):
            area = db.session.get(Area, area_id)
            g = builders.run(svc.lodge, svc.Intake(channel="sms", programme="OAA", category="payment", area=area.code,
                                     description="Allowance not paid."), actor=Actor.citizen("sms"),
                          now=T0)
            assert g.office.area_id == area.id and g.level == "union" and g.due_at is not None


def test_a_bad_file_is_refused_with_a_message(runner, tmp_path, backend):
    bad = tmp_path / "areas.csv"
    bad.write_text("code,parent_code,level,name_en,name_bn\nX-1,NOPE,division,X,\n", encoding="utf-8")
    result = runner.invoke(args=["import-areas", str(bad)])
    assert result.exit_code != 0 and "unknown parent NOPE" in result.output
    bad.write_text("code,level,name_en\nX-1,division,X\n", encoding="utf-8")
    result = runner.invoke(args=["import-areas", str(bad)])
    assert result.exit_code != 0 and "missing columns: parent_code" in result.output
    bad.write_text("code,parent_code,level,name_en,name_bn\nX-1,,province,X,\n", encoding="utf-8")
    result = runner.invoke(args=["import-areas", str(bad)])
    assert result.exit_code != 0 and "level 'province'" in result.output


def _import(tmp_path, text: str, **kw):
    path = tmp_path / "names.csv"
    path.write_text(text, encoding="utf-8")
    return builders.run(import_areas, str(path), "BD", **kw)


def _names(code: str) -> dict:
    db.session.expire_all()
    return db.session.scalar(sa.select(Area).where(Area.code == code)).names


def test_names_in_any_language_are_imported_and_a_change_to_one_counts_as_an_update(ctx, world, tmp_path):
    both = "code,parent_code,level,name_en,name_bn,name_so\nNEW-UN-1,BD-UPZ-320,union,Notun,নতুন,Cusub\n"
    report = _import(tmp_path, both, with_offices=True)
    assert (report.created["union"], report.offices_created["union"]) == (1, 1)
    assert _names("NEW-UN-1") == {"bn": "নতুন", "so": "Cusub"}
    area = db.session.scalar(sa.select(Area).where(Area.code == "NEW-UN-1"))
    assert (area.name("bn"), area.name("so"), area.name("fr"), area.name("en")) == ("নতুন", "Cusub", "Notun", "Notun")
    office = db.session.scalar(sa.select(Office).where(Office.area_id == area.id))
    # Bangla and English office names come from their templates; no Somali template, so English there.
    assert office.name_en == "Notun Union Parishad GRS"
    assert office.names == {"bn": "নতুন ইউনিয়ন পরিষদ অভিযোগ প্রতিকার"}
    assert office.name("so") == "Notun Union Parishad GRS"
    assert _import(tmp_path, both).unchanged["union"] == 1

    # A file with only a French column adds French and keeps the names it has no column for.
    report = _import(tmp_path, "code,parent_code,level,name_en,name_fr\nNEW-UN-1,BD-UPZ-320,union,Notun,Nouveau\n")
    assert (report.updated["union"], report.unchanged["union"]) == (1, 0)
    assert _names("NEW-UN-1") == {"bn": "নতুন", "fr": "Nouveau", "so": "Cusub"}
    # An empty cell removes the name in its language; a changed one replaces it.
    emptied = "code,parent_code,level,name_en,name_bn,name_so\nNEW-UN-1,BD-UPZ-320,union,Notun,,Cusub cusub\n"
    assert _import(tmp_path, emptied).updated["union"] == 1
    assert _names("NEW-UN-1") == {"fr": "Nouveau", "so": "Cusub cusub"}
    assert _import(tmp_path, emptied).unchanged["union"] == 1
    # English only: no local names at all, and nothing lost.
    assert _import(tmp_path, "code,parent_code,level,name_en\nNEW-UN-1,BD-UPZ-320,union,Notun\n").unchanged["union"] == 1


@pytest.mark.parametrize("country, lang, level, local", [("BD", "bn", "district", "জেলা"), ("SO", "so", "region", "Gobol"),
                                                         ("ML", "fr", "region", "Région")])
def test_the_country_profile_names_levels_and_tiers_in_its_own_language(ctx, country, lang, level, local):
    root = builders.run(ensure_country, country)
    assert db.session.get(AreaLevel, level).names == {lang: local}
    assert db.session.get(AreaLevel, level).name(lang) == local
    assert all(set(t.names) <= {lang} for t in db.session.scalars(sa.select(Tier)))
    assert root.names == ({"bn": "বাংলাদেশ"} if country == "BD" else {"so": "Soomaaliya"} if country == "SO" else {})
    national = db.session.scalar(sa.select(Office).where(Office.tier == "national"))
    assert national.name_en == "National Grievance Cell"
    assert national.names == {"BD": {"bn": "জাতীয় অভিযোগ সেল"}, "SO": {"so": "Xarunta Cabashooyinka Qaranka"},
                              "ML": {"fr": "Cellule nationale des plaintes"}}[country]


def test_placeholder_local_names_equal_to_the_english_are_not_stored(ctx):
    builders.run(ensure_country, "ML")  # French "Cercle" is the English word: nothing stored for it
    assert db.session.get(AreaLevel, "cercle").names == {}
    assert db.session.get(AreaLevel, "cercle").name("fr") == "Cercle"
