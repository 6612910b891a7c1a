"""Derive grs/packs/ng/areas.csv from the naija-data wheel (data CC BY 4.0, see SOURCES.md).

    .venv/bin/pip download naija-data==1.0.0 --no-deps -d /tmp/naija
    .venv/bin/python grs/packs/ng/derive.py /tmp/naija/naija_data-1.0.0-py3-none-any.whl

Writes the country, the 36 states and the FCT, all 774 LGAs, and the wards of Imo State's 27 LGAs.
Rerunning it on the same wheel writes the same file. Not imported by the application.
"""
from __future__ import annotations

import csv
import json
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
WARDS_OF = {"IM"}  # states whose wards are shipped

# Hausa names of the states whose Hausa name differs from the English one (hand-written; every other
# name_local is the English name: LGA and ward names are the same in Hausa).
HAUSA = {
    "CR": "Kuros Riba",
    "FC": "Babban Birnin Tarayya",
    "LA": "Legas",
    "NI": "Neja",
    "PL": "Filato",
    "RI": "Ribas",
}


def slug_code(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")


def load(wheel: str, name: str):
    with zipfile.ZipFile(wheel) as zf:
        return json.loads(zf.read(f"naija_data/_data/{name}.json"))


def rows(wheel: str) -> list[list[str]]:
    states = sorted(load(wheel, "states"), key=lambda s: s["name"])
    lgas = sorted(load(wheel, "lgas"), key=lambda lga: (lga["state_code"], lga["name"]))
    raw = load(wheel, "wards")
    wards = [dict(zip(raw["fields"], r)) for r in raw["rows"]]
    out = [["NG", "", "country", "Nigeria", "Najeriya"]]
    for s in states:
        out.append([f"NG-{s['code']}", "NG", "state", s["name"], HAUSA.get(s["code"], s["name"])])
    lga_code: dict[str, str] = {}
    for lga in lgas:
        code = f"NG-{lga['state_code']}-{slug_code(lga['name'])}"
        assert code not in lga_code.values(), code
        lga_code[lga["code"]] = code
        out.append([code, f"NG-{lga['state_code']}", "lga", lga["name"], lga["name"]])
    for w in sorted(wards, key=lambda w: w["code"]):
        if w["state_code"] in WARDS_OF:
            number = w["code"].rsplit("-", 1)[1]  # INEC's ward number within its LGA
            out.append([f"{lga_code[w['lga_code']]}-{number}", lga_code[w["lga_code"]], "ward",
                        w["name"], w["name"]])
    codes = [r[0] for r in out]
    assert len(codes) == len(set(codes)), "duplicate codes"
    assert all(c.isascii() for c in codes)
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
