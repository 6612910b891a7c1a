"""Benchmarks at national scale, on SQLite and PostgreSQL; writes docs/performance.md.

Measures: importing the full Bangladesh hierarchy with offices; lodging through the service;
the escalation sweep with nothing due among many open grievances, and with growing numbers due
(its cost should follow what is due, not what is open); the staff inbox query; the public track page;
GET /api/v1/stats over a generated national data set (bench/stats.py, PostgreSQL).
Also: exports and paper imports (bench/exports.py), intake (bench/intake.py), and the targets table.
Run with `make bench` (SIZE=full: about five minutes on 2 cores for the first tables, the statistics benchmark
about 30 minutes at 1,000,000 grievances on a shared machine, most of it generating them, then the sweep,
exports, intake); `make bench SIZE=small` is a quick run of every benchmark, in minutes.

Environment: SIZE=small|full (default full), which scales every benchmark run.py runs: the first tables
(GRS_BENCH_OPEN open grievances 10,000 or 100,000, GRS_BENCH_LODGES lodges 100 or 300), the statistics data
set (100,000 or 1,000,000 grievances, a tenth overdue) and the sweep over it (per-grievance reference on 500
or 5,000), exports (10,000 or 100,000 rows exported, 1,000 or 10,000 paper rows imported), intake's load
(GRS_BENCH_INTAKE_SECONDS 10 or 30) and the two hosts' (GRS_BENCH_TWOHOSTS_SECONDS 8 or 20); a variable
set in the environment wins over SIZE.
BENCH_ONLY=stats (only the statistics benchmark; the other tables on the page are kept), BENCH_ONLY=intake
(only bench/intake.py: the SMS webhook under wrk with the intake worker, pgbench -N, USSD under load); BENCH_ONLY=sweep
(only the sweep over the statistics data set: bench/sweep.py, one pass with its overdue tenth due and one
with nothing due, batch path, with the per-grievance path on 5,000 of them as the reference); BENCH_ONLY=twohosts
(only bench/twohosts.py: two hosts' worth of processes on one PostgreSQL, nothing lost, nothing twice);
GRS_BENCH_PG_URL (a PostgreSQL database to run the statistics benchmark in; reused when it already holds the
grievances; default: a throwaway server with production durability, deploy/postgresql.conf, on port 55496);
BENCH_ONLY=exports (only bench/exports.py: CSV and Excel exports, the paper import); BENCH_ONLY=targets (only
the targets table, from the results files as they are).

Targets: each benchmark writes bench/results/<name>.json (bench/results.py's `write`) in its run:
    {"measured_at": "2026-12-02T14:05:00Z", "load_average": [1-, 5-, 15-minute], "size": "small" | "full" | ...,
     "targets": [{"name": what is judged, "figure": what was measured (text), "target": the target (text),
                  "met": true | false, "profile": "bench/profiles/....txt" or null,
                  "why": why it is not met, from the run's own figures (only when not met)}]}
Names: intake (and its USSD targets), sweep, stats, exports, twohosts. The render step (`write_targets`, after
every run) reads them all and writes one row per target between <!-- targets:begin --> and
<!-- targets:end --> at the top of docs/performance.md, with the reason of each target not met under it; a
benchmark without a file is "not measured in this run", and only `"met": true` shows as met.
"""
from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import pgserver  # noqa: E402
import stats as stats_bench  # noqa: E402
import sweep as sweep_bench  # noqa: E402

from grs import create_app  # noqa: E402
from grs.extensions import db  # noqa: E402

