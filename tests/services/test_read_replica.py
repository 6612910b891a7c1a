"""Issue 14, item 5: with GRS_DATABASE_REPLICA_URL the dashboard, the statistics API, the public figures and
the list exports read from the replica; lodging, cases and every write stay on the primary.

The replica here is a copy of the primary's SQLite file taken after the first complaint: what the primary
gets afterwards shows whether a read went there or to the replica."""
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

import builders
from grs import create_app
from grs.extensions import db
from grs.models import Grievance


@pytest.fixture
def suite(request):
    """tests/conftest.py itself (its helpers), whichever conftest the name `conftest` means here."""
    return request.config.pluginmanager.get_plugin(str(Path(__file__).resolve().parent.parent / "conftest.py"))


def test_heavy_reads_go_to_the_replica_and_writes_to_the_primary(tmp_path, suite):
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    config = {**suite._base_config(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{primary}"}
    app = create_app(config)
    with app.app_context():
        db.create_all()
        world = builders.make_world()
        builders.lodge(builders.BARIA)
        db.session.commit()
        db.engine.dispose()
    shutil.copy(primary, replica)  # the replica as of now: one grievance
    app = create_app({**config, "DATABASE_REPLICA_URL": f"sqlite:///{replica}"})
    with app.app_context():
        builders.lodge(builders.BARIA)
        builders.lodge(builders.BASAN)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)) == 3
        headers = {"Authorization": f"Bearer {world.token('admin')}"}
    client = app.test_client()
    # The statistics and the list export: the replica's one grievance.
    stats = client.get("/api/v1/stats", headers=headers).get_json()
    assert stats["total"]["received"] == 1, stats["total"]
    lines = client.get("/api/v1/grievances?format=csv", headers=headers).get_data(as_text=True).splitlines()
    assert len(lines) == 1 + 1
    # The JSON list (an officer's working view) and a new complaint: the primary.
    listed = client.get("/api/v1/grievances", headers=headers).get_json()
    assert listed["total"] == 3
    r = client.post("/api/v1/grievances", headers=headers, json={
        "channel": "api", "programme": "OAA", "category": "payment", "area": builders.BARIA,
        "description": "My allowance was not paid this quarter."})
    assert r.status_code == 201
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)) == 4


def test_without_a_replica_every_read_is_the_primary_s(app, world, client):
    from grs.database import read_session

    with app.test_request_context("/"):
        assert read_session() is db.session
