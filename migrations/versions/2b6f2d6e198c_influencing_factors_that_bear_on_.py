"""Influencing factors that bear on several steps, their evidence shared; factors entered twice merged

A factor keeps the step it was entered on (influencing_factors.step_id) and may bear on others too
(factor_steps). Factors entered again per step (the same title and direction in one project, and the
same description or none) become one: the first keeps its id and gains the others' steps, their evidence
links (an item linked to both keeps one link, with both notes) and codebook and meeting themes; the
copies go.

Revision ID: 2b6f2d6e198c
Revises: 80911a350095
Create Date: 2026-12-02 03:17:09.693240

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2b6f2d6e198c'
down_revision = '80911a350095'
branch_labels = None
depends_on = None

# Tables that name a factor beside something else, keyed (other column, factor_id).
_FACTOR_PAIRS = (("evidence_links", "item_id"), ("factor_theme_factors", "theme_id"),
                 ("meeting_theme_factors", "theme_id"))


def upgrade():
    op.create_table('factor_steps',
    sa.Column('factor_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['factor_id'], ['influencing_factors.id'], name=op.f('fk_factor_steps_factor_id_influencing_factors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['step_id'], ['steps.id'], name=op.f('fk_factor_steps_step_id_steps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('factor_id', 'step_id', name=op.f('pk_factor_steps')),
    info={'held_as': None}
    )
    with op.batch_alter_table('factor_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_factor_steps_step_id'), ['step_id'], unique=False)
    _merge_factors_entered_twice(op.get_bind())


def _merge_factors_entered_twice(conn) -> None:
    kept: dict[tuple, tuple[int, set[int], str]] = {}
    for factor_id, project_id, step_id, title, direction, description in conn.execute(sa.text(
            "SELECT id, project_id, step_id, title, direction, description FROM influencing_factors ORDER BY id")):
        key = (project_id, " ".join(title.split()).lower(), direction)
        if key not in kept:
            kept[key] = (factor_id, {step_id}, description)
            continue
        keep, steps, kept_description = kept[key]
        if description and kept_description and description.strip() != kept_description.strip():
            continue  # described differently: perhaps not the same factor, so both stay as they are
        ids = {"keep": keep, "copy": factor_id}
        if step_id not in steps:
            conn.execute(sa.text("INSERT INTO factor_steps (factor_id, step_id) VALUES (:keep, :step)"),
                         {"keep": keep, "step": step_id})
            steps.add(step_id)
        if description and not kept_description:
            conn.execute(sa.text("UPDATE influencing_factors SET description = :text WHERE id = :keep"),
                         {"text": description, "keep": keep})
            kept[key] = (keep, steps, description)
        # An item linked to both: the kept link stays, and takes the copy's note if it says something else.
        for note, item_id in conn.execute(sa.text(
                "SELECT note, item_id FROM evidence_links WHERE factor_id = :copy AND note != '' AND item_id IN "
                "(SELECT item_id FROM evidence_links WHERE factor_id = :keep)"), ids).all():
            conn.execute(sa.text(
                "UPDATE evidence_links SET note = CASE WHEN note = '' THEN :note ELSE note || '; ' || :note END "
                "WHERE factor_id = :keep AND item_id = :item AND note != :note"),
                {**ids, "note": note, "item": item_id})
        for table, other in _FACTOR_PAIRS:
            # What already names the kept factor stays; the copy's duplicate of it goes.
            conn.execute(sa.text(f"DELETE FROM {table} WHERE factor_id = :copy AND {other} IN "
                                 f"(SELECT {other} FROM {table} WHERE factor_id = :keep)"), ids)
            conn.execute(sa.text(f"UPDATE {table} SET factor_id = :keep WHERE factor_id = :copy"), ids)
        conn.execute(sa.text("DELETE FROM influencing_factors WHERE id = :copy"), {"copy": factor_id})


def _next_factor_id(conn) -> int:
    """A new factor's id, never one used before (a deleted factor's id may wait in the trash)."""
    if conn.dialect.name == "postgresql":
        return conn.execute(sa.text("SELECT nextval(pg_get_serial_sequence('influencing_factors', 'id'))")).scalar()
    used = conn.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'influencing_factors'")).scalar()
    largest = conn.execute(sa.text("SELECT max(id) FROM influencing_factors")).scalar()
    return max(used or 0, largest or 0) + 1


def downgrade():
    # A factor on several steps becomes one copy per further step, each with the factor's evidence links,
    # as it would have been entered before: nothing it says is lost.
    conn = op.get_bind()
    shared = conn.execute(sa.text(
        "SELECT f.id, f.project_id, fs.step_id, f.title, f.direction, f.description FROM factor_steps fs "
        "JOIN influencing_factors f ON f.id = fs.factor_id ORDER BY f.id, fs.step_id")).all()
    for factor_id, project_id, step_id, title, direction, description in shared:
        copy = _next_factor_id(conn)
        conn.execute(sa.text(
            "INSERT INTO influencing_factors (id, project_id, step_id, title, direction, description, created_at, "
            "version) VALUES (:id, :project, :step, :title, :direction, :description, CURRENT_TIMESTAMP, 1)"),
            {"id": copy, "project": project_id, "step": step_id, "title": title, "direction": direction,
             "description": description})
        conn.execute(sa.text(
            "INSERT INTO evidence_links (item_id, factor_id, stance, strength, note, quote, origin, created_at, "
            "created_by_id) SELECT item_id, :copy, stance, strength, note, quote, origin, created_at, created_by_id "
            "FROM evidence_links WHERE factor_id = :factor"), {"copy": copy, "factor": factor_id})
        for table, other in _FACTOR_PAIRS[1:]:
            conn.execute(sa.text(f"INSERT INTO {table} ({other}, factor_id) SELECT {other}, :copy FROM {table} "
                                 "WHERE factor_id = :factor"), {"copy": copy, "factor": factor_id})
    with op.batch_alter_table('factor_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_factor_steps_step_id'))
    op.drop_table('factor_steps')
