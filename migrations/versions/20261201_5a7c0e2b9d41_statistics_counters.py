"""statistics counters: per-day counts kept by the services, and each grievance's share of them

Revision ID: 5a7c0e2b9d41
Revises: d63074eb386f
Create Date: 2026-12-01 22:15:00

The counters start empty: `grs stats rebuild` fills them from the events of existing grievances.
"""
from alembic import op
import sqlalchemy as sa


revision = '5a7c0e2b9d41'
down_revision = 'd63074eb386f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stat_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=40), nullable=False),
    sa.Column('sex', sa.String(length=10), nullable=False),
    sa.Column('age_band', sa.String(length=10), nullable=False),
    sa.Column('disability', sa.String(length=3), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_counts')),
    sa.UniqueConstraint('day', 'measure', 'programme_id', 'category_id', 'channel', 'area_id', 'office_id', 'level',
                        'sex', 'age_band', 'disability', 'sensitive', 'working_days', name='uq_stat_counts_key')
    )
    op.create_table('stat_contributions',
    sa.Column('grievance_id', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['grievance_id'], ['grievances.id'],
                            name=op.f('fk_stat_contributions_grievance_id_grievances')),
    sa.PrimaryKeyConstraint('grievance_id', name=op.f('pk_stat_contributions'))
    )


def downgrade():
    op.drop_table('stat_contributions')
    op.drop_table('stat_counts')
