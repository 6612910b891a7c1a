"""Exports and paper imports benchmark (issue 14, item 2): `grs export grievances` (CSV and Excel) over
100,000 generated grievances, and `grs import grievances` of 10,000 paper forms, on PostgreSQL 15 with
production durability and on SQLite.

- PostgreSQL: bench/intake.py's DurablePg (deploy/postgresql.conf's fsync, synchronous_commit and
  full_page_writes, memory scaled) on port 55493, socket directory /tmp/h-pg; SQLite: a file in a temp dir.
- Data: bench/generate.py, first a tenth of the rows, then the rest, so each export runs at N/10 and at N:
  peak memory that grows with the rows shows as a difference (the exports module reads and writes in
  batches and should not grow).
- Each command runs in a child process of its own (`python bench/exports.py --child ...` calls the `grs`
  command in-process and reports its max RSS, as bench/sweep.py does): time is the command's, start to exit.
- Paper import: generated forms with the template's columns (grs.services.imports.COLUMNS) over the real
  areas, programmes and categories of the database (80% with a form serial number, 5% anonymous, 70% in
  Bangla), in files of at most imports.MAX_ROWS rows (the documented per-file limit); every row's key
  (imports.source_ref) must be stored exactly once, and importing every file again must lodge nothing.
- `--profile` (bench/run.py passes it): py-spy records the N-row exports and the first import file on
  PostgreSQL (bench/profiles/exports-*.raw, and .txt: the functions with the most samples).

Run: `.venv/bin/python bench/exports.py [--size small|full] [--backend postgresql|sqlite] [--no-write]`
(SIZE=small: 10,000 exported and 1,000 imported, a minute or two; full: 100,000 and 10,000). Writes the
block between <!-- exports:begin --> and <!-- exports:end --> in docs/performance.md and
bench/results/exports.json; `make bench` calls it (BENCH_ONLY=exports for it alone).
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import generate as gen  # noqa: E402
import results  # noqa: E402

PG_PORT = 55493
SOCKET_DIR = "/tmp/h-pg"
SIZES = {"small": (10_000, 1_000), "full": (100_000, 10_000)}  # grievances exported, paper rows imported
BEGIN, END = "<!-- exports:begin -->", "<!-- exports:end -->"
HAND_WRITTEN = "<!-- Below this line is written by hand (and by other benchmarks); make bench keeps it. -->"
PROFILES = os.path.join(ROOT, "bench", "profiles")
MEMORY_SLACK = 0.10  # peak RSS at N may be this much above that at N/10 and still count as flat
FORMATS = ("csv", "xlsx")


# ---------------------------------------------------------------- the child: one `grs` command


def child(argv: list[str], result_path: str, stdout_path: str) -> None:
    """Run `grs ARGV` in this process (its output to stdout_path), then write its time and max RSS."""
    from grs.cli import main

    t = time.perf_counter()
    with open(stdout_path, "w", encoding="utf-8") as out, contextlib.redirect_stdout(out):
        try:
            main.main(args=argv, prog_name="grs", standalone_mode=False)
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
    with open(result_path, "w", encoding="utf-8") as fh:
        json.dump({"exit": code, "in_process_seconds": time.perf_counter() - t, "peak_mib": peak_mib()}, fh)


def peak_mib() -> float:
    """This process's peak resident memory since its exec: VmHWM. (ru_maxrss is not: the kernel carries the
    parent's peak over a fork and exec into the child's, so a child of a big bench process looked as big.)"""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _py_spy() -> str | None:
    spy = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    return spy if os.path.exists(spy) else None


def run_grs(url: str, argv: list[str], work: str, profile: str | None = None) -> dict:
    """`grs ARGV` against `url` in a child process: its exit, time (start to exit), peak RSS, output."""
    res, out = os.path.join(work, "child.json"), os.path.join(work, "child.out")
    cmd = [sys.executable, os.path.abspath(__file__), "--child", res, out, "--", *argv]
    if profile:
        spy = _py_spy()
        if spy is None:
            print("bench/exports.py: no profile: py-spy is not installed (pip install -e '.[bench]')", file=sys.stderr)
            profile = None
        else:
            os.makedirs(os.path.dirname(profile), exist_ok=True)
            cmd = [spy, "record", "--rate", "50", "--idle", "--format", "raw", "--output", profile + ".raw",
                   "--", *cmd]
    env = {**os.environ, "GRS_DATABASE_URL": url, "GRS_SECRET_KEY": "bench-" + "k" * 40, "GRS_LOG_LEVEL": "WARNING",
           "GRS_UPLOAD_DIR": os.path.join(work, "uploads")}
    t = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - t
    if not os.path.exists(res):
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise RuntimeError(f"bench/exports.py: grs {' '.join(argv[:2])} failed (exit {done.returncode})")
    with open(res, encoding="utf-8") as fh:
        r = json.load(fh)
    with open(out, encoding="utf-8") as fh:
        r["stdout"] = fh.read()
    r["stderr"] = done.stderr
    r["seconds"] = seconds
    os.remove(res)
    if profile:
        import sweep  # one summary of py-spy's stacks for every benchmark
        r["profile"] = os.path.relpath(sweep.summarise(profile), ROOT)
    return r


# ---------------------------------------------------------------- exports


def count_rows(path: str, fmt: str) -> int:
    """Data rows in an exported file (the header not counted)."""
    if fmt == "csv":
        with open(path, encoding="utf-8", newline="") as fh:
            return sum(1 for _ in csv.reader(fh)) - 1
    with zipfile.ZipFile(path) as z:  # count <row> elements of the sheet without loading it
        name = next(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
        n, tail = 0, b""
        with z.open(name) as fh:
            while chunk := fh.read(1 << 20):
                n += (tail + chunk).count(b"<row ")  # one split across chunks is counted once
                tail = chunk[-4:]
        return n - 1


def export(url: str, fmt: str, work: str, profile: str | None = None) -> dict:
    path = os.path.join(work, f"export.{fmt}")
    r = run_grs(url, ["export", "grievances", "--format", fmt, "--out", path], work, profile)
    if r["exit"] != 0:
        raise RuntimeError(f"grs export grievances --format {fmt}: exit {r['exit']}: {r['stderr'][-2000:]}")
    r["rows"] = count_rows(path, fmt)
    r["bytes"] = os.path.getsize(path)
    os.remove(path)
    return {k: v for k, v in r.items() if k not in ("stdout", "stderr")}


# ---------------------------------------------------------------- paper forms

FIRST = {"female": ["Rahima", "Fatema", "Shirin", "Nasima", "Ayesha", "Rokeya", "Jahanara", "Mst. Anowara"],
         "male": ["Abdul", "Karim", "Rafiq", "Jamal", "Md. Hasan", "Nurul", "Abul", "Salim"]}
LAST = ["Begum", "Khatun", "Akter", "Islam", "Hossain", "Uddin", "Mia", "Sarkar", "Rahman", "Ali"]


def paper_forms(session, n: int, seed: int = 11, today=None) -> list[dict]:
    """`n` rows as clerks type paper forms into the template: real area, programme and category codes."""
    from grs.models import Area, Category, Programme

    rng = random.Random(seed)
    today = today or datetime.now(timezone.utc).date()
    unions = session.scalars(sa.select(Area.code).where(Area.level == "union").order_by(Area.code)).all()
    upazilas = session.scalars(sa.select(Area.code).where(Area.level == "upazila").order_by(Area.code)).all()
    programmes = set(session.scalars(sa.select(Programme.code).where(Programme.active.is_(True))))
    categories = set(session.scalars(sa.select(Category.code).where(Category.active.is_(True))))
    programme = gen.Picker({k: w for k, w in gen.PROGRAMMES.items() if k in programmes})
    category = gen.Picker({k: w for k, w in gen.CATEGORIES.items() if k in categories})
    sex_of = gen.Picker(gen.SEX)
    rows = []
    for i in range(n):
        area = rng.choice(upazilas) if rng.random() < 0.05 else rng.choice(unions)  # union not written: upazila
        prog = programme(rng)
        lang = "bn" if rng.random() < gen.BANGLA else "en"
        anonymous = rng.random() < gen.ANONYMOUS
        sex = sex_of(rng) or ""
        age = gen.pick(rng, gen.AGE_BY_PROGRAMME.get(prog, gen.AGE_DEFAULT)) or ""
        row = {c: "" for c in ("reference", "date_received", "programme", "category", "area", "description",
                               "anonymous", "name", "phone", "sex", "age_band", "disability", "beneficiary_id",
                               "language")}
        row.update(
            reference=f"F-{area[-6:]}-{i:06d}" if rng.random() < 0.8 else "",  # slips from a box have none
            date_received=(today - timedelta(days=rng.randint(1, 60))).isoformat(),
            programme=prog, category=category(rng), area=area, description=rng.choice(gen.DESCRIPTIONS[lang]),
            anonymous="yes" if anonymous else rng.choice(["no", ""]), sex=sex, age_band=age, language=lang,
            disability="yes" if prog == "DA" else rng.choice(["no", "no", "", "yes"]) if rng.random() < 0.5 else "")
        if not anonymous:
            first = rng.choice(FIRST["male" if sex == "male" else "female"])
            row["name"] = f"{first} {rng.choice(LAST)}"
            if rng.random() < 0.7:
                row["phone"] = f"01{rng.choice('3456789')}{rng.randrange(10**8):08d}"
            if rng.random() < 0.3:
                row["beneficiary_id"] = f"{prog}-{rng.randrange(10**9):09d}"
        rows.append(row)
    return rows


def write_forms(rows: list[dict], work: str, per_file: int) -> list[str]:
    from grs.services.imports import COLUMNS

    paths = []
    for k, start in enumerate(range(0, len(rows), per_file), start=1):
        path = os.path.join(work, f"paper-forms-{k}.csv")
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(COLUMNS))
            w.writeheader()
            w.writerows(rows[start:start + per_file])
        paths.append(path)
    return paths


def expected_keys(paths: list[str]) -> list[str]:
    """Every row's idempotency key, as the import computes it (grs.services.imports.source_ref)."""
    from grs.services.imports import read_table, source_ref

    keys = []
    for path in paths:
        with open(path, "rb") as fh:
            table = read_table(path, fh.read())
        keys += [source_ref(table, number, row) for number, row in table.rows]
    return keys


