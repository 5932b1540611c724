"""Outbox messages say what they are about by kind and id, not by a foreign key into follow-ups

Revision ID: 4f334f58222e
Revises: faadd9f3e42d
Create Date: 2026-12-01 14:13:11.099987

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f334f58222e'
down_revision = 'faadd9f3e42d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('about_kind', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('about_id', sa.Integer(), nullable=True))
    op.execute("UPDATE outbox_messages SET about_kind = 'followup', about_id = followup_id WHERE followup_id IS NOT NULL")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_followup_id'))
        batch_op.create_index('ix_outbox_messages_about', ['about_kind', 'about_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_followup_id_followups'), type_='foreignkey')
        batch_op.drop_column('followup_id')


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('followup_id', sa.INTEGER(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_followup_id_followups'), 'followups', ['followup_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_index('ix_outbox_messages_about')
        batch_op.create_index(batch_op.f('ix_outbox_messages_followup_id'), ['followup_id'], unique=False)
    # A message about a follow-up deleted since points at nothing; the foreign key would refuse it.
    op.execute("UPDATE outbox_messages SET followup_id = about_id WHERE about_kind = 'followup' "
               "AND about_id IN (SELECT id FROM followups)")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('about_id')
        batch_op.drop_column('about_kind')
