"""The sweep benchmark: one pass over a national data set with M of its open grievances overdue, then a pass
with nothing due, each in its own child process (time, and its peak memory: the child's max RSS).

    python bench/sweep.py --url postgresql+psycopg://postgres@/grs_1m?host=/tmp/bench-pg&port=55490 \
        [--path batch|per-grievance] [--profile bench/profiles/sweep-after]

The data set (bench/generate.py --grievances 1000000 --overdue 100000) is never changed: each run sweeps a
copy of it (CREATE DATABASE ... TEMPLATE, dropped afterwards). `--limit K` leaves only K of the overdue
grievances due in the copy (the others' deadlines move a year on), to see how a pass grows with what is due.
`--profile PREFIX` runs the busy pass under py-spy and writes PREFIX.raw (collapsed stacks: feed them to
flamegraph.pl or speedscope) and PREFIX.txt (the functions with the most samples). `--batch N` sweeps N
grievances to a unit of work. `--results` writes bench/results/sweep.json (the issue's three sweep targets, met
or not, with the load average: the machine is shared). bench/run.py calls `run` and writes the table to
docs/performance.md.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))  # bench/results.py

COPY = "grs_sweep"
IDLE_REPEAT = 5  # passes with nothing due after the busy one, in its process (their median is reported)


def _admin_engine(url: str):
    return sa.create_engine(sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def copy_database(url: str, name: str = COPY) -> str:
    """A fresh copy of the data set (the sweep changes what it sweeps); its URL."""
    src = sa.engine.make_url(url)
    eng = _admin_engine(url)
    with eng.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        # FILE_COPY: the files copied after a checkpoint (PostgreSQL 15's default strategy writes the whole data
        # set through the WAL, minutes for the 7 GB of a million grievances).
        strategy = " STRATEGY FILE_COPY" if c.dialect.server_version_info >= (15,) else ""
        c.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{src.database}"{strategy}'))
    eng.dispose()
    return src.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, name: str = COPY) -> None:
    eng = _admin_engine(url)
    with eng.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    eng.dispose()


def sweep_time(url: str) -> tuple[datetime, int]:
    """A `now` for the pass that the data set fixes (so every run sweeps the same grievances): a minute
    before the earliest deadline still ahead of the data set's overdue ones; and how many are overdue then."""
    eng = sa.create_engine(url)
    with eng.connect() as c:
        wall = datetime.now(timezone.utc)
        ahead = c.execute(sa.text("SELECT min(due_at) FROM grievances WHERE is_open AND due_at >= :w"),
                          {"w": wall}).scalar()
        now = (ahead or wall + timedelta(hours=1)) - timedelta(minutes=1)
        due = c.execute(sa.text("SELECT count(*) FROM grievances WHERE is_open AND office_id IS NOT NULL AND "
                                "paused_at IS NULL AND due_at < :n AND NOT overdue_flagged"), {"n": now}).scalar()
    eng.dispose()
    return now, due


def leave_due(url: str, now: datetime, limit: int) -> None:
    """Only `limit` of the overdue grievances stay due: the others' deadlines move to a year after `now` (a year
    after their own deadline is not enough: the data set has grievances more than a year overdue)."""
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(sa.text(
            "UPDATE grievances SET due_at = :n + interval '365 days' WHERE id IN (SELECT id FROM grievances "
            "WHERE is_open AND due_at < :n ORDER BY due_at, id OFFSET :k)"), {"n": now, "k": limit})
    with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(sa.text("VACUUM ANALYZE grievances"))
    eng.dispose()


