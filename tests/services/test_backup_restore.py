"""`grs backup` and `grs restore` (issue 11, item 7): a database with grievances, their events, accounts,
offices and messages is backed up while it stays usable, restored into an empty database that then holds
exactly the same rows and passes `grs audit verify`; a database that holds data is not overwritten unless
forced; a missing pg_dump or a backup of the other backend is a clear message, not a traceback."""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, BASAN

from grs import backup as backups
from grs import create_app
from grs import services as svc
from grs.extensions import db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def fill(app) -> None:
    """Demo-like data: the world (areas, offices, reference data, one account per role) and grievances in
    several states, with notes, a decision, an attachment and queued messages."""
    with app.app_context():
        world = builders.make_world()
        for i in range(6):
            g = builders.lodge(BARIA if i % 2 else BASAN, description=f"Allowance not paid, quarter {i}.",
                               attachments=(svc.AttachmentIn("slip.png", "image/png", PNG),) if i == 0 else ())
            if i % 2:
                builders.act(world, "officer_baria", g.tracking_code, "acknowledge", note="Called the agent.")
            if i == 3:
                builders.act(world, "officer_baria", g.tracking_code, "resolve", decision="upheld",
                             resolution="Paid in cash.")
        db.session.remove()


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    with app.app_context():
        meta = sa.MetaData()
        meta.reflect(db.engine)
        out = {}
        with db.engine.connect() as conn:
            for name, table in meta.tables.items():
                rows = conn.execute(sa.select(table)).all()
                out[name] = sorted((tuple(r) for r in rows), key=repr)
        db.engine.dispose()
        return out


def target_app(app, request, backend, tmp_path, name: str):
    """An app like `app` on a second, empty database."""
    if backend == "postgresql":
        url = request.getfixturevalue("pg").create_database(name)
    else:
        url = "sqlite:///" + str(tmp_path / f"{name}.sqlite3")
    return create_app(dict(app.config, SQLALCHEMY_DATABASE_URI=url))


@pytest.mark.both_backends
@pytest.mark.committing_db
def test_a_backup_restored_into_an_empty_database_is_the_same_and_passes_audit_verify(app, runner, backend,
                                                                                     request, tmp_path):
    fill(app)
    before = snapshot(app)
    assert len(before["grievances"]) == 6 and len(before["events"]) > 6
    source_verify = runner.invoke(args=["audit", "verify"])
    assert source_verify.exit_code == 0 and "OK" in source_verify.output

    path = tmp_path / ("grs.backup" if backend == "postgresql" else "grs-backup.sqlite3")
    made = runner.invoke(args=["backup", str(path)])
    assert made.exit_code == 0, made.output
    assert "backup: done" in made.output and str(path) in made.output
    assert ("copying" in made.output) if backend == "sqlite" else ("dumping contents of table" in made.output)
    assert path.stat().st_size > 0 and not os.path.exists(str(path) + ".partial")
    # The app keeps working on the database it backed up.
    builders.lodge_in(app, BARIA)

    target = target_app(app, request, backend, tmp_path, "grs_restored")
    restorer = target.test_cli_runner()
    restored = restorer.invoke(args=["restore", str(path)])
    assert restored.exit_code == 0, restored.output
    assert "restore: done" in restored.output
    assert snapshot(target) == before
    verify = restorer.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output
    assert verify.output == source_verify.output  # the same grievances, events and chains

    # The restored database is the service's as before: a new grievance is numbered after the restored ones.
    with target.app_context():
        g = builders.lodge(BARIA)
        assert g.id == max(row[0] for row in before["grievances"]) + 1
        db.session.remove()
        db.engine.dispose()


@pytest.mark.both_backends
@pytest.mark.committing_db
def test_a_database_that_holds_data_is_replaced_only_when_forced(app, runner, backend, request, tmp_path):
    fill(app)
    path = tmp_path / "grs.backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    again = runner.invoke(args=["backup", str(path)])
    assert again.exit_code != 0 and "exists already" in again.output  # an old backup is not overwritten...
    assert runner.invoke(args=["backup", "--force", str(path)]).exit_code == 0  # ...unless asked

    builders.lodge_in(app, BARIA)  # now the database holds one grievance more than the backup
    refused = runner.invoke(args=["restore", str(path)])
    assert refused.exit_code != 0 and "holds data" in refused.output and "--force" in refused.output
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM grievances")) == 7
        db.session.remove()
    forced = runner.invoke(args=["restore", "--force", str(path)])
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM grievances")) == 6
        db.session.remove()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


