"""On SQLite the scheduler's lead is a file lock beside the database: instances on different databases
from one checkout each lead their own, instances on one database share one lead."""
import os

import pytest

from escalation.scheduler import Leadership, lock_file
from grs import create_app


@pytest.fixture
def app_on(tmp_path, monkeypatch):
    """An app on a SQLite file of its own name, every one with the same instance folder (one checkout)."""
    monkeypatch.setenv("GRS_INSTANCE_PATH", str(tmp_path / "instance"))
    leaders = []

    def make(database: str, **config) -> Leadership:
        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "LOG_LEVEL": "WARNING",
                          "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / database), **config})
        leaders.append(Leadership(app))
        return leaders[-1]

    yield make
    for leader in leaders:
        leader.release()


def test_instances_on_different_databases_each_lead_theirs(app_on, tmp_path):
    first, second = app_on("a/grs.sqlite3"), app_on("b/grs.sqlite3")
    assert first.try_acquire() is True
    assert second.try_acquire() is True
    assert os.path.exists(tmp_path / "a" / "grs.sqlite3-scheduler.lock")
    assert os.path.exists(tmp_path / "b" / "grs.sqlite3-scheduler.lock")
    assert not os.path.exists(tmp_path / "instance" / "scheduler.lock")


def test_instances_on_one_database_share_one_lead(app_on):
    first, second = app_on("grs.sqlite3"), app_on("grs.sqlite3")
    assert first.try_acquire() is True
    assert second.try_acquire() is False
    first.release()
    assert second.try_acquire() is True


def test_a_lock_file_set_in_the_config_is_used(app_on, tmp_path):
    leader = app_on("grs.sqlite3", SCHEDULER_LOCK_FILE=str(tmp_path / "locks" / "lead.lock"))
    assert leader.try_acquire() is True
    assert os.path.exists(tmp_path / "locks" / "lead.lock")
    assert not os.path.exists(tmp_path / "grs.sqlite3-scheduler.lock")


def test_an_in_memory_database_needs_no_lock_file():
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert lock_file(app) is None
    assert Leadership(app).try_acquire() is True
