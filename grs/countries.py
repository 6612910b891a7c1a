"""Per-country shape, read from the country packs: grs/packs/<cc>/pack.json (levels, tiers, weekend, time zone,
languages, currency, phone region, reporting calendar), beside the pack's reference.json (programmes and
categories), policies.json (time limits naming the pack's own tiers), demo.json (`grs demo`) and areas.csv.

Levels and tiers seed the database (they are rows); the working week and time zone are read by the calendar;
the languages set the site's (grs.config). A new country is a new folder under grs/packs (docs/operations.md,
"Country packs"). An areas file has code, parent_code, level, name_en and a column of names for each other
language its places are named in: name_local (the pack's local_language) or name_<language> (name_bn,
name_ha, name_fr, name_so; see name_columns).
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Iterable, Mapping

PACKS = os.path.join(os.path.dirname(__file__), "packs")

# Every language a pack may name, in its own name (the site's language switch shows these).
LANGUAGE_NAMES = MappingProxyType({
    "en": "English",
    "bn": "বাংলা",
    "fr": "Français",
    "ha": "Hausa",
    "so": "Soomaali",
})

REPORTING_PERIODS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


@dataclass(frozen=True)
class Reporting:
    """The calendar a programme reports on: periods of `period` counted from the fiscal year's start."""

    period: str = "quarter"  # month | quarter | half | year
    fiscal_year_start: tuple[int, int] = (1, 1)  # (month, day)
    to: str = ""  # whom the reports go to, in English

    def bounds(self, day: date) -> tuple[date, date]:
        """The reporting period holding `day`: (first day, first day of the next period)."""
        months = REPORTING_PERIODS[self.period]
        month, dom = self.fiscal_year_start
        start = date(self.fiscal_year(day), month, dom)
        while True:
            total = start.month - 1 + months
            nxt = date(start.year + total // 12, total % 12 + 1, dom)
            if day < nxt:
                return start, nxt
            start = nxt

    def fiscal_year(self, day: date) -> int:
        """The calendar year the fiscal year holding `day` starts in (2026 for 2026-07-01..2027-06-30)."""
        return day.year if (day.month, day.day) >= self.fiscal_year_start else day.year - 1


@dataclass(frozen=True)
class CountryProfile:
    code: str
    name: str
    timezone: str
    weekend: frozenset[int]  # Monday = 0
    levels: tuple[tuple[str, str, str], ...]  # (code, English, local), root first
    tiers: tuple[tuple[str, str, str, str], ...]  # (code, area level, English, local), lowest first
    local_language: str  # the language code the local names above are in, and the areas file's name_local
    local_name: str | None = None  # the country's own name in that language, where it differs from English
    languages: tuple[str, ...] = ("en",)  # the pack's languages, citizens' first
    default_language: str = "en"  # the site's and a citizen's default (the first language unless the pack says)
    currency: str = "USD"  # ISO 4217, the programme's payments
    also_currencies: tuple[str, ...] = ()  # shown beside it (Somalia: USD)
    phone_region: str = ""  # phonenumbers' region for numbers written without +country code
    reporting: Reporting = field(default_factory=Reporting)
    level_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # level -> language -> name
    tier_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # tier -> language -> name
    directory: str = ""  # the pack's folder
    areas: str = "areas.csv"  # the hierarchy file, relative to the pack's folder

    @property
    def currencies(self) -> tuple[str, ...]:
        return (self.currency, *self.also_currencies)

    @property
    def site_languages(self) -> dict[str, str]:
        """LANGUAGES for the app: the default language first, then the others, each in its own name."""
        order = [self.default_language, *(lang for lang in self.languages if lang != self.default_language)]
        return {lang: LANGUAGE_NAMES.get(lang, lang) for lang in order}

    def path(self, name: str) -> str:
        """A file of the pack (reference.json, policies.json, demo.json)."""
        return os.path.join(self.directory, name)

    @property
    def areas_file(self) -> str:
        return os.path.normpath(self.path(self.areas))

    def tier_name(self, code: str, lang: str = "en") -> str:
        names = self.tier_names.get(code, {})
        return names.get(lang) or names.get("en") or code

    def level_name(self, code: str, lang: str = "en") -> str:
        names = self.level_names.get(code, {})
        return names.get(lang) or names.get("en") or code


def _month_day(text: str) -> tuple[int, int]:
    month, day = (int(x) for x in str(text).split("-"))
    date(2001, month, day)  # a day every year has (not 29 February)
    return month, day


def read_pack(directory: str) -> CountryProfile:
    """One pack's profile from its pack.json; ValueError naming the file and what is wrong."""
    source = os.path.join(directory, "pack.json")
    with open(source, encoding="utf-8") as fh:
        doc = json.load(fh)
    try:
        languages = tuple(doc["languages"])
        local = doc.get("local_language") or next((lang for lang in languages if lang != "en"), "en")
        level_names = {code: dict(names) for code, names in doc["levels"]}
        tier_names = {code: dict(names) for code, _level, names in doc["tiers"]}

        def local_of(names: Mapping[str, str]) -> str:
            return names.get(local) or names["en"]

        rep = doc.get("reporting") or {}
        reporting = Reporting(period=rep.get("period", "quarter"),
                              fiscal_year_start=_month_day(rep.get("fiscal_year_start", "01-01")),
                              to=rep.get("to", ""))
        if reporting.period not in REPORTING_PERIODS:
            raise ValueError(f"reporting period {reporting.period!r}: use one of {', '.join(REPORTING_PERIODS)}")
        prof = CountryProfile(
            code=doc["code"].upper(), name=doc["name"], timezone=doc["timezone"],
            weekend=frozenset(int(d) for d in doc["weekend"]),
            levels=tuple((code, names["en"], local_of(names)) for code, names in doc["levels"]),
            tiers=tuple((code, level, names["en"], local_of(names)) for code, level, names in doc["tiers"]),
            local_language=local, local_name=doc.get("local_name") if doc.get("local_name") != doc["name"] else None,
            languages=languages, default_language=doc.get("default_language") or languages[0],
            currency=doc["currency"], also_currencies=tuple(doc.get("also_currencies", ())),
            phone_region=doc.get("phone_region") or doc["code"].upper(), reporting=reporting,
            level_names=MappingProxyType(level_names), tier_names=MappingProxyType(tier_names),
            directory=directory, areas=doc.get("areas") or "areas.csv")
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{source}: {exc.__class__.__name__}: {exc}") from None
    if prof.default_language not in languages:
        raise ValueError(f"{source}: default_language {prof.default_language!r} is not one of its languages")
    return prof


def _read_packs() -> dict[str, CountryProfile]:
    found = {}
    for name in sorted(os.listdir(PACKS)):
        if os.path.isfile(os.path.join(PACKS, name, "pack.json")):
            prof = read_pack(os.path.join(PACKS, name))
            found[prof.code] = prof
    return found


PROFILES = _read_packs()


def profile(code: str) -> CountryProfile:
    """The profile for an ISO country code; unknown codes are a configuration error."""
    try:
        return PROFILES[code.upper()]
    except KeyError:
        raise ValueError(f"GRS_COUNTRY={code!r} has no country profile; known: {', '.join(PROFILES)}")


def read_json(code: str, name: str) -> dict | None:
    """A JSON file of the country's pack (reference.json, demo.json...), None when the pack has none."""
    path = profile(code).path(name)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


_NAME_COLUMN = re.compile(r"name_([a-z]{2,3})")


def name_columns(fieldnames: Iterable[str] | None, local_language: str | None = None) -> dict[str, str]:
    """An areas file's columns of names in languages other than English: column -> language code.
    `name_local` is the pack's local language (`local_language`); without one it is not read."""
    columns = {c: m.group(1) for c in fieldnames or ()
               if (m := _NAME_COLUMN.fullmatch(c)) and m.group(1) not in ("en", "local")}
    if local_language and local_language != "en" and "name_local" in (fieldnames or ()) \
            and local_language not in columns.values():
        columns["name_local"] = local_language
    return columns


def row_names(row: Mapping[str, str | None], columns: Mapping[str, str]) -> dict[str, str]:
    """The non-empty names of one areas-file row, language code -> name (the `names` of an area)."""
    return {lang: name for column, lang in sorted(columns.items(), key=lambda item: item[1])
            if (name := (row.get(column) or "").strip())}
