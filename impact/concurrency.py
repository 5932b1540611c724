"""Optimistic locking for edit forms: a save based on an outdated version is refused.

Each editable model has a ``version`` column that SQLAlchemy bumps on every UPDATE and
checks in the UPDATE's WHERE clause, so even two saves racing in the same second cannot
both win. The form carries the version the user started from.
"""
from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError


class EditConflict(Exception):
    """Someone else saved this object after the user opened the form."""


def ensure_current(obj, submitted_version: int | None) -> None:
    if submitted_version is None or submitted_version != obj.version:
        raise EditConflict(obj)


# What a save can fail with when someone else got there first: the form's version was
# already outdated (EditConflict), or another save landed between our check and our
# UPDATE (StaleDataError, raised by the version check in the UPDATE itself).
CONFLICT_ERRORS = (EditConflict, StaleDataError)
