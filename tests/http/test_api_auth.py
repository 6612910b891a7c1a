"""API authentication: bearer tokens from `grs create-token`, 401 in the contract's shape otherwise."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from grs.extensions import db
from grs.models import ApiToken, User


def test_no_token_is_401_with_challenge(client, world):
    r = client.get("/api/v1/grievances")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.get_json()["error"]["code"] == "unauthorized"
    assert "message" in r.get_json()["error"]


def test_wrong_scheme_is_401(client, world):
    r = client.get("/api/v1/grievances", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401


def test_unknown_token_is_401_invalid_token(client, world):
    r = client.get("/api/v1/grievances", headers={"Authorization": "Bearer grs_not-a-real-token"})
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert r.get_json()["error"]["code"] == "invalid_token"


def test_post_without_token_is_401_not_csrf_400(client, world):
    r = client.post("/api/v1/grievances", json={"channel": "api"})
    assert r.status_code == 401


def test_revoked_token_and_disabled_account_are_401(app, client, world):
    with app.app_context():
        revoked, disabled = world.token("officer_baria"), world.token("officer_basan")
        row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(revoked)))
        row.revoked_at = datetime.now(timezone.utc)
        db.session.scalar(sa.select(User).where(User.email == world.email("officer_basan"))).active = False
        db.session.commit()
    for token in (revoked, disabled):
        r = client.get("/api/v1/grievances", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401


def test_token_from_cli_works(app, client, world, runner):
    result = runner.invoke(args=["create-token", "--email", world.email("operator")])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1].strip()
    r = client.get("/api/v1/grievances", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert r.get_json()["items"] == []


def test_openapi_is_public(client, world):
    assert client.get("/api/v1/openapi.json").status_code == 200
