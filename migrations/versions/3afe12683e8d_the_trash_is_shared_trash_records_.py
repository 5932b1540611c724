"""The trash is shared: trash_records (with a kind per record) replace deleted_steps

Every feature deletes into the same trash (impact/trash.py): the chain's deleted steps, links,
assumptions and factors, evidence items' removed links, removed tracing tests. The chain's records
are carried over under their ids, each with the kind its payload names ("step" when it names none).

Revision ID: 3afe12683e8d
Revises: 4f334f58222e
Create Date: 2026-12-01 15:07:54.401662

"""
from alembic import op
import sqlalchemy as sa

import impact.model_types

# revision identifiers, used by Alembic.
revision = '3afe12683e8d'
down_revision = '4f334f58222e'
branch_labels = None
depends_on = None

COLUMNS = "id, project_id, title, payload, deleted_at, deleted_by_id, restored_at"
CHAIN_KINDS = ("step", "link", "assumption", "factor")


def _continue_ids(source: str, target: str) -> None:
    """PostgreSQL: the target's ids go on past the copied ones, and past any id the source ever gave."""
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return  # SQLite: AUTOINCREMENT (trash_records) remembers the largest id inserted
    sequence = lambda table: connection.scalar(sa.text(f"SELECT pg_get_serial_sequence('{table}', 'id')"))  # noqa: E731
    given = connection.scalar(sa.text(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence(source)}"))
    copied = connection.scalar(sa.text(f"SELECT COALESCE(MAX(id), 0) FROM {target}"))
    connection.execute(sa.text("SELECT setval(:sequence, :next, false)"),
                       {"sequence": sequence(target), "next": max(given, copied) + 1})


def upgrade():
    op.create_table('trash_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('deleted_at', impact.model_types.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('restored_at', impact.model_types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_trash_records_deleted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_trash_records_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trash_records')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('trash_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trash_records_deleted_by_id'), ['deleted_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trash_records_project_id'), ['project_id'], unique=False)

    # The chain's records, as they were; each gets the kind its payload names.
    op.execute(f"INSERT INTO trash_records (kind, {COLUMNS}) SELECT 'step', {COLUMNS} FROM deleted_steps")
    records = sa.table('trash_records', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                       sa.column('payload', sa.JSON))
    connection = op.get_bind()
    kinds: dict[str, list[int]] = {}
    for record_id, payload in connection.execute(sa.select(records.c.id, records.c.payload)):
        kind = (payload or {}).get('kind', 'step')
        if kind != 'step':
            kinds.setdefault(kind, []).append(record_id)
    for kind, ids in kinds.items():
        connection.execute(sa.update(records).where(records.c.id.in_(ids)).values(kind=kind))
    _continue_ids('deleted_steps', 'trash_records')

    with op.batch_alter_table('deleted_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deleted_steps_deleted_by_id'))
        batch_op.drop_index(batch_op.f('ix_deleted_steps_project_id'))

    op.drop_table('deleted_steps')


def downgrade():
    op.create_table('deleted_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('deleted_at', impact.model_types.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('restored_at', impact.model_types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_deleted_steps_deleted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_deleted_steps_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deleted_steps'))
    )
    with op.batch_alter_table('deleted_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deleted_steps_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deleted_steps_deleted_by_id'), ['deleted_by_id'], unique=False)

    # Only the chain's records have a place in the older schema; the Undo of a removed evidence link or
    # tracing test (offered once, right after the removal) is not kept.
    kinds = ", ".join(f"'{kind}'" for kind in CHAIN_KINDS)
    op.execute(f"INSERT INTO deleted_steps ({COLUMNS}) SELECT {COLUMNS} FROM trash_records WHERE kind IN ({kinds})")
    _continue_ids('trash_records', 'deleted_steps')

    with op.batch_alter_table('trash_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trash_records_project_id'))
        batch_op.drop_index(batch_op.f('ix_trash_records_deleted_by_id'))

    op.drop_table('trash_records')
