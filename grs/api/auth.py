"""Bearer-token authentication for the API: who is calling, or a 401 in the contract's error shape."""
from __future__ import annotations

from flask import Blueprint, g, request

from ..extensions import db
from ..http_errors import error_response
from ..models import User
from ..services.accounts import user_for_token
from ..timeutil import utcnow

REALM = "grs"


def bearer_token(header: str | None) -> str | None:
    """The token in an `Authorization: Bearer <token>` header, or None if there is none."""
    scheme, _, token = (header or "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _unauthorized(code: str, message: str, challenge: str):
    body, status = error_response(401, code, message)
    body.headers["WWW-Authenticate"] = challenge
    return body, status


def require_token(bp: Blueprint, *, public: set[str]) -> None:
    """Make every view of `bp` except the `public` endpoints need a valid bearer token."""

    @bp.before_request
    def authenticate():
        if request.endpoint in public:
            return None
        token = bearer_token(request.headers.get("Authorization"))
        if token is None:
            return _unauthorized("unauthorized", "Send an API token: Authorization: Bearer <token>.",
                                 f'Bearer realm="{REALM}"')
        user = user_for_token(db.session, token, utcnow())
        if user is None:
            return _unauthorized("invalid_token", "The API token is unknown, revoked or its account disabled.",
                                 f'Bearer realm="{REALM}", error="invalid_token"')
        g.api_user = user
        return None


def api_user() -> User:
    """The account behind the current API request (set by require_token)."""
    return g.api_user
