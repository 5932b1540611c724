"""Every write to anything of a project advances its change stamp, whichever code made it: pages are
kept and answered 304 under it (impact/projects/stamps.py), so a write that bypassed it would leave a
reader with a stale page.

The walk takes the demo project (it has rows of every table of a project) and, for every table,
changes a row, deletes a row and, for the tables that only join two rows, takes one out of its
collection; each in a savepoint rolled back afterwards, checking the stamp moved within it.
"""
from __future__ import annotations

import datetime as dt
import enum

import pytest
from sqlalchemy import Boolean, Date, Enum, Integer, String, Text, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import class_mapper

from impact import dependents
from impact.extensions import db as _db
from impact.model_types import UTCDateTime
from impact.projects.models import Project
from tests import factories

_projects = Project.__table__


def _demo(app) -> Project:
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    return _db.session.scalar(select(Project).order_by(Project.id))


def _stamp(project_id: int) -> int:
    return _db.session.execute(select(_projects.c.change_stamp).where(_projects.c.id == project_id)).scalar()


def _project_tables() -> set[str]:
    return {"projects"} | {table.name for table, _ in dependents.hanging_keys(["projects"])}


def _mapped_classes() -> dict[str, type]:
    return {mapper.local_table.name: mapper.class_ for mapper in _db.Model.registry.mappers}


def _moves_the_stamp(project_id: int, write) -> bool | None:
    """Whether ``write`` (run in a savepoint, rolled back after) moved the stamp; None if the database refused it."""
    before = _stamp(project_id)
    savepoint = _db.session.begin_nested()
    try:
        write()
        _db.session.flush()
        return _stamp(project_id) > before
    except (IntegrityError, DBAPIError):
        return None
    finally:
        savepoint.rollback()


def _changed(value, column):
    """Another value for the column, of its kind, or None when it has no simple other value."""
    kind = column.type
    if isinstance(kind, Enum) and kind.enum_class is not None:
        others = [member for member in kind.enum_class if member != value]
        return others[0] if others else None
    if isinstance(kind, Boolean):
        return not value if value is not None else None
    if isinstance(kind, UTCDateTime):
        return value + dt.timedelta(minutes=1) if value is not None else None
    if isinstance(kind, Date):
        return value - dt.timedelta(days=1) if value is not None else None
    if isinstance(kind, String | Text):
        text = value or ""
        limit = getattr(kind, "length", None) or len(text) + 1
        return (text[:limit - 1] + ("y" if text.endswith("x") else "x")) if limit else None
    if isinstance(kind, Integer) and not isinstance(value, bool | enum.Enum):
        return value + 1 if value is not None else None
    return None


def _plain_columns(model) -> list[str]:
    mapper = class_mapper(model)
    keys = []
    for column in mapper.local_table.columns:
        if column.primary_key or column.foreign_keys or column.name in {"version", "change_stamp"}:
            continue
        keys.append(mapper.get_property_by_column(column).key)
    return keys


def _a_row(model, project_id: int):
    mapper = class_mapper(model)
    table = mapper.local_table
    query = select(model)
    if "project_id" in table.c:
        query = query.where(table.c.project_id == project_id)
    elif model is Project:
        query = query.where(table.c.id == project_id)
    return _db.session.scalars(query.order_by(*table.primary_key.columns).limit(1)).first()


def _first(model, *where):
    return _db.session.scalars(select(model).where(*where).limit(1)).first()


def _add_what_the_demo_lacks(project: Project) -> None:
    """One row of each table the demo does not fill (what a project gathers in use, not in a demo)."""
    from impact.assessment.models import AssessmentComment
    from impact.cards.models import ActionCard, CardConfirmation, OptOut
    from impact.coding.models import FactorTheme, UpdateCode
    from impact.projects.models import Invitation, PartnerGroup, Role
    from impact.research.models import ResearchOutput, ResearchProject, ResearchReminder, ResearchUpdate
    from impact.toc.models import FactorDirection, Step
    from impact.trash import TrashRecord

    step = _first(Step, Step.project_id == project.id)
    prp = _first(ResearchProject, ResearchProject.project_id == project.id)
    lead = factories.user_with_role("lead", project)
    _db.session.add_all([
        AssessmentComment(project_id=project.id, step_id=step.id, text="Seen from the council's side",
                          partner_group=list(PartnerGroup)[0], author_id=lead.id),
        CardConfirmation(card_id=_first(ActionCard, ActionCard.project_id == project.id).id, proposed={}),
        Invitation(project_id=project.id, email="new@example.org", name="New", role=Role.TEAM_MEMBER,
                   partner_group=list(PartnerGroup)[0], token_stamp="0" * 32, invited_by_id=lead.id),
        OptOut(project_id=project.id, email="gone@example.org"),
        ResearchOutput(research_project_id=prp.id, title="A briefing"),
        ResearchReminder(research_project_id=prp.id, user_id=lead.id),
        TrashRecord(project_id=project.id, kind="step", title="A step", payload={}),
        UpdateCode(update_id=_first(ResearchUpdate).id, theme_id=_first(FactorTheme, FactorTheme.project_id
                                                                         == project.id).id,
                   direction=list(FactorDirection)[0]),
    ])


