"""relative_start_tier: a category's start tier may be relative to the country's ladder ("+2" = skip the two
lowest tiers), so categories.start_tier is no longer a foreign key to tiers; misconduct becomes sensitive.

Data, for the categories as shipped only (an edited category is left as its admin set it):
- misconduct, still not sensitive and with no start tier, becomes sensitive from "+2";
- a sensitive category whose start tier is missing (Nigeria, Mali: the shipped "district" did not exist there
  and was dropped), not a tier of this deployment, or its lowest tier (Somalia's district) starts at "+2".
A start tier that names a real tier above the lowest stays as it is: Bangladesh's "district" keeps routing
exactly as before ("+2" would say the same). Grievances already lodged keep the sensitivity they had.

Revision ID: f2c9a4e7b311
Revises: a7d3e9c1f250
Create Date: 2026-12-02 06:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f2c9a4e7b311'
down_revision = 'a7d3e9c1f250'
branch_labels = None
depends_on = None


def _foreign_keys(on: bool):
    """SQLite drops the FK by copying the table, and the DROP of the old copy fails while grievances name
    its categories: its own way is foreign keys off around the copy, which only takes effect outside a
    transaction (alembic's autocommit block)."""
    if op.get_bind().dialect.name == 'sqlite':
        with op.get_context().autocommit_block():
            op.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


def upgrade():
    _foreign_keys(False)
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_constraint('fk_categories_start_tier_tiers', type_='foreignkey')
    _foreign_keys(True)
    bind = op.get_bind()
    ranks = dict(bind.execute(sa.text("SELECT code, rank FROM tiers")).all())
    lowest = min(ranks, key=ranks.get) if ranks else None
    bind.execute(sa.text("UPDATE categories SET sensitive = :t, start_tier = '+2' "
                         "WHERE code = 'misconduct' AND sensitive = :f AND start_tier IS NULL"),
                 {"t": True, "f": False})
    for cid, start in bind.execute(sa.text("SELECT id, start_tier FROM categories WHERE sensitive = :t"),
                                   {"t": True}).all():
        if start is None or (not start.startswith("+") and (start not in ranks or start == lowest)):
            bind.execute(sa.text("UPDATE categories SET start_tier = '+2' WHERE id = :id"), {"id": cid})


def downgrade():
    bind = op.get_bind()
    codes = [c for (c,) in bind.execute(sa.text("SELECT code FROM tiers ORDER BY rank")).all()]
    for cid, start in bind.execute(sa.text("SELECT id, start_tier FROM categories WHERE start_tier LIKE '+%'")).all():
        n = int(start[1:]) if start[1:].isdigit() else 0
        bind.execute(sa.text("UPDATE categories SET start_tier = :s WHERE id = :id"),
                     {"s": codes[min(n, len(codes) - 1)] if codes else None, "id": cid})
    _foreign_keys(False)
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_categories_start_tier_tiers', 'tiers', ['start_tier'], ['code'])
    _foreign_keys(True)
