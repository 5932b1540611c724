"""Evidence tallies: live evidence links per target, stance and partner group, kept by triggers

The story, gaps and report pages counted their evidence by grouping every live link of the project on
each cold request (60,000 at scale 3); they read these few hundred rows instead. The database keeps
them, in triggers on evidence_links and evidence_items (a plpgsql function on PostgreSQL, SQLite's
triggers with UPSERT), so that every writer is covered: the ORM, core inserts (the trash, an import,
the bench), ON DELETE CASCADE from the chain or an item, an item trashed, restored or given another
partner group. Existing links are counted here.

An item deleted while live (a project's deletion, or a direct DELETE) takes its links
out in a BEFORE DELETE trigger, while they are still there: once its row is gone, the cascaded
deletes of its links find no live item to count them against, and change nothing (checked on both
databases: the deleted parent is not visible to its children's triggers).

Revision ID: cad30960d964
Revises: 8a6e0dd0716f
Create Date: 2026-12-02 20:10:09.854457

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cad30960d964'
down_revision = '8a6e0dd0716f'
branch_labels = None
depends_on = None

KEY = "project_id, target_kind, target_id, stance, partner_group"
COLUMNS = f"{KEY}, links"


def _kind(row: str) -> str:
    """The target kind of an evidence link (its CHECK makes exactly one target column non-null)."""
    return (f"CASE WHEN {row}.step_id IS NOT NULL THEN 'step' WHEN {row}.link_id IS NOT NULL THEN 'link' "
            f"WHEN {row}.assumption_id IS NOT NULL THEN 'assumption' ELSE 'factor' END")


def _target(row: str) -> str:
    return f"COALESCE({row}.step_id, {row}.link_id, {row}.assumption_id, {row}.factor_id)"


# What makes a link's row move: a stance, a target or an item of its own; an item's: being trashed
# or restored, another partner group, another project.
LINK_MOVED = ("OLD.item_id <> NEW.item_id OR OLD.stance <> NEW.stance"
              + "".join(f" OR OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ("step_id", "link_id", "assumption_id",
                                                                          "factor_id")))
ITEM_MOVED = ("(OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) OR OLD.partner_group <> NEW.partner_group"
              " OR OLD.project_id <> NEW.project_id")

# PostgreSQL --------------------------------------------------------------------------------------

PG_UPGRADE = [
    # delta links more (or fewer) on one row; a row reaching 0 goes. UPDATE then DELETE rather than a
    # guarded DELETE: a concurrent decrement waits on the row lock and re-reads it, never skips it.
    # Nothing is taken out while the project itself is being deleted (its row already gone): its tally
    # goes by its own ON DELETE CASCADE, and updating a row this transaction wrote would have
    # PostgreSQL check its foreign key against the deleted project.
    f"""CREATE FUNCTION evidence_tally_add(p_project integer, p_kind varchar, p_target integer, p_stance varchar,
                                     p_group varchar, p_delta integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_left integer;
BEGIN
    IF p_delta > 0 THEN
        INSERT INTO evidence_tallies AS t ({COLUMNS}) VALUES (p_project, p_kind, p_target, p_stance, p_group, p_delta)
        ON CONFLICT ({KEY}) DO UPDATE SET links = t.links + excluded.links;
    ELSIF EXISTS (SELECT 1 FROM projects WHERE id = p_project) THEN
        UPDATE evidence_tallies SET links = links + p_delta
        WHERE project_id = p_project AND target_kind = p_kind AND target_id = p_target AND stance = p_stance
          AND partner_group = p_group
        RETURNING links INTO v_left;
        IF v_left = 0 THEN
            DELETE FROM evidence_tallies
            WHERE project_id = p_project AND target_kind = p_kind AND target_id = p_target AND stance = p_stance
              AND partner_group = p_group AND links = 0;
        END IF;
    END IF;
END $$""",
    # One link counted in or out, against its item if that is live (a trashed item's links are not
    # counted; a deleted one's were taken out before it went).
    f"""CREATE FUNCTION evidence_links_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM evidence_tally_add(i.project_id, {_kind('OLD')}, {_target('OLD')}, OLD.stance, i.partner_group, -1)
        FROM evidence_items AS i WHERE i.id = OLD.item_id AND i.deleted_at IS NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM evidence_tally_add(i.project_id, {_kind('NEW')}, {_target('NEW')}, NEW.stance, i.partner_group, 1)
        FROM evidence_items AS i WHERE i.id = NEW.item_id AND i.deleted_at IS NULL;
    END IF;
    RETURN NULL;
END $$""",
    # All of an item's links out as it was, and in as it is.
    f"""CREATE FUNCTION evidence_items_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.deleted_at IS NULL AND EXISTS (SELECT 1 FROM projects WHERE id = OLD.project_id) THEN
        UPDATE evidence_tallies AS t SET links = t.links - 1
        FROM evidence_links AS l
        WHERE l.item_id = OLD.id AND t.project_id = OLD.project_id AND t.partner_group = OLD.partner_group
          AND t.stance = l.stance AND t.target_kind = {_kind('l')} AND t.target_id = {_target('l')};
        DELETE FROM evidence_tallies WHERE project_id = OLD.project_id AND links = 0;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.deleted_at IS NULL THEN
            INSERT INTO evidence_tallies AS t ({COLUMNS})
            SELECT NEW.project_id, {_kind('l')}, {_target('l')}, l.stance, NEW.partner_group, 1
            FROM evidence_links AS l WHERE l.item_id = NEW.id
            ON CONFLICT ({KEY}) DO UPDATE SET links = t.links + excluded.links;
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END $$""",
    "CREATE TRIGGER evidence_links_tally_insert AFTER INSERT ON evidence_links "
    "FOR EACH ROW EXECUTE FUNCTION evidence_links_tally()",
    "CREATE TRIGGER evidence_links_tally_delete AFTER DELETE ON evidence_links "
    "FOR EACH ROW EXECUTE FUNCTION evidence_links_tally()",
    "CREATE TRIGGER evidence_links_tally_update AFTER UPDATE ON evidence_links "
    f"FOR EACH ROW WHEN ({LINK_MOVED}) EXECUTE FUNCTION evidence_links_tally()",
    "CREATE TRIGGER evidence_items_tally_update AFTER UPDATE ON evidence_items "
    f"FOR EACH ROW WHEN ({ITEM_MOVED}) EXECUTE FUNCTION evidence_items_tally()",
    "CREATE TRIGGER evidence_items_tally_delete BEFORE DELETE ON evidence_items "
    "FOR EACH ROW WHEN (OLD.deleted_at IS NULL) EXECUTE FUNCTION evidence_items_tally()",
]
PG_DOWNGRADE = [
    "DROP TRIGGER evidence_items_tally_delete ON evidence_items",
    "DROP TRIGGER evidence_items_tally_update ON evidence_items",
    "DROP TRIGGER evidence_links_tally_update ON evidence_links",
    "DROP TRIGGER evidence_links_tally_delete ON evidence_links",
    "DROP TRIGGER evidence_links_tally_insert ON evidence_links",
    "DROP FUNCTION evidence_items_tally()",
    "DROP FUNCTION evidence_links_tally()",
    "DROP FUNCTION evidence_tally_add(integer, varchar, integer, varchar, varchar, integer)",
]

# SQLite: no functions, so each trigger spells its statements out ---------------------------------


def _sqlite_link_in(row: str) -> str:
    # "WHERE" before ON CONFLICT: SQLite's parser needs it to tell the upsert from a join's ON.
    return (f"INSERT INTO evidence_tallies ({COLUMNS}) "
            f"SELECT i.project_id, {_kind(row)}, {_target(row)}, {row}.stance, i.partner_group, 1 "
            f"FROM evidence_items AS i WHERE i.id = {row}.item_id AND i.deleted_at IS NULL "
            f"ON CONFLICT ({KEY}) DO UPDATE SET links = links + excluded.links;")


def _sqlite_link_out(row: str) -> str:
    same = f"target_kind = {_kind(row)} AND target_id = {_target(row)} AND stance = {row}.stance"
    return (f"UPDATE evidence_tallies SET links = links - 1 WHERE {same} AND (project_id, partner_group) = "
            f"(SELECT project_id, partner_group FROM evidence_items WHERE id = {row}.item_id AND deleted_at IS NULL);"
            f" DELETE FROM evidence_tallies WHERE {same} AND links = 0 AND project_id = "
            f"(SELECT project_id FROM evidence_items WHERE id = {row}.item_id);")


def _sqlite_item_out(live: str) -> str:
    """Each link of the item out of its row, when ``live`` (the item was counted)."""
    return (f"UPDATE evidence_tallies SET links = links - 1 WHERE {live} AND project_id = OLD.project_id "
            "AND partner_group = OLD.partner_group AND EXISTS (SELECT 1 FROM evidence_links AS l "
            f"WHERE l.item_id = OLD.id AND l.stance = evidence_tallies.stance "
            f"AND {_kind('l')} = evidence_tallies.target_kind AND {_target('l')} = evidence_tallies.target_id);"
            f" DELETE FROM evidence_tallies WHERE {live} AND project_id = OLD.project_id AND links = 0;")


_SQLITE_ITEM_IN = (
    f"INSERT INTO evidence_tallies ({COLUMNS}) "
    f"SELECT NEW.project_id, {_kind('l')}, {_target('l')}, l.stance, NEW.partner_group, 1 "
    "FROM evidence_links AS l WHERE l.item_id = NEW.id AND NEW.deleted_at IS NULL "
    f"ON CONFLICT ({KEY}) DO UPDATE SET links = links + excluded.links;")

SQLITE_UPGRADE = [
    f"CREATE TRIGGER evidence_links_tally_insert AFTER INSERT ON evidence_links BEGIN {_sqlite_link_in('NEW')} END",
    f"CREATE TRIGGER evidence_links_tally_delete AFTER DELETE ON evidence_links BEGIN {_sqlite_link_out('OLD')} END",
    # SQLite spells IS DISTINCT FROM "IS NOT".
    "CREATE TRIGGER evidence_links_tally_update AFTER UPDATE ON evidence_links "
    f"WHEN {LINK_MOVED.replace('IS DISTINCT FROM', 'IS NOT')} "
    f"BEGIN {_sqlite_link_out('OLD')} {_sqlite_link_in('NEW')} END",
    f"CREATE TRIGGER evidence_items_tally_update AFTER UPDATE ON evidence_items WHEN {ITEM_MOVED} "
    f"BEGIN {_sqlite_item_out('OLD.deleted_at IS NULL')} {_SQLITE_ITEM_IN} END",
    "CREATE TRIGGER evidence_items_tally_delete BEFORE DELETE ON evidence_items WHEN OLD.deleted_at IS NULL "
    f"BEGIN {_sqlite_item_out('true')} END",
]
SQLITE_DOWNGRADE = [f"DROP TRIGGER {name}" for name in (
    "evidence_items_tally_delete", "evidence_items_tally_update", "evidence_links_tally_update",
    "evidence_links_tally_delete", "evidence_links_tally_insert")]

BACKFILL = (f"INSERT INTO evidence_tallies ({COLUMNS}) "
            f"SELECT i.project_id, {_kind('l')}, {_target('l')}, l.stance, i.partner_group, count(*) "
            "FROM evidence_links AS l JOIN evidence_items AS i ON i.id = l.item_id WHERE i.deleted_at IS NULL "
            "GROUP BY i.project_id, 2, 3, l.stance, i.partner_group")


def upgrade():
    op.create_table('evidence_tallies',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('target_kind', sa.String(length=10), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('stance', sa.Enum('supports', 'challenges', 'mixed', name='stance', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('partner_group', sa.Enum('academic', 'practitioner', 'manager', 'service_user', 'carer', 'funder', 'other', name='partner_group', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('links', sa.Integer(), nullable=False),
    sa.CheckConstraint("target_kind IN ('step', 'link', 'assumption', 'factor')", name=op.f('ck_evidence_tallies_target_kind_known')),
    sa.CheckConstraint('links >= 0', name=op.f('ck_evidence_tallies_links_not_negative')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_evidence_tallies_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'target_kind', 'target_id', 'stance', 'partner_group', name=op.f('pk_evidence_tallies'))
    )
    op.execute(BACKFILL)
    for statement in PG_UPGRADE if op.get_bind().dialect.name == "postgresql" else SQLITE_UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in PG_DOWNGRADE if op.get_bind().dialect.name == "postgresql" else SQLITE_DOWNGRADE:
        op.execute(statement)
    op.drop_table('evidence_tallies')
