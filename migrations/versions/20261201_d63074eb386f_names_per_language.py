"""names per language

Revision ID: d63074eb386f
Revises: 66e703d51fbe
Create Date: 2026-12-01 21:34:51.554506

Every named table (tiers, area levels, areas, offices, programmes, categories) had `name_en` and
`name_bn`. The countries that follow name their places in Hausa, French and Somali, so the local names
become data: a JSON `names` column, language code -> name. `name_en` stays (the fallback, what lists
sort by). This adds `names`, copies each non-empty `name_bn` into names["bn"] and drops `name_bn`;
the downgrade copies names["bn"] back (names in other languages have no column to go to and are lost,
which the log says).

Self-contained on purpose: the tables are declared here as they are at this revision.

On SQLite the columns are added and dropped in place (ALTER TABLE ... DROP COLUMN, SQLite 3.35 or
later), not by copying each table: the app turns foreign keys on, and dropping `areas` to put its copy
in place would fail as soon as offices or grievances point at it.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd63074eb386f'
down_revision = '66e703d51fbe'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.env")

# table -> its primary key column
TABLES = {"tiers": "code", "area_levels": "code", "areas": "id", "offices": "id", "programmes": "id",
          "categories": "id"}
BATCH = 1000


def _table(name: str, *columns: sa.Column) -> sa.TableClause:
    key = TABLES[name]
    return sa.table(name, sa.column(key, sa.String if key == "code" else sa.Integer), *columns)


def _batch(name: str):
    # In place on SQLite (see the docstring); PostgreSQL alters in place anyway.
    return op.batch_alter_table(name, recreate="never")


def _write(conn, table: sa.TableClause, column: str, rows: list[dict], type_) -> None:
    key = table.c[TABLES[table.name]]
    stmt = table.update().where(key == sa.bindparam("row_key")).values(
        {column: sa.bindparam("row_value", type_=type_)})
    for start in range(0, len(rows), BATCH):
        conn.execute(stmt, rows[start:start + BATCH])


def upgrade():
    conn = op.get_bind()
    for name in TABLES:
        with _batch(name) as batch_op:
            batch_op.add_column(sa.Column('names', sa.JSON(), server_default='{}', nullable=False))
        table = _table(name, sa.column("name_bn", sa.String), sa.column("names", sa.JSON))
        key = table.c[TABLES[name]]
        rows = [{"row_key": k, "row_value": {"bn": bn.strip()}} for k, bn in conn.execute(
            sa.select(key, table.c.name_bn).where(table.c.name_bn.is_not(None))) if bn and bn.strip()]
        _write(conn, table, "names", rows, sa.JSON)
        with _batch(name) as batch_op:
            batch_op.drop_column('name_bn')
        log.info("names per language: %s, %d Bangla names moved into names", name, len(rows))


def downgrade():
    conn = op.get_bind()
    for name in TABLES:
        with _batch(name) as batch_op:
            batch_op.add_column(sa.Column('name_bn', sa.String(length=200), nullable=True))
        table = _table(name, sa.column("name_bn", sa.String), sa.column("names", sa.JSON))
        key = table.c[TABLES[name]]
        rows, lost = [], 0
        for k, names in conn.execute(sa.select(key, table.c.names)):
            names = names or {}
            if names.get("bn"):
                rows.append({"row_key": k, "row_value": names["bn"]})
            lost += len([lang for lang, text in names.items() if lang != "bn" and text])
        _write(conn, table, "name_bn", rows, sa.String)
        with _batch(name) as batch_op:
            batch_op.drop_column('names')
        if lost:
            log.warning("names per language undone: %s, %d names in languages other than Bangla dropped",
                        name, lost)
