"""Derive grs/packs/ml/areas.csv from the geo-api-mali seed files (see SOURCES.md).

    .venv/bin/python grs/packs/ml/derive.py DIR

DIR holds the repository's database/seeds/locations/*.php (one file per region: its cercles and their
communes; Bamako's file has the district's six communes). The files are PHP array literals; this reads
them with regular expressions, never runs them. Rerunning it on the same files writes the same file.
Not imported by the application.
"""
from __future__ import annotations

import csv
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REGIONS = ["Kayes", "Koulikoro", "Sikasso", "Segou", "Mopti", "Tombouctou", "Gao", "Kidal", "Taoudenit",
           "Menaka", "Bamako"]

# The source's spelling where it lost an accent, a capital or a letter (French official spelling).
FIX = {
    "gao": "Gao", "Segou": "Ségou", "Menaka": "Ménaka", "Taoudenit": "Taoudénit",
    "Diema": "Diéma", "Kenieba": "Kéniéba", "Yelimane": "Yélimané", "Nioro du sahel": "Nioro du Sahel",
    "Dire": "Diré", "Niafounke": "Niafunké", "TBoudje-Béha": "Boudje-Béha", "ana": "Sana",
    "Koporokendié Nâ (ou Koporo Na)": "Koporokendié Nâ",
}
# English names where English has its own (every other place is called the same in English).
ENGLISH = {"Tombouctou": "Timbuktu"}

ASSIGN = re.compile(r"^\$(\w+)\s*=\s*\[\s*(?:'parent_id'\s*=>\s*null\s*,\s*)?'name'\s*=>\s*'((?:[^'\\]|\\.)*)'", re.M)
CHILDREN = re.compile(r"^\$(\w+)\['(communes|cercles)'\]\s*=\s*(\[[^\]]*\]|\$\w+)\s*;", re.M)
LIST = re.compile(r"^\$(\w+)\s*=\s*(\[\s*\$[^\]]*\])\s*;", re.M)
RETURN = re.compile(r"^return\s+\$(\w+)\s*;", re.M)


def ascii_code(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "-", plain.upper()).strip("-")


def parse(text: str):
    """(region name, [(cercle name, [commune names])]) of one seed file; Bamako: one pseudo-cercle."""
    names = {var: FIX.get(n := name.replace("\\'", "'").strip(" ,"), n) for var, name in ASSIGN.findall(text)}
    lists = {var: re.findall(r"\$(\w+)", body) for var, body in LIST.findall(text)}
    children: dict[str, dict[str, list[str]]] = {}
    for var, kind, body in CHILDREN.findall(text):
        children.setdefault(var, {})[kind] = lists[body[1:]] if body.startswith("$") else re.findall(r"\$(\w+)", body)
    region = RETURN.search(text).group(1)
    used: set[str] = set()

    def communes(var: str) -> list[str]:
        out = []
        for c in children.get(var, {}).get("communes", []):
            if c in used or c not in names:  # the source lists a few communes twice or under two cercles
                continue
            used.add(c)
            out.append(names[c])
        return out

    if "cercles" in children.get(region, {}):
        cercles = [(names[c], communes(c)) for c in children[region]["cercles"]]
    else:  # the District of Bamako: its communes directly
        cercles = [(names[region], communes(region))]
    return names[region], cercles


def rows(folder: str) -> list[list[str]]:
    out = [["ML", "", "country", "Mali", "Mali"]]
    for file in REGIONS:
        with open(os.path.join(folder, f"{file}.php"), encoding="utf-8") as fh:
            region, cercles = parse(fh.read())
        bamako = file == "Bamako"
        rcode = f"ML-{ascii_code(region)}"
        out.append([rcode, "ML", "region", "Bamako District" if bamako else ENGLISH.get(region, region),
                    "District de Bamako" if bamako else region])
        for cercle, communes in cercles:
            ccode = f"{rcode}-{ascii_code(cercle)}"
            out.append([ccode, rcode, "cercle", ENGLISH.get(cercle, cercle), cercle])
            seen = set()
            for commune in communes:
                code = f"{ccode}-{ascii_code(commune)}"
                if code in seen:
                    continue
                seen.add(code)
                out.append([code, ccode, "commune", ENGLISH.get(commune, commune), commune])
    codes = [r[0] for r in out]
    assert len(codes) == len(set(codes)), "duplicate codes"
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
