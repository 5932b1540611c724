"""Practitioners' updates coded to the codebook's themes, as answers are

Revision ID: 27cd16538541
Revises: 2b6f2d6e198c
Create Date: 2026-12-02 03:50:54.797941

"""
from alembic import op
import sqlalchemy as sa

import impact.model_types


# revision identifiers, used by Alembic.
revision = '27cd16538541'
down_revision = '2b6f2d6e198c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('update_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.Enum('helping', 'hindering', name='factor_direction', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['theme_id'], ['factor_themes.id'], name=op.f('fk_update_codes_theme_id_factor_themes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['update_id'], ['research_updates.id'], name=op.f('fk_update_codes_update_id_research_updates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_update_codes')),
    sa.UniqueConstraint('update_id', 'theme_id', 'direction', name=op.f('uq_update_codes_update_id_theme_id_direction'))
    )
    with op.batch_alter_table('update_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_update_codes_theme_id'), ['theme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_update_codes_update_id'), ['update_id'], unique=False)



def downgrade():
    with op.batch_alter_table('update_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_update_codes_update_id'))
        batch_op.drop_index(batch_op.f('ix_update_codes_theme_id'))

    op.drop_table('update_codes')
