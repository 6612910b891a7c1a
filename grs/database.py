"""Engine settings per backend: SQLite gets foreign keys, WAL and a busy timeout."""
from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Engine

_listening = False

# The largest id an INTEGER key holds: a larger number in a URL or form names no row, and the database
# (PostgreSQL: "out of range") or driver (SQLite: OverflowError) would fail on it instead of finding nothing.
MAX_ID = 2**31 - 1


def _sqlite_pragmas(dbapi_connection, connection_record):
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def configure_engine(app: Flask) -> None:
    """Prepare the database URL: create the SQLite folder, pin psycopg 3 for PostgreSQL URLs."""
    global _listening
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite:///"):
        folder = os.path.dirname(url[len("sqlite:///"):])
        if folder:
            os.makedirs(folder, exist_ok=True)
    if not _listening:
        sa.event.listen(Engine, "connect", _sqlite_pragmas)
        _listening = True


def is_postgres(engine) -> bool:
    return engine.dialect.name == "postgresql"
