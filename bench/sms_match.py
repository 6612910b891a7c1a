"""What finding the place a free-text SMS names costs with the whole country's areas (5,106).

Imports the national hierarchy into a temporary SQLite database through the app's own CLI, then times
the per-process place index (what `channels.sms.service._area_named` calls) on realistic messages in English
and Bangla: naming a union, a union and its upazila, an upazila, misspelt names and no place at all.
`--old` also times the difflib path the index replaced (every name against every word window), once.

    .venv/bin/python bench/sms_match.py [--old] [--messages N] [--areas FILE]
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from channels.sms import places  # noqa: E402
from channels.sms.commands import language_of  # noqa: E402
from grs import create_app  # noqa: E402
from grs.extensions import db  # noqa: E402
from grs.models import Area, Tier  # noqa: E402

COUNTRY = os.path.join(ROOT, "..", "shared", "data", "bd-admin-areas", "admin_areas.csv")

EN = ("I live in {union} union. My old age allowance was not paid for three months.",
      "{union} union, {upazila} upazila: the agent took 500 taka from my widow allowance",
      "From {union}, {upazila}. My name is not on the list although I am 70 years old.",
      "Chairman of {union} UP asked for a bribe to enlist my disabled son",
      "{upazila} upazila office did not pay the maternity allowance",
      "Please help, I did not get my allowance this quarter. Rahima, village Char {union}",
      "No payment for two instalments. The payment point is closed every time I go.")
BN = ("আমি {union} ইউনিয়নের বাসিন্দা, আমার বয়স্ক ভাতার টাকা তিন মাস পাইনি",
      "{upazila} উপজেলার {union} ইউনিয়ন, বিধবা ভাতা থেকে ৫০০ টাকা কেটে নিয়েছে",
      "{union}ের চেয়ারম্যান ঘুষ চেয়েছে",
      "আমি {union}ে থাকি, তিন মাস ভাতা পাইনি",
      "আমার নাম তালিকায় নেই, {upazila} উপজেলা",
      "আমি ভাতা পাইনি, দয়া করে সাহায্য করুন")


def typo(name: str, rng: random.Random) -> str:
    """The name as a hurried typist sends it: one letter dropped, doubled or swapped (not the first)."""
    if len(name) < 6 or rng.random() < 0.5:
        return name
    i = rng.randrange(1, len(name) - 1)
    return rng.choice((name[:i] + name[i + 1:], name[:i] + name[i] + name[i:],
                       name[:i] + name[i + 1] + name[i] + name[i + 2:]))


def messages(path: str, n: int, seed: int = 7) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    by_code = {r["code"]: r for r in rows}
    unions = [r for r in rows if r["level"] == "union" and r["parent_code"] in by_code]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        u = rng.choice(unions)
        z = by_code[u["parent_code"]]
        if i % 3 == 2 and u["name_bn"] and z["name_bn"]:
            template, union, upazila = rng.choice(BN), u["name_bn"], z["name_bn"]
        else:
            template, union, upazila = rng.choice(EN), typo(u["name_en"], rng), typo(z["name_en"], rng)
        out.append(template.format(union=union, upazila=upazila))
    return out


def old_area_named(text: str) -> str | None:
    """The path before the index: load every union and upazila, difflib against every window."""
    from place_reference import reference_match_area
    levels = list(db.session.scalars(sa.select(Tier.area_level).order_by(Tier.rank).limit(2)))
    parent = sa.orm.aliased(Area)
    rows = db.session.execute(
        sa.select(Area.code, Area.level, Area.name_en, Area.names, parent.code)
        .join(parent, parent.id == Area.parent_id, isouter=True).where(Area.level.in_(levels))
    ).all()
    rank = {lvl: i for i, lvl in enumerate(levels)}
    return reference_match_area(text, sorted((places.area_name(*r) for r in rows), key=lambda a: rank[a.level]))


def new_area_named(text: str) -> str | None:
    """What channels/sms/service.py `_area_named` does per message."""
    return places.index(db.session).match(text)


def timings(fn, texts: list[str]) -> tuple[list[float], list]:
    cpu, picks = [], []
    for t in texts:
        start = time.process_time()
        picks.append(fn(t))
        cpu.append((time.process_time() - start) * 1000)
    return cpu, picks


def summary(label: str, ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return f"{label}: n={len(ms)} p50={statistics.median(ms):.2f} ms p99={q[98]:.2f} ms max={max(ms):.2f} ms (CPU)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--areas", default=COUNTRY)
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--old", action="store_true", help="also time the difflib path (about 0.5 s a message)")
    ap.add_argument("--old-messages", type=int, default=40)
    args = ap.parse_args()
    if not os.path.exists(args.areas):
        sys.exit(f"bench: {args.areas} not found (the shared data folder sits beside the checkout)")
    tmp = tempfile.mkdtemp(prefix="grs-sms-bench-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(tmp, "bench.sqlite3"),
                      "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING", "UPLOAD_DIR": os.path.join(tmp, "uploads")})
    runner = app.test_cli_runner()
    for argv in (["db", "upgrade"], ["import-areas", args.areas, "--with-offices"]):
        result = runner.invoke(args=argv)
        if result.exit_code != 0:
            sys.exit(f"bench: grs {' '.join(argv)} failed:\n{result.output}{result.exception or ''}")
    texts = messages(args.areas, args.messages)
    with app.app_context():
        n_areas = db.session.scalar(sa.select(sa.func.count()).select_from(Area))
        print(f"bench: {n_areas:,} areas, {len(texts)} messages "
              f"({sum(language_of(t) == 'bn' for t in texts)} in Bangla)")
        start = time.process_time()
        idx = places.index(db.session)
        print(f"first use (fingerprint + build of {len(idx):,} names): {(time.process_time() - start) * 1000:.0f} ms CPU")
        start = time.process_time()
        places._fingerprint(db.session)
        print(f"fingerprint check (every {places.REFRESH_SECONDS:.0f} s): {(time.process_time() - start) * 1000:.2f} ms CPU")
        new, new_picks = timings(new_area_named, texts)
        print(summary("index (what each SMS now costs)", new))
        named = sum(p is not None for p in new_picks)
        print(f"index: {named} of {len(texts)} messages matched an area")
        if args.old:
            sample = texts[:args.old_messages]
            old, old_picks = timings(old_area_named, sample)
            print(summary("old difflib path (rows loaded per message)", old))
            same = sum(a == b for a, b in zip(old_picks, new_picks))
            print(f"same pick as the old path: {same} of {len(sample)}")


if __name__ == "__main__":
    main()
