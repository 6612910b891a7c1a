"""Readiness (/readyz): ready only when the database answers and its schema is at the migrations' head."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from grs.extensions import db
from grs.health import schema_heads
from grs.models import OutboxMessage
from grs.timeutil import utcnow

pytestmark = pytest.mark.committing_db


def stamp(app, revision):
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
            if revision is not None:
                conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
                conn.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": revision})


def test_ready_at_the_head_and_not_before_it(app, client):
    (head,) = schema_heads()
    stamp(app, None)
    r = client.get("/readyz")
    assert r.status_code == 503 and "not migrated" in r.get_json()["reason"]
    stamp(app, "a7d3e9c1f250")  # an older revision: `grs db upgrade` has not run yet
    r = client.get("/readyz")
    assert r.status_code == 503 and r.get_json()["expected"] == [head]
    stamp(app, head)
    r = client.get("/readyz")
    assert r.status_code == 200 and r.get_json() == {"status": "ready", "schema": [head], "outbox_late_seconds": 0,
                                                     "inbound_pending": 0, "inbound_failed": 0,
                                                     "inbound_late_seconds": 0}
    stamp(app, None)


def test_readiness_says_how_late_the_outbox_is(app, client):
    (head,) = schema_heads()
    stamp(app, head)
    with app.app_context():
        now = utcnow()
        db.session.add(OutboxMessage(medium="sms", recipient="+8801712345678", template="receipt", language="en",
                                     body="x", status="queued", next_attempt_at=now - timedelta(minutes=10),
                                     created_at=now - timedelta(minutes=10)))
        db.session.commit()
    late = client.get("/readyz").get_json()["outbox_late_seconds"]
    assert 590 <= late <= 700
    stamp(app, None)
