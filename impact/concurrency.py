"""Optimistic locking for edit forms: a save based on an outdated version is refused.

Each editable model has a ``version`` column that SQLAlchemy bumps on every UPDATE and
checks in the UPDATE's WHERE clause, so even two saves racing in the same second cannot
both win. The form carries the version the user started from.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import request
from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from impact.extensions import db

T = TypeVar("T")


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


# A row some pages make on their first save (a story's conclusion, a project's evidence standards): until
# then its form carries version 0, which stands for "none yet".
NOT_YET_SAVED = 0


def commit_if_current(obj, submitted_version: int | None, change: Callable[[], T]) -> T:
    """Apply ``change`` and commit, if nobody saved ``obj`` since the user's form was made from it
    (``obj`` None: if nobody has made it since).

    Otherwise everything is rolled back and EditConflict raised: the view shows the object as it is now.
    """
    try:
        if obj is None:
            if submitted_version != NOT_YET_SAVED:
                raise EditConflict(None)
        else:
            ensure_current(obj, submitted_version)
        result = change()
        db.session.commit()
    except CONFLICT_ERRORS as exc:
        db.session.rollback()
        raise EditConflict(obj) from exc
    except IntegrityError as exc:
        if obj is not None:
            raise
        db.session.rollback()  # two first saves at once: the row's unique key refused the second
        raise EditConflict(None) from exc
    return result


@dataclass(frozen=True)
class Edit:
    """How an edit form's request went: saved, or the page to show again with its status."""

    saved: bool
    status: int  # 200 a first look, 400 the form's own messages, 409 someone else saved first
    conflict: Any = None  # then: the object as that person saved it (the form keeps the user's entries)


def save_edit(obj, form, change: Callable[[], Any], *, check: Callable[[], bool] | None = None,
              current: Callable[[], Any] | None = None) -> Edit:
    """The edit-form round trip every edit page makes.

    A GET stamps the form with the object's version. A valid POST (and ``check()``, which may add
    messages to fields) applies ``change`` through commit_if_current. After a conflict the object is
    reloaded as saved by the other person (``current()``, needed when ``obj`` is None because the first
    save makes it; by default by its id) and the form stamped with that version, so saving again
    applies the user's entries on top of it.
    """
    if request.method == "GET":
        form.version.data = str(obj.version if obj is not None else NOT_YET_SAVED)
        return Edit(saved=False, status=200)
    if not form.validate_on_submit() or (check is not None and not check()):
        return Edit(saved=False, status=400 if form.errors else 200)
    if current is None:
        model, identity = type(obj), inspect(obj).identity

        def current():
            return db.get_or_404(model, identity)  # gone meanwhile: nothing left to edit
    try:
        commit_if_current(obj, form.submitted_version(), change)
    except EditConflict:
        now = current()
        form.version.data = str(now.version if now is not None else NOT_YET_SAVED)
        return Edit(saved=False, status=409, conflict=now)
    return Edit(saved=True, status=200)
