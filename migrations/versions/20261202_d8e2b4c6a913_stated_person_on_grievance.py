"""what the complainant said is kept on the grievance; only a verified phone finds a person again

Revision ID: d8e2b4c6a913
Revises: e5a17c3b9d42
Create Date: 2026-12-02 05:00:00

Anyone who knew a complainant's phone could overwrite that person's record from the public web form or the
API (issue 11, finding 1). complainants.verified marks the records whose phone is known to be the
person's (it sent the SMS, dialled the USSD code, or an operator spoke to them): only those are found
again by phone and updated. Records of earlier grievances that came that way are marked verified; the
rest are left as they are and no longer found by phone.

grievances.sex, age_band and disability keep what the complainant said for that grievance, filled from
its complainant's record; the statistics count by them (a person's record changed later moves no earlier
figure) and count the open grievances by them without a join. The open grievances' covering index
includes them (PostgreSQL).
"""
from alembic import op
import sqlalchemy as sa


revision = 'd8e2b4c6a913'
down_revision = 'e5a17c3b9d42'
branch_labels = None
depends_on = None

_INCLUDE = ['programme_id', 'category_id', 'channel', 'sensitive', 'level', 'office_id', 'complainant_id',
            'due_at', 'paused_at', 'is_open']


def _open_stats_index(include):
    op.create_index('ix_grievances_open_stats', 'grievances', ['area_id', 'received_at'],
                    postgresql_include=include,
                    postgresql_where=sa.text('is_open IS true'), sqlite_where=sa.text('is_open = 1'))


def upgrade():
    with op.batch_alter_table('complainants') as batch:
        batch.add_column(sa.Column('verified', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('grievances') as batch:
        batch.add_column(sa.Column('sex', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('age_band', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('disability', sa.Boolean(), nullable=True))
    op.execute(sa.text(
        "UPDATE complainants SET verified = true WHERE id IN (SELECT complainant_id FROM grievances "
        "WHERE complainant_id IS NOT NULL AND channel IN ('sms', 'ussd', 'operator'))"))
    op.execute(sa.text(
        "UPDATE grievances SET sex = (SELECT c.sex FROM complainants c WHERE c.id = grievances.complainant_id), "
        "age_band = (SELECT c.age_band FROM complainants c WHERE c.id = grievances.complainant_id), "
        "disability = (SELECT c.disability FROM complainants c WHERE c.id = grievances.complainant_id) "
        "WHERE complainant_id IS NOT NULL"))
    op.drop_index('ix_grievances_open_stats', table_name='grievances')
    _open_stats_index(_INCLUDE + ['sex', 'age_band', 'disability'])


def downgrade():
    op.drop_index('ix_grievances_open_stats', table_name='grievances')
    _open_stats_index(_INCLUDE)
    with op.batch_alter_table('grievances') as batch:
        batch.drop_column('disability')
        batch.drop_column('age_band')
        batch.drop_column('sex')
    with op.batch_alter_table('complainants') as batch:
        batch.drop_column('verified')
