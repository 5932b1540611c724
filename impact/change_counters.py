"""Counters that move whenever rows of the kinds a part watches change: a page built from many of them
(a funder's portfolio reads hundreds of projects) is kept under one number instead of re-reading them all.

A part says what it watches (``count_changes_of("portfolio", Project, Membership, ...)``); every flush
that adds, changes or deletes such a row advances the counter in the same transaction, whichever code
made the change. Writes that bypass the ORM (a bulk import) call ``advance_all``.
"""
from __future__ import annotations

import time
from itertools import chain

from sqlalchemy import BigInteger, String, bindparam, event, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from impact.extensions import db

_WATCHED: dict[type, set[str]] = {}


def fresh_stamp() -> int:
    """A number no stamp or counter has had: microseconds since 1970 (each then moves by one a write)."""
    return time.time_ns() // 1000


class ChangeCounter(db.Model):
    __tablename__ = "change_counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


def count_changes_of(counter: str, *models: type) -> None:
    for model in models:
        _WATCHED.setdefault(model, set()).add(counter)


# Built once, and run without the ORM: pages kept under a counter read it on every request.
_VALUE = select(ChangeCounter.value).where(ChangeCounter.name == bindparam("name"))


def value(counter: str) -> int:
    return db.session.connection().execute(_VALUE, {"name": counter}).scalar() or 0


def _advance(session: Session, counters) -> None:
    connection = session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    table = ChangeCounter.__table__
    for name in sorted(counters):  # one order, so two transactions never wait on each other's rows
        # A new counter starts where none has been, so pages kept (in a Redis that outlives the
        # database) under an emptied or restored database's numbers are never served again.
        connection.execute(insert(table).values(name=name, value=fresh_stamp())
                           .on_conflict_do_update(index_elements=["name"], set_={"value": table.c.value + 1}))


def advance_all(session: Session | None = None) -> None:
    """Every counter moves (after rows were written without the ORM)."""
    _advance(session or db.session, set(chain.from_iterable(_WATCHED.values())))


@event.listens_for(Session, "before_flush")
def _count_changes(session: Session, flush_context, instances) -> None:
    if not _WATCHED:
        return
    touched = chain(session.new, session.deleted, (row for row in session.dirty if session.is_modified(row)))
    counters = {name for row in touched for model, names in _WATCHED.items() if isinstance(row, model)
                for name in names}
    if counters:
        _advance(session, counters)
