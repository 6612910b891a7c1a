"""Settings that protect a deployment that forgot one: no well-known secret, secure cookies over https."""
import os

from grs import create_app

DB = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}


def test_without_a_secret_key_each_instance_gets_its_own_random_one(tmp_path, monkeypatch):
    monkeypatch.delenv("GRS_SECRET_KEY", raising=False)
    monkeypatch.setenv("GRS_INSTANCE_PATH", str(tmp_path / "one"))
    first = create_app(DB).config["SECRET_KEY"]
    assert first == create_app(DB).config["SECRET_KEY"]  # kept across restarts and workers
    assert len(first) == 64 and "dev" not in first
    assert oct(os.stat(tmp_path / "one" / "secret_key").st_mode & 0o777) == "0o600"
    monkeypatch.setenv("GRS_INSTANCE_PATH", str(tmp_path / "two"))
    assert create_app(DB).config["SECRET_KEY"] != first


def test_a_configured_secret_key_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("GRS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("GRS_SECRET_KEY", "from-the-environment-0123456789abcdef")
    assert create_app(DB).config["SECRET_KEY"] == "from-the-environment-0123456789abcdef"
    assert not (tmp_path / "secret_key").exists()


def test_cookies_are_secure_when_served_over_https(tmp_path, monkeypatch):
    monkeypatch.setenv("GRS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("GRS_PUBLIC_URL", "https://grs.example.gov.bd")
    app = create_app(DB)
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True
    monkeypatch.setenv("GRS_PUBLIC_URL", "http://127.0.0.1:5000")
    assert create_app(DB).config["SESSION_COOKIE_SECURE"] is False
