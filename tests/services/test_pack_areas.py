"""The country packs' areas files (grs/packs/<cc>/areas.csv): each imports with its counts per level,
codes ASCII, unique and prefixed with the country, every parent present, local names in the pack's
local language (name_local), and offices named in each of the pack's languages."""
import csv
import os

import pytest
import sqlalchemy as sa

import builders
from grs.countries import profile
from grs.extensions import db
from grs.models import Area, Office
from grs.services.areas import OFFICE_NAMES, ensure_country, import_areas

PACKS = os.path.join(os.path.dirname(__file__), "..", "..", "grs", "packs")
COUNTS = {
    "NG": {"country": 1, "state": 37, "lga": 774, "ward": 305},
    "ML": {"country": 1, "region": 11, "cercle": 57, "commune": 705},
    "SO": {"country": 1, "state": 7, "region": 18, "district": 90},
}


def rows(cc: str) -> list[dict]:
    with open(os.path.join(PACKS, cc.lower(), "areas.csv"), newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def by_level(code_level) -> dict:
    out: dict = {}
    for level in code_level:
        out[level] = out.get(level, 0) + 1
    return out


@pytest.mark.parametrize("cc", sorted(COUNTS))
def test_each_file_is_well_formed(cc):
    data = rows(cc)
    assert list(data[0]) == ["code", "parent_code", "level", "name_en", "name_local"]
    codes = [r["code"] for r in data]
    assert len(codes) == len(set(codes))
    assert all(c.isascii() and (c == cc or c.startswith(cc + "-")) for c in codes)
    assert all(r["parent_code"] in set(codes) for r in data if r["code"] != cc)
    assert all(r["name_en"].strip() and r["name_local"].strip() for r in data)
    assert by_level(r["level"] for r in data) == COUNTS[cc]
    # each level's parent is one level up
    depth = {code: i for i, (code, _en, _local) in enumerate(profile(cc).levels)}
    level_of = {r["code"]: r["level"] for r in data}
    assert all(depth[level_of[r["parent_code"]]] == depth[r["level"]] - 1 for r in data if r["parent_code"])


def test_the_files_have_what_the_issue_names():
    ng = {r["code"]: r for r in rows("NG")}
    imo_lgas = [r for r in ng.values() if r["parent_code"] == "NG-IM" and r["level"] == "lga"]
    assert len(imo_lgas) == 27
    assert all(any(w["parent_code"] == lga["code"] for w in ng.values()) for lga in imo_lgas)  # wards of each
    assert ng["NG-FC"]["name_en"] == "Federal Capital Territory" and ng["NG-NI"]["name_local"] == "Neja"
    ml = {r["name_local"] for r in rows("ML") if r["level"] == "region"}
    assert {"Kayes", "Koulikoro", "Sikasso", "Ségou", "Mopti", "Tombouctou", "Gao", "Kidal", "Ménaka",
            "District de Bamako"} <= ml
    so = {r["code"]: r for r in rows("SO")}
    assert so["SO-BY-BAYDHABO"]["name_en"] == "Baidoa" and so["SO-JH"]["name_local"] == "Jubbada Hoose"
    assert so["SO-BY"]["parent_code"] == "SO-SWS"


@pytest.mark.parametrize("cc", sorted(COUNTS))
def test_each_pack_imports_with_offices_and_a_rerun_changes_nothing(ctx, cc):
    path = os.path.join(PACKS, cc.lower(), "areas.csv")
    report = builders.run(import_areas, path, cc, with_offices=True)
    seen = {lvl: report.created[lvl] + report.updated[lvl] + report.unchanged[lvl] for lvl in COUNTS[cc]}
    assert seen == COUNTS[cc]
    assert report.created["country"] == 0  # the root came from ensure_country; its row names it
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Area))
    assert total == sum(COUNTS[cc].values())
    prof = profile(cc)
    offices = db.session.scalars(sa.select(Office)).all()
    tier_levels = {code: level for code, level, _en, _local in prof.tiers}
    expected = sum(COUNTS[cc][tier_levels[t]] for t in tier_levels if t != "national") + 1
    assert len(offices) == expected
    # every office has its name in each pack language that has a template for its tier, English otherwise
    langs = {prof.local_language, *getattr(prof, "languages", ())} - {"en"}
    for office in offices:
        assert office.name_en and "{" not in office.name_en
        for lang in langs:
            if office.tier in OFFICE_NAMES.get(lang, {}):
                assert office.names.get(lang), (office.code, lang)
    again = builders.run(import_areas, path, cc, with_offices=True)
    assert not again.created and not again.updated and not again.offices_created


