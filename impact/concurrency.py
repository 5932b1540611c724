"""Optimistic locking for edit forms: a save based on an outdated version is refused.

Each editable model has a ``version`` column that SQLAlchemy bumps on every UPDATE and
checks in the UPDATE's WHERE clause, so even two saves racing in the same second cannot
both win. The form carries the version the user started from.
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from impact.extensions import db


class EditConflict(Exception):
    """Someone else saved this object after the user opened the form."""


def ensure_current(obj, submitted_version: int | None) -> None:
    if submitted_version is None or submitted_version != obj.version:
        raise EditConflict(obj)


# What a save can fail with when someone else got there first: the form's version was
# already outdated (EditConflict), or another save landed between our check and our
# UPDATE (StaleDataError, raised by the version check in the UPDATE itself).
CONFLICT_ERRORS = (EditConflict, StaleDataError)


def lock_row(model, row_id: int) -> None:
    """Hold a write lock on one row until the transaction ends.

    For a rule no constraint can state ("a project keeps at least one lead"): two requests that
    each check and then change would both pass the check. Taking this lock first makes the
    second wait until the first has committed, and its check then sees the first one's change.
    PostgreSQL locks the row; SQLite has one writer at a time, and a no-op UPDATE makes this
    transaction that writer from here on.
    """
    table = model.__table__
    if db.engine.dialect.name == "postgresql":
        db.session.execute(select(table.c.id).where(table.c.id == row_id).with_for_update())
    else:
        db.session.execute(update(table).where(table.c.id == row_id).values(id=table.c.id))
