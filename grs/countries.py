"""Per-country shape: administrative levels, grievance tiers, weekend, time zone, phone region.

These seed the database (levels and tiers are rows); the working-week and time zone are read by the
calendar. A new country is a new entry here plus its areas file.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CountryProfile:
    code: str
    name: str
    timezone: str
    weekend: frozenset[int]  # Monday = 0
    levels: tuple[tuple[str, str, str], ...]  # (code, English, Bangla/local), root first
    tiers: tuple[tuple[str, str, str, str], ...]  # (code, area level, English, local), lowest first


PROFILES = {
    "BD": CountryProfile(
        "BD", "Bangladesh", "Asia/Dhaka", frozenset({4, 5}),
        (("country", "Country", "দেশ"), ("division", "Division", "বিভাগ"),
         ("district", "District", "জেলা"), ("upazila", "Upazila", "উপজেলা"),
         ("union", "Union", "ইউনিয়ন")),
        (("union", "union", "Union", "ইউনিয়ন"), ("upazila", "upazila", "Upazila", "উপজেলা"),
         ("district", "district", "District", "জেলা"), ("national", "country", "National", "জাতীয়")),
    ),
    "NG": CountryProfile(
        "NG", "Nigeria", "Africa/Lagos", frozenset({5, 6}),
        (("country", "Country", "Country"), ("state", "State", "State"), ("lga", "LGA", "LGA"),
         ("ward", "Ward", "Ward")),
        (("ward", "ward", "Ward", "Ward"), ("lga", "lga", "LGA", "LGA"),
         ("state", "state", "State", "State"), ("national", "country", "National", "National")),
    ),
    "ML": CountryProfile(
        "ML", "Mali", "Africa/Bamako", frozenset({5, 6}),
        (("country", "Country", "Pays"), ("region", "Region", "Région"), ("cercle", "Cercle", "Cercle"),
         ("commune", "Commune", "Commune")),
        (("commune", "commune", "Commune", "Commune"), ("cercle", "cercle", "Cercle", "Cercle"),
         ("region", "region", "Region", "Région"), ("national", "country", "National", "National")),
    ),
    "SO": CountryProfile(
        "SO", "Somalia", "Africa/Mogadishu", frozenset({3, 4}),
        (("country", "Country", "Dal"), ("state", "State", "Dowlad goboleed"), ("region", "Region", "Gobol"),
         ("district", "District", "Degmo")),
        (("district", "district", "District", "Degmo"), ("region", "region", "Region", "Gobol"),
         ("state", "state", "State", "Dowlad goboleed"), ("national", "country", "National", "Qaran")),
    ),
}


def profile(code: str) -> CountryProfile:
    """The profile for an ISO country code; unknown codes are a configuration error."""
    try:
        return PROFILES[code.upper()]
    except KeyError:
        raise ValueError(f"GRS_COUNTRY={code!r} has no country profile; known: {', '.join(PROFILES)}")
