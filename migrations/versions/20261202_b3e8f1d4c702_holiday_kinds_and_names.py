"""holiday_kinds_and_names: an admin's calendar correction has a kind (`off`: a day off, the only kind
until now; `working`: a weekend day declared a working day; `not_off`: a public holiday of the `holidays`
package that is a working day this year) and names per language (`names`, as other named rows keep them;
the English name stays in the `name` column). Every existing row is a day off.

Revision ID: b3e8f1d4c702
Revises: a7c3e91f5d20
Create Date: 2026-12-02 06:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b3e8f1d4c702'
down_revision = 'a7c3e91f5d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('holidays', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), nullable=False, server_default='off'))
        batch_op.add_column(sa.Column('names', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('holidays', schema=None) as batch_op:
        batch_op.drop_column('names')
        batch_op.drop_column('kind')
