"""The country packs (grs/packs/<cc>): each parses, its tiers sit on its levels, its policies and reference data
name only its own tiers and are named in every language it has, and the settings follow it."""
from __future__ import annotations

import csv
import json
import os
from datetime import date
from zoneinfo import ZoneInfo

import phonenumbers
import pytest

from escalation.admin import read_policy_file
from grs import config
from grs.countries import LANGUAGE_NAMES, PACKS, PROFILES, Reporting, profile, read_json, read_pack
from grs.services.reference import PROGRAMMES, pack_policies, pack_reference
from grs.services.routing import resolve_start_rank

CODES = ["BD", "NG", "ML", "SO"]
SENSITIVE = {"misconduct", "corruption", "sea_gbv"}


def test_every_shipped_pack_is_read_and_named_by_its_folder():
    assert set(PROFILES) == set(CODES)
    for name in os.listdir(PACKS):
        if os.path.isfile(os.path.join(PACKS, name, "pack.json")):
            assert read_pack(os.path.join(PACKS, name)).code == name.upper()


@pytest.mark.parametrize("code", CODES)
def test_the_pack_parses_into_a_usable_profile(code):
    prof = profile(code)
    ZoneInfo(prof.timezone)
    assert prof.weekend and prof.weekend <= set(range(7)) and len(prof.weekend) < 7
    assert prof.languages and set(prof.languages) <= set(LANGUAGE_NAMES) and "en" in prof.languages
    assert prof.default_language in prof.languages and prof.local_language in prof.languages
    assert len(prof.currency) == 3 and prof.currency.isupper()
    assert prof.phone_region in phonenumbers.SUPPORTED_REGIONS
    assert list(prof.site_languages)[0] == prof.default_language
    assert set(prof.site_languages) == set(prof.languages)
    assert os.path.isfile(prof.areas_file)


@pytest.mark.parametrize("code", CODES)
def test_tiers_sit_on_the_packs_levels_lowest_first_national_at_the_root(code):
    prof = profile(code)
    depth = {lvl: i for i, (lvl, _en, _local) in enumerate(prof.levels)}
    assert len(depth) == len(prof.levels)
    tier_depths = [depth[area_level] for _code, area_level, _en, _local in prof.tiers]
    assert tier_depths == sorted(tier_depths, reverse=True) and len(set(tier_depths)) == len(tier_depths)
    assert prof.tiers[0][1] == prof.levels[-1][0]  # complaints start at the deepest level
    assert prof.tiers[-1][:2] == ("national", prof.levels[0][0])
    for names in (*prof.level_names.values(), *prof.tier_names.values()):
        assert set(prof.languages) <= set(names), names
    # the tuples code reads today: English, and the local language's name (English where it is the same)
    for (lvl, en, local) in prof.levels:
        assert en == prof.level_names[lvl]["en"] and local == prof.level_names[lvl][prof.local_language]


@pytest.mark.parametrize("code", CODES)
def test_the_areas_file_uses_only_the_packs_levels(code):
    prof = profile(code)
    with open(prof.areas_file, newline="", encoding="utf-8-sig") as fh:
        levels = {row["level"] for row in csv.DictReader(fh)}
    assert levels <= {lvl for lvl, _en, _local in prof.levels}
    assert prof.tiers[0][1] in levels


@pytest.mark.parametrize("code", CODES)
def test_every_programme_and_category_is_named_in_every_language_of_the_pack(code):
    prof, doc = profile(code), pack_reference(code)
    assert doc["programmes"] and doc["categories"]
    for kind in ("programmes", "categories"):
        codes = [row["code"] for row in doc[kind]]
        assert len(codes) == len(set(codes)), kind
        for row in doc[kind]:
            missing = set(prof.languages) - {lang for lang, name in row["names"].items() if name.strip()}
            assert not missing, f"{code} {kind} {row['code']} has no name in {missing}"
            assert set(row["names"]) <= set(prof.languages)


