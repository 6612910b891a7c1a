"""The ladder policy as data: per policy row, what a missed deadline does (on_breach), how many appeal
levels a complainant has (appeal_levels), whether an extension needs a reason, whether the limits count
working or calendar days (day_kind) and how many working days ahead the warning falls (warn_days).
All nullable: None is the built-in default, today's behaviour.

Revision ID: a7c3e91f5d20
Revises: a7d3e91c5f20
Create Date: 2026-12-02 06:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e91f5d20'
down_revision = 'a7d3e91c5f20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_breach', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('appeal_levels', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('extension_needs_reason', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('day_kind', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('warn_days', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        for name in ('warn_days', 'day_kind', 'extension_needs_reason', 'appeal_levels', 'on_breach'):
            batch_op.drop_column(name)
