"""admin_events: admin actions (policies, users, days off, reference data, webhooks, privacy operations) in a
hash chain of their own, checked by `grs audit verify`.

Revision ID: a7d3e9c1f250
Revises: d8e2b4c6a913
Create Date: 2026-12-02 05:40:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'a7d3e9c1f250'
down_revision = 'd8e2b4c6a913'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'admin_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_label', sa.String(length=60), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('target', sa.String(length=200), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=True),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_admin_events_actor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_events')),
        sa.UniqueConstraint('seq', name=op.f('uq_admin_events_seq')),
    )
    with op.batch_alter_table('admin_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_admin_events_kind_at', ['kind', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('admin_events', schema=None) as batch_op:
        batch_op.drop_index('ix_admin_events_kind_at')
        batch_op.drop_index(batch_op.f('ix_admin_events_at'))
    op.drop_table('admin_events')
