"""A project's change stamp: every write to the project advances it (impact/projects/stamps.py)

Revision ID: 5db2a099061c
Revises: 27cd16538541
Create Date: 2026-12-02 07:59:19.483369

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5db2a099061c'
down_revision = '27cd16538541'
branch_labels = None
depends_on = None


def upgrade():
    # Nothing is kept under a stamp yet, so every project may start from 0.
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_stamp', sa.BigInteger(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('change_stamp')