@pytest.fixture
def demo(app, db):
    project = _demo(app)
    _add_what_the_demo_lacks(project)
    _db.session.commit()
    return project.id


def test_every_table_of_a_project_is_in_the_demo_or_this_test_says_why_not(demo):
    empty = sorted(name for name in _project_tables()
                   if _db.session.execute(select(_db.metadata.tables[name]).limit(1)).first() is None)
    assert empty == [], f"the demo has no rows of {empty}: give it some, or this walk cannot check them"


def test_changing_or_deleting_a_row_of_any_table_of_a_project_moves_its_stamp(demo):
    classes = _mapped_classes()
    unchecked, stale = [], []
    for name in sorted(_project_tables()):
        model = classes.get(name)
        if model is None:
            continue  # a table joining two rows: checked through its collections below
        checked = False
        for key in _plain_columns(model):
            row = _a_row(model, demo)
            if row is None:
                break
            new = _changed(getattr(row, key), class_mapper(model).get_property(key).columns[0])
            if new is None:
                continue
            moved = _moves_the_stamp(demo, lambda row=row, key=key, new=new: setattr(row, key, new))
            if moved is None:
                continue
            if not moved:
                stale.append(f"{name}.{key} changed")
            checked = True
            break
        if model is not Project:
            row = _a_row(model, demo)
            moved = _moves_the_stamp(demo, lambda row=row: _db.session.delete(row)) if row is not None else None
            if moved is False:
                stale.append(f"{name} row deleted")
            checked = checked or moved is not None
        if not checked:
            unchecked.append(name)
    assert stale == [], f"writes that left the project's stamp as it was: {stale}"
    assert unchecked == [], f"no write to these tables could be tried: {unchecked}"


def test_taking_a_row_out_of_any_joined_collection_moves_the_stamp(demo):
    classes = _mapped_classes()
    joining = {name for name in _project_tables() if name not in classes}
    covered, stale = set(), []
    for mapper in _db.Model.registry.mappers:
        for relationship in mapper.relationships:
            secondary = relationship.secondary
            if secondary is None or secondary.name not in joining or relationship.viewonly:
                continue
            parents = _db.session.scalars(select(mapper.class_)).all()
            parent = next((row for row in parents if getattr(row, relationship.key)), None)
            if parent is None:
                continue
            project_id = getattr(parent, "project_id", None) or demo

            def take_one(parent=parent, key=relationship.key):
                collection = getattr(parent, key)
                collection.remove(next(iter(collection)))

            moved = _moves_the_stamp(project_id, take_one)
            if moved is not None:
                covered.add(secondary.name)
                if not moved:
                    stale.append(f"{mapper.class_.__name__}.{relationship.key}")
    assert stale == []
    written_only_by_core = joining - covered
    # Tables with no collection are written by their part's own statements, which advance the stamp
    # themselves (checked by the flows below).
    assert written_only_by_core <= {"action_steps", "factor_steps"}, written_only_by_core


def test_another_projects_stamp_stays(db, app):
    first, second = factories.chain_project(), factories.chain_project()
    _db.session.commit()
    before = _stamp(second.id)
    first.title = "Renamed"
    _db.session.commit()
    assert _stamp(first.id) > 0 and _stamp(second.id) == before


def test_a_members_new_name_moves_the_stamps_of_their_projects(db):
    project, other = factories.chain_project(), factories.chain_project()
    member = factories.user_with_role("team_member", project)
    _db.session.commit()
    before, other_before = _stamp(project.id), _stamp(other.id)
    member.name = "Dr Renamed"
    _db.session.commit()
    assert _stamp(project.id) > before and _stamp(other.id) == other_before


def test_a_transaction_moves_a_stamp_once_and_again_after_a_savepoint_rolled_back(db, app, query_counter):
    project = factories.chain_project()
    _db.session.commit()
    before = _stamp(project.id)
    with query_counter() as statements:
        project.title = "First"
        _db.session.flush()
        project.description = "Second"
        _db.session.flush()
    moves = [statement for statement in statements if "SET change_stamp" in statement]
    assert len(moves) == 1, statements  # the row stays locked until the commit: one move shows both writes
    _db.session.commit()
    assert _stamp(project.id) == before + 1

    savepoint = _db.session.begin_nested()
    project.funder = "Taken back"
    _db.session.flush()
    savepoint.rollback()  # and the stamp's move with it
    project.programme = "Kept"
    _db.session.commit()
    assert _stamp(project.id) == before + 2  # the write after the savepoint moved it again
