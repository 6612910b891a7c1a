"""What the roll-up triggers cost a batch of the sweep: 1,000 counter changes upserted into stat_counts, with
the triggers off, with the 14-statement triggers (migration c81e5d2a9f47) and with the one-statement ones
(grs/rollups.py pass_sql, migration e3b7d1f4a962), on the roll-up tables as the data set has them and again
rewritten with room for HOT updates (fillfactor grs.rollups.FILLFACTOR).

    python bench/sweep_rollups.py --url postgresql+psycopg://postgres@/grs_100k?host=/tmp/bench-pg&port=55490

Works on a copy of the data set (bench/generate.py's, before e3b7d1f4a962), dropped afterwards; each trial
runs in a transaction that is rolled back, so every trial starts from the same tables. The changed rows are
1,000 counter rows of the data set's escalations moved to days of the last 40, as a sweep batch makes them.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

from grs import rollups  # noqa: E402

import sweep as sweep_bench  # noqa: E402

COPY = "grs_sweep_rollups"
REPEAT = 5


def _functions(revision_file: str) -> list[str]:
    """The trigger functions (CREATE OR REPLACE FUNCTION) a migration froze."""
    path = os.path.join(ROOT, "migrations", "versions", revision_file)
    spec = importlib.util.spec_from_file_location("rev", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [s for s in module.TRIGGERS["postgresql"] if s.startswith("CREATE OR REPLACE FUNCTION")]


def trial(engine, setup: list[str], seed: int) -> float:
    """Seconds for one upsert of 1,000 counter changes after `setup`, in a transaction rolled back."""
    cols = ", ".join(rollups._COUNTER_KEY)
    with engine.connect() as c:
        tx = c.begin()
        for stmt in setup:
            c.exec_driver_sql(stmt.replace("%", "%%"))
        c.exec_driver_sql(f"CREATE TEMP TABLE src ON COMMIT DROP AS SELECT {cols}, n FROM stat_counts "
                          f"WHERE measure = 'escalated' ORDER BY md5(id::text || '{seed}') LIMIT 1000")
        c.exec_driver_sql("UPDATE src SET day = DATE '2026-12-02' - mod(area_id, 40), n = 1")
        t = time.perf_counter()
        c.exec_driver_sql(f"INSERT INTO stat_counts ({cols}, n) SELECT {cols}, n FROM src "
                          f"ON CONFLICT ({cols}) DO UPDATE SET n = stat_counts.n + excluded.n")
        seconds = time.perf_counter() - t
        tx.rollback()
    return seconds


def run(url: str) -> dict:
    copy = sweep_bench.copy_database(url, COPY)
    engine = sa.create_engine(copy)
    fourteen = _functions("20261202_c81e5d2a9f47_statistics_statement_triggers.py")
    one = _functions("20261202_e3b7d1f4a962_statistics_rollups_one_statement.py")
    variants = {"no roll-up triggers": ["ALTER TABLE stat_counts DISABLE TRIGGER USER"],
                "14 statements (c81e5d2a9f47)": fourteen, "one statement (e3b7d1f4a962)": one}
    out: dict = {"load_average_before": [round(x, 2) for x in os.getloadavg()], "trials": []}
    try:
        for tables in ("as generated (fillfactor 100)", f"rewritten, fillfactor {rollups.FILLFACTOR}"):
            if tables.startswith("rewritten"):
                with engine.begin() as c:
                    for family in rollups.FAMILIES:
                        c.exec_driver_sql(f"ALTER TABLE {family.table} SET (fillfactor = {rollups.FILLFACTOR})")
                        c.exec_driver_sql(f"CLUSTER {family.table} USING uq_{family.table}_key")
            for name, setup in variants.items():
                if tables.startswith("rewritten") and name.startswith("no "):
                    continue
                times = [trial(engine, setup, seed) for seed in range(REPEAT)]
                out["trials"].append({"tables": tables, "triggers": name, "ms": [round(t * 1000) for t in times],
                                      "median_ms": round(statistics.median(times) * 1000)})
        out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        engine.dispose()
        sweep_bench.drop_database(url, COPY)
    return out


def render(r: dict) -> list[str]:
    lines = ["| roll-up tables | triggers | 1,000 counter changes (median of 5) | each trial |", "|---|---|---|---|"]
    for t in r["trials"]:
        lines.append(f"| {t['tables']} | {t['triggers']} | {t['median_ms']} ms | {', '.join(map(str, t['ms']))} ms |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default=os.environ.get("GRS_DATABASE_URL"))
    args = ap.parse_args()
    if not args.url:
        sys.exit("bench/sweep_rollups.py: give --url (a PostgreSQL data set from bench/generate.py)")
    r = run(args.url)
    print(json.dumps(r, indent=1))
    print("\n".join(render(r)))


if __name__ == "__main__":
    main()
