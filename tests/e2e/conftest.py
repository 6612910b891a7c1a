"""Shared by the browser tests: Debian's Chromium through Playwright, and the app served on a local port."""
from __future__ import annotations

import os
import threading

import pytest
from shared_data import unavailable

import builders
from grs import create_app
from grs.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _unavailable(reason: str):
    unavailable(f"browser test: {reason}")


@pytest.fixture
def sync_playwright():
    try:
        from playwright.sync_api import sync_playwright as start
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM} (this test never downloads a browser)")
    return start


@pytest.fixture
def live_app(tmp_path, request):
    """The app that `live_server` serves (SQLite, the demo geography): a test adds data in its context,
    and changes settings with @pytest.mark.config(...) as elsewhere in the suite."""
    marker = request.node.get_closest_marker("config")
    app = create_app({
        "TESTING": True, "SECRET_KEY": "e2e-secret", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/grs.sqlite3",
        "UPLOAD_DIR": str(tmp_path / "uploads"), "SMS_PROVIDER": "fake", "TRACK_RATE_LIMIT": 1000,
        "LOG_LEVEL": "WARNING", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **(marker.kwargs if marker else {}),
    })
    with app.app_context():
        db.create_all()
        builders.make_world()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    """The app on SQLite with the demo geography, served from a thread on a free local port."""
    from werkzeug.serving import make_server

    app = live_app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def browser(sync_playwright):
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()

