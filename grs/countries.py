"""Per-country shape: administrative levels, grievance tiers, weekend, time zone, phone region.

These seed the database (levels and tiers are rows); the working-week and time zone are read by the
calendar. A new country is a new entry here plus its areas file: code, parent_code, level, name_en and a
name_<language> column for each other language its places are named in (name_bn, name_ha, name_fr,
name_so; see name_columns).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping


@dataclass(frozen=True)
class CountryProfile:
    code: str
    name: str
    timezone: str
    weekend: frozenset[int]  # Monday = 0
    levels: tuple[tuple[str, str, str], ...]  # (code, English, local), root first
    tiers: tuple[tuple[str, str, str, str], ...]  # (code, area level, English, local), lowest first
    local_language: str  # the language code the local names above are in, and the areas file's name_<code>
    local_name: str | None = None  # the country's own name in that language, where it differs from English


PROFILES = {
    "BD": CountryProfile(
        "BD", "Bangladesh", "Asia/Dhaka", frozenset({4, 5}),
        (("country", "Country", "দেশ"), ("division", "Division", "বিভাগ"),
         ("district", "District", "জেলা"), ("upazila", "Upazila", "উপজেলা"),
         ("union", "Union", "ইউনিয়ন")),
        (("union", "union", "Union", "ইউনিয়ন"), ("upazila", "upazila", "Upazila", "উপজেলা"),
         ("district", "district", "District", "জেলা"), ("national", "country", "National", "জাতীয়")),
        "bn", "বাংলাদেশ",
    ),
    "NG": CountryProfile(
        "NG", "Nigeria", "Africa/Lagos", frozenset({5, 6}),
        (("country", "Country", "Country"), ("state", "State", "State"), ("lga", "LGA", "LGA"),
         ("ward", "Ward", "Ward")),
        (("ward", "ward", "Ward", "Ward"), ("lga", "lga", "LGA", "LGA"),
         ("state", "state", "State", "State"), ("national", "country", "National", "National")),
        "ha",
    ),
    "ML": CountryProfile(
        "ML", "Mali", "Africa/Bamako", frozenset({5, 6}),
        (("country", "Country", "Pays"), ("region", "Region", "Région"), ("cercle", "Cercle", "Cercle"),
         ("commune", "Commune", "Commune")),
        (("commune", "commune", "Commune", "Commune"), ("cercle", "cercle", "Cercle", "Cercle"),
         ("region", "region", "Region", "Région"), ("national", "country", "National", "National")),
        "fr",
    ),
    "SO": CountryProfile(
        "SO", "Somalia", "Africa/Mogadishu", frozenset({3, 4}),
        (("country", "Country", "Dal"), ("state", "State", "Dowlad goboleed"), ("region", "Region", "Gobol"),
         ("district", "District", "Degmo")),
        (("district", "district", "District", "Degmo"), ("region", "region", "Region", "Gobol"),
         ("state", "state", "State", "Dowlad goboleed"), ("national", "country", "National", "Qaran")),
        "so", "Soomaaliya",
    ),
}


def profile(code: str) -> CountryProfile:
    """The profile for an ISO country code; unknown codes are a configuration error."""
    try:
        return PROFILES[code.upper()]
    except KeyError:
        raise ValueError(f"GRS_COUNTRY={code!r} has no country profile; known: {', '.join(PROFILES)}")


_NAME_COLUMN = re.compile(r"name_([a-z]{2,3})")


def name_columns(fieldnames: Iterable[str] | None) -> dict[str, str]:
    """An areas file's columns of names in languages other than English: column -> language code."""
    return {c: m.group(1) for c in fieldnames or () if (m := _NAME_COLUMN.fullmatch(c)) and m.group(1) != "en"}


def row_names(row: Mapping[str, str | None], columns: Mapping[str, str]) -> dict[str, str]:
    """The non-empty names of one areas-file row, language code -> name (the `names` of an area)."""
    return {lang: name for column, lang in sorted(columns.items(), key=lambda item: item[1])
            if (name := (row.get(column) or "").strip())}
