"""users.appellate: a staff account of an office that hears the appeals reaching it (issue 12, item 2).

Revision ID: a7d3e91c5f20
Revises: f2c9a4e7b311
Create Date: 2026-12-02 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3e91c5f20'
down_revision = 'f2c9a4e7b311'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appellate', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('appellate')