@pytest.mark.parametrize("code", CODES)
def test_sensitive_categories_start_above_the_lowest_tier_in_every_ladder(code):
    prof, doc = profile(code), pack_reference(code)
    ranks = {tier: rank for rank, (tier, *_rest) in enumerate(prof.tiers, start=1)}
    cats = {c["code"]: c for c in doc["categories"]}
    assert SENSITIVE <= set(cats)
    for c in cats.values():
        start = c.get("start_tier")
        assert start is None or start in ranks or (start.startswith("+") and start[1:].isdigit()), c
        if c["code"] in SENSITIVE:
            assert c["sensitive"] is True
            assert start and start.startswith("+"), "relative, so the row works in any ladder"
            assert 1 < resolve_start_rank(ranks, start) < ranks["national"]
        elif not c.get("sensitive"):
            assert start is None
    # "+2" is the third tier: Bangladesh's district, Nigeria's and Somalia's state, Mali's region
    assert prof.tiers[resolve_start_rank(ranks, cats["sea_gbv"]["start_tier"]) - 1][0] == \
        {"BD": "district", "NG": "state", "ML": "region", "SO": "state"}[code]


@pytest.mark.parametrize("code", CODES)
def test_the_packs_policies_name_only_its_own_tiers_and_categories(code):
    prof = profile(code)
    rows = read_policy_file(pack_policies(code))
    tiers = {tier for tier, *_rest in prof.tiers}
    categories = {c["code"] for c in pack_reference(code)["categories"]}
    assert rows
    for r in rows:
        assert r["tier"] == "*" or r["tier"] in tiers, r
        assert r.get("category") is None or r["category"] in categories, r
    assert {r["kind"] for r in rows} == {"grievance", "appeal"}
    assert any(r["tier"] == "national" for r in rows)
    sensitive_rows = {r.get("category") for r in rows if r.get("category")}
    assert sensitive_rows <= SENSITIVE


def test_bangladesh_keeps_its_lists_and_its_default_policies():
    assert [p[0] for p in PROGRAMMES] == ["OAA", "WA", "DA", "MA", "CT", "PW", "FN", "IGA"]
    with open(pack_policies("BD"), encoding="utf-8") as fh:
        included = os.path.join(os.path.dirname(pack_policies("BD")), json.load(fh)["include"])
    default = os.path.join(os.path.dirname(__file__), "..", "..", "escalation", "default_policies.json")
    assert os.path.realpath(included) == os.path.realpath(default)
    assert read_policy_file(pack_policies("BD")) == read_policy_file(default)


@pytest.mark.parametrize("code", CODES)
def test_the_demo_names_places_and_offices_the_pack_has(code):
    prof, spec = profile(code), read_json(code, "demo.json")
    with open(prof.areas_file, newline="", encoding="utf-8-sig") as fh:
        areas = {row["code"]: row["level"] for row in csv.DictReader(fh)}
    areas.setdefault(code, prof.levels[0][0])
    lowest = prof.tiers[0][1]
    offices = {f"OFF-{a}" for a, lvl in areas.items() if lvl in {t[1] for t in prof.tiers[:-1]}} | {f"{code}-NATIONAL"}
    assert {a["role"] for a in spec["accounts"]} >= {"admin", "operator", "officer", "supervisor", "facilitator",
                                                      "analyst"}
    for a in spec["accounts"]:
        assert a.get("office") is None or a["office"] in offices, a
        assert a.get("area") is None or a["area"] in areas, a
        assert a["language"] in prof.languages
    assert all(areas.get(a) == lowest for a in spec["hot_areas"] + spec["place_areas"])
    assert set(spec["sample_languages"]) <= set(prof.languages)
    assert abs(sum(spec["sample_languages"].values()) - 1) < 1e-9
    assert all(spec["descriptions"][lang] for lang in spec["sample_languages"])
    assert spec["names"] and spec["resolution"]
    from grs.demo import NOTES

    assert set(spec.get("notes", {})) <= set(NOTES)
    number = f"{spec['phone']['prefix']}{'5' * spec['phone']['digits']}"
    assert phonenumbers.is_possible_number(phonenumbers.parse(number))
    assert phonenumbers.region_code_for_number(phonenumbers.parse(number)) == prof.phone_region


@pytest.mark.parametrize("day, start, end", [
    (date(2026, 11, 29), date(2026, 10, 1), date(2027, 1, 1)),
    (date(2026, 7, 1), date(2026, 7, 1), date(2026, 10, 1)),
    (date(2026, 6, 30), date(2026, 4, 1), date(2026, 7, 1)),
])
def test_bangladesh_reports_by_quarters_of_a_july_fiscal_year(day, start, end):
    reporting = profile("BD").reporting
    assert (reporting.period, reporting.fiscal_year_start) == ("quarter", (7, 1))
    assert reporting.bounds(day) == (start, end)
    assert reporting.fiscal_year(date(2026, 6, 30)) == 2025 and reporting.fiscal_year(day) in (2025, 2026)


