"""Four sweeps and two schedulers at once, each on its own connection, against overdue grievances: each is
escalated exactly once, and the counters equal a recount (test_concurrent_sweep_processes.py does the same
with real `grs sweep` and `grs scheduler` processes on PostgreSQL)."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from escalation import scheduler
from escalation.sweep import sweep
from grs.extensions import db
from grs.models import Grievance

from .race import assert_each_escalated_once, overdue_and_fresh

pytestmark = [pytest.mark.both_backends, pytest.mark.committing_db]

N_OVERDUE, N_FRESH = 30, 4


def test_four_sweeps_and_two_schedulers_at_once_escalate_each_overdue_grievance_once(app, world, runner, tmp_path,
                                                                                     pinned_clock):
    now = pinned_clock  # what grs.timeutil.utcnow() answers, so what the schedulers' job sweeps at
    app.config["SCHEDULER_LOCK_FILE"] = str(tmp_path / "scheduler.lock")
    with app.app_context():
        overdue, fresh = overdue_and_fresh(now, N_OVERDUE, N_FRESH)
    leaders = [scheduler.Leadership(app) for _ in range(2)]
    # The schedulers' own job wrapper: leadership first, then the sweep at utcnow().
    jobs = [scheduler._job(app, leader, "sweep", scheduler._sweep) for leader in leaders]
    start = threading.Barrier(6)
    results, errors = [], []

    def a_sweep():
        with app.app_context():
            start.wait()
            results.append(sweep(now, batch=4))
            db.session.remove()

    def a_scheduler(job):
        start.wait()
        job()

    def guarded(target, *args):
        try:
            target(*args)
        except Exception as e:  # reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(a_sweep,)) for _ in range(4)]
    threads += [threading.Thread(target=guarded, args=(a_scheduler, job)) for job in jobs]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        held = [leader.held for leader in leaders]
    finally:
        for leader in leaders:
            leader.release()
    assert sorted(held) == [False, True], "exactly one scheduler leads"
    assert not errors, errors
    assert not any(t.is_alive() for t in threads), "a sweep hung"
    escalated = [code for r in results for code, *_ in r.escalated]
    assert len(escalated) == len(set(escalated)), "two sweeps escalated the same grievance"
    # Under contention a pass leaves a grievance another holds (SQLite: many); the next pass takes those. The
    # leading scheduler's pass counts too: on SQLite's single writer it may take every one before the others start.
    with app.app_context():
        done = db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)
                                 .where(Grievance.escalation_count > 0))
        assert done, "the concurrent passes escalated nothing"
        assert len(escalated) <= done, "a direct sweep reported an escalation the database does not hold"
        sweep(now)  # the next minute's pass: what every concurrent pass left to another under contention
        assert_each_escalated_once(overdue, fresh)
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "every chain intact" in verified.output, verified.output
