"""The evidence standard's minimum sources and partner groups for medium and high confidence

Revision ID: 169ea39b00cc
Revises: 7435b139d026
Create Date: 2026-12-02 00:45:14.017314

"""
from alembic import op
import sqlalchemy as sa

import impact.model_types


# revision identifiers, used by Alembic.
revision = '169ea39b00cc'
down_revision = '7435b139d026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evidence_standards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('medium_min_sources', sa.Integer(), server_default='2', nullable=False))
        batch_op.add_column(sa.Column('medium_min_groups', sa.Integer(), server_default='2', nullable=False))
        batch_op.add_column(sa.Column('high_min_sources', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('high_min_groups', sa.Integer(), server_default='2', nullable=False))
        batch_op.create_check_constraint(
            'minimums_in_range',
            'medium_min_sources BETWEEN 0 AND 100 AND medium_min_groups BETWEEN 0 AND 100 AND '
            'high_min_sources BETWEEN 0 AND 100 AND high_min_groups BETWEEN 0 AND 100')


def downgrade():
    with op.batch_alter_table('evidence_standards', schema=None) as batch_op:
        batch_op.drop_constraint('minimums_in_range', type_='check')
        batch_op.drop_column('high_min_groups')
        batch_op.drop_column('high_min_sources')
        batch_op.drop_column('medium_min_groups')
        batch_op.drop_column('medium_min_sources')

