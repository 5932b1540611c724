"""A project's time zone: its pages and emails show times in it (they stay stored in UTC)

Revision ID: 80911a350095
Revises: 169ea39b00cc
Create Date: 2026-12-02 02:47:21.113976

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '80911a350095'
down_revision = '169ea39b00cc'
branch_labels = None
depends_on = None


def upgrade():
    # Every project so far was run in UK time: the server default gives them all Europe/London.
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='Europe/London',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
