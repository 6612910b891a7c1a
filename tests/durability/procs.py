"""Real processes for the slow durability proofs: gunicorn with the repo's gunicorn.conf.py, a PostgreSQL
server that can be stopped and started again, a database with the test world, and an SMS-sending client."""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import sqlalchemy as sa

import pgserver
from grs import config as grs_config
from grs import create_app
from grs.extensions import db

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CALLBACK_KEY = "at-durability-key"
AT_PATH = f"/hooks/sms/africastalking?key={CALLBACK_KEY}"
LODGE_TEXT = "আমার বয়স্ক ভাতার টাকা পাইনি। বাড়ীয়া ইউনিয়ন"


def build_database(url: str, settings: dict) -> dict:
    """The schema and the test world (areas, offices, reference data, accounts) and one grievance, committed
    at `url`; returns {"token": an operator's API token, "code": the grievance's tracking code}."""
    import builders

    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        world = builders.make_world()
        db.session.commit()
        token = world.token("operator")
        code = builders.lodge().tracking_code
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"token": token, "code": code}


def server_env(url: str, port: int, settings: dict, tmp_path) -> dict:
    """The environment gunicorn runs the app with: the test settings as GRS_* variables (every rate limit far
    out of reach, the webhooks' too), this database and port, an instance folder of its own."""
    env = dict(os.environ)
    keys = {key: var for var, key in grs_config.ENV_SETTINGS.items()}
    for key, value in settings.items():
        if key in keys and not isinstance(value, bool):
            env[keys[key]] = str(value)
    env.update({
        "GRS_DATABASE_URL": url, "GRS_BIND": f"127.0.0.1:{port}", "GRS_WORKERS": "2", "GRS_THREADS": "2",
        "GRS_SECRET_KEY": "durability-" + "k" * 32, "GRS_INSTANCE_PATH": str(tmp_path / "instance"),
        "GRS_AT_CALLBACK_KEY": CALLBACK_KEY, "GRS_SMS_PROVIDER": "console", "GRS_PUBLIC_URL": "",
        "GRS_LOG_LEVEL": "WARNING",
    })
    return env


class Gunicorn:
    """gunicorn -c gunicorn.conf.py 'grs:create_app()' in a process group of its own (master and workers)."""

    def __init__(self, env: dict, port: int, log_path):
        self.env, self.port, self.log_path = env, port, str(log_path)
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Gunicorn":
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", os.path.join(ROOT, "gunicorn.conf.py"), "grs:create_app()"],
            cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                status, _, _ = request("GET", self.port, "/healthz", timeout=2)
                if status == 200 and len(self.workers()) >= int(self.env["GRS_WORKERS"]):
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer on port {self.port}: {self.log_tail()}")

    def workers(self) -> list[int]:
        """The worker processes' ids (the master's children)."""
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as fh:
                return sorted(int(p) for p in fh.read().split())
        except OSError:
            return []

    def kill9(self) -> list[int]:
        """SIGKILL to the master and every worker at once (the whole group); the pids that were killed."""
        pids = [self.proc.pid, *self.workers()]
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        for pid in pids:  # the workers are the master's children: gone with it, but wait until they are
            deadline = time.monotonic() + 10
            while os.path.exists(f"/proc/{pid}") and _state(pid) != "Z" and time.monotonic() < deadline:
                time.sleep(0.05)
        return pids

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(20)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)

    def log_tail(self, n: int = 3000) -> str:
        try:
            with open(self.log_path, "rb") as fh:
                return fh.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "X"


