"""Fixtures: the app on SQLite and on a real PostgreSQL, a test client, a CLI runner and builders."""
from __future__ import annotations

import os
import sys

import pytest
import sqlalchemy as sa

sys.path.insert(0, os.path.dirname(__file__))

import pgserver  # noqa: E402

from grs import create_app  # noqa: E402
from grs.extensions import db  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg():
    """One PostgreSQL server for the whole run, stopped at the end."""
    reason = pgserver.available()
    if reason:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {reason}")
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    server = pgserver.PgServer().start()
    server.db_url = server.create_database("grs_test")
    server.schema_ready = False
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
        "LOG_LEVEL": "WARNING",
        # Hashing strength is not under test; scrypt for 13 accounts per test would dominate the run.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def app(request, backend, tmp_path):
    """The app with an empty schema on the backend under test (both, unless the test pins one)."""
    config = _base_config(tmp_path)
    config.update(getattr(request, "param", None) or {})
    marker = request.node.get_closest_marker("config")
    if marker:
        config.update(marker.kwargs)
    if backend == "postgresql":
        server = request.getfixturevalue("pg")
        config["SQLALCHEMY_DATABASE_URI"] = server.db_url
    else:
        config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(tmp_path / "grs.sqlite3")
    application = create_app(config)
    with application.app_context():
        if backend == "postgresql":
            server = request.getfixturevalue("pg")
            if not server.schema_ready:
                db.drop_all()
                db.create_all()
                server.schema_ready = True
        else:
            db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        if backend == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


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

    with app.app_context():
        return builders.make_world()


def pytest_configure(config):
    config.addinivalue_line("markers", "config(**kw): extra app config for this test")


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