def test_nigerias_state_unit_reports_quarterly_and_other_periods_count_from_the_fiscal_year():
    ng = profile("NG").reporting
    assert ng.period == "quarter" and ng.to and ng.bounds(date(2026, 5, 5)) == (date(2026, 4, 1), date(2026, 7, 1))
    assert Reporting("month", (7, 1)).bounds(date(2026, 12, 31)) == (date(2026, 12, 1), date(2027, 1, 1))
    assert Reporting("half", (7, 1)).bounds(date(2027, 2, 1)) == (date(2027, 1, 1), date(2027, 7, 1))
    assert Reporting("year", (1, 1)).bounds(date(2026, 2, 1)) == (date(2026, 1, 1), date(2027, 1, 1))


def test_a_broken_pack_is_named_in_the_error(tmp_path):
    doc = json.load(open(os.path.join(PACKS, "ml", "pack.json"), encoding="utf-8"))
    doc["default_language"] = "bn"
    (tmp_path / "pack.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match="pack.json: default_language 'bn'"):
        read_pack(str(tmp_path))
    del doc["default_language"], doc["levels"]
    (tmp_path / "pack.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match="pack.json: KeyError"):
        read_pack(str(tmp_path))


# ---------------------------------------------------------------- settings that follow the pack


def _settings(**given) -> dict:
    cfg = config.defaults("/tmp/instance")
    cfg.update(given)
    config.apply_country(cfg)
    return cfg


@pytest.mark.parametrize("code, languages, default, programme", [
    ("BD", {"en": "English", "bn": "বাংলা"}, "en", "OAA"),  # as before packs: English first, Bangla beside it
    ("NG", {"en": "English", "ha": "Hausa"}, "en", "NCTP"),
    ("ML", {"fr": "Français", "en": "English"}, "fr", "TM"),
    ("SO", {"so": "Soomaali", "en": "English"}, "so", "BAX"),
])
def test_languages_and_defaults_follow_the_pack_of_the_country(code, languages, default, programme):
    cfg = _settings(COUNTRY=code)
    assert cfg["LANGUAGES"] == languages and list(cfg["LANGUAGES"]) == list(languages)
    assert cfg["BABEL_DEFAULT_LOCALE"] == default == cfg["USSD_DEFAULT_LANGUAGE"]
    assert cfg["BABEL_DEFAULT_TIMEZONE"] == profile(code).timezone
    assert cfg["SMS_DEFAULT_PROGRAMME"] == programme


def test_grs_languages_overrides_the_pack_default_first():
    found = config.from_environment({"GRS_LANGUAGES": "so, en", "GRS_COUNTRY": "BD"})
    cfg = _settings(**found)
    assert cfg["LANGUAGES"] == {"so": "Soomaali", "en": "English"} and cfg["BABEL_DEFAULT_LOCALE"] == "so"
    # what an instance config or a test sets stays as it is
    cfg = _settings(COUNTRY="ML", LANGUAGES={"en": "English"}, BABEL_DEFAULT_LOCALE="en", USSD_DEFAULT_LANGUAGE="en")
    assert (cfg["LANGUAGES"], cfg["BABEL_DEFAULT_LOCALE"], cfg["USSD_DEFAULT_LANGUAGE"]) == ({"en": "English"},
                                                                                             "en", "en")
    with pytest.raises(ValueError, match="unknown language"):
        _settings(LANGUAGES=["en", "xx"])
    with pytest.raises(ValueError, match="no country profile"):
        _settings(COUNTRY="FR")


@pytest.mark.parametrize("app", [{"COUNTRY": "SO"}], indirect=True)
def test_an_app_for_somalia_speaks_somali_first(app):
    assert app.config["LANGUAGES"] == {"so": "Soomaali", "en": "English"}
    assert app.config["BABEL_DEFAULT_LOCALE"] == "so"
    from grs.uow import Settings

    settings = Settings.from_config(app.config)
    assert settings.languages == ("so", "en") and settings.default_language == "so"