AREAS = os.path.join(ROOT, "..", "shared", "data", "bd-admin-areas", "admin_areas.csv")
SIZE = os.environ.get("SIZE") or "full"
SMALL = SIZE == "small"
BACKGROUND_OPEN = int(os.environ.get("GRS_BENCH_OPEN") or (10_000 if SMALL else 100_000))
LODGES = int(os.environ.get("GRS_BENCH_LODGES") or (100 if SMALL else 300))
# The load's length of the benchmarks run as child processes, unless set (they read these variables).
CHILD_ENV = {"GRS_BENCH_INTAKE_SECONDS": "10" if SMALL else "30", "GRS_BENCH_TWOHOSTS_SECONDS": "8" if SMALL else "20"}
DUE_STEPS = (0, 250, 1000, 4000)
STATS_SIZES = {"small": (100_000, 10_000), "full": (1_000_000, 100_000)}  # grievances, of them overdue
STATS_BEGIN, STATS_END = "<!-- stats:begin -->", "<!-- stats:end -->"
SWEEP_BEGIN, SWEEP_END = "<!-- sweep:begin -->", "<!-- sweep:end -->"
SWEEP_REFERENCE = 500 if SMALL else 5000  # due grievances the per-grievance path sweeps in the same run, as the reference
PROFILES = os.path.join(ROOT, "bench", "profiles")
STATS_PG_PORT = 55496  # the statistics and sweep data set's throwaway server (intake: 55491, exports: 55493)


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def bench_backend(name: str, url: str) -> dict:
    from escalation.sweep import sweep
    from grs import queries
    from grs.models import Area, Grievance, GrievanceOffice, Office, Programme, Category, User
    from grs import services as svc
    from grs.services.accounts import create_user
    from grs.services.actors import Actor
    from grs.services.areas import import_areas
    from grs.services.reference import seed_reference
    from grs.uow import unit_of_work

    def in_uow(service, *args, **kw):
        with unit_of_work() as uow:
            return service(uow, *args, **kw)

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING", "SECRET_KEY": "bench",
                      "UPLOAD_DIR": tempfile.mkdtemp(), "TRACK_RATE_LIMIT": 10**6})
    r: dict = {"backend": name}
    with app.app_context():
        db.drop_all()
        db.create_all()
        report, r["import_s"] = timed(in_uow, import_areas, AREAS, "BD", with_offices=True)
        r["areas"] = sum(report.created.values())
        r["offices"] = sum(report.offices_created.values())
        _, r["reimport_s"] = timed(in_uow, import_areas, AREAS, "BD", with_offices=True)
        in_uow(seed_reference)
        unions = db.session.scalars(sa.select(Area.code).where(Area.level == "union")).all()
        rng = random.Random(7)
        now = datetime(2026, 3, 1, 4, tzinfo=timezone.utc)

        # Lodging through the service: validation, routing up the chain, clocks, events, outbox.
        latencies = []
        for i in range(LODGES):
            intake = svc.Intake(channel="api", programme="OAA", category="payment", area=rng.choice(unions),
                                description="Allowance not paid for two instalments.",
                                complainant=svc.ComplainantIn(name="Bench", phone=f"+8801712{i:06d}"))
            _, s = timed(in_uow, svc.lodge, intake, actor=Actor.system("bench"), now=now)
            latencies.append(s)
        r["lodge_p50_ms"] = statistics.median(latencies) * 1000
        r["lodge_p95_ms"] = statistics.quantiles(latencies, n=20)[18] * 1000
        r["lodge_per_s"] = LODGES / sum(latencies)

        # Background: many open grievances whose deadlines are weeks away, inserted in bulk.
        office_by_union = dict(db.session.execute(
            sa.select(Area.id, Office.id).join(Office, Office.area_id == Area.id)
            .where(Area.level == "union", Office.tier == "union")).all())
        area_ids = list(office_by_union)
        prog = db.session.scalar(sa.select(Programme.id))
        cat = db.session.scalar(sa.select(Category.id).where(Category.code == "payment"))
        far = now + timedelta(days=40)
        t = time.perf_counter()
        base = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Grievance.id), 0)))
        chunk = 5000
        for start in range(0, BACKGROUND_OPEN, chunk):
            rows, links = [], []
            for i in range(start, min(start + chunk, BACKGROUND_OPEN)):
                a = rng.choice(area_ids)
                gid = base + i + 1
                rows.append(dict(id=gid, tracking_code=f"9{gid:011d}", channel="api", programme_id=prog,
                                 category_id=cat, area_id=a, office_id=office_by_union[a], level="union",
                                 status="received", is_open=True, sensitive=False, description="bench",
                                 language="en", received_at=now, clock_started_at=now, clock_kind="grievance",
                                 ack_due_at=far, due_at=far, paused_working_days=0, extended=False,
                                 ack_breached=False, overdue_flagged=False, escalation_count=0, appeal_count=0,
                                 event_count=0, version=1, updated_at=now))
                links.append(dict(grievance_id=gid, office_id=office_by_union[a]))
            db.session.execute(sa.insert(Grievance), rows)
            db.session.execute(sa.insert(GrievanceOffice), links)
            db.session.commit()
        r["bulk_insert_s"] = time.perf_counter() - t
        if name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        r["open"] = db.session.scalar(sa.select(sa.func.count()).select_from(Grievance).where(Grievance.is_open))

        # The sweep: its cost should follow what is due.
        sweep_now = now + timedelta(days=1)
        r["sweeps"] = []
        for due in DUE_STEPS:
            if due:
                ids = db.session.scalars(sa.select(Grievance.id).where(
                    Grievance.is_open, Grievance.due_at == far).limit(due)).all()
                db.session.execute(sa.update(Grievance).where(Grievance.id.in_(ids)).values(
                    due_at=now + timedelta(hours=1), ack_due_at=far))
                db.session.commit()
            result, s = timed(sweep, sweep_now)
            r["sweeps"].append((due, len(result.escalated), s))
        _, r["idle_sweep_after_s"] = timed(sweep, sweep_now)

        # Staff inbox: a union officer and a district supervisor over the whole table.
        in_uow(create_user, "bench.officer@x.org", "password123", "officer", office_code=f"OFF-{unions[0]}")
        district = db.session.scalar(sa.select(Area.code).where(Area.level == "district"))
        in_uow(create_user, "bench.sup@x.org", "password123", "supervisor", area_code=district)
        for label, email in (("union officer", "bench.officer@x.org"), ("district supervisor", "bench.sup@x.org")):
            user = db.session.scalar(sa.select(User).where(User.email == email))
            q = queries.visible_query(user).order_by(Grievance.due_at, Grievance.received_at).limit(50)
            db.session.scalars(q).all()
            samples = [timed(lambda: db.session.scalars(q).all())[1] for _ in range(5)]
            r.setdefault("inbox_ms", []).append((label, statistics.median(samples) * 1000))

        client = app.test_client()
        code = db.session.scalar(sa.select(Grievance.tracking_code).where(Grievance.event_count > 0).limit(1))
        client.get(f"/track/{code}")
        samples = [timed(client.get, f"/track/{code}")[1] for _ in range(20)]
        r["track_ms"] = statistics.median(samples) * 1000
        db.session.remove()
        db.engine.dispose()
    return r


