"""Two sweeps started together never escalate a grievance twice; one scheduler leads at a time."""
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, BASAN, T0
from escalation.scheduler import Leadership
from escalation.sweep import sweep
from grs.extensions import db
from grs.models import Event, Grievance

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

N = 24


def _two_sweeps_at_once(app, now):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                results.append(sweep(now, batch=5))
        except Exception as e:  # surfaced by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


@pytest.mark.committing_db
def test_two_concurrent_sweeps_escalate_each_overdue_grievance_exactly_once(app, world):
    with app.app_context():
        codes = [builders.lodge(BARIA if i % 2 else BASAN, now=T0 + timedelta(seconds=i)).tracking_code
                 for i in range(N)]
        now = max(g.due_at for g in db.session.scalars(sa.select(Grievance))) + timedelta(hours=1)
    results = _two_sweeps_at_once(app, now)
    with app.app_context():
        sweep(now)  # anything both left to each other under contention is picked up by the next pass
        escalated = [c for r in results for c, *_ in r.escalated]
        assert len(escalated) == len(set(escalated)), "a grievance was escalated by both sweeps"
        counts = dict(db.session.execute(
            sa.select(Grievance.tracking_code, Grievance.escalation_count)).all())
        assert counts == {c: 1 for c in codes}
        n_events = db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.type == "escalated"))
        assert n_events == N
        assert {g.level for g in db.session.scalars(sa.select(Grievance))} == {"upazila"}


@pytest.mark.committing_db
def test_only_one_scheduler_leads_and_another_takes_over_when_it_stops(app, tmp_path):
    app.config["SCHEDULER_LOCK_FILE"] = str(tmp_path / "scheduler.lock")
    first, second = Leadership(app), Leadership(app)
    try:
        assert first.try_acquire() is True
        assert second.try_acquire() is False
        assert first.try_acquire() is True  # keeps it
        first.release()  # the leader stops (or dies: the OS or database drops the lock)
        assert second.try_acquire() is True
        assert first.try_acquire() is False
    finally:
        first.release()
        second.release()


@pytest.mark.parametrize("backend", ["postgresql"])  # advisory locks; SQLite's file lock is tested above
@pytest.mark.committing_db
def test_a_dead_leaders_database_connection_frees_the_lead(app, backend):
    first, second = Leadership(app), Leadership(app)
    try:
        assert first.try_acquire() and not second.try_acquire()
        first._conn.invalidate()  # the connection drops as if the process had died
        # The server frees the lock when it notices the session is gone; the waiting one keeps trying.
        deadline = time.monotonic() + 10
        while not second.try_acquire() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert second.held is True
    finally:
        first.release()
        second.release()
