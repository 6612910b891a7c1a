"""Backups and restores of the whole database (issue 11, item 7): `grs backup PATH`, `grs restore PATH`.

- SQLite: the online backup API (sqlite3.Connection.backup), a consistent copy while the app keeps
  running; the backup is itself a SQLite database file, checked with PRAGMA integrity_check.
- PostgreSQL: `pg_dump -Fc` (custom format, compressed) and `pg_restore`, given the database URL's
  connection parameters through PG* environment variables (the password never on a command line). The
  tools are looked for in GRS_PG_BINDIR, then /usr/lib/postgresql/<the server's major version>/bin, then
  PATH, then any newer /usr/lib/postgresql/*/bin: pg_dump must be at least the server's version.

A backup is written to PATH.partial and renamed when complete, so PATH is never a half-written backup.
A restore goes into an empty database (no rows in any table) and refuses one that holds data unless
forced. Uploaded files (GRS_UPLOAD_DIR) are not in the database: back that folder up beside it
(docs/operations.md, "Backups and recovery").
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa

Progress = Callable[[str], None]
PG_LIB_ROOT = "/usr/lib/postgresql"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
PAGES_PER_STEP = 1024  # SQLite pages copied per step of a restore (4 MB at 4 KiB pages), for its progress
# Tables whose rows do not make a database "hold data": the schema's version, SQLite's own bookkeeping.
BOOKKEEPING = {"alembic_version", "sqlite_sequence", "sqlite_stat1", "sqlite_stat4"}


class BackupError(Exception):
    """A backup or restore that cannot be done, with what to do about it."""


@dataclass
class Summary:
    path: str
    size: int
    tables: int
    rows: int
    revision: str | None


def backup(engine: sa.engine.Engine, path: str, *, overwrite: bool = False, progress: Progress = print) -> Summary:
    """Write a complete backup of the engine's database to `path`."""
    path = os.path.abspath(path)
    if os.path.exists(path) and not overwrite:
        raise BackupError(f"{path} exists already: choose a new name, or --force to replace it")
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise BackupError(f"no folder {folder} to write the backup in")
    partial = path + ".partial"
    tables, rows, revision = _contents(engine)
    progress(f"backup: {engine.dialect.name} database, {tables} tables, {rows} rows, schema revision {revision or '-'}")
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_backup(_sqlite_file(engine), partial, progress)
        elif engine.dialect.name == "postgresql":
            _pg_dump(engine, partial, progress)
        else:
            raise BackupError(f"no backup for the {engine.dialect.name} backend")
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    size = os.path.getsize(path)
    progress(f"backup: done, {path} ({_size(size)})")
    return Summary(path, size, tables, rows, revision)


def restore(engine: sa.engine.Engine, path: str, *, force: bool = False, progress: Progress = print) -> Summary:
    """Load a backup made by `backup` into the engine's database, which must hold no data unless forced."""
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise BackupError(f"no backup file {path}")
    with open(path, "rb") as f:
        head = f.read(16)
    kind = "sqlite" if head.startswith(SQLITE_MAGIC) else "postgresql" if head.startswith(PG_CUSTOM_MAGIC) else None
    if kind is None:
        raise BackupError(f"{path} is neither a SQLite database nor a pg_dump custom-format file")
    if kind != engine.dialect.name:
        raise BackupError(f"{path} is a {kind} backup; this database is {engine.dialect.name} (restore it into "
                          f"a {kind} database: GRS_DATABASE_URL)")
    tables, rows, _revision = _contents(engine)
    if rows and not force:
        raise BackupError(f"the database holds data ({rows} rows in {tables} tables): restore into an empty "
                          f"database, or --force to replace everything in it")
    if rows:
        progress(f"restore: replacing {rows} rows in {tables} tables (--force)")
    engine.dispose()  # no pooled connection of ours holds the database while it is replaced
    if kind == "sqlite":
        _sqlite_restore(path, _sqlite_file(engine), progress)
    else:
        _pg_restore(engine, path, replace=tables > 0, progress=progress)
    engine.dispose()
    tables, rows, revision = _contents(engine)
    progress(f"restore: done, {tables} tables, {rows} rows, schema revision {revision or '-'}")
    return Summary(path, os.path.getsize(path), tables, rows, revision)


# ---------------------------------------------------------------- what a database holds


def _contents(engine) -> tuple[int, int, str | None]:
    """(tables, rows outside the bookkeeping tables, alembic revision) of the engine's database."""
    try:
        return _count(engine)
    except sa.exc.OperationalError as e:  # no server, no such database, refused: say so, not a traceback
        reason = str(e.orig).strip().splitlines()[0] if e.orig is not None else str(e)
        raise BackupError(f"cannot read the database ({engine.url.render_as_string(hide_password=True)}): "
                          f"{reason}")


def _count(engine) -> tuple[int, int, str | None]:
    inspector = sa.inspect(engine)
    names = [n for n in inspector.get_table_names() if n not in BOOKKEEPING]
    rows = 0
    revision = None
    with engine.connect() as conn:
        for name in names:
            rows += conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
        if inspector.has_table("alembic_version"):
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    return len(names), rows, revision


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


# ---------------------------------------------------------------- SQLite


def _sqlite_file(engine) -> str:
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file::memory:"):
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return os.path.abspath(name)


