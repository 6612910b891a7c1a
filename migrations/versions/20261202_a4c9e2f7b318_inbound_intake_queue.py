"""The inbound SMS table as the intake queue: the webhook records a message `pending` with the tracking
code its complaint will carry, the intake worker handles it (status, attempts, lease, error). Messages
stored before were handled on receipt: they are `done`.

Revision ID: a4c9e2f7b318
Revises: b3e8f1d4c702
Create Date: 2026-12-02 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c9e2f7b318'
down_revision = 'b3e8f1d4c702'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), server_default='done', nullable=False))
        batch_op.add_column(sa.Column('tracking_code', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('status_allowed', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('processed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('error', sa.Text(), nullable=True))
        batch_op.create_unique_constraint('uq_inbound_tracking_code', ['tracking_code'])
        batch_op.create_index('ix_inbound_status_id', ['status', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_status_id')
        batch_op.drop_constraint('uq_inbound_tracking_code', type_='unique')
        for name in ('error', 'processed_at', 'claimed_by', 'claimed_at', 'attempts', 'status_allowed',
                     'tracking_code', 'status'):
            batch_op.drop_column(name)
