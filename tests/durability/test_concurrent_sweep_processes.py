"""Four `grs sweep` processes and two `grs scheduler` processes started together on one PostgreSQL database
with overdue grievances (the real clock): each grievance is escalated exactly once, one scheduler leads, the
counters equal a recount and every hash chain is intact (test_concurrent_sweeps.py: the same with threads,
fast, on both backends)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from grs import create_app
from grs.extensions import db
from grs.models import Grievance

from . import procs
from .race import assert_each_escalated_once, overdue_and_fresh

pytestmark = [pytest.mark.slow, pytest.mark.wall_clock]

N_OVERDUE, N_FRESH = 40, 4
GRS = [sys.executable, "-c", "import sys; from grs.cli import main; sys.argv[0] = 'grs'; sys.exit(main())"]


def _spawn(args: list[str], env: dict, log_path) -> subprocess.Popen:
    with open(log_path, "wb") as log:
        return subprocess.Popen([*GRS, *args], cwd=procs.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def test_four_sweep_and_two_scheduler_processes_escalate_each_overdue_grievance_once(pg, settings, tmp_path):
    url = pg.create_database("grs_durability_sweeps")
    procs.build_database(url, settings)
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        overdue, fresh = overdue_and_fresh(datetime.now(timezone.utc), N_OVERDUE, N_FRESH)
    env = procs.server_env(url, 5642, settings, tmp_path)
    env["GRS_LOG_LEVEL"] = "INFO"  # the schedulers say which of them leads
    schedulers = [_spawn(["scheduler"], env, tmp_path / f"scheduler-{i}.log") for i in range(2)]
    sweeps = [_spawn(["sweep"], env, tmp_path / f"sweep-{i}.log") for i in range(4)]
    try:
        for i, p in enumerate(sweeps):
            assert p.wait(120) == 0, (tmp_path / f"sweep-{i}.log").read_text()
        # The leading scheduler sweeps as it starts: wait until nothing overdue is left (or give up).
        deadline = time.monotonic() + 60
        with app.app_context():
            while time.monotonic() < deadline:
                left = db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)
                                         .where(Grievance.escalation_count == 0, Grievance.tracking_code.in_(overdue)))
                db.session.rollback()
                if not left:
                    break
                time.sleep(0.5)
    finally:
        for p in schedulers:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in schedulers:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)
        for p in sweeps:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)

    logs = [(tmp_path / f"scheduler-{i}.log").read_text() for i in range(2)]
    assert sum("this process is the leader" in log for log in logs) == 1, logs
    assert not any("Traceback" in log for log in logs), logs
    outputs = [(tmp_path / f"sweep-{i}.log").read_text() for i in range(4)]
    escalated = [line.split()[1].rstrip(":") for out in outputs for line in out.splitlines()
                 if line.strip().startswith("escalated ")]
    assert len(escalated) == len(set(escalated)), "two sweep processes escalated the same grievance"
    with app.app_context():
        assert_each_escalated_once(overdue, fresh)
        db.session.remove()
        db.engine.dispose()
    verified = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "every chain intact" in verified.output, verified.output