def render(results: list[dict]) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Performance", "",
        f"Measured by `make bench` (bench/run.py) on {now}: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}, PostgreSQL 15 "
        "(started by the benchmark with fsync off — durability settings of production would slow writes, "
        "not reads). Figures are one run on a shared 2-core machine: read them as orders of magnitude. "
        f"This run: SIZE={SIZE} (`make bench SIZE=small` runs every benchmark at about a tenth of its size, in "
        "minutes; `make bench`, SIZE=full, at issue 14's sizes; bench/run.py's docstring says what each scales).", "",
        "## Importing the full Bangladesh hierarchy (`grs import-areas --with-offices`)", "",
        "| backend | areas | offices | first import | re-run (no changes) |", "|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['backend']} | {r['areas']:,} | {r['offices']:,} | {r['import_s']:.1f} s | "
                     f"{r['reimport_s']:.1f} s |")
    lines += ["", f"## Lodging through the service ({LODGES} grievances in random unions)", "",
              "Validation, routing up the area chain, deadlines from the working-day calendar, two hash-chained "
              "events, the office notification and the SMS receipt in the outbox: one transaction.", "",
              "| backend | median | 95th percentile | loop rate (no HTTP; see below) |", "|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['backend']} | {r['lodge_p50_ms']:.1f} ms | {r['lodge_p95_ms']:.1f} ms | "
                     f"{r['lodge_per_s']:.0f} /s |")
    lines += ["", "## The escalation sweep against what is due", "",
              f"{BACKGROUND_OPEN:,} open grievances with deadlines weeks away (bulk-inserted), then growing "
              "numbers made overdue. The sweep starts from the deadline index, so a pass with nothing due is "
              "near-instant however many grievances are open, and a busy pass costs in proportion to the "
              "grievances it escalates (each in its own transaction: breach event, escalation event, new "
              "clock, two messages).", "",
              "| backend | open | due | escalated | sweep time | per escalation |", "|---|---|---|---|---|---|"]
    for r in results:
        for due, escalated, s in r["sweeps"]:
            per = f"{s / escalated * 1000:.1f} ms" if escalated else "—"
            lines.append(f"| {r['backend']} | {r['open']:,} | {due:,} | {escalated:,} | {s * 1000:.0f} ms | {per} |")
        lines.append(f"| {r['backend']} | {r['open']:,} | 0 (again) | 0 | {r['idle_sweep_after_s'] * 1000:.0f} ms | — |")
    lines += ["", "## Reads", "", "| backend | query | median |", "|---|---|---|"]
    for r in results:
        for label, ms in r["inbox_ms"]:
            lines.append(f"| {r['backend']} | inbox page (50 rows) for a {label} | {ms:.1f} ms |")
        lines.append(f"| {r['backend']} | public track page (test client, full render) | {r['track_ms']:.1f} ms |")
    lines += ["", "Reproduce: `make bench` (env `GRS_BENCH_OPEN`, `GRS_BENCH_LODGES` change the sizes).", ""]
    return "\n".join(lines)


