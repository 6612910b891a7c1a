"""How long an information request may pause a grievance's clock: a policy's pause_days (null: the
built-in 15 working days).

Revision ID: b3f0c81e6a47
Revises: 59264c2f132a
Create Date: 2026-12-02 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3f0c81e6a47'
down_revision = '59264c2f132a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pause_days', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.drop_column('pause_days')
