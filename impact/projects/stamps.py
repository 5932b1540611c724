"""Every write to anything of a project advances its change stamp, in the writing transaction.

Pages are kept (impact/page_cache.py) and answered 304 (ETags, impact/projects/conditional.py) under
the stamp, so nothing that changes what a page shows may bypass it. Counted at the flush, whichever
code made the change (a service, the importer, a job, the API, the trash): a row belongs to the
project named by its ``project_id``, or else to its parent's, found along its foreign keys (an
evidence link's item, a response's follow-up), so a new feature's tables are covered without this
module knowing them. A user's name shows on the pages of the projects they belong to: changing it
advances those. Rows written without the ORM (a bulk insert) call ``advance``.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ForeignKeyConstraint, Table, event, inspect, select, update
from sqlalchemy.orm import Session

from impact import trash
from impact.auth.models import User
from impact.change_counters import fresh_stamp
from impact.extensions import db
from impact.projects.models import Membership, Project

__all__ = ["advance", "fresh_stamp", "written"]

_WRITTEN = "impact.projects_written"  # session.info: the ids this session has advanced (see written())
# session.info: the ids whose stamps this transaction has moved already. Once is enough: the row stays locked
# until the transaction ends, and what it wrote shows only then, all together under the one new stamp.
_MOVED = "impact.stamps_moved"
_projects = Project.__table__


# What project pages show of a person (a sign-in, which also writes to their row, changes none of it).
SHOWN_OF_A_USER = ("name", "email", "active", "is_admin")


def advance(session: Session, project_ids: Iterable[int | None]) -> None:
    """The projects' stamps move (for rows written without the ORM, in this session's transaction)."""
    moved = session.info.setdefault(_MOVED, set())
    ids = sorted({project_id for project_id in project_ids if project_id is not None} - moved)
    if not ids:
        return
    # On the table, not the ORM row: a Project saved in the same flush keeps its version check. One
    # order, so two transactions never wait on each other's rows.
    session.connection().execute(update(_projects).where(_projects.c.id.in_(ids))
                                 .values(change_stamp=_projects.c.change_stamp + 1))
    moved.update(ids)
    session.info.setdefault(_WRITTEN, set()).update(ids)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    # The transaction's end, or a savepoint's (one rolled back took its moves with it; after one released, a
    # stamp may move twice, which costs only an UPDATE). Not a flush's own subtransaction, which ends each flush.
    if transaction.parent is None or transaction.nested:
        session.info.pop(_MOVED, None)


def written(session: Session) -> set[int]:
    """The projects this session has changed so far (a page that wrote must not be answered from its stamp)."""
    return session.info.get(_WRITTEN, set())


def _project_table(table: Table) -> bool:
    return table is _projects or "project_id" in table.c


def _parent_keys(table: Table) -> list[ForeignKeyConstraint]:
    # The parents a row hangs on (ON DELETE CASCADE) before those it only mentions (a user, SET NULL).
    return sorted((constraint for constraint in table.foreign_key_constraints
                   if constraint.referred_table is not _projects),
                  key=lambda constraint: (constraint.ondelete or "").upper() != "CASCADE")


class _Finder:
    """Finds the project of rows, asking the database for a parent's only when the row cannot say."""

    def __init__(self, session: Session):
        self.session = session
        self.asked: dict[tuple, int | None] = {}

    def of_row(self, row) -> int | None:
        if isinstance(row, Project):
            return row.id
        state = inspect(row)
        table = state.mapper.local_table
        if "project_id" in table.c and state.dict.get("project_id") is not None:
            return state.dict["project_id"]
        for relationship in state.mapper.relationships:
            parent = state.dict.get(relationship.key)
            if relationship.direction.name == "MANYTOONE" and parent is not None and not isinstance(parent, User):
                found = self.of_row(parent)
                if found is not None:
                    return found
        for constraint in _parent_keys(table):
            values = [state.dict.get(state.mapper.get_property_by_column(element.parent).key)
                      for element in constraint.elements]
            if all(value is not None for value in values):
                found = self.of_key(constraint, tuple(values))
                if found is not None:
                    return found
        return None

    def of_key(self, constraint: ForeignKeyConstraint, values: tuple) -> int | None:
        """The project of the row a foreign key points at, going up its parents in the database."""
        parent = constraint.referred_table
        if parent is User.__table__:
            return None
        key = (parent.name, tuple(element.column.name for element in constraint.elements), values)
        if key not in self.asked:
            where = [element.column == value for element, value in zip(constraint.elements, values, strict=True)]
            self.asked[key] = None
            if _project_table(parent):
                column = parent.c.id if parent is _projects else parent.c.project_id
                self.asked[key] = self.session.connection().execute(select(column).where(*where)).scalar()
            else:
                for grand in _parent_keys(parent):
                    columns = [element.parent for element in grand.elements]
                    found = self.session.connection().execute(select(*columns).where(*where)).first()
                    if found is not None and all(value is not None for value in found):
                        self.asked[key] = self.of_key(grand, tuple(found))
                        if self.asked[key] is not None:
                            break
        return self.asked[key]


def _members_projects(session: Session, users: list[User]) -> list[int]:
    ids = [user.id for user in users if user.id is not None]
    if not ids:
        return []
    return list(session.connection().execute(select(Membership.project_id).where(Membership.user_id.in_(ids)))
                .scalars())


@trash.restored_signal.connect
def _restored(record) -> None:
    # The trash marks a record restored and puts rows back with statements of its own, not the ORM.
    advance(db.session, [record.project_id])


@event.listens_for(Session, "after_flush")
def _advance_stamps(session: Session, flush_context) -> None:
    # After the flush, so new rows know their parents' ids; the collections still hold what it wrote.
    changed = [row for row in session.dirty if session.is_modified(row, include_collections=True)]
    rows = [*session.new, *changed, *session.deleted]
    if not rows:
        return
    finder = _Finder(session)
    ids = {finder.of_row(row) for row in rows if not isinstance(row, User)}
    ids.update(_members_projects(session, [row for row in changed if isinstance(row, User) and any(
        inspect(row).attrs[name].history.has_changes() for name in SHOWN_OF_A_USER)]))
    advance(session, ids)