def render_stats(r: dict) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [STATS_BEGIN, f"## Statistics: `GET /api/v1/stats` and the dashboard at {r['grievances']:,} grievances", "",
             f"Measured by `make bench` (bench/stats.py) on {now}: {platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}. Target: p50 under 500 ms.", "", *stats_bench.render(r), "",
             f"Reproduce: `make bench` ({'SIZE=small: 100,000' if r['grievances_asked'] < 1_000_000 else '1,000,000'} "
             "grievances; `BENCH_ONLY=stats` for this table alone; the data set: "
             "`bench/generate.py`, below).", STATS_END, ""]
    return "\n".join(lines)


def _kept_stats(path: str, begin_marker: str = STATS_BEGIN, end_marker: str = STATS_END) -> str:
    """The statistics (or another generated) table already on the page (kept when this run did not measure it)."""
    try:
        with open(path, encoding="utf-8") as fh:
            current = fh.read()
    except FileNotFoundError:
        return ""
    _, begin, rest = current.partition(begin_marker)
    block, end, _ = rest.partition(end_marker)
    return begin_marker + block + end_marker + "\n" if begin and end else ""


def bench_sweep(url: str) -> dict:
    """bench/sweep.py on copies of the statistics data set: the batch path (profiled) and the reference."""
    print("bench: sweep (batch path, then the per-grievance reference) ...", flush=True)
    batch = sweep_bench.run(url, path="batch", profile=os.path.join(PROFILES, "sweep-batch"))
    sweep_bench.write_results(batch, SIZE)  # bench/results/sweep.json: the three sweep targets
    reference = sweep_bench.run(url, path="per-grievance", limit=SWEEP_REFERENCE)
    return {"results": [batch, reference]}


