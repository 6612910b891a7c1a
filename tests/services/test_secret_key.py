"""Production refuses to start without a secret key (issue 11): a key made by a forgotten setting on one
machine is that machine's alone, and easy to lose or copy; outside production the made key is fine."""
from __future__ import annotations

import pytest

from grs import create_app

KEY = "k" * 64


def _app(monkeypatch, tmp_path, **config):
    monkeypatch.setenv("GRS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("GRS_SECRET_KEY", raising=False)
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "LOG_LEVEL": "WARNING", **config})


def test_production_without_a_secret_key_does_not_start(monkeypatch, tmp_path):
    monkeypatch.setenv("GRS_ENV", "production")
    with pytest.raises(RuntimeError, match="GRS_ENV=production needs GRS_SECRET_KEY"):
        _app(monkeypatch, tmp_path)
    assert not (tmp_path / "secret_key").exists()  # no key was made to paper over it


def test_production_with_a_short_secret_key_does_not_start(monkeypatch, tmp_path):
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        _app(monkeypatch, tmp_path, ENV="production", SECRET_KEY="changeme")


def test_production_with_a_secret_key_starts(monkeypatch, tmp_path):
    app = _app(monkeypatch, tmp_path, ENV="production", SECRET_KEY=KEY)
    assert app.config["SECRET_KEY"] == KEY


def test_outside_production_a_key_is_made_once_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("GRS_ENV", raising=False)
    first = _app(monkeypatch, tmp_path).config["SECRET_KEY"]
    assert len(first) >= 32 and (tmp_path / "secret_key").read_text().strip() == first
    assert _app(monkeypatch, tmp_path).config["SECRET_KEY"] == first
