"""The place index picks exactly what the difflib matcher it replaced picked, on real names with typos."""
from __future__ import annotations

import csv
import os
import random

import pytest
from shared_data import BD_AREAS, shared_file

from channels.sms.commands import AreaName, PlaceIndex, match_area
from grs.countries import name_columns, row_names
from place_reference import reference_match_area

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO_AREAS = os.path.join(ROOT, "grs", "demo_data", "areas.csv")  # grs.demo.DEMO_AREAS, without the app
COUNTRY_FILE = BD_AREAS
SAMPLE = 200


def _rows(path: str) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _area(r: dict) -> AreaName:
    names = row_names(r, name_columns(r))
    return AreaName(r["code"], r["level"], r["name_en"], tuple(names.values()), r["parent_code"] or None)


def sample_areas(rows: list[dict], rng: random.Random) -> tuple[list[AreaName], list[dict]]:
    """About SAMPLE unions of whole districts, their upazilas, and their namesakes anywhere else.

    The old matcher needs ~0.2 s a message against the whole country, so the comparison runs on a
    few districts; namesakes elsewhere keep the disambiguation by parent in play.
    """
    by_code = {r["code"]: r for r in rows}
    unions = [r for r in rows if r["level"] == "union" and r["parent_code"] in by_code]
    if len(unions) <= SAMPLE:
        picked = unions
    else:
        district_of = {u["code"]: by_code[u["parent_code"]]["parent_code"] for u in unions}
        districts = sorted(set(district_of.values()))
        rng.shuffle(districts)
        chosen: set[str] = set()
        picked = []
        for d in districts:
            chosen.add(d)
            picked = [u for u in unions if district_of[u["code"]] in chosen]
            if len(picked) >= SAMPLE:
                break
        names = {u["name_en"] for u in picked}
        picked += [u for u in unions if u["name_en"] in names and u not in picked]
    upazilas = {u["parent_code"] for u in picked}
    areas = [_area(u) for u in picked] + [_area(by_code[c]) for c in sorted(upazilas)]
    return areas, picked[:SAMPLE]


def typo(name: str, rng: random.Random) -> str:
    if len(name) < 6:
        return name
    i = rng.randrange(1, len(name) - 1)
    return rng.choice((name[:i] + name[i + 1:], name[:i] + name[i] + name[i:],
                       name[:i] + name[i + 1] + name[i] + name[i + 2:], name[:i] + "e" + name[i + 1:]))


def messages(unions: list[dict], areas: list[AreaName], rng: random.Random) -> list[str]:
    """One message per union, in English (misspelt) or Bangla (with case endings), some naming the upazila."""
    upazila = {a.code: a for a in areas if a.level == "upazila"}
    out = []
    for i, u in enumerate(unions):
        z = upazila[u["parent_code"]]
        out.append((
            f"I live in {typo(u['name_en'], rng)} union, allowance not paid",
            f"{u['name_en']} union {typo(z.name_en, rng)} upazila bribe",
            f"From {typo(z.name_en, rng)}. No payment",
            f"আমি {u['name_bn']}ে থাকি, টাকা পাইনি",
            f"{z.local_names[0] if z.local_names else ''} উপজেলার {u['name_bn']} ইউনিয়ন",
        )[i % (5 if u["name_bn"] and z.local_names else 3)])
    return out


@pytest.mark.parametrize("source", ["demo", pytest.param("country", marks=pytest.mark.slow)])
def test_the_index_picks_what_the_difflib_matcher_picked(source):
    path = DEMO_AREAS if source == "demo" else COUNTRY_FILE
    shared_file(path)
    rng = random.Random(2026)
    areas, unions = sample_areas(_rows(path), rng)
    index = PlaceIndex(areas)
    texts = messages(unions, areas, rng)
    picks = [index.match(t) for t in texts]
    assert picks == [reference_match_area(t, areas) for t in texts]
    assert sum(p is not None for p in picks) > len(texts) // 2  # the sample exercises matches, not only misses


def test_one_index_answers_many_messages_like_match_area_answers_each():
    areas = [AreaName("U1", "union", "Kashimpur", ("কাশিমপুর",), "Z1"), AreaName("U2", "union", "Kasimpur", (), "Z2"),
             AreaName("Z1", "upazila", "Gazipur Sadar", ("গাজীপুর সদর",)), AreaName("Z2", "upazila", "Kaliganj")]
    index = PlaceIndex(areas)
    for text in ("Kashimpur", "Kasimpur, Kaliganj", "কাশিমপুরে", "Gazipur Sadar", "nothing here", "Kashimpur"):
        assert index.match(text) == match_area(text, areas) == reference_match_area(text, areas)
