"""Fixtures: the app on SQLite (and on a real PostgreSQL where the backend matters), a test client, a CLI
runner and builders.

Each backend's database is built once per run (per xdist worker): the schema, and the world (builders.
make_world) in a second database, COMMITTED. A test then runs inside one outer transaction on one
connection that every session of the test joins with a savepoint (SQLAlchemy's
join_transaction_mode="create_savepoint"), whatever app context it belongs to: the application's own
commit() only releases a savepoint, and everything the test wrote is rolled back after it.

Markers:
- (none): SQLite only, rolled back.
- @pytest.mark.both_backends: SQLite and PostgreSQL (concurrency, locks, dialect SQL, database errors).
- @pytest.mark.pg_only: PostgreSQL only (so is @pytest.mark.parametrize("backend", ["postgresql"])).
- @pytest.mark.committing_db: a real database that commits, fresh schema per test, for tests whose commits
  must be seen by other connections, threads or processes (concurrency, scheduler leadership, CLI, demo,
  migrations). The same fixtures (`app`, `world`, `ctx`, `client`, `runner`) then build on it.
- @pytest.mark.config(**kw): extra app config for the test.
- @pytest.mark.wall_clock: grs.timeutil.utcnow() reads the real clock (every other test sees PINNED_NOW).
- @pytest.mark.no_intake_worker: see below.

The SMS intake split (channels/sms/intake.py): the Africa's Talking webhook only records an inbound SMS, and
the intake worker turns it into a complaint or an answer later; so does the USSD callback with the complaint
confirmed on its last screen. So that a test can look for the grievance or the reply right after posting to
the webhook, every test client of an app built by the `app` fixture runs the worker
(builders.run_intake_worker: `grs intake work --once`) after each 2xx POST to /hooks/sms/africastalking and
each USSD callback answered END. A test of the split itself (a message recorded and not yet handled, a crash,
two workers) marks itself @pytest.mark.no_intake_worker and calls builders.run_intake_worker (or
channels.sms.intake) when it wants the worker.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

sys.path.insert(0, os.path.dirname(__file__))

import pgserver  # noqa: E402

# Every log record of the run to a file per process, checked at the end for personal data and secrets.
pytest_plugins = ["logscan"]

import grs.timeutil  # noqa: E402
from grs import create_app  # noqa: E402
from grs.extensions import db  # noqa: E402

from budget import IN_CI  # noqa: E402  (one rule for CI: tests/budget.py)
BACKENDS = ["sqlite", "postgresql"]


def _reuse_url_builders() -> None:
    """Every test builds its own app, and werkzeug compiles a URL builder for each of the app's 630 rules
    each time (an AST per rule: 40 ms an app, 90 s of CPU over the suite). The builder is the same code for
    the same rule text, trace and defaults (it takes the rule as its first argument), so the test run keeps
    one per rule; the app itself is unchanged."""
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None or getattr(compile_builder, "_grs_cached", False):
        return
    built: dict = {}

    def cached(self, append_unknown: bool = True):
        key = (self.rule, self.host, self.subdomain, tuple(self._trace), append_unknown,
               repr(sorted((self.defaults or {}).items())), self.merge_slashes)
        fn = built.get(key)
        if fn is None:
            fn = built[key] = compile_builder(self, append_unknown)
        return fn
    cached._grs_cached = True
    Rule._compile_builder = cached


_reuse_url_builders()
# Fixtures that build the app: a test of the unit tier asking for one fails.
APP_FIXTURES = {"app", "ctx", "client", "runner", "world", "client_as", "auth", "pg", "live_server"}

def _run_intake_worker_after_sms_webhook() -> None:
    """Every test client: after a 2xx POST to the Africa's Talking SMS webhook, or a USSD callback answered
    END, the intake worker runs (for apps of the `app` fixture without @pytest.mark.no_intake_worker); see
    the docstring above."""
    from flask.testing import FlaskClient

    if getattr(FlaskClient.open, "_grs_intake", False):
        return
    plain_open = FlaskClient.open

    def open_and_work(self, *args, **kwargs):
        response = plain_open(self, *args, **kwargs)
        request = getattr(response, "request", None)
        if (self.application.extensions.get("grs_test_intake_worker") and request is not None
                and request.method == "POST" and 200 <= response.status_code < 300
                and (request.path == "/hooks/sms/africastalking"
                     # a USSD session's last screen (END): a complaint confirmed there is recorded, not lodged
                     or (request.path == "/hooks/ussd/africastalking" and response.get_data().startswith(b"END")))):
            import builders

            builders.run_intake_worker(self.application)
        return response
    open_and_work._grs_intake = True
    FlaskClient.open = open_and_work


_run_intake_worker_after_sms_webhook()

# Every session joins the test's outer transaction with a savepoint when its bind is a connection already
# in a transaction; with an engine bind (production, committing_db tests) this changes nothing.
db.session.session_factory.configure(join_transaction_mode="create_savepoint")


# The clock every test sees: what grs.timeutil.utcnow() answers (the app reads the time nowhere else), so no
# test depends on the day it runs. A Sunday (a working day in Bangladesh), far from public holidays, well after
# builders.T0.
PINNED_NOW = datetime(2026, 11, 29, 5, 0, tzinfo=timezone.utc)


# Pinned from here on, so the shared world is built at PINNED_NOW as well.
grs.timeutil.fix_clock(PINNED_NOW)


@pytest.fixture(autouse=True)
def pinned_clock(request):
    """grs.timeutil.utcnow() answers PINNED_NOW; @pytest.mark.wall_clock opts a test out."""
    if not request.node.get_closest_marker("wall_clock"):
        yield PINNED_NOW
        return
    grs.timeutil.fix_clock(None)
    try:
        yield None
    finally:
        grs.timeutil.fix_clock(PINNED_NOW)


def _parametrized_by_hand(metafunc, name: str) -> bool:
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", ())
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",")]
        if name in names:
            return True
    return False


def pytest_generate_tests(metafunc):
    """SQLite unless the test is marked both_backends or pg_only (or parametrizes `backend` itself)."""
    if "backend" not in metafunc.fixturenames or _parametrized_by_hand(metafunc, "backend"):
        return
    node = metafunc.definition
    if node.get_closest_marker("pg_only"):
        backends = ["postgresql"]
    elif node.get_closest_marker("both_backends"):
        backends = BACKENDS
    else:
        backends = ["sqlite"]
    metafunc.parametrize("backend", backends)


_UNIT_BUILDS_APP = pytest.StashKey[str]()


def pytest_collection_modifyitems(config, items):
    # The long tests (real commits: demo, imports, concurrency; the bad-input sweeps) first, so that with
    # pytest-xdist no worker is left with one of them at the end while the other idles.
    items.sort(key=lambda item: 0 if item.get_closest_marker("committing_db") or "bad_input" in item.nodeid
               else 1)
    unit = os.path.join(os.path.dirname(__file__), "unit") + os.sep
    for item in items:
        used = APP_FIXTURES & set(getattr(item, "fixturenames", ()))
        if used and str(item.path).startswith(unit):
            item.stash[_UNIT_BUILDS_APP] = (f"the unit tier must not build the app (this test uses "
                                            f"{', '.join(sorted(used))}): move it to tests/services")


def pytest_runtest_setup(item):
    problem = item.stash.get(_UNIT_BUILDS_APP, None)
    if problem:
        pytest.fail(problem, pytrace=False)
    if item.get_closest_marker("slow") and not IN_CI and not os.environ.get("GRS_SLOW_TESTS"):
        pytest.skip("a slow proof: it runs in CI (CI=true make test, or GRS_SLOW_TESTS=1 here)")


@pytest.fixture(scope="session")
def pg():
    """One PostgreSQL server for the whole run (one per xdist worker), stopped at the end."""
    reason = pgserver.available()
    if reason:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {reason}")
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    server = pgserver.PgServer().start()
    yield server
    server.stop()


def _base_config(tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SMS_PROVIDER": "fake",
        "AT_CALLBACK_KEY": "at-test-key",
        "TWILIO_AUTH_TOKEN": "twilio-test-token",
        "TWILIO_ACCOUNT_SID": "ACtest",
        "TWILIO_FROM": "+15005550006",
        "PUBLIC_URL": "https://grs.example.org",
        # The test client speaks plain http; production derives these from the https public URL.
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "TRACK_RATE_LIMIT": 1000,
        # The other limits out of the way too (tests/http/test_rate_limits.py sets them low where it tests them).
        "LODGE_RATE_LIMIT": "100000 per minute", "API_LODGE_RATE_LIMIT": "100000 per minute",
        "RECEIPT_RATE_LIMIT": "100000 per minute", "ACCOUNT_LOGIN_RATE_LIMIT": "100000 per minute",
        "STATUS_LOOKUP_RATE_LIMIT": "100000 per minute", "WEBHOOK_RATE_LIMIT": "100000 per minute",
        "WEBHOOK_AUTH_FAILURE_LIMIT": "100000 per minute",
        "LOG_LEVEL": "WARNING",
        # Hashing strength is not under test; scrypt for every account would dominate the run.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


def _savepoint_engine(url: str, options: dict) -> sa.engine.Engine:
    """An engine for the outer test transactions, with the app's options (hide_parameters...); pysqlite
    needs help to run SAVEPOINTs correctly (SQLAlchemy's documented recipe)."""
    engine = sa.create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _no_implicit_transactions(dbapi_connection, record):
            dbapi_connection.isolation_level = None

        @sa.event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN")

    return engine


@dataclass
class Prepared:
    """One database built for the run: an empty schema, or the schema with the world committed in it."""
    url: str
    engine: sa.engine.Engine
    emails: dict[str, str] = field(default_factory=dict)
    reset_sql: str | None = None  # PostgreSQL: put every sequence back where the build left it

    def begin(self) -> tuple[sa.engine.Connection, sa.engine.RootTransaction]:
        conn = self.engine.connect()
        outer = conn.begin()
        if self.reset_sql:
            # setval is not transactional: without it ids would depend on which tests ran before.
            conn.exec_driver_sql(self.reset_sql)
        return conn, outer


class Databases:
    """The rolled-back databases of this run (this worker), built on first use."""

    def __init__(self, request, tmp_path_factory):
        self._request = request
        self._root = tmp_path_factory.mktemp("db")
        self._built: dict[tuple[str, bool], Prepared] = {}

    def get(self, backend: str, with_world: bool) -> Prepared:
        key = (backend, with_world)
        if key not in self._built:
            self._built[key] = self._build(backend, with_world)
        return self._built[key]

    def _build(self, backend: str, with_world: bool) -> Prepared:
        name = "world" if with_world else "empty"
        if backend == "postgresql":
            url = self._request.getfixturevalue("pg").create_database(f"grs_{name}")
        else:
            url = "sqlite:///" + str(self._root / f"{name}.sqlite3")
        config = _base_config(self._root)
        config["SQLALCHEMY_DATABASE_URI"] = url
        application = create_app(config)
        prepared = Prepared(url=application.config["SQLALCHEMY_DATABASE_URI"], engine=None)  # type: ignore
        with application.app_context():
            db.create_all()
            _stamp_head()
            if with_world:
                import builders

                prepared.emails = builders.make_world().emails
            db.session.commit()
            if backend == "postgresql":
                prepared.reset_sql = _sequence_reset_sql(db.engine)
            db.session.remove()
            db.engine.dispose()
        prepared.engine = _savepoint_engine(prepared.url, application.config["SQLALCHEMY_ENGINE_OPTIONS"])
        return prepared

    def close(self) -> None:
        for prepared in self._built.values():
            prepared.engine.dispose()


def _sequence_reset_sql(engine) -> str | None:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT schemaname, sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")).all()
    if not rows:
        return None
    calls = []
    for schema, name, last in rows:
        seq = f'{schema}."{name}"'.replace("'", "''")
        calls.append(f"setval('{seq}', {last}, true)" if last is not None else f"setval('{seq}', 1, false)")
    return "SELECT " + ", ".join(calls)


@pytest.fixture(scope="session")
def _databases(request, tmp_path_factory):
    databases = Databases(request, tmp_path_factory)
    yield databases
    databases.close()


@pytest.fixture
def backend(request):
    """The backend under test, set by pytest_generate_tests (or a test's own parametrize)."""
    return request.param


def _committing_url(request, backend: str, tmp_path) -> str:
    """A fresh, empty, committing database for one test."""
    if backend == "postgresql":
        server = request.getfixturevalue("pg")
        if not getattr(server, "commit_url", None):
            server.commit_url = server.create_database("grs_commit")
        engine = sa.create_engine(server.commit_url, poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        return server.commit_url
    return "sqlite:///" + str(tmp_path / "grs.sqlite3")


@pytest.fixture
def app(request, backend, tmp_path):
    """The app on the backend under test: the shared database rolled back after the test, or with
    @pytest.mark.committing_db a fresh database that really commits."""
    config = _base_config(tmp_path)
    config.update(getattr(request, "param", None) or {})
    marker = request.node.get_closest_marker("config")
    if marker:
        config.update(marker.kwargs)
    committing = request.node.get_closest_marker("committing_db") is not None
    worker = request.node.get_closest_marker("no_intake_worker") is None
    if committing:
        config["SQLALCHEMY_DATABASE_URI"] = _committing_url(request, backend, tmp_path)
        application = create_app(config)
        application.extensions["grs_test_intake_worker"] = worker
        application.extensions["grs_test_world"] = None
        with application.app_context():
            db.create_all()
            _stamp_head()
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        return

    with_world = "world" in request.fixturenames
    prepared = request.getfixturevalue("_databases").get(backend, with_world)
    config["SQLALCHEMY_DATABASE_URI"] = prepared.url
    application = create_app(config)
    application.extensions["grs_test_world"] = prepared.emails if with_world else None
    application.extensions["grs_test_intake_worker"] = worker
    conn, outer = prepared.begin()
    # Every session of this app, in any app context, runs on the test's connection (db.engine is it too).
    engines = db._app_engines[application]
    own_engine = engines[None]
    conn.url = conn.engine.url  # what code (and repr(db)) may read of db.engine besides its dialect
    engines[None] = conn
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
        if outer.is_active:
            outer.rollback()
        conn.close()
        engines[None] = own_engine
        own_engine.dispose()


@pytest.fixture
def ctx(app):
    """An application context for service tests."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """The demo geography with offices, reference data and one account per role (see builders)."""
    import builders

    emails = app.extensions.get("grs_test_world")
    if emails:
        return builders.World(dict(emails))
    with app.app_context():
        return builders.make_world()


def _stamp_head() -> None:
    """create_all builds the schema of the migrations' head (tests/services/test_migrations.py proves it):
    record that head, as `grs db upgrade` would, so the app reads the database as migrated (/readyz)."""
    from grs.health import schema_heads

    with db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(sa.text("DELETE FROM alembic_version"))
        for head in sorted(schema_heads()):
            conn.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})


@pytest.fixture
def client_as(app, world):
    """A test client signed in as one of the world's accounts (session set directly, CSRF off)."""
    from flask_login import FlaskLoginClient

    def make(key: str):
        app.test_client_class = FlaskLoginClient
        with app.app_context():
            user = world.user(key)
            return app.test_client(user=user)

    return make
