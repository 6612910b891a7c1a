"""Liveness: 200 when the app and its database answer."""
import sqlalchemy as sa
from flask import Blueprint, jsonify

from .extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", whatever the driver raises
        return jsonify(status="database unavailable"), 503
    return jsonify(status="ok")