def stored(engine, keys: list[str]) -> dict:
    """How the keys are stored: once, twice or more, missing; and all paper grievances."""
    counts: dict[str, int] = {}
    with engine.connect() as c:
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            counts.update(c.execute(sa.text(
                "SELECT source_ref, count(*) FROM grievances WHERE channel = 'paper' AND source_ref IN :refs "
                "GROUP BY source_ref").bindparams(sa.bindparam("refs", expanding=True)), {"refs": chunk}).all())
        paper = c.execute(sa.text("SELECT count(*) FROM grievances WHERE channel = 'paper'")).scalar()
    return {"once": sum(1 for k in keys if counts.get(k) == 1), "twice": sum(1 for v in counts.values() if v > 1),
            "missing": sum(1 for k in keys if k not in counts), "paper_total": paper}


def paper_import(url: str, n: int, work: str, profile: str | None = None) -> dict:
    from grs import create_app
    from grs.extensions import db
    from grs.services.imports import MAX_ROWS

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING", "SECRET_KEY": "bench"})
    with app.app_context():
        rows = paper_forms(db.session, n)
        db.session.remove()
        db.engine.dispose()
    paths = write_forms(rows, work, MAX_ROWS)
    keys = expected_keys(paths)
    engine = sa.create_engine(url)
    before = stored(engine, keys)
    first, again = [], []
    for k, path in enumerate(paths):
        r = run_grs(url, ["import", "grievances", path], work, profile if k == 0 else None)
        if r["exit"] != 0:
            raise RuntimeError(f"grs import grievances: exit {r['exit']}: {r['stdout'][-2000:]}{r['stderr'][-2000:]}")
        first.append(r)
    after = stored(engine, keys)
    for path in paths:
        r = run_grs(url, ["import", "grievances", path], work)
        if r["exit"] != 0:
            raise RuntimeError(f"grs import grievances (again): exit {r['exit']}: {r['stdout'][-2000:]}")
        again.append(r)
    rerun = stored(engine, keys)
    engine.dispose()

    def said(rs):  # the commands' last lines: "imported N grievance(s), M already imported"
        return [x["stdout"].strip().splitlines()[-1] for x in rs]

    seconds = sum(x["seconds"] for x in first)
    return {"rows": n, "files": len(paths), "per_file": MAX_ROWS, "seconds": seconds, "rows_per_s": n / seconds,
            "file_seconds": [x["seconds"] for x in first], "peak_mib": max(x["peak_mib"] for x in first),
            "again_seconds": sum(x["seconds"] for x in again), "again_peak_mib": max(x["peak_mib"] for x in again),
            "said": said(first), "said_again": said(again), "before": before, "after": after, "rerun": rerun,
            "profile": first[0].get("profile")}