def _copy(source: sqlite3.Connection, target: sqlite3.Connection, what: str, progress: Progress,
          pages: int = PAGES_PER_STEP) -> None:
    shown = [-1]

    def step(status, remaining, total):
        done = 100 if total == 0 else int(100 * (total - remaining) / total)
        if done // 10 != shown[0] // 10 or remaining == 0:  # a line per tenth, and the last
            shown[0] = done
            progress(f"{what}: {done}% ({total - remaining} of {total} pages)")

    source.backup(target, pages=pages, progress=step)


def _integrity(conn: sqlite3.Connection, path: str) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {result}")


def _sqlite_backup(database: str, partial: str, progress: Progress) -> None:
    if not os.path.exists(database):
        raise BackupError(f"no SQLite database at {database}")
    if os.path.exists(partial):
        os.unlink(partial)
    source = sqlite3.connect(database, timeout=30)  # only read: the backup API copies a consistent snapshot
    target = sqlite3.connect(partial)
    try:
        pages = source.execute("PRAGMA page_count").fetchone()[0]
        progress(f"backup: copying {pages} pages")
        # In one step: a step-wise copy starts again whenever the app writes between steps, so under steady
        # traffic it might never end; one step reads one snapshot (WAL: writers go on meanwhile).
        _copy(source, target, "backup", progress, pages=-1)
        _integrity(target, partial)
        # The copy keeps the source's WAL mode; as one self-contained file it is plainer in rollback mode.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()


def _sqlite_restore(path: str, database: str, progress: Progress) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        _integrity(source, path)
        os.makedirs(os.path.dirname(database), exist_ok=True)
        target = sqlite3.connect(database, timeout=30)
        try:
            _copy(source, target, "restore", progress)
            target.execute("PRAGMA journal_mode=WAL")  # as the app runs it (grs/database.py)
        finally:
            target.close()
    finally:
        source.close()


# ---------------------------------------------------------------- PostgreSQL


def _pg_environment(engine) -> dict[str, str]:
    """The URL's connection parameters as libpq's variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, ...)."""
    url = engine.url
    env = dict(os.environ)
    query = {k: (v[-1] if isinstance(v, tuple) else v) for k, v in url.query.items()}
    named = {"PGHOST": url.host or query.pop("host", None), "PGPORT": str(url.port or query.pop("port", "") or ""),
             "PGUSER": url.username, "PGPASSWORD": url.password, "PGDATABASE": url.database}
    query.pop("host", None)
    query.pop("port", None)
    for key, value in query.items():  # sslmode=require -> PGSSLMODE, and so on
        named["PG" + re.sub(r"[^A-Za-z0-9]", "", key).upper()] = value
    env.update({k: str(v) for k, v in named.items() if v})
    return env


def _server_major(engine) -> int | None:
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SHOW server_version_num")).scalar()) // 10000
    except sa.exc.SQLAlchemyError:
        return None


def find_pg_tool(name: str, server_major: int | None) -> str:
    """The pg_dump or pg_restore to use for a server of that major version; BackupError if there is none."""
    candidates = []
    if os.environ.get("GRS_PG_BINDIR"):
        candidates.append(os.path.join(os.environ["GRS_PG_BINDIR"], name))
    if server_major:
        candidates.append(os.path.join(PG_LIB_ROOT, str(server_major), "bin", name))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)

    def major(folder: str) -> int:
        try:
            return int(os.path.basename(os.path.dirname(folder)))
        except ValueError:
            return 0

    newer = sorted(glob.glob(os.path.join(PG_LIB_ROOT, "*", "bin")), key=major, reverse=True)
    candidates += [os.path.join(folder, name) for folder in newer if major(folder) >= (server_major or 0)]
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    version = f" {server_major}" if server_major else ""
    raise BackupError(f"{name} not found (looked in GRS_PG_BINDIR, {PG_LIB_ROOT}/<version>/bin and PATH): install "
                      f"the PostgreSQL{version} client tools (Debian: apt-get install postgresql-client"
                      f"{'-' + str(server_major) if server_major else ''}) or set GRS_PG_BINDIR to their folder")


def _run(cmd: list[str], env: dict[str, str], what: str, progress: Progress) -> None:
    """Run a pg_ tool, relaying its --verbose lines as progress; BackupError with its last words on failure."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    tail: list[str] = []
    assert proc.stderr is not None
    for line in proc.stderr:
        line = line.rstrip()
        tail = (tail + [line])[-10:]
        text = line.split(": ", 1)[-1]
        if text.startswith(("dumping contents of table", "processing data for table")) or "error" in line.lower():
            progress(f"{what}: {text}")
    if proc.wait() != 0:
        raise BackupError(f"{os.path.basename(cmd[0])} failed (exit {proc.returncode}):\n  " + "\n  ".join(tail))


def _pg_dump(engine, partial: str, progress: Progress) -> None:
    tool = find_pg_tool("pg_dump", _server_major(engine))
    progress(f"backup: {tool}")
    _run([tool, "--format=custom", "--verbose", "--no-password", f"--file={partial}"],
         _pg_environment(engine), "backup", progress)


def _pg_restore(engine, path: str, *, replace: bool, progress: Progress) -> None:
    tool = find_pg_tool("pg_restore", _server_major(engine))
    progress(f"restore: {tool}")
    env = _pg_environment(engine)
    # One transaction: a restore that fails half-way leaves the database as it was. No owners or grants
    # from the old server (its roles may not exist here); --clean drops what the backup brings back.
    cmd = [tool, "--verbose", "--no-password", "--single-transaction", "--exit-on-error", "--no-owner",
           "--no-privileges", f"--dbname={env['PGDATABASE']}"]
    if replace:
        cmd += ["--clean", "--if-exists"]
    _run(cmd + [path], env, "restore", progress)