def _rss_mib() -> float:
    """This process's resident memory now (Linux /proc), MiB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(url: str, now: datetime, path: str, passes: int = 1, batch: int | None = None) -> dict:
    """`passes` passes in this process at `now` (the scheduler's process runs one every few minutes): what
    the first did and how long each took, the process's peak memory, and its memory through the first pass
    (sampled every 0.2 s: memory that grows with what is due climbs as the pass goes on)."""
    import threading

    from escalation.sweep import sweep
    from grs import create_app
    from grs.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING", "SECRET_KEY": "bench"})
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))  # connect before the clock starts
        db.session.rollback()
        kw = {} if path == "current" else {"per_grievance": path == "per-grievance"}
        if batch:
            kw["batch"] = batch
        times, samples, stop = [], [], threading.Event()

        def sample(start=time.perf_counter()):
            while not stop.wait(0.2):
                samples.append((time.perf_counter() - start, _rss_mib()))

        sampler = threading.Thread(target=sample, daemon=True)
        for i in range(passes):
            if i == 0:
                samples.append((0.0, _rss_mib()))
                sampler.start()
            t = time.perf_counter()
            r = sweep(now, **kw)
            times.append(time.perf_counter() - t)
            if i == 0:
                stop.set()
                sampler.join()
                samples.append((times[0], _rss_mib()))
            result = r if i == 0 else result
        seconds = times[0]
        db.session.remove()
    try:
        from escalation.batch import TIMINGS  # where the batch path's time went
    except ImportError:  # the per-grievance sweep before batches
        TIMINGS = {}
    parts = {k: round(v, 3) for k, v in sorted(TIMINGS.items(), key=lambda kv: -kv[1])}
    def n(name):  # the codes a result keeps, and those it only counted (escalation.sweep.SweepResult.more)
        return len(getattr(result, name)) + getattr(result, "more", {}).get(name, 0)

    return {"seconds": seconds, "again_seconds": times[1:], "parts": parts,
            **{name: n(name) for name in ("escalated", "flagged", "ack_breached", "warned", "closed", "unpaused")},
            "conflicts": result.conflicts,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_mib": _through(samples)}


def _through(samples: list[tuple[float, float]]) -> dict:
    """The resident memory at the start, a tenth, half and the end of the pass (MiB), from the samples."""
    end = samples[-1][0] or 1
    at = {}
    for name, share in (("start", 0), ("tenth", 0.1), ("half", 0.5), ("end", 1)):
        at[name] = round(min(samples, key=lambda s: abs(s[0] - share * end))[1], 1)
    return at


def _run_child(url: str, now: datetime, path: str, profile: str | None, passes: int = 1,
               batch: int | None = None) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", "--url", url, "--now", now.isoformat(),
           "--path", path, "--passes", str(passes), *(["--batch", str(batch)] if batch else [])]
    spy = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    if profile and not os.path.exists(spy):
        print("bench/sweep.py: no profile: py-spy is not installed (pip install -e '.[bench]')", file=sys.stderr)
        profile = None
    if profile:
        os.makedirs(os.path.dirname(os.path.abspath(profile)), exist_ok=True)
        cmd = [spy, "record", "--rate", "50", "--idle", "--format", "raw", "--output", profile + ".raw", "--", *cmd]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0 or "{" not in out.stdout:
        sys.stderr.write(out.stdout[-5000:] + out.stderr[-5000:])
        raise RuntimeError(f"bench/sweep.py: the pass failed (exit {out.returncode})")
    r = json.loads([x for x in out.stdout.splitlines() if x.startswith("{")][-1])
    if profile:
        r["profile"] = summarise(profile)
    return r


def summarise(prefix: str, top: int = 25) -> str:
    """PREFIX.txt from PREFIX.raw (py-spy's collapsed stacks, kept beside it): the functions with the most
    samples, inclusive and own, in our code and in the libraries."""
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0
    with open(prefix + ".raw", encoding="utf-8") as fh:
        for line in fh:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            if not n.isdigit():
                continue
            n = int(n)
            frames = stack.split(";")
            if any(f.startswith("sample (") or f.startswith("child.<locals>.sample (") for f in frames):
                continue  # the memory sampler's thread (`child`), waiting between samples
            total += n
            for f in set(frames):
                inclusive[_short(f)] += n
            own[_short(frames[-1])] += n
    lines = [f"{total} samples at 50 Hz (the pass's thread; the memory sampler's left out)", "",
             "inclusive (share of samples with the function on the stack):"]
    lines += [f"  {n / total:6.1%}  {f}" for f, n in inclusive.most_common(top)]
    lines += ["", "own (share of samples in the function itself):"]
    lines += [f"  {n / total:6.1%}  {f}" for f, n in own.most_common(top)]
    with open(prefix + ".txt", "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return prefix + ".txt"


def _short(frame: str) -> str:
    """'fn (/path/to/grs/x.py:12)' -> 'fn (grs/x.py)'."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("/site-packages/", "/work/main/", ROOT + "/"):
        if marker in where:
            where = where.split(marker, 1)[1]
            break
    return f"{name} ({where})"


def run(url: str, *, path: str = "batch", limit: int | None = None, profile: str | None = None,
        copy_name: str = COPY, batch: int | None = None) -> dict:
    """Sweep a copy of the data set at `url`: the busy pass, then the pass with nothing due."""
    copy = copy_database(url, copy_name)
    try:
        if path != "current":  # this checkout's schema (the sweep before batches ran on the data set's own)
            subprocess.run([os.path.join(os.path.dirname(sys.executable), "grs"), "db", "upgrade"], check=True,
                           capture_output=True, cwd=ROOT, env={**os.environ, "GRS_DATABASE_URL": copy})
        now, due = sweep_time(copy)
        if limit is not None and limit < due:
            leave_due(copy, now, limit)
            due = limit
        eng = sa.create_engine(copy)
        with eng.connect() as c:
            open_ = c.execute(sa.text("SELECT count(*) FROM grievances WHERE is_open")).scalar()
            total = c.execute(sa.text("SELECT count(*) FROM grievances")).scalar()
            durability = {k: c.execute(sa.text(f"SHOW {k}")).scalar() for k in ("fsync", "synchronous_commit")}
            version = c.execute(sa.text("SHOW server_version")).scalar()
        eng.dispose()
        # The busy pass, then in the same process the passes with nothing due (a running scheduler's);
        # then a pass with nothing due in a process of its own (the first pass after a start).
        load = [round(x, 2) for x in os.getloadavg()]  # the machine is shared: each figure says how busy it was
        busy = _run_child(copy, now, path, profile, passes=1 + IDLE_REPEAT, batch=batch)
        busy["load_average"] = [round(x, 2) for x in os.getloadavg()]
        busy["load_average_before"] = load
        idle = _run_child(copy, now, path, None, batch=batch)
        idle["load_average"] = [round(x, 2) for x in os.getloadavg()]
        idle["warm_seconds"] = sorted(busy.pop("again_seconds"))[IDLE_REPEAT // 2] if IDLE_REPEAT else None
        return {"path": path, "now": now.isoformat(), "grievances": total, "open": open_, "due": due,
                "busy": busy, "idle": idle, "durability": durability, "server": version,
                "batch": batch, "profile": _relative(profile + ".txt") if profile else None}
    finally:
        drop_database(url, copy_name)


def _relative(path: str) -> str:
    path = os.path.abspath(path)
    return os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path


def targets(r: dict) -> list[dict]:
    """Issue 14's sweep targets judged from a batch run (`run`): the busy pass under 10 s, a pass with nothing
    due under 0.1 s (in the scheduler's process: a running scheduler's next pass), and memory that does not grow
    with what is due (the busy pass's resident memory at its end no more than 10% above its memory half-way,
    when half as many had been handled; its peak shown beside that of a pass with nothing due)."""
    import results

    b, i = r["busy"], r["idle"]
    grievances, due = f"{r['grievances']:,}", f"{r['due']:,}"
    load = f"load average {b['load_average_before'][0]}-{b['load_average'][0]}"
    rss = b["rss_mib"]
    warm = i.get("warm_seconds")
    return [
        results.target(f"sweep {due} due of {grievances}",
                       f"{b['seconds']:.1f} s ({b['seconds'] / max(r['due'], 1) * 1000:.2f} ms per due; {load})",
                       "< 10 s", b["seconds"] < 10, r.get("profile"), why=_why_slow(b)),
        results.target("sweep with nothing due",
                       f"{warm * 1000:.0f} ms in the scheduler's process (median of {IDLE_REPEAT}); "
                       f"{i['seconds'] * 1000:.0f} ms as a fresh process's first pass" if warm is not None else
                       f"{i['seconds'] * 1000:.0f} ms (fresh process)",
                       "< 0.1 s", (warm if warm is not None else i["seconds"]) < 0.1, None),
        results.target("sweep memory not growing with what is due",
                       f"RSS {rss['tenth']:.0f} MiB a tenth into the busy pass, {rss['half']:.0f} at half, "
                       f"{rss['end']:.0f} at its end (peak {b['peak_mib']:.0f}; nothing due: {i['peak_mib']:.0f})",
                       "flat from half-way to the end", rss["end"] <= rss["half"] * 1.1, r.get("profile")),
    ]


def _why_slow(busy: dict) -> str:
    """Why the busy pass takes what it takes: where its time went (escalation.batch.TIMINGS)."""
    parts = {k: v for k, v in (busy.get("parts") or {}).items() if ":" not in k}  # "counters: read" is in counters
    total = sum(parts.values())
    top = ", ".join(f"{k} {v:.1f} s" for k, v in list(parts.items())[:4])
    where = (f"its {total:.0f} s of measured parts go to {top} (escalation.batch.TIMINGS; the profile beside it). "
             if parts else "")
    return (where + "The floor is the rows 100,000 escalations write under production durability: a counter row each "
            "with its roll-ups (14 grouped upserts a batch, kept equal at every commit), the grievance row updated "
            "in every one of its indexes (a new deadline and office: no HOT update), two events and two messages. "
            "Getting to 10 s needs one of three designs, none built: roll-ups folded in after the pass from a "
            "durable queue (giving up \"equal at every commit\"), fewer indexes on grievances, or the Python rules "
            "overlapped with the writes (two sweeps at once, which SKIP LOCKED already makes safe).")


def write_results(r: dict, size: str) -> str:
    """bench/results/sweep.json from a batch run (bench/results.py's format)."""
    import results

    load = r["busy"]["load_average"]
    return results.write("sweep", targets(r), size=size, load=load)


def render(results: list[dict]) -> list[str]:
    lines = ["| sweep | grievances (open) | due | pass | escalated | flagged | warned | time | per due | peak RSS |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        b, i = r["busy"], r["idle"]
        head = f"| {r['path']} | {r['grievances']:,} ({r['open']:,}) | {r['due']:,} |"
        per = f"{b['seconds'] / r['due'] * 1000:.2f} ms" if r["due"] else "—"
        lines.append(f"{head} busy | {b['escalated']:,} | {b['flagged']:,} | {b['warned']:,} | {b['seconds']:.2f} s | "
                     f"{per} | {b['peak_mib']:.0f} MiB |")
        if i.get("warm_seconds") is not None:
            lines.append(f"{head} nothing due (scheduler's process, median of {IDLE_REPEAT}) | 0 | 0 | 0 | "
                         f"{i['warm_seconds'] * 1000:.0f} ms | — | (in the above) |")
        lines.append(f"{head} nothing due (fresh process) | {i['escalated']:,} | {i['flagged']:,} | {i['warned']:,} | "
                     f"{i['seconds'] * 1000:.0f} ms | — | {i['peak_mib']:.0f} MiB |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default=os.environ.get("GRS_DATABASE_URL"))
    ap.add_argument("--path", default="batch", choices=("batch", "per-grievance", "current"))
    ap.add_argument("--limit", type=int)
    ap.add_argument("--profile")
    ap.add_argument("--copy", default=COPY, help="the name of the throwaway copy swept")
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--now")
    ap.add_argument("--passes", type=int, default=1)
    ap.add_argument("--batch", type=int, help="grievances per unit of work (default: escalation.sweep.BATCH)")
    ap.add_argument("--results", action="store_true",
                    help="write bench/results/sweep.json from this run (a batch run of the whole data set)")
    args = ap.parse_args()
    if not args.url:
        sys.exit("bench/sweep.py: give --url or GRS_DATABASE_URL (a PostgreSQL database from bench/generate.py)")
    if args.child:
        print(json.dumps(child(args.url, datetime.fromisoformat(args.now), args.path, args.passes, args.batch)),
              flush=True)
        return
    r = run(args.url, path=args.path, limit=args.limit, profile=args.profile, copy_name=args.copy, batch=args.batch)
    print(json.dumps(r, indent=1))
    print("\n".join(render([r])))
    if args.results:
        size = "full" if r["grievances"] >= 1_000_000 else "small"  # make bench's SIZE names
        print(f"bench/sweep.py: written {write_results(r, size)}")


if __name__ == "__main__":
    main()
