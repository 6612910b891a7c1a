"""Engine settings per backend: SQLite gets foreign keys, WAL and a busy timeout."""
from __future__ import annotations

import logging
import os

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

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
    url = app.config["SQLALCHEMY_DATABASE_URI"] = _psycopg(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.startswith("sqlite:///"):
        folder = os.path.dirname(url[len("sqlite:///"):])
        if folder:
            os.makedirs(folder, exist_ok=True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config.get("SQLALCHEMY_ENGINE_OPTIONS"), url)
    if not _listening:
        sa.event.listen(Engine, "connect", _sqlite_pragmas)
        _listening = True


# libpq's TCP keepalives and user timeout: a host that vanishes (power, network) is noticed in about 25 s on
# both ends instead of Linux's two hours, so the scheduler leader's advisory lock and a web worker's connection
# do not outlive it (deploy/postgresql.conf sets the server's side; docs/scaling.md, "Failover time").
PG_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3,
                 "tcp_user_timeout": 30000}


def engine_options(options: dict | None, url: str) -> dict:
    """The engine options for `url`: PostgreSQL connections get PG_KEEPALIVES unless the settings name their
    own (a Unix-socket connection ignores them)."""
    options = dict(options or {})
    if url.startswith("postgresql"):
        options["connect_args"] = {**PG_KEEPALIVES, **(options.get("connect_args") or {})}
    return options


def end_sessions_safely(app: Flask) -> None:
    """End each request's session without failing the request when the database went away under it.

    Flask-SQLAlchemy's own teardown rolls the session back; if PostgreSQL is restarting at that moment the
    ROLLBACK itself raises, after the answer was made, and gunicorn turns it into a 500 (of a request whose
    work may well be committed). Registered after db.init_app, this runs first (teardowns run in reverse)
    and leaves Flask-SQLAlchemy an empty registry. The pool's pre-ping replaces the dead connection.
    """
    from .extensions import db

    @app.teardown_appcontext
    def _end_session(exc):
        try:
            db.session.remove()
        except sa.exc.DBAPIError as e:
            log.warning("the database connection broke while the session ended: %s", type(e.orig or e).__name__)
            try:
                db.session.invalidate()
            except Exception:  # already unusable; nothing more to close
                pass
            db.session.registry.clear()


def _psycopg(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def configure_replica(app: Flask) -> None:
    """With DATABASE_REPLICA_URL (GRS_DATABASE_REPLICA_URL: a streaming replica of the primary), the heavy
    reads that may lag a second behind (the dashboard, `GET /api/v1/stats`, the public figures, list
    exports) go to it through `read_session()`; everything else, and every write, stays on the primary."""
    from flask import g
    from sqlalchemy.orm import sessionmaker

    url = (app.config.get("DATABASE_REPLICA_URL") or "").strip()
    if not url:
        return
    engine = sa.create_engine(_psycopg(url), **engine_options(app.config.get("SQLALCHEMY_ENGINE_OPTIONS"),
                                                              _psycopg(url)))
    app.extensions["grs_replica"] = sessionmaker(bind=engine)

    @app.teardown_appcontext
    def _end_replica_session(exc):
        session = g.pop("_grs_replica_session", None)
        if session is not None:
            try:
                session.close()
            except sa.exc.DBAPIError:  # the replica went away: nothing left to close
                session.invalidate()


def read_session():
    """The session for reads that may come from the replica (configure_replica), else the app's own."""
    from flask import current_app, g

    from .extensions import db

    maker = current_app.extensions.get("grs_replica")
    if maker is None:
        return db.session
    session = g.get("_grs_replica_session")
    if session is None:
        session = g._grs_replica_session = maker()
    return session


def is_postgres(engine) -> bool:
    return engine.dialect.name == "postgresql"
