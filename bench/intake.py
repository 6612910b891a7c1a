"""Intake benchmark (issue 14, items 2 and 3): the Africa's Talking SMS webhook under load, through the
production server, on PostgreSQL with production durability, next to PostgreSQL's own ceiling.

- A private PostgreSQL 15 (port 55491) with deploy/postgresql.conf's durability (fsync, synchronous_commit,
  full_page_writes on; memory scaled to this machine), the test world's areas, offices and reference data.
- gunicorn with the repo's gunicorn.conf.py (its worker count) serving the app on port 5651, and the intake
  worker (`grs intake work`) beside it, as deployed (deploy/systemd/grs-intake.service).
- wrk: 8 connections (8 threads, one each) for 30 s posting inbound SMS with unique ids (bench/wrk_at_sms.lua):
  requests/s, p50/p99, errors. Then every id answered 2xx must be in inbound_messages exactly once, and the
  worker must drain them all (`done`, nothing failed), timed from the end of the load.
- During the same load, one USSD caller walks the lodge-by-lists menu again and again: p99 per screen.
- py-spy profiles of the web workers and of the intake worker during the load (bench/profiles/intake-*.raw,
  collapsed stacks: `flamegraph.pl` or speedscope read them).
- Then `pgbench -N` (8 clients, 30 s) on the same server: the ratio intake/pgbench.

Also, before the load: the intake worker alone draining GRS_BENCH_WORKER_MESSAGES recorded messages in batches
(profiled), and a tenth as many one by one (the reference path).

Run: `.venv/bin/python bench/intake.py` (writes the "Intake" block of docs/performance.md and
bench/results/intake.json with the four targets; `make bench` calls it), `--code DIR` to measure another checkout (e.g. the synchronous webhook before the split: `git archive
<commit> | tar -x -C DIR`), `--no-write` to only print. Env GRS_BENCH_INTAKE_SECONDS (30).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import pgserver  # noqa: E402

BIN = os.path.join(ROOT, ".venv", "bin")
PG_PORT = 55491
HTTP_PORT = 5651
USSD_PORT = 5652  # the USSD callbacks' own workers, as deployed (deploy/systemd/grs-web-ussd.service)
CLIENTS = 8
QUIET_SESSIONS = 20  # USSD walks timed with no SMS load, before it
SIZE = os.environ.get("SIZE") or "full"  # make bench SIZE=small: a 10 s load
SECONDS = int(os.environ.get("GRS_BENCH_INTAKE_SECONDS") or (10 if SIZE == "small" else 30))
KEY = "bench-at-callback-key"
PGBENCH = os.path.join(pgserver.BINDIR, "pgbench")
PROFILES = os.path.join(ROOT, "bench", "profiles")
BEGIN, END = "<!-- intake:begin -->", "<!-- intake:end -->"
# deploy/postgresql.conf, with its memory scaled from a 32 GB database server to this machine.
SCALED = {"shared_buffers": "256MB", "effective_cache_size": "2GB", "maintenance_work_mem": "128MB",
          "max_wal_size": "2GB", "work_mem": "16MB"}
USSD_STEPS = [("menu", ""), ("programme", "1"), ("problem", "1*1"), ("district", "1*1*3"),
              ("upazila", "1*1*3*2"), ("union", "1*1*3*2*1"), ("describe", "1*1*3*2*1*1"),
              ("confirm", "1*1*3*2*1*1*The agent took 200 taka from my allowance"),
              ("lodged", "1*1*3*2*1*1*The agent took 200 taka from my allowance*1")]


class DurablePg(pgserver.PgServer):
    """The throwaway server of the tests, on a fixed port, with production durability."""

    def __init__(self, port: int = PG_PORT):
        super().__init__()
        self.port = port

    def start(self) -> "DurablePg":
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
        settings = {}
        with open(os.path.join(ROOT, "deploy", "postgresql.conf"), encoding="utf-8") as fh:
            for line in fh:
                line = line.split("#", 1)[0].strip()
                if "=" in line:
                    k, v = (p.strip() for p in line.split("=", 1))
                    settings[k] = v
        settings.update(SCALED)
        settings.pop("log_min_duration_statement", None)
        with open(os.path.join(self.data, "postgresql.auto.conf"), "a", encoding="utf-8") as fh:
            for k, v in settings.items():
                fh.write(f"{k} = {v}\n")
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=''"
        self._run("pg_ctl", "-D", self.data, "-o", opts, "-l", os.path.join(self.root, "server.log"), "-w",
                  "-t", "60", "start")
        return self

    def stop(self) -> None:
        try:  # the server's log (lock waits over a second are in it: log_lock_waits) outlives the server
            shutil.copy(os.path.join(self.root, "server.log"), os.path.join(tempfile.gettempdir(),
                                                                           "grs-bench-intake-pg.log"))
        except OSError:
            pass
        super().stop()

    def postmaster(self) -> int:
        with open(os.path.join(self.data, "postmaster.pid"), encoding="ascii") as fh:
            return int(fh.readline())

    def psql_env(self) -> dict:
        return {**os.environ, "PGHOST": self.root, "PGPORT": str(self.port), "PGUSER": "postgres"}

    def show(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host=self.root, port=self.port, user="postgres", dbname="postgres") as conn:
            return conn.execute(f"SHOW {name}").fetchone()[0]


def _setup(url: str) -> None:
    """(In a subprocess, with the measured checkout first on sys.path.) Schema and the test world."""
    import builders
    from grs import create_app
    from grs.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"})
    with app.app_context():
        db.create_all()
        builders.make_world()
        db.session.commit()


# The intake worker alone, before the load: this many recorded messages drained in batches, and a part of them
# one by one (the reference path, about ten times slower).
WORKER_MESSAGES = int(os.environ.get("GRS_BENCH_WORKER_MESSAGES") or (500 if SIZE == "small" else 2000))
# The texts and senders of bench/wrk_at_sms.lua (5 complaints, 1,600 numbers), for the worker measured alone.
TEXTS = ("My allowance in Baria union was not paid",
         "Payment not received in Basan union, the agent asked for money",
         "আমার বয়স্ক ভাতার টাকা পাইনি। বাড়ীয়া ইউনিয়ন",
         "বাসন ইউনিয়নে বিধবা ভাতা তিন মাস ধরে বন্ধ",
         "I was left off the list in Kashimpur union although I am 70 years old")


def _worker_alone(url: str, n: int, mode: str) -> None:
    """(In a subprocess.) Record n messages as the webhook does, then drain them with the intake worker in
    this process, batched or one by one: prints {"messages", "seconds", "cpu_s"} as JSON (and writes it to
    the file after a ':' in `mode`)."""
    mode, _, out = mode.partition(":")
    from channels.sms import intake
    from channels.sms.service import InboundSms
    from grs import create_app
    from grs.timeutil import utcnow
    from grs.uow import unit_of_work

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"})
    with app.app_context():
        now = utcnow()
        with unit_of_work() as uow:
            for i in range(n):
                sender = f"+88018{(i % 8):02d}{(i // 8) % 200:06d}"
                intake.record(uow, InboundSms("africastalking", f"ATXalone_{mode}_{i}", sender,
                                              TEXTS[i % len(TEXTS)]), now=now)
        t, c = time.perf_counter(), time.process_time()
        handled = intake.work(once=True, batched=mode == "batched")
        found = {"messages": handled, "seconds": time.perf_counter() - t, "cpu_s": time.process_time() - c}
    print(json.dumps(found))
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(found, fh)


def _measure_worker_alone(code: str, url: str, env: dict, mode: str, n: int, profile: str | None) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "_worker_alone", url, str(n), mode]
    spy = shutil.which("py-spy") or os.path.join(BIN, "py-spy")
    if profile and os.path.exists(spy):
        os.makedirs(PROFILES, exist_ok=True)
        out = os.path.join(tempfile.gettempdir(), f"grs-bench-alone-{mode}.json")
        cmd = [spy, "record", "--rate", "100", "--format", "raw", "-o", os.path.join(PROFILES, profile), "--",
               *cmd[:-1], mode + ":" + out]
        subprocess.run(cmd, env=env, check=True, cwd=code, capture_output=True)
        with open(out, encoding="utf-8") as fh:
            r = json.load(fh)
    else:
        r = json.loads(subprocess.run(cmd, env=env, check=True, cwd=code, capture_output=True,
                                      text=True).stdout.strip().splitlines()[-1])
    r["rate"] = r["messages"] / r["seconds"] if r["seconds"] else None
    r["cpu_ms"] = r["cpu_s"] / r["messages"] * 1000 if r["messages"] else None
    r["profile"] = f"bench/profiles/{profile}" if profile else None
    return r


def _env(code: str, url: str) -> dict:
    return {**os.environ, "PYTHONPATH": code, "GRS_DATABASE_URL": url, "GRS_SECRET_KEY": "bench-" + "k" * 40,
            "GRS_AT_CALLBACK_KEY": KEY, "GRS_SMS_PROVIDER": "console", "GRS_LOG_LEVEL": "WARNING",
            "GRS_BIND": f"127.0.0.1:{HTTP_PORT}", "GRS_UPLOAD_DIR": tempfile.mkdtemp(prefix="grs-bench-up-"),
            # One client address (the provider's) sends everything: its limit is set above the load, as a
            # deployment sets it above its provider's rate (docs/operations.md).
            "GRS_WEBHOOK_RATE_LIMIT": "10000000 per minute", "GRS_STATUS_LOOKUP_RATE_LIMIT": "1000000 per hour"}


def _unit(code: str, name: str) -> dict | None:
    """Nice= and Environment= of deploy/systemd/<name>.service in the measured checkout (None: no such unit)."""
    path = os.path.join(code, "deploy", "systemd", f"{name}.service")
    if not os.path.exists(path):
        return None
    found = {"nice": 0, "env": {}}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line.startswith("Nice="):
                found["nice"] = int(line.split("=", 1)[1])
            elif line.startswith("Environment="):
                for pair in line.split("=", 1)[1].split():
                    k, _, v = pair.partition("=")
                    found["env"][k] = v
    return found


def _nice(n: int) -> list[str]:
    return ["nice", "-n", str(n)] if n else []


def _wait_http(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not come up")


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def _cpu(pid: int) -> float:
    """CPU seconds of a process and its children (live ones, and those it reaped), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for p in [pid, *_children(pid)]:
        try:
            with open(f"/proc/{p}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15]) / tick  # utime stime cutime cstime
    return total


class UssdCaller(threading.Thread):
    """One caller walking the lodge-by-lists menu while the SMS load runs: each screen's latency."""

    def __init__(self, stop: threading.Event, name: str = "bench", sessions: int | None = None,
                 port: int = HTTP_PORT):
        super().__init__(daemon=True)
        self.stop, self.samples, self.errors = stop, {name: [] for name, _ in USSD_STEPS}, []
        self.name, self.sessions, self.port = name, sessions, port

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        n = 0
        while not self.stop.is_set() and (self.sessions is None or n < self.sessions):
            n += 1
            session = f"ATUid_{self.name}_{os.getpid()}_{n}"
            for name, text in USSD_STEPS:
                body = urlencode({"sessionId": session, "serviceCode": "*384*1#", "networkCode": "63902",
                                  "phoneNumber": f"+8801911{n % 1000000:06d}", "text": text})
                t = time.perf_counter()
                try:
                    conn.request("POST", f"/hooks/ussd/africastalking?key={KEY}", body,
                                 {"Content-Type": "application/x-www-form-urlencoded"})
                    r = conn.getresponse()
                    reply = r.read().decode()
                except OSError as e:
                    self.errors.append(f"{name}: {type(e).__name__}")
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                    break
                self.samples[name].append(time.perf_counter() - t)
                if r.status != 200 or not reply.startswith(("CON", "END")):
                    self.errors.append(f"{name}: {r.status} {reply[:40]!r}")
                    break
                if name == "lodged" and "received" not in reply:
                    self.errors.append(f"lodged: {reply[:60]!r}")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def _profile(pid: int, name: str, seconds: int, subprocesses: bool) -> subprocess.Popen | None:
    spy = shutil.which("py-spy") or os.path.join(BIN, "py-spy")
    if not os.path.exists(spy):
        return None
    os.makedirs(PROFILES, exist_ok=True)
    cmd = [spy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "50", "--nonblocking",
           "--format", "raw", "-o", os.path.join(PROFILES, name)]
    if subprocesses:
        cmd.append("--subprocesses")
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _pgbench(pg: DurablePg, seconds: int) -> dict:
    env = pg.psql_env()
    subprocess.run([os.path.join(pgserver.BINDIR, "createdb"), "pgbench"], env=env, check=True,
                   capture_output=True, **_as_postgres(pg))
    subprocess.run([PGBENCH, "-i", "-q", "-s", "10", "pgbench"], env=env, check=True, capture_output=True,
                   **_as_postgres(pg))
    out = subprocess.run([PGBENCH, "-N", "-c", str(CLIENTS), "-j", "2", "-T", str(seconds), "pgbench"], env=env,
                         check=True, capture_output=True, text=True, **_as_postgres(pg)).stdout
    r = {"raw": out}
    for line in out.splitlines():
        if line.startswith("tps ="):
            r["tps"] = float(line.split()[2])
        elif line.startswith("latency average"):
            r["latency_ms"] = float(line.split("=")[1].split()[0])
    return r


def _as_postgres(pg: DurablePg) -> dict:
    if os.geteuid() != 0:
        return {}
    import pwd

    pw = pwd.getpwnam("postgres")
    return {"user": pw.pw_uid, "group": pw.pw_gid}


def run(code: str = ROOT, label: str = "after", seconds: int = SECONDS, profile: bool = True,
        one_pool: bool = False) -> dict:
    code = os.path.abspath(code)
    split = os.path.exists(os.path.join(code, "channels", "sms", "intake.py"))
    tmp = tempfile.mkdtemp(prefix="grs-bench-intake-")
    pg = DurablePg().start()
    procs: list[subprocess.Popen] = []
    r: dict = {"label": label, "split": split, "seconds": seconds, "clients": CLIENTS,
               "fsync": pg.show("fsync"), "synchronous_commit": pg.show("synchronous_commit"),
               "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "load_before": os.getloadavg()[0]}
    try:
        url = pg.create_database("grs_intake")
        env = _env(code, url)
        subprocess.run([sys.executable, os.path.abspath(__file__), "_setup", url], env=env, check=True, cwd=code)
        log = open(os.path.join(tmp, "gunicorn.log"), "w")
        # The processes as deploy/systemd runs them: their Nice= and Environment= (a USSD pool of its own, unless
        # --one-pool measures the arrangement before it).
        web_unit, ussd_unit = _unit(code, "grs-web"), _unit(code, "grs-web-ussd")
        pool = not one_pool and ussd_unit is not None
        intake_unit = _unit(code, "grs-intake")
        r["pools"] = {"web_nice": web_unit["nice"] if pool else 0, "ussd": ussd_unit if pool else None,
                      "intake_nice": intake_unit["nice"] if pool and intake_unit else 0}
        web = subprocess.Popen([*_nice(r["pools"]["web_nice"]), os.path.join(BIN, "gunicorn"), "-c",
                                os.path.join(code, "gunicorn.conf.py"), "grs:create_app()"], cwd=code, env=env,
                               stdout=log, stderr=log)
        procs.append(web)
        _wait_http(HTTP_PORT)
        ussd_web = None
        if pool:
            ussd_env = {**env, **ussd_unit["env"], "GRS_BIND": f"127.0.0.1:{USSD_PORT}"}
            ussd_web = subprocess.Popen([*_nice(ussd_unit["nice"]), os.path.join(BIN, "gunicorn"), "-c",
                                         os.path.join(code, "gunicorn.conf.py"), "grs:create_app()"], cwd=code,
                                        env=ussd_env, stdout=log, stderr=log)
            procs.append(ussd_web)
            _wait_http(USSD_PORT)
        ussd_port = USSD_PORT if pool else HTTP_PORT  # where the USSD caller posts
        r["web_workers"] = len(_children(web.pid))
        worker = None
        if split and _batched_worker(code):
            # The worker alone, in a process of its own beside the idle web workers, before the deployed one starts.
            r["alone"] = {"batched": _measure_worker_alone(code, url, env, "batched", WORKER_MESSAGES,
                                                           f"intake-worker-alone-{label}.raw" if profile else None),
                          "one-by-one": _measure_worker_alone(code, url, env, "one-by-one",
                                                              max(100, WORKER_MESSAGES // 10), None)}
        if split:
            worker = subprocess.Popen([*_nice(r["pools"]["intake_nice"]),
                                       os.path.join(BIN, "grs"), "intake", "work"], cwd=code, env=env,
                                      stdout=log, stderr=log)
            procs.append(worker)
        # Warm every web worker (imports, the place index, the first connection) outside the measurement.
        warm = ["wrk", "-t2", "-c4", "-d3s", "-s", os.path.join(ROOT, "bench", "wrk_at_sms.lua"),
                f"http://127.0.0.1:{HTTP_PORT}"]
        subprocess.run(warm, env={**os.environ, "WRK_OUT": os.path.join(tmp, "warm.txt"), "WRK_RUN": "warm",
                                  "WRK_PATH": f"/hooks/sms/africastalking?key={KEY}"}, check=True,
                       capture_output=True)
        # ... and the USSD menu: a worker's first ORM request configures the mappers (a few hundred ms once per
        # process), which would otherwise land in the measured screens.
        warm_ussd = UssdCaller(threading.Event(), name="warm", sessions=8, port=ussd_port)
        warm_ussd.run()
        _drain(url, timeout=600)
        # The same walk with no SMS load beside it: what a screen costs on its own (the reason a screen under the
        # load is slower is then the wait for a web worker and a core).
        quiet = UssdCaller(threading.Event(), name="quiet", sessions=QUIET_SESSIONS, port=ussd_port)
        quiet.run()
        r["ussd_quiet"] = {name: (statistics.median(v) * 1000 if v else float("nan"), _pct(v, 99) * 1000, len(v))
                           for name, v in quiet.samples.items()}
        _drain(url, timeout=600)

        stop = threading.Event()
        caller = UssdCaller(stop, port=ussd_port)
        out = os.path.join(tmp, "ok.txt")
        spies = []
        if profile:
            spies = [s for s in (_profile(web.pid, f"intake-web-{label}.raw", seconds - 5, True),
                                 _profile(worker.pid, f"intake-worker-{label}.raw", seconds - 5, False)
                                 if worker else None) if s]
        web_cpu = lambda: _cpu(web.pid) + (_cpu(ussd_web.pid) if ussd_web else 0.0)  # noqa: E731
        cpu0 = {"web": web_cpu(), "worker": _cpu(worker.pid) if worker else 0.0, "db": _cpu(pg.postmaster())}
        caller.start()
        t0 = time.monotonic()
        wrk = subprocess.run(["wrk", f"-t{CLIENTS}", f"-c{CLIENTS}", f"-d{seconds}s", "--timeout", "10s",
                              "-s", os.path.join(ROOT, "bench", "wrk_at_sms.lua"), f"http://127.0.0.1:{HTTP_PORT}"],
                             env={**os.environ, "WRK_OUT": out, "WRK_RUN": label,
                                  "WRK_PATH": f"/hooks/sms/africastalking?key={KEY}"},
                             check=True, capture_output=True, text=True)
        t_load = time.monotonic() - t0
        stop.set()
        caller.join(30)
        r["load_during"] = os.getloadavg()[0]
        r["load_during_all"] = list(os.getloadavg())
        for s in spies:
            s.wait(60)
        with open(out + ".json", encoding="utf-8") as fh:
            r["wrk"] = json.load(fh)
        with open(out, encoding="utf-8") as fh:
            answered = [line.strip() for line in fh if line.strip()]
        r["answered"] = len(answered)
        r["rps"] = r["wrk"]["requests"] / (r["wrk"]["duration_us"] / 1e6)
        r["ok_rps"] = len(answered) / (r["wrk"]["duration_us"] / 1e6)
        cpu_web = web_cpu()
        r["pending_after_load"] = _pending(url) if split else 0
        r["drain_s"] = _drain(url, timeout=1800) if split else 0.0
        handled = r["wrk"]["requests"] + sum(len(v) for v in caller.samples.values())
        r["cpu_ms"] = {"web": (cpu_web - cpu0["web"]) / handled * 1000,
                       "worker": ((_cpu(worker.pid) if worker else 0.0) - cpu0["worker"]) / handled * 1000,
                       "db": (_cpu(pg.postmaster()) - cpu0["db"]) / handled * 1000}
        r["worker_rate"] = len(answered) / (t_load + r["drain_s"]) if split else None
        r["check"] = _check(url, answered, label)
        r["ussd"] = {name: (statistics.median(v) * 1000 if v else float("nan"), _pct(v, 99) * 1000, len(v))
                     for name, v in caller.samples.items()}
        r["ussd_errors"] = caller.errors[:5]
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        procs.clear()
        r["pgbench"] = _pgbench(pg, seconds)
        r["ratio"] = r["ok_rps"] / r["pgbench"]["tps"] if r["pgbench"].get("tps") else None
    finally:
        for p in procs:
            p.kill()
        pg.stop()
    return r


def _engine(url: str):
    import sqlalchemy as sa

    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=sa.pool.NullPool)


def _drain(url: str, timeout: float) -> float:
    """Seconds until no inbound message is pending (0 at once for the synchronous webhook)."""
    import sqlalchemy as sa

    engine = _engine(url)
    t = time.monotonic()
    try:
        while time.monotonic() - t < timeout:
            with engine.connect() as conn:
                try:
                    pending = conn.scalar(sa.text("SELECT count(*) FROM inbound_messages WHERE status = 'pending'"))
                except sa.exc.ProgrammingError:  # the synchronous webhook's table has no status
                    return 0.0
            if not pending:
                return time.monotonic() - t
            time.sleep(0.2)
        raise RuntimeError(f"the intake worker did not drain within {timeout} s")
    finally:
        engine.dispose()


def _pending(url: str) -> int:
    import sqlalchemy as sa

    engine = _engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text("SELECT count(*) FROM inbound_messages WHERE status = 'pending'"))
    finally:
        engine.dispose()


def _batched_worker(code: str) -> bool:
    """Whether the checkout's intake worker lodges in batches (work(batched=...)), so can be measured alone."""
    with open(os.path.join(code, "channels", "sms", "intake.py"), encoding="utf-8") as fh:
        return "batched" in fh.read()


def _check(url: str, answered: list[str], label: str) -> dict:
    """Every id answered 2xx in the database exactly once, handled (a grievance for each), none failed."""
    import sqlalchemy as sa

    engine = _engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT provider_message_id, grievance_id FROM inbound_messages "
                                        "WHERE provider_message_id LIKE :p"), {"p": f"ATXbench_{label}_%"}).all()
            grievances = conn.scalar(sa.text("SELECT count(*) FROM grievances WHERE channel = 'sms'"))
            try:
                status = dict(conn.execute(sa.text("SELECT status, count(*) FROM inbound_messages "
                                                   "GROUP BY status")).all())
            except sa.exc.ProgrammingError:  # the synchronous webhook's table has no status
                status = {}
    finally:
        engine.dispose()
    stored: dict[str, int] = {}
    for msg_id, _ in rows:
        stored[msg_id] = stored.get(msg_id, 0) + 1
    missing = [i for i in answered if stored.get(i, 0) != 1]
    return {"answered": len(answered), "stored": len(rows), "missing_or_twice": len(missing),
            "without_grievance": sum(1 for _, g in rows if g is None), "status": status,
            "sms_grievances": grievances, "ok": not missing and not status.get("failed")}


def _pools(r: dict) -> str:
    pools = r.get("pools") or {}
    if not pools.get("ussd"):
        return "; USSD on the same workers"
    ussd = pools["ussd"]
    return (f" at nice {pools['web_nice']}; USSD on {ussd['env'].get('GRS_WORKERS', '?')} workers of its own at nice "
            f"{ussd['nice']}, and the intake worker at nice {pools.get('intake_nice', 0)}, "
            "as deploy/systemd runs them")


def render(r: dict) -> str:
    w, c = r["wrk"], r["check"]
    errors = w["connect_errors"] + w["read_errors"] + w["write_errors"] + w["timeouts"] + w["non2xx"]
    pgb = r["pgbench"]
    lines = [
        BEGIN,
        "## Intake: the Africa's Talking SMS webhook under load (`bench/intake.py`)", "",
        f"Measured on {r['date']} by `make bench` (bench/intake.py): {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, PostgreSQL 15 with production durability (fsync={r['fsync']}, "
        f"synchronous_commit={r['synchronous_commit']}; deploy/postgresql.conf, memory scaled), gunicorn with "
        f"gunicorn.conf.py ({r['web_workers']} workers{_pools(r)}){', the intake worker beside it' if r['split'] else ''}; "
        f"wrk, {r['clients']} connections for {r['seconds']} s, unique message ids, 5 complaint texts from 1,600 "
        f"numbers (bench/wrk_at_sms.lua). Load average {r['load_before']:.1f} before, {r['load_during']:.1f} "
        "during: the machine was shared with other work, so read these as a lower bound.", "",
        "| webhook | requests/s (2xx) | p50 | p99 | errors | stored exactly once | drained after the load | "
        "`pgbench -N` (8 clients) | intake / pgbench |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {'record, then the intake worker' if r['split'] else 'synchronous (lodged in the request)'} | "
        f"{r['ok_rps']:.0f} | {w['p50_us'] / 1000:.1f} ms | {w['p99_us'] / 1000:.1f} ms | {errors} | "
        f"{c['answered'] - c['missing_or_twice']:,} of {c['answered']:,} | "
        f"{r['drain_s']:.1f} s (worker ≈ {r['worker_rate'] or 0:.0f} /s) | {pgb.get('tps', 0):.0f} tps "
        f"({pgb.get('latency_ms', 0):.1f} ms) | {r['ratio'] or 0:.2f} |",
        "",
        f"Check: {c['answered']:,} ids answered 2xx, {c['stored']:,} rows, {c['missing_or_twice']} missing or twice, "
        f"{c['without_grievance']} without a grievance after the drain, rows by status {c['status'] or '—'}, "
        f"{c['sms_grievances']:,} SMS grievances. Targets: intake ≥ half the pgbench rate "
        f"({'met' if (r['ratio'] or 0) >= 0.5 else 'not met'}), p99 < 100 ms "
        f"({'met' if w['p99_us'] < 100_000 else 'not met'}).", "",
        f"CPU per request (SMS and USSD requests of the load, from /proc): web workers {r['cpu_ms']['web']:.1f} ms, "
        f"intake worker {r['cpu_ms']['worker']:.1f} ms, PostgreSQL {r['cpu_ms']['db']:.1f} ms "
        f"(until the worker drained).", "",
        "USSD under the same load (one caller walking the lodge-by-lists menu, "
        f"{min(v[2] for v in r['ussd'].values())} sessions); target p99 < 50 ms:", "",
        "| screen | p50 | p99 | n | with no SMS load: p50 | p99 |", "|---|---|---|---|---|---|",
    ]
    quiet = r.get("ussd_quiet") or {}
    for name, (p50, p99, n) in r["ussd"].items():
        q = quiet.get(name)
        alone_cells = f"{q[0]:.1f} ms | {q[1]:.1f} ms" if q else "— | —"
        lines.append(f"| {name} | {p50:.1f} ms | {p99:.1f} ms | {n} | {alone_cells} |")
    if r["ussd_errors"]:
        lines += ["", f"USSD errors: {r['ussd_errors']}"]
    alone = r.get("alone")
    if alone:
        lines += ["", "The intake worker alone, before the load and before the deployed worker starts (its own process, "
                  "messages recorded as the webhook records them, then drained by `intake.work(once=True)`; the "
                  "one-by-one path is the reference):", "",
                  "| intake worker alone | messages | seconds | messages/s | CPU per message |", "|---|---|---|---|---|"]
        for name, a in alone.items():
            lines.append(f"| {name} | {a['messages']:,} | {a['seconds']:.1f} s | {a['rate'] or 0:.0f} | "
                         f"{a['cpu_ms'] or 0:.2f} ms |")
    lines += ["", "Targets (also in `bench/results/intake.json`):", ""]
    lines += [f"- {t['name']}: {t['figure']} — {'met' if t['met'] else '**not met**'}"
              + ("" if t["met"] or not t.get("why") else f". Why: {t['why']}") for t in targets(r)]
    lines += ["", f"Profiles behind these figures (py-spy, 50 Hz, during the load): "
              f"`bench/profiles/intake-web-{r['label']}.raw` (every web worker), "
              f"`bench/profiles/intake-worker-{r['label']}.raw` (the intake worker)"
              + (f", and at 100 Hz `bench/profiles/intake-worker-alone-{r['label']}.raw` (the worker alone, batched)"
                 if alone and alone["batched"].get("profile") else "") + ".", END, ""]
    return "\n".join(lines)


KEEP_UP_SECONDS = 2.0  # how far behind the webhook the worker may be when the load ends


def keeps_up(r: dict) -> bool:
    """The worker kept up during the load: when it ended, at most KEEP_UP_SECONDS of the webhook's messages
    were still pending (draining a big backlog quickly afterwards is not keeping up)."""
    return r.get("pending_after_load", 0) <= KEEP_UP_SECONDS * r["ok_rps"]


def targets(r: dict) -> list[dict]:
    """Issue 14's intake targets as bench/results.py rows, each with the profile behind it."""
    w, pgb = r["wrk"], r["pgbench"]
    web = f"bench/profiles/intake-web-{r['label']}.raw"
    worker = f"bench/profiles/intake-worker-{r['label']}.raw"
    worst = max(r["ussd"].items(), key=lambda kv: kv[1][1])
    menus = max((v[1] for k, v in r["ussd"].items() if k != "lodged"), default=float("nan"))
    alone = r.get("alone") or {}
    batched, single = alone.get("batched"), alone.get("one-by-one")
    alone_text = (f"; alone {batched['rate']:.0f}/s, {batched['cpu_ms']:.1f} ms CPU a message (one by one "
                  f"{single['rate']:.0f}/s, {single['cpu_ms']:.1f} ms)" if batched and single else "")
    why = _why_not(r)
    return [
        {"name": "intake ≥ half pgbench -N", "figure": f"{r['ok_rps']:.0f} req/s vs {pgb.get('tps', 0):.0f} tps "
         f"(ratio {r['ratio'] or 0:.2f})", "target": "ratio ≥ 0.5", "met": (r["ratio"] or 0) >= 0.5, "profile": web,
         "why": why["ratio"]},
        {"name": "intake p99 < 100 ms", "figure": f"p99 {w['p99_us'] / 1000:.1f} ms (p50 {w['p50_us'] / 1000:.1f} ms)",
         "target": "p99 < 100 ms", "met": w["p99_us"] < 100_000, "profile": web, "why": why["p99"]},
        {"name": "USSD p99 < 50 ms (worst screen)", "figure": f"{worst[0]} {worst[1][1]:.1f} ms (menus and lists at "
         f"most {menus:.1f} ms)", "target": "p99 < 50 ms on every screen",
         "met": all(v[1] < 50 for v in r["ussd"].values()), "profile": web, "why": why["ussd"]},
        {"name": "worker keeps up", "figure": f"{r['worker_rate'] or 0:.0f}/s over the load and its drain vs the "
         f"webhook's {r['ok_rps']:.0f}/s; {r.get('pending_after_load', 0):,} pending when the load ended, drained in "
         f"{r['drain_s']:.1f} s{alone_text}",
         "target": f"at most {KEEP_UP_SECONDS:.0f} s of the webhook's messages pending when the load ends",
         "met": keeps_up(r), "profile": worker, "why": why["worker"]},
    ]


def _why_not(r: dict) -> dict[str, str]:
    """Why a target would not be met, from this run's own figures: the CPU a complaint costs in each process
    (from /proc over the load), the two cores that share it, and the USSD screens timed with no load beside."""
    cores = os.cpu_count() or 1
    cpu = r["cpu_ms"]
    total = cpu["web"] + cpu["worker"] + cpu["db"]
    tps = r["pgbench"].get("tps") or 0
    ceiling = cores * 1000 / total if total else float("nan")
    ratio = (f"each complaint costs {total:.1f} ms of CPU in all: {cpu['web']:.1f} ms in the web workers (Flask "
             f"and the transaction that records it), {cpu['worker']:.1f} ms in the intake worker (lodging it: "
             f"routing, clocks, events, outbox) and {cpu['db']:.1f} ms in PostgreSQL. So {cores} cores take at most "
             f"{ceiling:.0f} complaints a second with the worker keeping up, {ceiling / tps if tps else 0:.2f} of "
             f"pgbench's {tps:.0f} tps; half of it would leave {cores * 1000 / (tps / 2) if tps else 0:.2f} ms for "
             f"everything. pgbench's transaction is a few rows in C; a complaint is a grievance with its events, "
             f"clocks and messages. The webhook alone ({cpu['web']:.1f} ms) on hosts of its own, with the worker and "
             f"the database elsewhere, is the way past it (docs/scaling.md).")
    quiet = r.get("ussd_quiet") or {}
    loaded = r["ussd"]
    worst_quiet = max(quiet.items(), key=lambda kv: kv[1][1]) if quiet else None
    over_alone = sorted(name for name, v in quiet.items() if v[1] >= 50)
    worst_loaded = max(loaded.items(), key=lambda kv: kv[1][1])
    if not quiet:
        ussd = "no USSD screen was timed without the load."
    elif over_alone:
        ussd = (f"{', '.join(over_alone)} {'is' if len(over_alone) == 1 else 'are'} over the target even with no SMS "
                f"load (worst p99 {worst_quiet[1][1]:.0f} ms, {worst_quiet[0]}): the screen's own work, not a wait. "
                f"Under the load the worst is {worst_loaded[0]} at p99 {worst_loaded[1][1]:.0f} ms.")
    else:
        ussd = (f"with no SMS load every screen is under the target (worst p99 {worst_quiet[1][1]:.0f} ms, "
                f"{worst_quiet[0]}); under the load the worst is {worst_loaded[0]} at p99 "
                f"{worst_loaded[1][1]:.0f} ms. The {CLIENTS} webhook clients keep every web worker busy on {cores} "
                f"cores (load average {r.get('load_during', 0):.1f}), so a screen waits for a worker and then for "
                f"a core: the wait, not the screen, is over the target.")
    nice = (r.get("pools") or {}).get("intake_nice", 0)
    worker = (f"the intake worker lodged {r['worker_rate'] or 0:.0f} a second against the webhook's "
              f"{r['ok_rps']:.0f}, on the same {cores} cores as the web workers and PostgreSQL ({cpu['worker']:.1f} ms "
              f"of its CPU a complaint)"
              + (f", at Nice={nice} as deployed: it gives way to the requests people wait on and catches up after "
                 f"the burst ({r.get('pending_after_load', 0):,} pending when the load ended, drained in "
                 f"{r['drain_s']:.1f} s)." if nice else "."))
    pools = (r.get("pools") or {})
    w = r.get("wrk") or {}
    p99 = (f"p99 {w.get('p99_us', 0) / 1000:.0f} ms with p50 {w.get('p50_us', 0) / 1000:.0f} ms: wrk's {CLIENTS} "
           f"connections keep the {cores} cores full, so every callback waits its turn"
           + (f", and the SMS workers run at Nice={pools.get('web_nice')} below the USSD workers as deployed: a "
              "USSD caller's screens go first. With USSD on the same workers (`bench/intake.py --one-pool`) the SMS "
              "p99 is under the target and the USSD screens are not (docs/performance.md, \"Intake\"): on a full "
              "CPU one of the two waits, and the deployment chooses the caller on a live session."
              if pools.get("ussd") else "."))
    return {"ratio": ratio, "ussd": ussd, "worker": worker, "p99": p99}


def write(block: str) -> str:
    """Put the block in docs/performance.md: in place of the last one, else below the hand-written marker."""
    path = os.path.join(ROOT, "docs", "performance.md")
    with open(path, encoding="utf-8") as fh:
        current = fh.read()
    head, begin, rest = current.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if begin and end:
        current = head + block.rstrip("\n") + tail
    else:
        marker = "<!-- Below this line is written by hand (and by other benchmarks); make bench keeps it. -->"
        current = current.replace(marker, marker + "\n" + block, 1) if marker in current else current + "\n" + block
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(current)
    return path


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "_setup":
        code = os.environ.get("PYTHONPATH") or ROOT
        sys.path[:0] = [code, os.path.join(ROOT, "tests")]
        _setup(sys.argv[2])
        return
    if len(sys.argv) > 4 and sys.argv[1] == "_worker_alone":
        sys.path[:0] = [os.environ.get("PYTHONPATH") or ROOT]
        _worker_alone(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--code", default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--label", default=None, help="names the profiles and message ids (after|before)")
    parser.add_argument("--seconds", type=int, default=SECONDS)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--one-pool", action="store_true",
                        help="USSD on the same workers as the rest, no Nice= (the arrangement before grs-web-ussd)")
    parser.add_argument("--no-write", action="store_true", help="print; leave docs/performance.md alone")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk not found (apt-get install wrk; `make bench` installs it)")
    reason = pgserver.available()
    if reason:
        sys.exit(f"bench: {reason}")
    label = args.label or ("after" if os.path.abspath(args.code) == ROOT else "before")
    r = run(args.code, label, args.seconds, profile=not args.no_profile, one_pool=args.one_pool)
    block = render(r)
    print(block)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({k: v for k, v in r.items() if k != "pgbench"} | {"pgbench": {
                k: v for k, v in r["pgbench"].items() if k != "raw"}}, fh, indent=1, default=str)
    if not args.no_write and label == "after":
        print(f"bench: written to {write(block)}")
        import results  # bench/results.py: the one writer of bench/results/*.json

        load = [round(x, 2) for x in r["load_during_all"]]
        print(f"bench: {results.write('intake', targets(r), size=SIZE, load=load)}")


if __name__ == "__main__":
    main()