# ---------------------------------------------------------------- the run


class Server:
    """bench/intake.py's DurablePg (production durability) on this benchmark's port and socket directory."""

    def __init__(self, port: int = PG_PORT, socket_dir: str = SOCKET_DIR):
        import intake  # engineer J's DurablePg, reused as it is
        import pgserver

        pg = intake.DurablePg(port)
        shutil.rmtree(pg.root, ignore_errors=True)  # the temp dir PgServer made: this one lives in socket_dir
        if os.path.exists(os.path.join(socket_dir, "data", "postmaster.pid")):
            raise RuntimeError(f"a server is still running in {socket_dir}: stop it first")
        shutil.rmtree(socket_dir, ignore_errors=True)
        os.makedirs(socket_dir)
        pg.root, pg.data = socket_dir, os.path.join(socket_dir, "data")
        if os.geteuid() == 0:
            import pwd
            p = pwd.getpwnam("postgres")
            os.chown(socket_dir, p.pw_uid, p.pw_gid)
        self.pg, self._stop = pg, pgserver.PgServer.stop  # DurablePg.stop would copy the log over J's

    def __enter__(self):
        self.pg.start()
        return self.pg

    def __exit__(self, *exc):
        self._stop(self.pg)


def bench_backend(name: str, url: str, size: str, profile: bool, log=print) -> dict:
    from grs import create_app
    from grs.extensions import db

    n, n_import = SIZES[size]
    work = tempfile.mkdtemp(prefix="grs-bench-exports-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING", "SECRET_KEY": "bench"})
    r: dict = {"backend": name, "exports": [], "generated": []}
    try:
        for total, seed in ((n // 10, 1), (n, 2)):
            with app.app_context():
                have = db.session.scalar(sa.text("SELECT count(*) FROM grievances")) \
                    if sa.inspect(db.engine).has_table("grievances") else 0
                db.session.remove()
            log(f"bench exports ({name}): generating {total - have:,} grievances ...")
            g = gen.generate(app, total - have, 0, seed=seed, workers=2)
            r["generated"].append({k: g[k] for k in ("grievances", "events", "seconds")})
            if name == "postgresql":
                with app.app_context():
                    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                        c.execute(sa.text("VACUUM ANALYZE"))
            for fmt in FORMATS:
                prof = os.path.join(PROFILES, f"exports-{name}-{fmt}") if profile and total == n \
                    and name == "postgresql" else None
                e = export(url, fmt, work, prof)
                e.update(fmt=fmt, grievances=total)
                log(f"  export {fmt} at {total:,}: {e['rows']:,} rows in {e['seconds']:.1f} s, "
                    f"peak {e['peak_mib']:.0f} MiB")
                r["exports"].append(e)
        with app.app_context():
            if name == "postgresql":
                r["server"] = db.session.scalar(sa.text("SHOW server_version"))
                r["durability"] = {k: db.session.scalar(sa.text(f"SHOW {k}"))
                                   for k in ("fsync", "synchronous_commit", "full_page_writes")}
            else:
                r["server"] = sqlite3.sqlite_version
            db.session.remove()
            db.engine.dispose()
        log(f"bench exports ({name}): importing {n_import:,} paper forms ...")
        prof = os.path.join(PROFILES, f"exports-{name}-import") if profile and name == "postgresql" else None
        r["import"] = paper_import(url, n_import, work, prof)
        i = r["import"]
        log(f"  import: {i['rows']:,} rows in {i['seconds']:.1f} s ({i['rows_per_s']:.0f}/s), "
            f"peak {i['peak_mib']:.0f} MiB; again: {i['again_seconds']:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return r


def run(size: str = "full", backends=("postgresql", "sqlite"), profile: bool = True, log=print) -> dict:
    out = {"size": size, "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "load_before": results.load_average(), "results": []}
    for name in backends:
        if name == "postgresql":
            import pgserver
            reason = pgserver.available()
            if reason:
                log(f"bench exports: PostgreSQL skipped: {reason}")
                continue
            with Server() as pg:
                out["results"].append(bench_backend(name, pg.create_database("grs_exports"), size, profile, log))
        else:
            tmp = tempfile.mkdtemp(prefix="grs-bench-exports-sqlite-")
            try:
                out["results"].append(bench_backend(name, "sqlite:///" + os.path.join(tmp, "exports.sqlite3"),
                                                    size, profile, log))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    out["load_after"] = results.load_average()
    return out


# ---------------------------------------------------------------- judged, tabulated, written


def _by(r: dict, fmt: str) -> tuple[dict, dict]:
    """The export of this format at N/10 and at N."""
    es = sorted((e for e in r["exports"] if e["fmt"] == fmt), key=lambda e: e["grievances"])
    return es[0], es[-1]


def targets(run_result: dict) -> list[dict]:
    """What this benchmark is judged by: every exported row there, export memory flat in the rows (the
    exports module's promise: it never holds them all), every paper row stored once, a re-run lodging nothing."""
    out = []
    for r in run_result["results"]:
        b = r["backend"]
        for fmt in FORMATS:
            small, big = _by(r, fmt)
            grown = big["peak_mib"] / small["peak_mib"] - 1
            out.append(results.target(
                f"{b}: {fmt.upper()} export peak memory flat in the rows",
                f"{small['peak_mib']:.0f} MiB at {small['grievances']:,}, {big['peak_mib']:.0f} MiB at "
                f"{big['grievances']:,} ({grown:+.0%}); {big['rows']:,} rows in {big['seconds']:.1f} s",
                f"at most {MEMORY_SLACK:.0%} more at 10x the rows, every row written",
                grown <= MEMORY_SLACK and big["rows"] == big["grievances"] and small["rows"] == small["grievances"],
                big.get("profile")))
        i = r["import"]
        out.append(results.target(
            f"{b}: paper import stores every row once",
            f"{i['after']['once']:,} of {i['rows']:,} once ({i['after']['twice']} twice, {i['after']['missing']} "
            f"missing); {i['rows_per_s']:.0f} rows/s, peak {i['peak_mib']:.0f} MiB",
            f"all {i['rows']:,} once", i["after"]["once"] == i["rows"] and i["before"]["once"] == 0
            and i["after"]["paper_total"] - i["before"]["paper_total"] == i["rows"], i.get("profile")))
        out.append(results.target(
            f"{b}: paper import re-run duplicates nothing",
            f"paper grievances {i['after']['paper_total']:,} before the re-run, {i['rerun']['paper_total']:,} after; "
            f"{i['rerun']['once']:,} keys once",
            "no row lodged again", i["rerun"]["paper_total"] == i["after"]["paper_total"]
            and i["rerun"]["once"] == i["rows"] and i["rerun"]["twice"] == 0, None))
    return out


def render(run_result: dict) -> str:
    rs = run_result["results"]
    n, n_import = SIZES[run_result["size"]]
    pg = next((r for r in rs if r["backend"] == "postgresql"), None)
    lb, la = run_result["load_before"], run_result["load_after"]
    lines = [BEGIN, f"## Exports and paper imports (`bench/exports.py`)", "",
             f"Measured on {run_result['date']} by `make bench` (bench/exports.py, SIZE={run_result['size']}): "
             f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
             + (f"PostgreSQL {pg['server']} with production durability (fsync={pg['durability']['fsync']}, "
                f"synchronous_commit={pg['durability']['synchronous_commit']}, full_page_writes="
                f"{pg['durability']['full_page_writes']}; deploy/postgresql.conf, memory scaled), " if pg else "")
             + f"SQLite {sqlite3.sqlite_version}. Load average {lb[0] if lb else '?'} before, {la[0] if la else '?'} "
             "after: the machine was shared with other engineers' work, so read times as upper bounds. Each command "
             "runs in a process of its own; time is the command's, start to exit (about a second of it is Python "
             "and the app starting); peak RSS is that process's maximum resident memory. Data: bench/generate.py "
             f"({n // 10:,} grievances, exported, then {n - n // 10:,} more, exported again).", "",
             "| backend | command | rows | time | rows/s | rows/s of the rows added (start-up excluded) | peak RSS | "
             "file |", "|---|---|---|---|---|---|---|---|"]
    for r in rs:
        for fmt in FORMATS:
            small, big = _by(r, fmt)
            for e in (small, big):
                added = (f"{(big['rows'] - small['rows']) / (big['seconds'] - small['seconds']):,.0f}"
                         if e is big and big["seconds"] > small["seconds"] else "—")
                lines.append(f"| {r['backend']} | `grs export grievances --format {fmt}` | {e['rows']:,} | "
                             f"{e['seconds']:.1f} s | {e['rows'] / e['seconds']:,.0f} | {added} | "
                             f"{e['peak_mib']:.0f} MiB | {e['bytes'] / 2**20:.1f} MiB |")
        i = r["import"]
        lines.append(f"| {r['backend']} | `grs import grievances` ({i['files']} CSV file(s) of at most "
                     f"{i['per_file']:,} rows) | {i['rows']:,} | {i['seconds']:.1f} s | {i['rows_per_s']:,.0f} | — | "
                     f"{i['peak_mib']:.0f} MiB | — |")
        lines.append(f"| {r['backend']} | the same files again (all already imported) | {i['rows']:,} | "
                     f"{i['again_seconds']:.1f} s | {i['rows'] / i['again_seconds']:,.0f} | — | "
                     f"{i['again_peak_mib']:.0f} MiB | — |")
    lines += ["", "Checks (every key the import computes for the rows, `grs.services.imports.source_ref`, counted in "
              "the database):", ""]
    for r in rs:
        i = r["import"]
        lines.append(f"- {r['backend']}: after the import {i['after']['once']:,} of {i['rows']:,} rows stored exactly "
                     f"once, {i['after']['twice']} twice, {i['after']['missing']} missing (paper grievances "
                     f"{i['before']['paper_total']:,} → {i['after']['paper_total']:,}); after importing the same "
                     f"files again {i['rerun']['paper_total']:,} (the commands said: "
                     f"{'; '.join(sorted(set(i['said_again'])))}).")
    lines += ["", f"The paper forms: {n_import:,} generated rows with the template's columns over the real areas "
              "(95% unions, 5% upazilas), programmes and categories, 80% with a form serial number, 5% anonymous, "
              "70% in Bangla; files of at most 5,000 rows, the import's documented limit per file (docs/paper-import.md).",
              ""]
    profiles = sorted({p for r in rs for p in [*(e.get("profile") for e in r["exports"]), r["import"].get("profile")]
                       if p})
    if profiles:
        lines += ["Profiles (py-spy, 50 Hz, wall clock; `.raw` beside each: the collapsed stacks): "
                  + ", ".join(f"`{p}`" for p in profiles) + ".", ""]
    lines += ["Reproduce: `make bench` (`BENCH_ONLY=exports` for this table alone, `SIZE=small` for 10,000 exported "
              "and 1,000 imported), or `.venv/bin/python bench/exports.py --size full`.", END]
    return "\n".join(lines)


def write(block: str, path: str = os.path.join(ROOT, "docs", "performance.md")) -> str:
    """Put the block in the page: in place of the last one, else below the hand-written marker."""
    with open(path, encoding="utf-8") as fh:
        current = fh.read()
    head, begin, rest = current.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if begin and end:
        current = head + block + tail
    elif HAND_WRITTEN in current:
        current = current.replace(HAND_WRITTEN, HAND_WRITTEN + "\n" + block, 1)
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(current)
    return path


def main() -> None:
    if len(sys.argv) > 3 and sys.argv[1] == "--child":
        sep = sys.argv.index("--")
        child(sys.argv[sep + 1:], sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default=os.environ.get("SIZE") or "full", choices=sorted(SIZES))
    ap.add_argument("--backend", action="append", choices=("postgresql", "sqlite"))
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--no-write", action="store_true", help="print; leave docs/performance.md and bench/results alone")
    args = ap.parse_args()
    r = run(args.size, tuple(args.backend or ("postgresql", "sqlite")), profile=not args.no_profile)
    block = render(r)
    print(block)
    if not args.no_write:
        print(f"bench: written to {write(block)}")
        print(f"bench: {results.write('exports', targets(r), size=args.size)}")


if __name__ == "__main__":
    main()
