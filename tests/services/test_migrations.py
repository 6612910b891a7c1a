"""The migrations build exactly the schema the models describe, on both backends."""
import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from grs.extensions import db


@pytest.mark.committing_db
@pytest.mark.both_backends
def test_migrations_produce_the_models_schema(app, backend):
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=os.path.join(os.path.dirname(__file__), "..", "..", "migrations"))
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, db.metadata)
        assert diff == [], f"models and migrations differ on {backend}: {diff}"
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"grievances", "events", "areas", "offices", "outbox"} <= tables