class RestartablePg(pgserver.PgServer):
    """A private PostgreSQL 15 server (tests/pgserver.py) that can be stopped and started again on the same
    data, port and socket, as an operator restarting it would."""

    def down(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def up(self) -> None:
        # The options PgServer.start gives the server, again.
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses='' -c fsync=off "
                f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        self._run("pg_ctl", "-D", self.data, "-o", opts, "-l", os.path.join(self.root, "server.log"), "-w",
                  "-t", "60", "start")


def request(method: str, port: int, path: str, body: str | None = None, headers: dict | None = None,
            timeout: float = 10) -> tuple[int, dict, bytes]:
    """One HTTP request on a fresh connection: (status, headers, body); OSError when there is no answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def at_form(msg_id: str, sender: str, text: str = LODGE_TEXT) -> str:
    return urlencode({"from": sender, "to": "21356", "text": text, "date": "2026-03-01 10:00:00", "id": msg_id,
                      "linkId": ""})


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def message(t: int, n: int) -> tuple[str, str]:
    """The provider id and sender of the n-th message of thread t: distinct ids, distinct numbers."""
    return f"ATXid_dur_{t}_{n:04d}", f"+88017{t + 10:02d}{n:06d}"


@dataclass
class SmsLoad:
    """A provider delivering distinct SMS from a few threads, each message retried until it gets an answer
    (as Africa's Talking does); records which ids got a 2xx, and every other outcome."""

    port: int
    threads: int = 3
    per_thread: int = 40
    answered: dict[str, int] = field(default_factory=dict)  # message id -> the 2xx status it got
    duplicates: list[str] = field(default_factory=list)  # answered {"duplicate": true}: stored by an earlier try
    no_answer: list[tuple[str, str]] = field(default_factory=list)  # (id, error) sent, never answered
    statuses: list[tuple[float, int, str]] = field(default_factory=list)  # (when, status, id) every answer
    problems: list[str] = field(default_factory=list)
    outstanding: int = 0  # requests sent and not yet answered, right now

    def __post_init__(self):
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []

    def start(self) -> "SmsLoad":
        for t in range(self.threads):
            worker = threading.Thread(target=self._run, args=(t,), daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def _run(self, t: int) -> None:
        for n in range(self.per_thread):
            msg_id, sender = message(t, n)
            while not self._stop.is_set():
                with self._lock:
                    self.outstanding += 1
                try:
                    status, headers, body = request("POST", self.port, AT_PATH, at_form(msg_id, sender), FORM)
                except OSError as e:  # refused (server down) or cut off mid-request (killed): send it again
                    with self._lock:
                        self.no_answer.append((msg_id, type(e).__name__))
                    time.sleep(0.05)
                    continue
                finally:
                    with self._lock:
                        self.outstanding -= 1
                with self._lock:
                    self.statuses.append((time.monotonic(), status, msg_id))
                if 200 <= status < 300:
                    with self._lock:
                        self.answered[msg_id] = status
                        if json.loads(body).get("duplicate"):
                            self.duplicates.append(msg_id)
                    break
                if status != 503:
                    with self._lock:
                        self.problems.append(f"{msg_id}: {status} {body[:200]!r}")
                time.sleep(0.05)  # a 503 asks to come back later: the provider retries

    def redeliver(self, ids: list[str]) -> list[tuple[str, int, bool | None]]:
        """Send answered messages once more, as a provider does when our answer was lost: (id, status,
        whether the answer says duplicate)."""
        out = []
        for msg_id in ids:
            t, n = (int(x) for x in msg_id.rsplit("_", 2)[1:])
            status, _, body = request("POST", self.port, AT_PATH, at_form(*message(t, n)), FORM)
            out.append((msg_id, status, json.loads(body).get("duplicate") if status == 200 else None))
        return out

    def count(self) -> int:
        with self._lock:
            return len(self.answered)

    def wait_for(self, n: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while self.count() < n and time.monotonic() < deadline and any(w.is_alive() for w in self._workers):
            time.sleep(0.02)

    def join(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        for w in self._workers:
            w.join(max(0.1, deadline - time.monotonic()))
        self._stop.set()


def run_intake_worker(url: str, settings: dict) -> int:
    """The intake worker (`grs intake work --once`) over what the webhook recorded at `url`."""
    import builders

    return builders.run_intake_worker(create_app({**settings, "SQLALCHEMY_DATABASE_URI": url}))


def inbound_state(url: str) -> dict:
    """What the database holds of the SMS intake: per provider message id, its rows and grievance."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT provider_message_id, grievance_id FROM inbound_messages WHERE provider = 'africastalking'")
            ).all()
            grievances = conn.execute(sa.text("SELECT id FROM grievances")).scalars().all()
    finally:
        engine.dispose()
    return {"rows": rows, "grievances": grievances}
