"""APScheduler wiring: the sweep, the outbox, inbound SMS intake, the daily digest — run by one leader per
deployment.

Every scheduler process runs the same jobs, but a job only acts while its process holds the
leadership: a PostgreSQL session advisory lock, or on SQLite an exclusive file lock next to the
database. A second process keeps trying and takes over when the leader dies (the operating system
or the database drops the lock with the process or its connection).
"""
from __future__ import annotations

import fcntl
import logging
import os
import signal
import threading

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from channels.outbox import dispatch
from grs.countries import profile
from grs.extensions import db
from grs.timeutil import utcnow
from grs.uow import unit_of_work

from .digest import send_daily_digests
from .sweep import sweep

log = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x67727301  # "grs" + 1: any constant shared by every GRS process on the database
SWEEP_SECONDS = 60
OUTBOX_SECONDS = 5
INTAKE_SECONDS = 2  # inbound SMS no intake worker took (a deployment runs grs-intake for the load)


def lock_file(app: Flask) -> str | None:
    """The SQLite leadership lock: SCHEDULER_LOCK_FILE, else `<database file>-scheduler.lock` beside the
    database (None for an in-memory database, which no other process can share)."""
    if app.config.get("SCHEDULER_LOCK_FILE"):
        return app.config["SCHEDULER_LOCK_FILE"]
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    database = url.database or ""
    if database.startswith("file:"):  # an SQLite URI filename (?uri=true)
        database = database[len("file:"):].split("?", 1)[0]
    if database in ("", ":memory:") or url.query.get("mode") == "memory":
        return None
    return os.path.abspath(database) + "-scheduler.lock"


class Leadership:
    """Whether this process may act; `try_acquire` is cheap to call before every job run."""

    def __init__(self, app: Flask):
        self.app = app
        self._file = None
        self._conn = None
        self.held = False
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            if self.held and self._still_held():
                return True
            self.held = False
            self.held = self._acquire()
            if self.held:
                log.info("scheduler: this process is the leader (pid %s)", os.getpid())
            return self.held

    def _acquire(self) -> bool:
        with self.app.app_context():
            engine = db.engine
            if engine.dialect.name == "postgresql":
                if self._conn is None:
                    # A connection of its own, outside the pool: the lock lives as long as it does.
                    self._conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                return bool(self._conn.scalar(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}))
        path = lock_file(self.app)
        if path is None:
            return True  # an in-memory database is this process's alone: there is no lead to share
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if self._file is None:
            self._file = open(path, "a+")
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self._file.seek(0)
        self._file.truncate()
        self._file.write(str(os.getpid()))
        self._file.flush()
        return True

    def _still_held(self) -> bool:
        if self._conn is None:
            return True  # a file lock cannot be lost while the file stays open
        try:
            self._conn.scalar(sa.text("SELECT 1"))
            return True
        except Exception:  # the connection died, and the advisory lock with it
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None
            return False

    def release(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.scalar(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
                    self._conn.close()
                except Exception:
                    pass
                self._conn = None
            if self._file is not None:
                try:
                    fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
                finally:
                    self._file.close()
                    self._file = None
            self.held = False


def _job(app: Flask, leader: Leadership, name: str, fn):
    """Wrap a job so it runs in an app context, only on the leader, and never kills the scheduler."""

    def run():
        if not leader.try_acquire():
            return
        with app.app_context():
            try:
                fn(utcnow())
            except Exception:  # a failing pass is logged and retried at the next tick
                log.exception("scheduler job %s failed", name)
                db.session.rollback()
            finally:
                db.session.remove()

    run.__name__ = f"grs_{name}"
    return run


def _sweep(now):
    sweep(now)  # one unit of work per grievance it handles


def _outbox(now):
    dispatch(now)  # one unit of work per claim and per message


def _intake(now):
    from channels.sms import intake

    intake.work(once=True)  # what the webhook recorded and no intake worker (grs intake work) took yet


def _digest(now):
    with unit_of_work() as uow:
        send_daily_digests(uow, now)


def configure(scheduler, app: Flask, leader: Leadership) -> None:
    """Add the periodic jobs to an APScheduler scheduler."""
    tz = profile(app.config["COUNTRY"]).timezone
    common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 30}
    scheduler.add_job(_job(app, leader, "sweep", _sweep), "interval", seconds=SWEEP_SECONDS, id="sweep",
                      name="escalation sweep", next_run_time=utcnow(), **common)
    scheduler.add_job(_job(app, leader, "outbox", _outbox), "interval", seconds=OUTBOX_SECONDS, id="outbox",
                      name="outbox dispatch", **common)
    scheduler.add_job(_job(app, leader, "intake", _intake), "interval", seconds=INTAKE_SECONDS, id="intake",
                      name="inbound SMS intake", **common)
    scheduler.add_job(_job(app, leader, "digest", _digest), "cron", hour=7, minute=0, timezone=tz,
                      id="digest", name="daily digest", **common)


def start_in_process(app: Flask) -> BackgroundScheduler:
    """For `grs serve`: the jobs on a background thread of the development server."""
    leader = Leadership(app)
    scheduler = BackgroundScheduler(timezone="UTC")
    configure(scheduler, app, leader)
    scheduler.start()
    log.info("scheduler started in-process (sweep every %ss, outbox every %ss)", SWEEP_SECONDS, OUTBOX_SECONDS)
    return scheduler


def run_forever(app: Flask) -> None:
    """For `grs scheduler`: block, running the jobs whenever this process is the leader."""
    leader = Leadership(app)
    scheduler = BlockingScheduler(timezone="UTC")
    configure(scheduler, app, leader)

    def stop(signum, frame):
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info("scheduler waiting for leadership (pid %s)", os.getpid())
    try:
        scheduler.start()
    finally:
        leader.release()
