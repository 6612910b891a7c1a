"""Liveness and readiness, for a load balancer or an orchestrator.

- `GET /healthz` (liveness): 200 when the app and its database answer; 503 otherwise.
- `GET /readyz` (readiness: send traffic here?): 200 when the database answers and its schema is at the
  migrations' head (a worker started before `grs db upgrade` finished is not ready); 503 with the reason
  otherwise. It also says how late the outbox is (the oldest message due and not sent), which tells an
  operator whether the scheduler's dispatcher runs, without failing readiness: web requests still work;
  likewise the inbound SMS the intake worker has still to handle, and those it gave up on (failed).
Neither shows personal data or needs an account.
"""
from __future__ import annotations

import os
from functools import lru_cache

import sqlalchemy as sa
from flask import Blueprint, jsonify

from .extensions import db
from .timeutil import utcnow

bp = Blueprint("health", __name__)
MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", whatever the driver raises
        return jsonify(status="database unavailable"), 503
    return jsonify(status="ok")


@lru_cache(maxsize=1)
def schema_heads() -> frozenset[str]:
    """The revisions the code expects (the migrations' heads), read once per process."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    return frozenset(ScriptDirectory.from_config(cfg).get_heads())


@bp.get("/readyz")
def readyz():
    from .models import OutboxMessage

    try:
        current = frozenset(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")).all())
    except Exception:  # no database, or no schema at all
        db.session.rollback()
        return jsonify(status="not ready", reason="database unavailable or not migrated"), 503
    expected = schema_heads()
    if current != expected:
        return jsonify(status="not ready", reason="database schema is not at the migrations' head",
                       schema=sorted(current), expected=sorted(expected)), 503
    oldest = db.session.scalar(sa.select(sa.func.min(OutboxMessage.next_attempt_at))
                               .where(OutboxMessage.status == "queued"))
    late = 0
    if oldest is not None:
        from .timeutil import as_utc

        late = max(0, int((utcnow() - as_utc(oldest)).total_seconds()))
    return jsonify(status="ready", schema=sorted(current), outbox_late_seconds=late, **_inbound())


def _inbound() -> dict:
    """The intake worker's queue (channels/sms/intake.py): messages waiting, failed (an admin looks at
    them: inbound_messages.error says why), and how long the oldest has waited; informative, like the outbox."""
    from .models import InboundMessage
    from .timeutil import as_utc

    rows = dict(db.session.execute(sa.select(InboundMessage.status, sa.func.count()).where(
        InboundMessage.status.in_(("pending", "failed"))).group_by(InboundMessage.status)).all())
    oldest = db.session.scalar(sa.select(sa.func.min(InboundMessage.received_at))
                               .where(InboundMessage.status == "pending"))
    late = 0 if oldest is None else max(0, int((utcnow() - as_utc(oldest)).total_seconds()))
    return {"inbound_pending": rows.get("pending", 0), "inbound_failed": rows.get("failed", 0),
            "inbound_late_seconds": late}
