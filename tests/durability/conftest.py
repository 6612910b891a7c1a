"""Fixtures of the durability proofs."""
from __future__ import annotations

from pathlib import Path

import pytest

from grs import create_app
from grs.extensions import db


@pytest.fixture(scope="session")
def suite(request):
    """The suite's own conftest module (tests/conftest.py), for its test settings. Not `import conftest`: that
    name means whichever conftest.py was imported first (tests/http/ has one too)."""
    return request.config.pluginmanager.get_plugin(str(Path(__file__).resolve().parent.parent / "conftest.py"))


@pytest.fixture
def settings(suite, tmp_path) -> dict:
    """The settings every test app gets (tests/conftest.py), with this test's folders."""
    return suite._base_config(tmp_path)


@pytest.fixture
def runner_for(settings):
    """A CLI runner (`grs ...`) of an app on the database at `url`."""
    apps = []

    def make(url: str):
        apps.append(create_app({**settings, "SQLALCHEMY_DATABASE_URI": url}))
        return apps[-1].test_cli_runner()

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()
