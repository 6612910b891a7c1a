"""A complainant's NO with no tier left to appeal to puts the grievance on the national review list
(grievances.review_flagged_at) instead of being dropped.

Revision ID: c41d7e2a9b05
Revises: b3f0c81e6a47
Create Date: 2026-12-02 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c41d7e2a9b05'
down_revision = 'b3f0c81e6a47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('grievances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_flagged_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('grievances', schema=None) as batch_op:
        batch_op.drop_column('review_flagged_at')