def render_sweep(s: dict) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    batch, reference = s["results"]
    d = batch["durability"]
    lines = [SWEEP_BEGIN, f"## Sweep: one pass at {batch['grievances']:,} grievances, {batch['due']:,} of them overdue", "",
             f"Measured by `make bench` (bench/sweep.py) on {now}: {platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}, PostgreSQL {batch['server']} (fsync {d['fsync']}, "
             f"synchronous_commit {d['synchronous_commit']}). Targets: the busy pass under 10 s, a pass with nothing "
             "due under 0.1 s, memory that does not grow with what is due. Each pass runs in its own process on a "
             "copy of the data set; peak RSS is that process's. The per-grievance path (one transaction per "
             f"grievance, `sweep(now, per_grievance=True)`) sweeps {SWEEP_REFERENCE:,} of the same overdue grievances "
             "as the reference.", "", *sweep_bench.render([batch, reference]), "",
             "Where the batch pass's time went (seconds): " + ", ".join(
                 f"{k} {v:.2f}" for k, v in batch["busy"].get("parts", {}).items() if ":" not in k) + ".",
             f"Profile: `bench/profiles/sweep-batch.txt` (py-spy, wall clock; `.raw`: the collapsed stacks).",
             "", "Reproduce: `make bench` (the statistics data set), or `python bench/sweep.py --url ...`; "
             "`BENCH_ONLY=sweep` for this table alone.", SWEEP_END, ""]
    return "\n".join(lines)


def _put_block(path: str, block: str, begin_marker: str, end_marker: str) -> None:
    """Replace the page's generated block between the markers (or add it above the hand-written part)."""
    with open(path, encoding="utf-8") as fh:
        current = fh.read()
    kept = _kept_stats(path, begin_marker, end_marker)
    current = current.replace(kept, block) if kept else current.replace(HAND_WRITTEN, block + "\n" + HAND_WRITTEN)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(current)


def bench_stats(then=None) -> dict | None:
    size = os.environ.get("SIZE") or "full"
    if size not in STATS_SIZES:
        sys.exit(f"bench: SIZE is small or full, not {size!r}")
    grievances, overdue = STATS_SIZES[size]
    url = os.environ.get("GRS_BENCH_PG_URL")
    print(f"bench: statistics at {grievances:,} grievances ...", flush=True)
    only_sweep = os.environ.get("BENCH_ONLY") == "sweep"

    def measure(db_url):
        # The sweep alone still needs the data set: the statistics run fills it, timed once.
        r = stats_bench.run(db_url, grievances, overdue, **({"repeat": 1, "gunicorn": False} if only_sweep else {}))
        if not only_sweep:  # one request per query (the sweep's data set only) is no measurement
            print(f"bench: {stats_bench.write_results(r, size)}")
        if then is not None:
            r["sweep"] = then(db_url)
        return r

    if url:
        return measure(url)
    reason = pgserver.available()
    if reason:
        print(f"bench: statistics skipped: {reason}")
        return None
    # Production durability (deploy/postgresql.conf, memory scaled), as the targets are set for: the
    # statistics read, but the sweep measured on this data set afterwards commits.
    from intake import DurablePg

    server = DurablePg(port=STATS_PG_PORT).start()
    try:
        return measure(server.create_database("grs_stats"))
    finally:
        server.stop()


HAND_WRITTEN = "<!-- Below this line is written by hand (and by other benchmarks); make bench keeps it. -->"


def _hand_written(path: str) -> str:
    """The part of the page below the marker, kept as it is when the tables above are measured again."""
    try:
        with open(path, encoding="utf-8") as fh:
            current = fh.read()
    except FileNotFoundError:
        return "\n" + HAND_WRITTEN + "\n"
    _, marker, rest = current.partition(HAND_WRITTEN)
    return "\n" + HAND_WRITTEN + (rest if marker else "\n")


