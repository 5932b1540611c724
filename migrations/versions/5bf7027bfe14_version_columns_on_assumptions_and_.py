"""version columns on assumptions and influencing factors

Edits of an assumption, risk or influencing factor are checked against the version the
editor started from, as for steps. Existing rows start at version 1.

Revision ID: 5bf7027bfe14
Revises: 400ad5746ee8
Create Date: 2026-11-30 01:13:13.396654

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5bf7027bfe14'
down_revision = '400ad5746ee8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assumptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('influencing_factors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    # recreate="never": SQLite (3.35+) drops a plain column in place. Rebuilding the tables
    # instead would drop them with foreign keys on, deleting every row that references them
    # (ON DELETE CASCADE: assessments of assumptions, evidence links), and lose AUTOINCREMENT.
    with op.batch_alter_table('influencing_factors', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('assumptions', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('version')