def test_local_names_are_the_pack_language_and_only_where_they_differ(ctx):
    builders.run(import_areas, os.path.join(PACKS, "ng", "areas.csv"), "NG")
    area = lambda code: db.session.scalar(sa.select(Area).where(Area.code == code))  # noqa: E731
    assert area("NG-NI").names == {"ha": "Neja"} and area("NG-NI").name("ha") == "Neja"
    assert area("NG-IM").names == {} and area("NG-IM").name("ha") == "Imo"
    assert area("NG").names == {"ha": "Najeriya"}


def test_offices_are_named_in_each_language_of_the_pack(ctx):
    builders.run(import_areas, os.path.join(PACKS, "ml", "areas.csv"), "ML", with_offices=True)
    office = lambda code: db.session.scalar(sa.select(Office).where(Office.code == code))  # noqa: E731
    kayes = office("OFF-ML-KAYES")
    assert kayes.name_en == "Kayes Regional GRS Office"
    assert kayes.name("fr") == "Antenne régionale de Kayes"
    assert office("OFF-ML-GAO-ANSONGO").name("fr") == "Bureau des plaintes, cercle d'Ansongo"
    assert office("OFF-ML-KAYES-DIEMA-BEMA").name("fr") == "Bureau des plaintes, commune de Béma"
    national = db.session.scalar(sa.select(Office).where(Office.tier == "national"))
    assert national.name("fr") == "Cellule nationale des plaintes"
    assert "bn" not in national.names  # no Bangla office names outside Bangladesh


def test_somalia_and_nigeria_offices_have_somali_and_hausa_names(ctx):
    builders.run(import_areas, os.path.join(PACKS, "so", "areas.csv"), "SO", with_offices=True)
    office = lambda code: db.session.scalar(sa.select(Office).where(Office.code == code))  # noqa: E731
    assert office("OFF-SO-BY-BAYDHABO").name("so") == "Xafiiska Cabashooyinka Degmada Baydhabo"
    assert office("OFF-SO-BY-BAYDHABO").name_en == "Baidoa District Office GRS"
    assert all(set(o.names) <= {"so"} for o in db.session.scalars(sa.select(Office)))


def test_nigeria_offices_in_hausa(ctx):
    builders.run(import_areas, os.path.join(PACKS, "ng", "areas.csv"), "NG", with_offices=True)
    office = lambda code: db.session.scalar(sa.select(Office).where(Office.code == code))  # noqa: E731
    lga = office("OFF-NG-IM-OWERRI-MUNICIPAL")
    assert lga.name_en == "Owerri Municipal LGA GRS Desk"
    assert lga.name("ha") == "Ofishin Ƙorafi na Ƙaramar Hukumar Owerri Municipal"
    assert office("OFF-NG-NI").name("ha") == "Ofishin Ƙorafi na Neja"
    assert office("OFF-NG-IM-OWERRI-MUNICIPAL-01").name_en == "Aladinma I Ward GRS Desk"


def test_a_country_row_must_be_the_root(ctx, tmp_path):
    from grs.errors import ValidationError
    builders.run(ensure_country, "SO")
    bad = tmp_path / "areas.csv"
    bad.write_text("code,parent_code,level,name_en,name_local\nSO,SO-X,country,Somalia,Soomaaliya\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="the country's row"):
        builders.run(import_areas, str(bad), "SO")


@pytest.mark.config(COUNTRY="SO")
def test_grs_import_areas_loads_a_pack_file(app, runner):
    path = os.path.join(PACKS, "so", "areas.csv")
    result = runner.invoke(args=["import-areas", path, "--with-offices"])
    assert result.exit_code == 0, result.output
    assert "district: 90 (90 new, 0 updated, 0 unchanged)" in result.output
    assert "offices created: district 90, region 18, state 7 (total 115)" in result.output
    again = runner.invoke(args=["import-areas", path, "--with-offices"])
    assert "(0 new, 0 updated, 90 unchanged)" in again.output and "offices created: 0" in again.output
