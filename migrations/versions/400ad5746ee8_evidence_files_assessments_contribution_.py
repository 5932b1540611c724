"""evidence files, assessments, contribution tracing, story

Revision ID: 400ad5746ee8
Revises: d6170cf027e5
Create Date: 2026-11-23 18:10:28.328656

"""
from alembic import op
import sqlalchemy as sa

import impact.model_types


# revision identifiers, used by Alembic.
revision = '400ad5746ee8'
down_revision = 'd6170cf027e5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_standards',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('low', sa.Text(), server_default='', nullable=False),
    sa.Column('medium', sa.Text(), server_default='', nullable=False),
    sa.Column('high', sa.Text(), server_default='', nullable=False),
    sa.Column('updated_at', impact.model_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_evidence_standards_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_evidence_standards'))
    )
    op.create_table('stories',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('conclusion', sa.Text(), server_default='', nullable=False),
    sa.Column('updated_at', impact.model_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_stories_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_stories_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_stories'))
    )
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stories_updated_by_id'), ['updated_by_id'], unique=False)

    op.create_table('story_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', impact.model_types.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_story_snapshots_name_not_empty')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_story_snapshots_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_story_snapshots_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story_snapshots')),
    sa.UniqueConstraint('project_id', 'number', name=op.f('uq_story_snapshots_project_id_number')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('story_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_snapshots_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_snapshots_project_id'), ['project_id'], unique=False)

    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('based_on', sa.Integer(), server_default='0', nullable=False),
    sa.Column('refused', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('progress', sa.Enum('none', 'low', 'some', 'good', name='progress_rating', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('confidence', sa.Enum('low', 'medium', 'high', name='confidence', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('rationale', sa.Text(), server_default='', nullable=False),
    sa.Column('alternatives', sa.Text(), server_default='', nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', impact.model_types.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('(refused AND number IS NULL) OR (NOT refused AND number >= 1)', name=op.f('ck_assessments_number_when_applied')),
    sa.CheckConstraint('(step_id IS NULL) <> (link_id IS NULL)', name=op.f('ck_assessments_exactly_one_target')),
    sa.CheckConstraint('based_on >= 0', name=op.f('ck_assessments_based_on_not_negative')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_assessments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['link_id'], ['links.id'], name=op.f('fk_assessments_link_id_links'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_assessments_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['step_id'], ['steps.id'], name=op.f('fk_assessments_step_id_steps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('link_id', 'number', name=op.f('uq_assessments_link_id_number')),
    sa.UniqueConstraint('step_id', 'number', name=op.f('uq_assessments_step_id_number')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_step_id'), ['step_id'], unique=False)

    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('statement', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('prior', sa.Float(), server_default='0.5', nullable=False),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', impact.model_types.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('length(statement) > 0', name=op.f('ck_claims_statement_not_empty')),
    sa.CheckConstraint('prior >= 0 AND prior <= 1', name=op.f('ck_claims_prior_is_probability')),
    sa.ForeignKeyConstraint(['link_id'], ['links.id'], name=op.f('fk_claims_link_id_links'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_claims_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['step_id'], ['steps.id'], name=op.f('fk_claims_step_id_steps'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_step_id'), ['step_id'], unique=False)

    op.create_table('assumption_statuses',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('assumption_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('holds', 'partly', 'does_not_hold', 'unknown', name='assumption_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assumption_statuses_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assumption_id'], ['assumptions.id'], name=op.f('fk_assumption_statuses_assumption_id_assumptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assessment_id', 'assumption_id', name=op.f('pk_assumption_statuses'))
    )
    with op.batch_alter_table('assumption_statuses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assumption_statuses_assumption_id'), ['assumption_id'], unique=False)

    op.create_table('claim_tests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('test_type', sa.Enum('straw_in_the_wind', 'hoop', 'smoking_gun', 'doubly_decisive', 'custom', name='test_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('sensitivity', sa.Float(), nullable=False),
    sa.Column('type_one_error', sa.Float(), nullable=False),
    sa.Column('found', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', impact.model_types.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('length(description) > 0', name=op.f('ck_claim_tests_description_not_empty')),
    sa.CheckConstraint('sensitivity >= 0 AND sensitivity <= 1', name=op.f('ck_claim_tests_sensitivity_is_probability')),
    sa.CheckConstraint('type_one_error >= 0 AND type_one_error <= 1', name=op.f('ck_claim_tests_type_one_error_is_probability')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_tests_claim_id_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['evidence_items.id'], name=op.f('fk_claim_tests_item_id_evidence_items'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_tests')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('claim_tests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_tests_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_tests_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('evidence_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', impact.model_types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('file_name', sa.String(length=255), server_default='', nullable=False))
        batch_op.add_column(sa.Column('file_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('file_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('file_type', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('deleted_at', impact.model_types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_evidence_items_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_items_deleted_by_id'), ['deleted_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_items_file_sha256'), ['file_sha256'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_evidence_items_deleted_by_id_users'), 'users', ['deleted_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(
            'file_complete',
            'file_sha256 IS NULL OR (length(file_sha256) = 64 AND file_size >= 0 AND length(file_name) > 0)')

    with op.batch_alter_table('evidence_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_evidence_links_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_evidence_links_created_by_id_users'), 'users', ['created_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contribution_tracing', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('contribution_tracing')

    with op.batch_alter_table('evidence_links', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_evidence_links_created_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_evidence_links_created_by_id'))
        batch_op.drop_column('created_by_id')

    with op.batch_alter_table('evidence_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_evidence_items_file_complete'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_evidence_items_deleted_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_evidence_items_file_sha256'))
        batch_op.drop_index(batch_op.f('ix_evidence_items_deleted_by_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_items_deleted_at'))
        batch_op.drop_column('deleted_by_id')
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('file_type')
        batch_op.drop_column('file_size')
        batch_op.drop_column('file_sha256')
        batch_op.drop_column('file_name')
        batch_op.drop_column('updated_at')

    with op.batch_alter_table('claim_tests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_tests_item_id'))
        batch_op.drop_index(batch_op.f('ix_claim_tests_claim_id'))

    op.drop_table('claim_tests')
    with op.batch_alter_table('assumption_statuses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assumption_statuses_assumption_id'))

    op.drop_table('assumption_statuses')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_step_id'))
        batch_op.drop_index(batch_op.f('ix_claims_project_id'))
        batch_op.drop_index(batch_op.f('ix_claims_link_id'))

    op.drop_table('claims')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_step_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_project_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_link_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_author_id'))

    op.drop_table('assessments')
    with op.batch_alter_table('story_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_snapshots_project_id'))
        batch_op.drop_index(batch_op.f('ix_story_snapshots_created_by_id'))

    op.drop_table('story_snapshots')
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stories_updated_by_id'))

    op.drop_table('stories')
    op.drop_table('evidence_standards')
