"""Derive grs/packs/so/areas.csv from Africa's Voices' somalia_codes.py (MIT, see SOURCES.md).

    .venv/bin/python grs/packs/so/derive.py PATH/core_data_modules/cleaners/codes/somalia_codes.py

The file's district -> region -> state maps give the hierarchy; this reads them with `ast` (it never
runs the file). The source's names are lower case; the tables below give the names as written in
Somali (name_local) and in English (name_en) where they differ from the source's spelling capitalised.
Rerunning it on the same file writes the same file. Not imported by the application.
"""
from __future__ import annotations

import ast
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# state key -> (code, English, Somali)
STATES = {
    "banadir": ("SO-BRA", "Banadir Regional Administration", "Maamulka Gobolka Banaadir"),
    "galmudug": ("SO-GM", "Galmudug", "Galmudug"),
    "hir-shabelle": ("SO-HS", "Hirshabelle", "Hirshabeelle"),
    "jubbaland": ("SO-JL", "Jubaland", "Jubbaland"),
    "puntland": ("SO-PL", "Puntland", "Puntland"),
    "somaliland": ("SO-SL", "Somaliland", "Somaliland"),
    "south west state": ("SO-SWS", "South West State", "Koonfur Galbeed"),
}
# region key -> (ISO 3166-2 code, English, Somali)
REGIONS = {
    "awdal": ("SO-AW", "Awdal", "Awdal"), "bakool": ("SO-BK", "Bakool", "Bakool"),
    "banadir": ("SO-BN", "Banadir", "Banaadir"), "bari": ("SO-BR", "Bari", "Bari"),
    "bay": ("SO-BY", "Bay", "Bay"), "galgaduud": ("SO-GA", "Galguduud", "Galguduud"),
    "gedo": ("SO-GE", "Gedo", "Gedo"), "hiraan": ("SO-HI", "Hiran", "Hiiraan"),
    "lower juba": ("SO-JH", "Lower Juba", "Jubbada Hoose"), "middle juba": ("SO-JD", "Middle Juba", "Jubbada Dhexe"),
    "lower shabelle": ("SO-SH", "Lower Shabelle", "Shabeellaha Hoose"),
    "middle shabelle": ("SO-SD", "Middle Shabelle", "Shabeellaha Dhexe"),
    "mudug": ("SO-MU", "Mudug", "Mudug"), "nugaal": ("SO-NU", "Nugaal", "Nugaal"),
    "sanaag": ("SO-SA", "Sanaag", "Sanaag"), "sool": ("SO-SO", "Sool", "Sool"),
    "togdheer": ("SO-TO", "Togdheer", "Togdheer"), "woqooyi galbeed": ("SO-WO", "Woqooyi Galbeed", "Woqooyi Galbeed"),
}
# District names in Somali where the source's spelling is not the Somali one.
SOMALI = {
    "baidoa": "Baydhabo", "bossaso": "Boosaaso", "kismayo": "Kismaayo", "garowe": "Garoowe",
    "borama": "Boorama", "jowhar": "Jowhar", "belet weyne": "Beledweyne", "bandarbayla": "Bandarbeyla",
    "cabdlcasiis": "Cabdicasiis", "laas caanood": "Laascaanood", "lasqooray": "Laasqoray",
    "gebiley": "Gabiley", "xamar jaabjab": "Xamar Jajab", "bu'aale": "Bu'aale",
}
# District names in English where English has its own (else the Somali name).
ENGLISH = {
    "baidoa": "Baidoa", "bossaso": "Bosaso", "kismayo": "Kismayo", "garowe": "Garowe", "borama": "Borama",
    "hargeysa": "Hargeisa", "burco": "Burao", "gaalkacyo": "Galkayo", "ceerigaabo": "Erigavo",
    "laas caanood": "Las Anod", "zeylac": "Zeila", "dhuusamarreeb": "Dhusamareb", "baardheere": "Bardera",
    "marka": "Merca", "baraawe": "Barawa", "xamar weyne": "Hamar Weyne", "xamar jaabjab": "Hamar Jajab",
    "cabdlcasiis": "Abdiaziz", "yaaqshid": "Yaqshid", "waaberi": "Waberi", "shangaani": "Shangani",
    "boondheere": "Bondhere", "hawl wadaag": "Hawl Wadag", "wardhiigleey": "Wardhigley",
}


def capitalised(name: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in name.split(" "))


def ascii_code(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")


def read_source(path: str):
    """The class body's constants, and its DISTRICT_TO_REGION_MAP, REGION_TO_STATE_MAP and
    MOGADISHU_SUB_DISTRICTS with names resolved."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    body = next(n for n in tree.body if isinstance(n, ast.ClassDef)).body
    consts: dict[str, str] = {}
    nodes: dict[str, ast.AST] = {}
    for node in body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if isinstance(node.value, ast.Constant):
                consts[name] = node.value.value
            nodes[name] = node.value

    def value(n):
        return consts[n.id] if isinstance(n, ast.Name) else n.value

    d2r = {value(k): value(v) for k, v in zip(nodes["DISTRICT_TO_REGION_MAP"].keys,
                                               nodes["DISTRICT_TO_REGION_MAP"].values)}
    r2s = {value(k): value(v) for k, v in zip(nodes["REGION_TO_STATE_MAP"].keys,
                                               nodes["REGION_TO_STATE_MAP"].values)}
    subs = [value(e) for e in nodes["MOGADISHU_SUB_DISTRICTS"].elts]
    return d2r, r2s, subs


def rows(path: str) -> list[list[str]]:
    d2r, r2s, subs = read_source(path)
    # Banadir's districts are Mogadishu's, not the one "mogadishu" district of the source's map.
    districts = [(d, r) for d, r in d2r.items() if d != "mogadishu"] + [(s, "banadir") for s in subs]
    out = [["SO", "", "country", "Somalia", "Soomaaliya"]]
    for key, (code, en, so) in sorted(STATES.items(), key=lambda kv: kv[1][0]):
        out.append([code, "SO", "state", en, so])
        for rkey, (rcode, ren, rso) in sorted(REGIONS.items(), key=lambda kv: kv[1][0]):
            if r2s[rkey] != key:
                continue
            out.append([rcode, code, "region", ren, rso])
            for d, r in sorted(districts):
                if r == rkey:
                    so_name = SOMALI.get(d, capitalised(d))
                    out.append([f"{rcode}-{ascii_code(so_name)}", rcode, "district", ENGLISH.get(d, so_name), so_name])
    codes = [r[0] for r in out]
    assert len(codes) == len(set(codes)), "duplicate codes"
    assert {r for _d, r in districts} <= set(REGIONS) and set(r2s.values()) <= set(STATES)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    with open(os.path.join(HERE, "areas.csv"), "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "parent_code", "level", "name_en", "name_local"])
        w.writerows(rows(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
