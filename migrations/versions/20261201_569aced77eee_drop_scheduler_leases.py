"""drop scheduler leases

Revision ID: 569aced77eee
Revises: 0001
Create Date: 2026-12-01 20:48:11.272176

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '569aced77eee'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # Never written or read: leadership is a PostgreSQL advisory lock or a file lock (escalation/scheduler.py).
    op.drop_table('scheduler_leases')


def downgrade():
    op.create_table('scheduler_leases',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_leases'))
    )