@pytest.mark.committing_db
def test_a_sqlite_backup_runs_beside_an_open_write_and_keeps_only_what_was_committed(app, runner, request,
                                                                                     tmp_path):
    """Online: a write transaction held open by the app does not stop the backup, nor reach it."""
    import sqlite3
    import time

    fill(app)
    with app.app_context():
        database = db.engine.url.database
        db.engine.dispose()
    writer = sqlite3.connect(database, timeout=1)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE grievances SET description = 'not committed'")
    try:
        started = time.monotonic()
        made = runner.invoke(args=["backup", str(tmp_path / "online.sqlite3")])
        assert made.exit_code == 0, made.output
        assert time.monotonic() - started < 5  # it did not wait for the writer
    finally:
        writer.rollback()
        writer.close()
    copy = sqlite3.connect(tmp_path / "online.sqlite3")
    descriptions = {d for (d,) in copy.execute("SELECT description FROM grievances")}
    copy.close()
    assert "not committed" not in descriptions and len(descriptions) == 6


@pytest.mark.committing_db
def test_a_file_that_is_no_backup_of_this_backend_is_refused_clearly(app, runner, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"not a backup")
    r = runner.invoke(args=["restore", str(junk)])
    assert r.exit_code != 0 and "neither a SQLite database nor a pg_dump" in r.output
    dump = tmp_path / "grs.dump"
    dump.write_bytes(b"PGDMP" + b"\x00" * 64)
    r = runner.invoke(args=["restore", str(dump)])
    assert r.exit_code != 0 and "is a postgresql backup; this database is sqlite" in r.output
    assert "Traceback" not in r.output


@pytest.mark.pg_only
@pytest.mark.committing_db
def test_a_database_that_is_not_there_is_a_message_without_the_password(app, backend, request, tmp_path):
    server = request.getfixturevalue("pg")
    url = server.url("grs_never_made").replace("postgres@", "postgres:s3cret-pw@")
    missing = create_app(dict(app.config, SQLALCHEMY_DATABASE_URI=url))
    r = missing.test_cli_runner().invoke(args=["restore", str(_a_file(tmp_path))])
    assert r.exit_code != 0 and "cannot read the database" in r.output and "grs_never_made" in r.output
    assert "s3cret-pw" not in r.output and "Traceback" not in r.output


def _a_file(tmp_path):
    dump = tmp_path / "grs.dump"
    dump.write_bytes(b"PGDMP" + b"\x00" * 64)
    return dump


def test_without_pg_dump_the_message_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv("GRS_PG_BINDIR", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(backups, "PG_LIB_ROOT", str(tmp_path / "postgresql"))
    with pytest.raises(backups.BackupError) as e:
        backups.find_pg_tool("pg_dump", 15)
    assert "pg_dump not found" in str(e.value) and "postgresql-client-15" in str(e.value)
    assert "GRS_PG_BINDIR" in str(e.value)


def test_the_pg_dump_of_the_servers_version_is_preferred(monkeypatch, tmp_path):
    for version in ("13", "15", "16"):
        folder = tmp_path / "postgresql" / version / "bin"
        folder.mkdir(parents=True)
        (folder / "pg_dump").write_text("#!/bin/sh\n")
        (folder / "pg_dump").chmod(0o755)
    monkeypatch.delenv("GRS_PG_BINDIR", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(backups, "PG_LIB_ROOT", str(tmp_path / "postgresql"))
    assert backups.find_pg_tool("pg_dump", 15) == str(tmp_path / "postgresql" / "15" / "bin" / "pg_dump")
    assert backups.find_pg_tool("pg_dump", 14) == str(tmp_path / "postgresql" / "16" / "bin" / "pg_dump")
    with pytest.raises(backups.BackupError):
        backups.find_pg_tool("pg_dump", 17)  # an older pg_dump cannot dump a newer server
