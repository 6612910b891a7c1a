"""Two app hosts' worth of processes against one PostgreSQL (issue 14, item 5): nothing lost, nothing twice.

On one PostgreSQL 15 with production durability (bench/intake.py's DurablePg, port 55492, sockets under
/tmp/g-pg), as two hosts would run them:
- two gunicorns with the repo's gunicorn.conf.py (ports 5661 and 5662), two intake workers (`grs intake
  work`), two outbox dispatchers (`grs outbox work`), two schedulers (`grs scheduler`), and two one-off
  sweeps (`grs sweep`, one per host) started with the schedulers, so three sweeps race over the overdue set
  (in batches of SWEEP_BATCH instead of 1,000, so that their batches interleave);
- wrk, 8 connections split over both gunicorns (bench/wrk_at_sms.lua), posting unique Africa's Talking SMS;
- before the load: grievances long overdue (tests/durability/race.py's set) and SMS queued in the outbox.
The dispatchers and schedulers send through a recording gateway (below): each send is one line, fsynced, in
a file per process, so sends can be counted per message afterwards.

After the load, once the workers have drained: every id answered 2xx stored once and turned into one
grievance; each overdue grievance escalated once (row and events), the fresh ones untouched, the counters
equal to a recount, `grs audit verify` passes; every outbox message sent exactly once; one scheduler held the
leadership at a time (pg_locks sampled every 0.1 s). Then the leading scheduler is killed (SIGKILL) and the
time until the other leads is measured. Last, one dispatcher alone is killed (SIGKILL) in the middle of its
batches and a pass runs as if its lease had run out: nothing is lost, and at most the message it had in flight
(taken by the gateway, not yet recorded as sent) goes twice: the outbox is at-least-once at the provider.

Run: `.venv/bin/python bench/twohosts.py` (writes the "twohosts" block of docs/performance.md and
bench/results/twohosts.json; `make bench` runs it, `BENCH_ONLY=twohosts` alone), `--no-write` to only print.
Env GRS_BENCH_TWOHOSTS_SECONDS (20): the length of the load.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BIN = os.path.join(ROOT, ".venv", "bin")
PG_PORT = 55492
SOCKETS = "/tmp/g-pg"
HOSTS = (("a", 5661), ("b", 5662))
CLIENTS = 8  # wrk connections in all, half on each host
SECONDS = int(os.environ.get("GRS_BENCH_TWOHOSTS_SECONDS") or 20)
N_OVERDUE, N_FRESH, N_QUEUED = 300, 20, 1000
N_KILL, KILL_AFTER = 300, 60  # SMS queued for the dispatcher killed mid-batch; killed after this many sends
KILL_PREFIX = "+8801829"  # their recipients' numbers
N_AFTER, AFTER_PREFIX = 20, "+8801839"  # SMS queued after the leader's death, for the new leader to send
SWEEP_BATCH = 25  # grievances per sweep batch in this run's schedulers and sweeps
SEND_SECONDS = 0.005  # the recording gateway's pause per send, as a provider's answer takes a moment
ADVISORY_KEY = 0x67727301  # escalation/scheduler.py ADVISORY_LOCK_KEY (pg_try_advisory_lock(bigint))
BEGIN, END = "<!-- twohosts:begin -->", "<!-- twohosts:end -->"
RESULTS = os.path.join(ROOT, "bench", "results", "twohosts.json")
TARGET = "two hosts: nothing lost, nothing twice"
KILL_TARGET = "a dispatcher killed mid-batch: nothing lost, at most its message in flight twice"
FINAL = ("sent", "delivered", "suppressed")  # outbox statuses a message ends in without going out again


# ---------------------------------------------------------------- the checks (pure: tests/unit/test_twohosts_tally.py)


def send_key(recipient: str, body: str) -> str:
    """What identifies a message at the provider: its recipient and text (hashed: no personal data on disk)."""
    return hashlib.sha256(f"{recipient}\0{body}".encode()).hexdigest()[:32]


def tally_sends(rows: list[tuple[int, str, str, str | None]], sends: list[tuple[str, str]]) -> dict:
    """Outbox rows (id, status, send_key, provider_message_id) against the gateway's record of sends (id, send_key).

    A message sent twice shows as a second send of the same key with an id no row holds (the row keeps the id
    of its last send); a lost one as a row that never reached a final status, or one marked sent that the
    gateway never saw."""
    rows_by_key = Counter(key for _, status, key, _ in rows if status in ("sent", "delivered"))
    sends_by_key = Counter(key for _, key in sends)
    send_ids = Counter(i for i, _ in sends)
    sent_rows = [r for r in rows if r[1] in ("sent", "delivered")]
    twice = sum(max(0, n - rows_by_key[k]) for k, n in sends_by_key.items())
    unseen = sum(max(0, n - sends_by_key[k]) for k, n in rows_by_key.items())
    wrong_id = sum(1 for _, _, _, pid in sent_rows if send_ids[pid] != 1)
    over = {k for k, n in sends_by_key.items() if n > rows_by_key[k]}
    once = sum(1 for _, _, key, pid in sent_rows if send_ids[pid] == 1 and key not in over)
    by_status = Counter(status for _, status, _, _ in rows)
    not_final = sum(n for s, n in by_status.items() if s not in FINAL)
    return {"rows": len(rows), "sends": len(sends), "sent_once": once, "twice": twice,
            "sent_unseen": unseen, "wrong_id": wrong_id, "not_sent": not_final, "by_status": dict(by_status),
            "ok": twice == 0 and unseen == 0 and wrong_id == 0 and not_final == 0 and len(sends) == len(sent_rows)}


def tally_escalations(rows: dict[str, tuple[int, str]], events: Counter, overdue: list[str],
                      fresh: list[str]) -> dict:
    """Each overdue grievance escalated exactly once (escalation_count, level, one `escalated` and one
    `deadline_breached` event); the fresh ones untouched. rows: code -> (escalation_count, level);
    events: (code, type) -> n."""
    once = [c for c in overdue if rows[c] == (1, "upazila") and events[(c, "escalated")] == 1
            and events[(c, "deadline_breached")] == 1]
    never = [c for c in overdue if rows[c][0] == 0 and events[(c, "escalated")] == 0]
    more = [c for c in overdue if rows[c][0] > 1 or events[(c, "escalated")] > 1 or events[(c, "deadline_breached")] > 1]
    touched = [c for c in fresh if rows[c] != (0, "union") or events[(c, "escalated")]]
    return {"overdue": len(overdue), "once": len(once), "never": len(never), "more_than_once": len(more),
            "other": len(overdue) - len(once) - len(never) - len(more), "fresh_touched": len(touched),
            "ok": len(once) == len(overdue) and not touched}


def tally_inbound(answered: list[str], rows: list[tuple[str, int | None, str, str | None, str | None]],
                  sms_grievances: list[int]) -> dict:
    """Every id answered 2xx stored exactly once and turned into exactly one grievance. rows: (provider message
    id, grievance id, status, reserved tracking code, the grievance's tracking code) of every inbound message;
    sms_grievances: the ids of every grievance lodged by SMS."""
    stored = Counter(r[0] for r in rows)
    missing = sum(1 for i in answered if stored[i] == 0)
    twice = sum(1 for i in answered if stored[i] > 1)
    by_id = {r[0]: r for r in rows}
    no_grievance = sum(1 for i in answered if stored[i] and by_id[i][1] is None)
    per_grievance = Counter(r[1] for r in rows if r[1] is not None)
    shared = sum(1 for n in per_grievance.values() if n > 1)
    orphans = len(set(sms_grievances) - set(per_grievance))
    other_code = sum(1 for r in rows if r[1] is not None and r[3] != r[4])
    status = Counter(r[2] for r in rows)
    return {"answered": len(answered), "stored": len(rows), "missing": missing, "twice": twice,
            "without_grievance": no_grievance, "grievance_shared": shared, "sms_grievances": len(sms_grievances),
            "orphan_grievances": orphans, "code_differs": other_code, "status": dict(status),
            "ok": not (missing or twice or no_grievance or shared or orphans or other_code)
            and set(status) <= {"done"}}


def tally_leadership(samples: list[tuple[float, tuple[str, ...]]], acts: dict[str, list[float]] | None = None,
                     slack: float = 0.25) -> dict:
    """pg_locks samples (t, the application names holding the scheduler's advisory lock): the most holders at
    once, who led from when (a holder's first sample in each of its terms), and how many of each scheduler's
    acts (the times of its sends) fell outside its own terms (a term's samples, `slack` seconds either side:
    the samples are 0.1 s apart)."""
    terms: list[tuple[float, str]] = []
    spans: list[list] = []  # [name, first t, last t] of each run of samples with that one holder
    most = 0
    for t, holders in samples:
        most = max(most, len(holders))
        if len(holders) == 1 and (not terms or terms[-1][1] != holders[0]):
            terms.append((t, holders[0]))
        if len(holders) == 1 and spans and spans[-1][0] == holders[0] and spans[-1][3]:
            spans[-1][2] = t
        elif len(holders) == 1:
            spans.append([holders[0], t, t, True])
        elif spans:
            spans[-1][3] = False  # a sample with no holder ends the run
    outside = sum(1 for name, times in (acts or {}).items() for t in times
                  if not any(n == name and a - slack <= t <= b + slack for n, a, b, _ in spans))
    return {"samples": len(samples), "most_at_once": most, "terms": terms, "acted_outside": outside,
            "acts": sum(len(v) for v in (acts or {}).values()),
            "ok": most <= 1 and bool(terms) and outside == 0}


# ---------------------------------------------------------------- the processes


def recording_gateway(path: str, name: str):
    """A gateway that records each send as one fsynced line of `path` (send id, send key) and accepts it."""
    from channels.gateways import Gateway, Sent

    class RecordingGateway(Gateway):
        def __init__(self):
            self.name = "bench"
            self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self.n = 0
            self.lock = threading.Lock()

        def send(self, recipient: str, body: str) -> Sent:
            time.sleep(SEND_SECONDS)
            with self.lock:
                self.n += 1
                send_id = f"{name}-{os.getpid()}-{self.n}"
                line = {"id": send_id, "key": send_key(recipient, body), "t": round(time.time(), 4)}
                os.write(self.fd, (json.dumps(line) + "\n").encode())
                os.fsync(self.fd)  # the send is on disk before the dispatcher hears it went
            return Sent(self.name, send_id)

    return RecordingGateway()


def _role(role: str, name: str, sends_dir: str) -> None:
    """(In a subprocess.) `grs scheduler` or `grs outbox work` as the CLI runs them, sending through the
    recording gateway (put in the app's gateway cache, where channels/gateways.for_medium looks first)."""
    from grs import create_app
    from grs.timeutil import utcnow

    app = create_app()
    gateway = recording_gateway(os.path.join(sends_dir, f"{name}.jsonl"), name)
    app.extensions.setdefault("grs_gateways", {}).update(sms=gateway, email=gateway)
    with app.app_context():
        from escalation import sweep

        # Small sweep batches (1,000 in production), so the three sweeps' batches interleave over the overdue set.
        sweep.BATCH = SWEEP_BATCH
        if role == "sweep":  # `grs sweep`, in batches of SWEEP_BATCH; prints what it did, as the command does
            for line in sweep.sweep(utcnow()).lines():
                print(line)
            return
        if role == "scheduler":
            from escalation.scheduler import run_forever

            run_forever(app)
            return
        from channels import outbox

        if role == "outbox-later":  # one dispatcher's passes as if its dead neighbour's lease had run out
            now = utcnow() + outbox.CLAIM_LEASE + timedelta(minutes=1)
            while outbox.dispatch(now).attempted:
                pass
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
        outbox.work(stop=stop)


def _setup(url: str, out: str) -> None:
    """(In a subprocess.) Schema, the test world, the overdue and fresh grievances, SMS queued in the outbox."""
    import builders
    from durability.race import overdue_and_fresh
    from grs import create_app
    from grs.extensions import db
    from grs.notifications import queue_sms
    from grs.timeutil import utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"})
    with app.app_context():
        db.create_all()
        builders.make_world()
        db.session.commit()
        overdue, fresh = overdue_and_fresh(utcnow(), N_OVERDUE, N_FRESH)
        now = utcnow()
        for i in range(N_QUEUED):
            builders.run(queue_sms, f"+8801819{i:06d}", "closed", "en", now=now, code=f"7{i:011d}")
        db.session.commit()
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"overdue": overdue, "fresh": fresh}, fh)


class Monitor(threading.Thread):
    """Samples who holds the scheduler's advisory lock (by application name) every 0.1 s."""

    def __init__(self, pg):
        super().__init__(daemon=True)
        self.pg, self.stop, self.samples = pg, threading.Event(), []

    def holders(self, conn) -> tuple[str, ...]:
        return tuple(r[0] for r in conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid::bigint = %s",
            (ADVISORY_KEY,)).fetchall())

    def run(self) -> None:
        import psycopg

        with psycopg.connect(host=self.pg.root, port=self.pg.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            while not self.stop.is_set():
                self.samples.append((time.time(), self.holders(conn)))  # wall clock: the sends' clock
                self.stop.wait(0.1)


class Procs:
    """The processes of both hosts, each with its log and its PostgreSQL application name."""

    def __init__(self, env: dict, tmp: str):
        self.env, self.tmp, self.procs = env, tmp, {}

    def start(self, name: str, cmd: list[str], **env) -> subprocess.Popen:
        log = open(os.path.join(self.tmp, f"{name}.log"), "wb")
        p = subprocess.Popen(cmd, cwd=ROOT, env={**self.env, "PGAPPNAME": name, **env}, stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs[name] = p
        return p

    def log(self, name: str) -> str:
        with open(os.path.join(self.tmp, f"{name}.log"), encoding="utf-8", errors="replace") as fh:
            return fh.read()

    def stop(self, names=None, sig=signal.SIGTERM) -> None:
        names = list(names or self.procs)
        for n in names:
            if self.procs[n].poll() is None:
                os.killpg(self.procs[n].pid, sig)
        for n in names:
            try:
                self.procs[n].wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(self.procs[n].pid, signal.SIGKILL)
                self.procs[n].wait(10)


def _pg():
    """bench/intake.py's server with production durability, on this benchmark's port and socket folder."""
    import pgserver
    from intake import DurablePg

    class Pg(DurablePg):
        def __init__(self):
            super().__init__(PG_PORT)
            shutil.rmtree(self.root, ignore_errors=True)
            os.makedirs(SOCKETS, exist_ok=True)
            self.root = tempfile.mkdtemp(prefix="twohosts-", dir=SOCKETS)
            self.data = os.path.join(self.root, "data")
            if self._as_postgres:
                import pwd

                pw = pwd.getpwnam("postgres")
                os.chown(self.root, pw.pw_uid, pw.pw_gid)

        def stop(self) -> None:
            try:
                shutil.copy(os.path.join(self.root, "server.log"), os.path.join(SOCKETS, "twohosts-pg.log"))
            except OSError:
                pass
            pgserver.PgServer.stop(self)

    return Pg()


def _wait(what: str, fn, timeout: float, every: float = 0.5):
    t = time.monotonic()
    while time.monotonic() - t < timeout:
        if fn():
            return time.monotonic() - t
        time.sleep(every)
    raise RuntimeError(f"twohosts: {what} not within {timeout:.0f} s")


def run(seconds: int = SECONDS) -> dict:
    import sqlalchemy as sa
    from intake import KEY, _drain, _engine, _env, _wait_http

    tmp = tempfile.mkdtemp(prefix="twohosts-", dir=SOCKETS if os.path.isdir(SOCKETS) else None)
    sends_dir = os.path.join(tmp, "sends")
    os.makedirs(sends_dir)
    pg = _pg().start()
    r: dict = {"seconds": seconds, "clients": CLIENTS, "fsync": pg.show("fsync"),
               "synchronous_commit": pg.show("synchronous_commit"), "measured_at": _now_iso(),
               "load_before": list(os.getloadavg())}
    procs = Procs({}, tmp)
    monitor = Monitor(pg)
    try:
        url = pg.create_database("grs_twohosts")
        env = _env(ROOT, url)
        procs.env = env
        world = os.path.join(tmp, "world.json")
        t = time.monotonic()
        subprocess.run([sys.executable, os.path.abspath(__file__), "_setup", url, world], env=env, check=True,
                       cwd=ROOT)
        r["setup_s"] = time.monotonic() - t
        with open(world, encoding="utf-8") as fh:
            codes = json.load(fh)
        grs = os.path.join(BIN, "grs")
        me = [sys.executable, os.path.abspath(__file__), "_role"]
        for host, port in HOSTS:
            procs.start(f"web-{host}", [os.path.join(BIN, "gunicorn"), "-c", os.path.join(ROOT, "gunicorn.conf.py"),
                                        "grs:create_app()"], GRS_BIND=f"127.0.0.1:{port}")
        for _, port in HOSTS:
            _wait_http(port)
        r["web_workers"] = sum(len(_children(procs.procs[f"web-{h}"].pid)) for h, _ in HOSTS)
        lua = os.path.join(ROOT, "bench", "wrk_at_sms.lua")
        path = f"/hooks/sms/africastalking?key={KEY}"
        for host, port in HOSTS:  # warm each web worker (imports, first connection) before anything is counted
            subprocess.run(["wrk", "-t2", "-c2", "-d2s", "-s", lua, f"http://127.0.0.1:{port}"], check=True,
                           capture_output=True, env={**os.environ, "WRK_OUT": os.path.join(tmp, f"warm-{host}.txt"),
                                                     "WRK_RUN": f"warm{host}", "WRK_PATH": path})

        # Everything at once: both hosts' workers, schedulers and sweeps, then the load.
        monitor.start()
        for host, _ in HOSTS:
            procs.start(f"scheduler-{host}", [*me, "scheduler", f"scheduler-{host}", sends_dir], GRS_LOG_LEVEL="INFO")
            procs.start(f"sweep-{host}", [*me, "sweep", f"sweep-{host}", sends_dir])
            procs.start(f"intake-{host}", [grs, "intake", "work"])
            procs.start(f"outbox-{host}", [*me, "outbox", f"outbox-{host}", sends_dir])
        t0 = time.monotonic()
        wrks = {}
        for host, port in HOSTS:
            wrks[host] = subprocess.Popen(
                ["wrk", f"-t{CLIENTS // 2}", f"-c{CLIENTS // 2}", f"-d{seconds}s", "--timeout", "10s", "-s", lua,
                 f"http://127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                env={**os.environ, "WRK_OUT": os.path.join(tmp, f"ok-{host}.txt"), "WRK_RUN": f"twohosts{host}",
                     "WRK_PATH": path})
        for host, w in wrks.items():
            out, _ = w.communicate(timeout=seconds + 120)
            if w.returncode:
                raise RuntimeError(f"wrk on host {host}: {out[-500:]}")
        r["load_s"] = time.monotonic() - t0
        r["load_during"] = list(os.getloadavg())
        answered, r["wrk"] = [], {}
        for host, _ in HOSTS:
            with open(os.path.join(tmp, f"ok-{host}.txt.json"), encoding="utf-8") as fh:
                r["wrk"][host] = json.load(fh)
            with open(os.path.join(tmp, f"ok-{host}.txt"), encoding="utf-8") as fh:
                answered += [line.strip() for line in fh if line.strip()]
        for host, _ in HOSTS:
            if procs.procs[f"sweep-{host}"].wait(300):
                raise RuntimeError(f"grs sweep on host {host} failed: {procs.log(f'sweep-{host}')[-800:]}")

        # Drained: no inbound message pending, every overdue grievance escalated, no outbox message due.
        r["drain_s"] = _drain(url, timeout=1800)
        engine = _engine(url)
        overdue_left = sa.text("SELECT count(*) FROM grievances WHERE escalation_count = 0 "
                               "AND tracking_code = ANY(:codes)")
        # (A claimed row is `sending` with its lease ahead: counted, so no dispatcher is mid-batch at the kill.)
        due = sa.text("SELECT count(*) FROM outbox WHERE status = 'sending' "
                      "OR (status IN ('queued', 'retry') AND next_attempt_at <= now())")

        def scalar(q, **kw):
            with engine.connect() as conn:
                return conn.scalar(q, kw)

        r["escalated_after_s"] = _wait("the overdue grievances escalated", lambda: not scalar(
            overdue_left, codes=codes["overdue"]), 300)
        r["outbox_after_s"] = _wait("the outbox drained", lambda: not scalar(due), 900)

        # Failover: the leading scheduler dies (SIGKILL, as a host does); how long until the other leads.
        # The dispatchers stop first, so that what is queued after the kill can only go through the new leader.
        procs.stop([f"outbox-{h}" for h, _ in HOSTS])
        leader = monitor.samples[-1][1]
        if len(leader) == 1:
            killed = leader[0]
            t_kill = time.time()
            os.killpg(procs.procs[killed].pid, signal.SIGKILL)
            procs.procs[killed].wait(10)
            r["failover_s"] = _wait("the other scheduler leading", lambda: monitor.samples[-1][0] > t_kill and len(
                monitor.samples[-1][1]) == 1 and monitor.samples[-1][1][0] != killed, 60, 0.05)
            r["killed"] = killed
            _queue(url, AFTER_PREFIX, N_AFTER)
            r["after_failover_s"] = _wait("the new leader dispatching", lambda: not scalar(due), 120, 0.2)
        monitor.stop.set()
        monitor.join(5)
        procs.stop()
        r["kill"] = _dispatcher_killed(url, procs, sends_dir, me, scalar, due)

        r["checks"] = _checks(url, env, codes, answered, sends_dir, engine, procs)
        engine.dispose()
        r["leadership"] = tally_leadership(monitor.samples, _scheduler_sends(sends_dir))
        t_first = monitor.samples[0][0] if monitor.samples else 0
        r["leadership"]["terms"] = [(round(t - t_first, 1), name) for t, name in r["leadership"]["terms"]]
        r["leader_lines"] = {f"scheduler-{h}": procs.log(f"scheduler-{h}").count("this process is the leader")
                             for h, _ in HOSTS}
        r["tracebacks"] = {n: procs.log(n).count("Traceback") for n in procs.procs}
    finally:
        monitor.stop.set()
        procs.stop()
        pg.stop()
    r["ok"] = (all(c["ok"] for n, c in r["checks"].items() if n != "killed") and r["leadership"]["ok"]
               and "after_failover_s" in r)
    kill = r["checks"]["killed"]
    # At-least-once at the provider: the one message in flight when its dispatcher died may go again.
    r["kill_ok"] = kill["not_sent"] == 0 and kill["sent_unseen"] == 0 and kill["twice"] <= 1
    return r


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def _scheduler_sends(sends_dir: str) -> dict[str, list[float]]:
    """When each scheduler sent something (its acts), from the recording gateway's lines."""
    out = {}
    for host, _ in HOSTS:
        try:
            with open(os.path.join(sends_dir, f"scheduler-{host}.jsonl"), encoding="utf-8") as fh:
                out[f"scheduler-{host}"] = [json.loads(line)["t"] for line in fh]
        except FileNotFoundError:
            out[f"scheduler-{host}"] = []
    return out


def _queue(url: str, prefix: str, n: int) -> None:
    """n SMS in the outbox, due now, to numbers starting with `prefix`."""
    import builders
    from grs import create_app
    from grs.extensions import db
    from grs.notifications import queue_sms
    from grs.timeutil import utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"})
    with app.app_context():
        now = utcnow()
        for i in range(n):
            builders.run(queue_sms, f"{prefix}{i:06d}", "closed", "en", now=now, code=f"8{i:011d}")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _dispatcher_killed(url: str, procs: Procs, sends_dir: str, me: list[str], scalar, due) -> dict:
    """One dispatcher alone, killed (SIGKILL) in the middle of its batches; then a pass as if its lease had run
    out (`dispatch(now + lease)`, as `grs outbox send --now` would run it five minutes later)."""
    import sqlalchemy as sa

    _queue(url, KILL_PREFIX, N_KILL)
    path = os.path.join(sends_dir, "outbox-victim.jsonl")

    def sent() -> int:
        try:
            with open(path, encoding="utf-8") as fh:
                return sum(1 for _ in fh)
        except FileNotFoundError:
            return 0

    victim = procs.start("outbox-victim", [*me, "outbox", "outbox-victim", sends_dir])
    _wait("the victim's first sends", lambda: sent() >= KILL_AFTER, 120, 0.01)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(10)
    k = {"sent_before_kill": sent(), "held": scalar(sa.text("SELECT count(*) FROM outbox WHERE status = 'sending'"))}
    later = procs.start("outbox-later", [*me, "outbox-later", "outbox-later", sends_dir])
    if later.wait(300):
        raise RuntimeError(f"the pass after the lease failed: {procs.log('outbox-later')[-800:]}")
    k["left_after"] = scalar(due)
    return k


def _checks(url: str, env: dict, codes: dict, answered: list[str], sends_dir: str, engine, procs: Procs) -> dict:
    import sqlalchemy as sa

    from grs import create_app, statistics
    from grs.extensions import db

    with engine.connect() as conn:
        inbound = conn.execute(sa.text(
            "SELECT m.provider_message_id, m.grievance_id, m.status, m.tracking_code, g.tracking_code "
            "FROM inbound_messages m LEFT JOIN grievances g ON g.id = m.grievance_id")).all()
        sms = list(conn.scalars(sa.text("SELECT id FROM grievances WHERE channel = 'sms'")))
        rows = {c: (n, level) for c, n, level in conn.execute(sa.text(
            "SELECT tracking_code, escalation_count, level FROM grievances"))}
        events = Counter({(c, t): n for c, t, n in conn.execute(sa.text(
            "SELECT g.tracking_code, e.type, count(*) FROM events e JOIN grievances g ON g.id = e.grievance_id "
            "WHERE e.type IN ('escalated', 'deadline_breached') GROUP BY 1, 2"))})
        outbox, killed_rows = [], []
        for i, status, to, body, pid in conn.execute(sa.text(
                "SELECT id, status, recipient, body, provider_message_id FROM outbox WHERE medium <> 'webhook'")):
            (killed_rows if to.startswith(KILL_PREFIX) else outbox).append((i, status, send_key(to, body), pid))
    sends, killed_sends, by_process, times = [], [], Counter(), {}
    for name in sorted(os.listdir(sends_dir)):
        proc = name.removesuffix(".jsonl")
        with open(os.path.join(sends_dir, name), encoding="utf-8") as fh:
            for line in fh:
                s = json.loads(line)
                times.setdefault(proc, []).append(s.get("t"))
                if proc in ("outbox-victim", "outbox-later"):
                    killed_sends.append((s["id"], s["key"]))
                else:
                    sends.append((s["id"], s["key"]))
                    by_process[proc] += 1
    escalations = tally_escalations(rows, events, codes["overdue"], codes["fresh"])
    escalations["by_sweep_process"] = {n: procs.log(n).count("  escalated ") for n in procs.procs if n.startswith("sweep")}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"})
    with app.app_context():
        stored, recount = statistics.stored_counts(db.session), statistics.recount(db.session)
        db.session.remove()
        db.engine.dispose()
    differ = sum(1 for k in set(stored) | set(recount) if stored.get(k, 0) != recount.get(k, 0))
    audit = subprocess.run([os.path.join(BIN, "grs"), "audit", "verify"], env=env, cwd=ROOT, capture_output=True,
                           text=True)
    outbox_tally = tally_sends(outbox, sends)
    outbox_tally["by_process"] = dict(by_process)
    # A dispatcher's pace on its own: the pass after the lease, from its first send to its last.
    later = [t for t in times.get("outbox-later", []) if t is not None]
    outbox_tally["alone_per_s"] = (len(later) - 1) / (later[-1] - later[0]) if len(later) > 1 and later[-1] > later[0] else None
    return {"inbound": tally_inbound(answered, inbound, sms), "escalation": escalations,
            "counters": {"cells": len(recount), "total": sum(recount.values()), "differ": differ,
                         "ok": differ == 0 and bool(recount)},
            "audit": {"rc": audit.returncode, "line": (audit.stdout.strip().splitlines() or [""])[-1][:200],
                      "ok": audit.returncode == 0},
            "outbox": outbox_tally, "killed": tally_sends(killed_rows, killed_sends)}


# ---------------------------------------------------------------- the table


def _now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def render(r: dict) -> str:
    c = r["checks"]
    i, e, o, lead, kill = c["inbound"], c["escalation"], c["outbox"], r["leadership"], c["killed"]
    w = r["wrk"]
    reqs = sum(v["requests"] for v in w.values())
    dur = max(v["duration_us"] for v in w.values()) / 1e6
    errors = sum(v["connect_errors"] + v["read_errors"] + v["write_errors"] + v["timeouts"] + v["non2xx"]
                 for v in w.values())
    p99 = max(v["p99_us"] for v in w.values()) / 1000
    terms = ", ".join(f"{name} from {t:.1f} s" for t, name in lead["terms"])
    lines = [
        BEGIN,
        "## Two hosts against one database: nothing lost, nothing twice (`bench/twohosts.py`)", "",
        f"Measured on {r['measured_at'][:16].replace('T', ' ')} UTC by `make bench` (bench/twohosts.py): {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, one PostgreSQL 15 with production durability "
        f"(fsync={r['fsync']}, synchronous_commit={r['synchronous_commit']}). Two hosts' worth of processes on this "
        f"one machine: two gunicorns with gunicorn.conf.py ({r['web_workers']} workers in all), two intake workers, "
        "two outbox dispatchers (`grs outbox work`), two schedulers and two one-off `grs sweep` started with them "
        f"(all sweeping in batches of {SWEEP_BATCH}, not 1,000, so that their batches interleave). "
        f"wrk: {r['clients']} connections, half on each gunicorn, {r['seconds']} s of unique Africa's Talking SMS. "
        f"Before the load: {e['overdue']} grievances long overdue, {N_FRESH} fresh, {N_QUEUED:,} SMS queued. "
        "Schedulers and dispatchers send through a recording gateway (one fsynced line per send); they and the "
        "sweeps run the commands' own functions (`run_forever`, `outbox.work`, `sweep`) from this script, which "
        "puts that gateway in the app's gateway cache. Load average "
        f"{r['load_before'][0]:.1f} before, {r['load_during'][0]:.1f} during: a shared machine, so the rates are a "
        "lower bound; the checks do not depend on them.", "",
        "| check | result | held |", "|---|---|---|",
        f"| SMS answered 2xx (both hosts) | {i['answered']:,} ({reqs / dur:.0f} requests/s, p99 {p99:.0f} ms on "
        f"the slower host, {errors} errors) | — |",
        f"| stored exactly once | {i['answered'] - i['missing'] - i['twice']:,} of {i['answered']:,} ({i['missing']} "
        f"missing, {i['twice']} twice) | {_yes(not i['missing'] and not i['twice'])} |",
        f"| turned into exactly one grievance | {i['stored']:,} messages, {i['sms_grievances']:,} SMS grievances "
        f"({i['without_grievance']} without, {i['grievance_shared']} shared, {i['orphan_grievances']} unmatched, "
        f"statuses {i['status']}); drained {r['drain_s']:.0f} s after the load | {_yes(i['ok'])} |",
        f"| each overdue grievance escalated once | {e['once']} of {e['overdue']} ({e['never']} never, "
        f"{e['more_than_once']} more than once; `grs sweep` processes took "
        f"{', '.join(f'{n} {v}' for n, v in e['by_sweep_process'].items())}, the leading scheduler the rest); "
        f"{e['fresh_touched']} fresh touched | {_yes(e['ok'])} |",
        f"| statistics counters equal a recount | {c['counters']['differ']} of {c['counters']['cells']:,} counter rows "
        f"differ (they count {c['counters']['total']:,}) | {_yes(c['counters']['ok'])} |",
        f"| `grs audit verify` | {c['audit']['line']} | {_yes(c['audit']['ok'])} |",
        f"| every outbox message sent exactly once | {o['sent_once']:,} of {o['rows']:,} rows sent once, "
        f"{o['sends']:,} sends recorded ({o['twice']} twice, {o['not_sent']} not sent, {o['sent_unseen']} marked sent "
        f"unseen); sends by process {o['by_process']} | {_yes(o['ok'])} |",
        f"| one scheduler leads at a time, and only it acts | at most {lead['most_at_once']} holder of the "
        f"advisory lock in {lead['samples']:,} samples of pg_locks (every 0.1 s): {terms}; of the schedulers' "
        f"{lead['acts']:,} sends, {lead['acted_outside']} outside the sender's own term | {_yes(lead['ok'])} |",
        f"| failover when the leader dies | {r.get('killed', '—')} killed (SIGKILL); the other led "
        f"{r.get('failover_s', float('nan')):.1f} s later, and sent the {N_AFTER} SMS queued then within "
        f"{r.get('after_failover_s', float('nan')):.1f} s (the dispatchers stopped first; its outbox job runs "
        f"every 5 s) | {_yes('after_failover_s' in r)} |",
        f"| a dispatcher killed mid-batch (SIGKILL), alone, {N_KILL} SMS queued | killed after "
        f"{r['kill']['sent_before_kill']} sends; {r['kill']['held']} rows held by its lease, sent by a pass at "
        f"now + lease (as five minutes later); {kill['sent_once']} of {kill['rows']} sent once, {kill['twice']} "
        f"twice, {kill['not_sent']} not sent | {_yes(r['kill_ok'])} (nothing lost; at most the one in flight "
        "twice) |",
        f"| one dispatcher's pace, alone | {o['alone_per_s'] or float('nan'):.0f} messages/s (the pass after the "
        f"lease; the recording gateway answers in {SEND_SECONDS * 1000:.0f} ms, a real provider's round trip "
        "comes on top) | — |",
        "",
        f"Targets: \"{TARGET}\" {'met' if r['ok'] else '**not met**'}; \"{KILL_TARGET}\" "
        f"{'met' if r['kill_ok'] else '**not met**'}. Reproduce: `make bench` "
        "(`BENCH_ONLY=twohosts` for this table alone; `GRS_BENCH_TWOHOSTS_SECONDS` sets the load's length). "
        "Figures also in `bench/results/twohosts.json`.",
        END, ""]
    return "\n".join(lines)


def write(block: str, r: dict) -> str:
    """The block in docs/performance.md (in place of the last one, else at the end), and the results file."""
    path = os.path.join(ROOT, "docs", "performance.md")
    with open(path, encoding="utf-8") as fh:
        current = fh.read()
    head, begin, rest = current.partition(BEGIN)
    _, end, tail = rest.partition(END)
    current = head + block.rstrip("\n") + tail if begin and end else current.rstrip("\n") + "\n\n" + block
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(current)
    o = r["checks"]["outbox"]
    figure = (f"{r['checks']['inbound']['answered']:,} SMS stored once, {r['checks']['escalation']['once']} of "
              f"{r['checks']['escalation']['overdue']} overdue escalated once, {o['sent_once']:,} of {o['rows']:,} "
              f"outbox messages sent once ({o['twice']} twice), failover {r.get('failover_s', float('nan')):.1f} s")
    kill = r["checks"]["killed"]
    kill_figure = (f"killed after {r['kill']['sent_before_kill']} sends: {kill['sent_once']} of {kill['rows']} sent "
                   f"once, {kill['twice']} twice, {kill['not_sent']} lost")
    import results  # bench/results.py: the one writer of bench/results/*.json

    results.write("twohosts", [
        results.target(TARGET, figure, "every 2xx SMS stored and lodged once, each overdue grievance escalated "
                       "once, each outbox message sent once, one scheduler leading", r["ok"]),
        results.target(KILL_TARGET, kill_figure, "no message lost; at most one sent twice", r["kill_ok"])],
        size=os.environ.get("SIZE") or "full", load=[round(x, 2) for x in r["load_during"]],
        directory=os.path.dirname(RESULTS))
    return path


def main() -> None:
    # bench/intake.py's helpers and the tests' builders (set here, not on import: the tally's test imports this file)
    sys.path[:0] = [os.path.join(ROOT, "tests"), os.path.join(ROOT, "bench")]
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        _setup(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_role":
        _role(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=int, default=SECONDS)
    parser.add_argument("--no-write", action="store_true", help="print; leave docs/performance.md alone")
    args = parser.parse_args()
    import pgserver

    if shutil.which("wrk") is None:
        sys.exit("bench: wrk not found (apt-get install wrk; `make bench` installs it)")
    reason = pgserver.available()
    if reason:
        sys.exit(f"bench: {reason}")
    r = run(args.seconds)
    block = render(r)
    print(block)
    if not args.no_write:
        print(f"bench: written to {write(block, r)} and {RESULTS}")
    if not (r["ok"] and r["kill_ok"]):
        sys.exit("bench: twohosts: a check failed (see the table)")


if __name__ == "__main__":
    main()
