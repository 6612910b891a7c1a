"""The audit team's insider flag is worked out from where a member lives and the audited area, not stored:
a stored flag went stale when either was corrected.

Revision ID: 59264c2f132a
Revises: 58a1f220d7cf
Create Date: 2026-12-02 01:43:05.753943

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '59264c2f132a'
down_revision = '58a1f220d7cf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sa_team_members', schema=None) as batch_op:
        batch_op.drop_column('resident_in_audited_area')


def downgrade():
    with op.batch_alter_table('sa_team_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resident_in_audited_area', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