def main() -> None:
    if not os.path.exists(AREAS):
        sys.exit(f"bench: {AREAS} not found (the shared data folder sits beside the checkout)")
    out = os.path.join(ROOT, "docs", "performance.md")
    if os.environ.get("BENCH_ONLY") == "sweep":
        r = bench_stats(then=bench_sweep)
        if r is None:
            return
        block = render_sweep(r["sweep"])
        _put_block(out, block, SWEEP_BEGIN, SWEEP_END)
        print(block)
        print(f"bench: written to {out}")
        return
    for k, v in CHILD_ENV.items():
        os.environ.setdefault(k, v)
    if os.environ.get("BENCH_ONLY") == "exports":
        bench_exports()
        return
    if os.environ.get("BENCH_ONLY") == "targets":
        return
    if os.environ.get("BENCH_ONLY") == "intake":
        bench_intake()
        return
    if os.environ.get("BENCH_ONLY") == "twohosts":
        bench_twohosts()
        return
    if os.environ.get("BENCH_ONLY") == "stats":
        r = bench_stats()
        if r is None:
            return
        with open(out, encoding="utf-8") as fh:
            current = fh.read()
        block = render_stats(r)
        kept = _kept_stats(out)
        current = current.replace(kept, block) if kept else current.replace(HAND_WRITTEN, block + "\n" + HAND_WRITTEN)
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(current)
        print(block)
        print(f"bench: written to {out}")
        return
    results = []
    tmp = tempfile.mkdtemp(prefix="grs-bench-")
    print("bench: SQLite ...", flush=True)
    results.append(bench_backend("sqlite", "sqlite:///" + os.path.join(tmp, "bench.sqlite3")))
    reason = pgserver.available()
    if reason:
        print(f"bench: PostgreSQL skipped: {reason}")
    else:
        print("bench: PostgreSQL ...", flush=True)
        server = pgserver.PgServer().start()
        try:
            results.append(bench_backend("postgresql", server.create_database("grs_bench")))
        finally:
            server.stop()
    text = render(results)
    r = bench_stats(then=bench_sweep)
    text += "\n" + (render_stats(r) if r is not None else _kept_stats(out))
    text += "\n" + (render_sweep(r["sweep"]) if r is not None else _kept_stats(out, SWEEP_BEGIN, SWEEP_END))
    text += _hand_written(out)
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(text)
    print(f"bench: written to {out}")
    bench_intake()
    bench_exports()
    bench_twohosts()


def bench_intake() -> None:
    """The intake benchmark (bench/intake.py): gunicorn, the intake worker, wrk, pgbench -N; it rewrites its own
    block of the page (between <!-- intake:begin --> and <!-- intake:end -->, below the hand-written marker)."""
    import shutil
    import subprocess

    if shutil.which("wrk") is None or pgserver.available():
        print("bench: intake skipped (needs wrk and PostgreSQL 15)")
        return
    print("bench: intake (gunicorn + the intake worker under wrk, then pgbench -N) ...", flush=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "intake.py")], check=True)


def bench_twohosts() -> None:
    """bench/twohosts.py: two hosts' worth of processes on one database, nothing lost or twice; it writes its own
    block of the page (<!-- twohosts:begin --> ... <!-- twohosts:end -->) and bench/results/twohosts.json."""
    import shutil
    import subprocess

    if shutil.which("wrk") is None or pgserver.available():
        print("bench: twohosts skipped (needs wrk and PostgreSQL 15)")
        return
    print("bench: two hosts on one database (nothing lost, nothing twice) ...", flush=True)
    # A failed check exits 1 but its table and results file are written (NOT met): the other steps still run.
    if subprocess.run([sys.executable, os.path.join(ROOT, "bench", "twohosts.py")]).returncode:
        print("bench: twohosts: a check failed or the run broke (see above)", file=sys.stderr)


def bench_exports() -> None:
    """bench/exports.py at this SIZE: it writes its own block of the page and bench/results/exports.json."""
    import subprocess

    if pgserver.available():
        print("bench: exports on PostgreSQL skipped (needs PostgreSQL 15); SQLite only")
    print("bench: exports and paper imports ...", flush=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "exports.py"), "--size", SIZE], check=True)


def write_targets(path: str = os.path.join(ROOT, "docs", "performance.md")) -> None:
    """The render step: the targets table at the top of the page, from every bench/results/*.json."""
    import results

    with open(path, encoding="utf-8") as fh:
        current = fh.read()
    block = results.render(results.load_all())
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(results.put_block(current, block))
    print(block)
    print(f"bench: targets written to {path}")


if __name__ == "__main__":
    main()
    write_targets()
