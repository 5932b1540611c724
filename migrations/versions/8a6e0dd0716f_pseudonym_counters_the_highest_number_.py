"""Pseudonym counters: the highest number each partner group's label carries in a project's names

A new respondent is offered their group's label and one past the counter ("Practitioner 8"), read in one
row instead of every name in the project (impact/followups/pseudonyms.py). Each existing project gets a
counter for every group, from the names it already holds (the register, responses, evidence items,
trashed ones too), read here as the app reads them.

Revision ID: 8a6e0dd0716f
Revises: 5db2a099061c
Create Date: 2026-12-02 08:15:05.081078

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8a6e0dd0716f'
down_revision = '5db2a099061c'
branch_labels = None
depends_on = None

# The partner groups as this revision knows them, each with its label's words as names start with them.
GROUPS = ("academic", "practitioner", "manager", "service_user", "carer", "funder", "other")
PREFIXES = {group: group.replace("_", " ") + " " for group in GROUPS}
MAX_NUMBER = 1_000_000  # as the app: a name numbered beyond it is not counted


def upgrade():
    op.create_table('pseudonym_counters',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('partner_group', sa.Enum(*GROUPS, name='partner_group', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('last_number', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_pseudonym_counters_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'partner_group', name=op.f('pk_pseudonym_counters'))
    )
    _count_existing_names(op.get_bind())


def _number(name: str):
    lowered = name.lower()
    for group, prefix in PREFIXES.items():
        if lowered.startswith(prefix):
            number = lowered[len(prefix):].strip()
            if number.isdecimal() and int(number) <= MAX_NUMBER:
                return group, int(number)
    return None


def _count_existing_names(connection) -> None:
    highest = {project_id: dict.fromkeys(GROUPS, 0)
               for project_id in connection.execute(sa.text("SELECT id FROM projects")).scalars()}
    names = connection.execute(sa.text(
        "SELECT project_id, name FROM pseudonyms "
        "UNION SELECT c.project_id, r.pseudonym FROM responses r "
        "JOIN followups f ON f.id = r.followup_id JOIN followup_campaigns c ON c.id = f.campaign_id "
        "WHERE r.pseudonym != '' "
        "UNION SELECT project_id, pseudonym FROM evidence_items WHERE pseudonym != ''"))
    for project_id, name in names:
        found = _number(name)
        if found and project_id in highest:
            group, number = found
            highest[project_id][group] = max(highest[project_id][group], number)
    rows = [{"project_id": project_id, "partner_group": group, "last_number": number}
            for project_id, numbers in highest.items() for group, number in numbers.items()]
    if rows:
        connection.execute(sa.text("INSERT INTO pseudonym_counters (project_id, partner_group, last_number) "
                                   "VALUES (:project_id, :partner_group, :last_number)"), rows)


def downgrade():
    # The counters are read again from the names whenever the table comes back.
    op.drop_table('pseudonym_counters')
