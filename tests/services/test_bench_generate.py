"""The benchmark data generator (bench/generate.py) writes data the app itself would have written: every
hash chain verifies, the statistics counters equal a recount from the events (and their roll-up the
counters summed), and the overdue ones are exactly those asked for."""
from __future__ import annotations

import importlib.util
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
from shared_data import shared_file
import sqlalchemy as sa

from grs import queries, rollups, statistics
from grs.extensions import db
from grs.models import Event, Grievance, GrievanceOffice, Office, StatContribution

pytestmark = [pytest.mark.both_backends, pytest.mark.committing_db, pytest.mark.slow]  # a bench tool: CI

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 5, 0, tzinfo=timezone.utc)


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bd_areas():
    return shared_file()


def test_generated_grievances_verify_and_their_counters_equal_a_recount(app, runner, bd_areas):
    gen = _generator()
    report = gen.generate(app, 300, 30, now=NOW, seed=3, batch=120, workers=1, progress=False)
    assert report["grievances"] == 300 and report["events"] > 600

    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code == 0, out.output
    assert "OK, 300 grievances" in out.output

    with app.app_context():
        s = db.session
        assert statistics.recount(s) == statistics.stored_counts(s)
        assert rollups.stored(s) == rollups.expected(s, statistics.stored_counts(s))
        assert s.scalar(sa.select(sa.func.count()).select_from(StatContribution)) == 300
        assert s.scalar(sa.select(sa.func.count()).select_from(Grievance).where(queries.overdue(NOW))) == 30
        # every grievance sits at an office it is recorded as having been at, on the real hierarchy
        assert s.scalar(sa.select(sa.func.count()).select_from(Office).where(Office.tier == "union")) == 4540
        seen = set(s.execute(sa.select(GrievanceOffice.grievance_id, GrievanceOffice.office_id)).all())
        assert all((g.id, g.office_id) in seen for g in s.scalars(sa.select(Grievance)))
        # the spreads are spreads: several statuses, channels and event types
        statuses = Counter(s.scalars(sa.select(Grievance.status)))
        assert len(statuses) >= 4 and statuses["closed"] > 100
        assert len(set(s.scalars(sa.select(Grievance.channel)))) >= 5
        types = set(s.scalars(sa.select(Event.type)))
        assert {"lodged", "routed", "acknowledged", "resolved", "rejected", "escalated", "closed"} <= types
        figures = statistics.figures(s, statistics.StatsFilter(), "level", now=NOW)
        assert figures["total"]["received"] == 300 and figures["total"]["overdue"] == 30
        assert figures["shares"]["resolved_at"]["union"] > 0.3

        # a second run adds to what is there (ids after the first run's), counters still equal a recount
    gen.generate(app, 50, 0, now=NOW, seed=4, workers=1, progress=False)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)) == 350
        assert statistics.recount(db.session) == statistics.stored_counts(db.session)
        assert rollups.stored(db.session) == rollups.expected(db.session, statistics.stored_counts(db.session))
    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code == 0 and "OK, 350 grievances" in out.output
