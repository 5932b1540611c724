"""The trash: the one way a feature deletes something so that the deletion can be undone.

put_away() deletes rows (a step, a link of the chain, an evidence item's link to it, a tracing test)
into a TrashRecord: a copy of each and of every row hanging on them, found on the schema
(impact/dependents.py). restore() puts them back under their original ids, once: a second restore
of the same record is refused with TrashError, however close together the two come. A feature
whose rows need more care than a plain copy (the chain: a level gone since, a loop) keeps its own
data in the record and gives restore() a function that puts those rows back; the core still
brings back everything that hung on them.

An "Undo" offered right after a removal is a signed token naming the record (undo_token);
record_for_undo() reads it back, and only within the project it was made in (404 otherwise). The
feature's route checks that the person may change what the record holds before restoring.

Rows that stay in their table while in the trash (evidence items, which keep their links, files and
citations while deleted) go through the same two verbs: set_aside() marks them deleted and
take_back() brings them back, refusing the same way when there is nothing to bring back.

The core names no feature: each says which kinds of record it keeps (``kind``) and restores only those.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from blinker import Namespace
from flask import abort
from sqlalchemy import JSON, ForeignKey, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from impact import dependents
from impact.column_limits import clip
from impact.extensions import db
from impact.model_types import UTCDateTime, utcnow
from impact.signing import LinkProblem, make_token, read_token

if TYPE_CHECKING:
    from impact.auth.models import User

ALREADY_RESTORED = "That has already been restored."
UNDO_PURPOSE = "trash-undo"
UNDO_MAX_AGE = 7 * 24 * 3600  # an Undo offered on a page stays usable for a week


class TrashRecord(db.Model):
    """Something deleted, kept so the deletion can be undone: its rows and every row that hung on them.

    ``kind`` says which feature's what ("step", "evidence_link"...); ``payload`` holds the copies
    ("parts": the deleted rows, "dependents": what hung on them) and whatever the feature keeps itself.
    """

    __tablename__ = "trash_records"
    # A record's id is signed into Undo buttons: it must never come to mean another record.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    deleted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    restored_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    deleted_by: Mapped[User | None] = relationship("User")


_signals = Namespace()
# Sent with the TrashRecord (flushed, in the deleting or restoring transaction) after something went to
# the trash or came back from it; its ``kind`` says what ("step", "link", "evidence_link"...), so a part
# can follow the chain parts it cares about without the chain knowing it.
put_away_signal = _signals.signal("trash-put-away")
restored_signal = _signals.signal("trash-restored")


class TrashError(ValueError):
    """Why something cannot be put back, with a message for the user."""


# Deleting --------------------------------------------------------------------------------------

def _ids_of(objects: list) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {}
    for obj in objects:
        ids.setdefault(obj.__table__.name, []).append(obj.id)
    return ids


def held_by(family: Iterable[str], ids: Mapping[str, Iterable[int]]) -> dict[str, int]:
    """What deleting these rows would take with them, by heading, for a page that asks first."""
    return dependents.held_counts(dependents.capture(family, ids))


def put_away(objects: Iterable, *, project_id: int, kind: str, title: str, user, data: dict | None = None,
             family: Iterable[str] | None = None, ids: Mapping[str, Iterable[int]] | None = None,
             copy: bool = True) -> TrashRecord:
    """Delete ``objects`` into a new trash record and return it (flushed; the route commits).

    ids: every row the deletion removes in the family's tables, {table: ids} (by default the objects'
    own; the chain names the links, assumptions and factors a step takes with it). family: the tables
    whose rows the feature deletes (by default those of ``ids``); rows of other tables hanging on them
    are copied as dependents. copy: keep a copy of the family's rows for restore() to put back; a
    feature that keeps its own (``data``) and restores them itself says False.
    """
    objects = list(objects)
    ids = {name: list(row_ids) for name, row_ids in (ids if ids is not None else _ids_of(objects)).items()}
    payload = dict(data or {})
    if copy:
        payload["parts"] = {name: dependents.copy_rows(name, row_ids) for name, row_ids in ids.items()}
    payload["dependents"] = dependents.capture(list(family) if family is not None else list(ids), ids)
    record = TrashRecord(project_id=project_id, kind=kind, title=clip(TrashRecord.title, title), payload=payload,
                         deleted_by_id=getattr(user, "id", None))
    db.session.add(record)
    for obj in objects:
        db.session.delete(obj)
    db.session.flush()
    put_away_signal.send(record)
    return record


def copied_row(record: TrashRecord, table: str) -> dict[str, Any]:
    """The (first) copied row of a table in the record, as JSON: what a feature shows or checks before restoring."""
    return record.payload["parts"][table][0]


# Restoring -------------------------------------------------------------------------------------

def _lost_note(lost: int) -> str:
    return (f"{lost} related record{'s' if lost != 1 else ''} could not come back because what "
            f"{'they' if lost != 1 else 'it'} pointed at has since been deleted.")


def _claim(record: TrashRecord) -> None:
    """Mark the record restored, atomically: of two restores at the same moment, only one goes on."""
    now = utcnow()
    claimed = db.session.execute(
        update(TrashRecord).where(TrashRecord.id == record.id, TrashRecord.restored_at.is_(None))
        .values(restored_at=now).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise TrashError(ALREADY_RESTORED)
    set_committed_value(record, "restored_at", now)


def _put_back_parts(record: TrashRecord, changes: Mapping[str, Mapping[str, Any]]) -> list[str]:
    parts = record.payload.get("parts") or {}
    rows = {name: [{**row, **changes.get(name, {})} for row in taken] for name, taken in parts.items()}
    for name, taken in rows.items():
        if dependents.already_there(name, taken):  # ids are never reused: it came back some other way
            raise TrashError(ALREADY_RESTORED)
        if len(dependents.restorable(db.metadata.tables[name], taken)) != len(taken):
            raise TrashError("What it belonged to has been deleted since, so it cannot be put back.")
    dependents.put_back(rows)
    return []


def restore(record: TrashRecord, *, put_back: Callable[[TrashRecord], list[str]] | None = None,
            changes: Mapping[str, Mapping[str, Any]] | None = None, family: Iterable[str] = (),
            lost_note: Callable[[int], str] = _lost_note) -> list[str]:
    """Put back what the record holds, then everything that hung on it; returns notes on what could not come back.

    put_back: the feature's own way of putting its rows back (raising its error with a message when it
    cannot); by default the copies come back as they were, with ``changes`` ({table: {column: value}})
    applied. family: the tables the feature deletes from, for records older than the copies saying so.
    Raises TrashError when the record was restored already. Flushes; the route commits (or rolls back
    on an error, which also leaves the record in the trash).
    """
    _claim(record)
    notes = list(put_back(record)) if put_back is not None else _put_back_parts(record, changes or {})
    lost = dependents.restore(record.payload.get("dependents", {}), family)
    if lost:
        notes.append(lost_note(lost))
    db.session.flush()
    restored_signal.send(record)
    return notes


# Finding records -------------------------------------------------------------------------------

def listed(project_id: int, kinds: Iterable[str], limit: int | None = None):
    """The project's records of these kinds still in the trash, newest first (a select())."""
    query = (select(TrashRecord)
             .where(TrashRecord.project_id == project_id, TrashRecord.kind.in_(list(kinds)),
                    TrashRecord.restored_at.is_(None))
             .order_by(TrashRecord.deleted_at.desc(), TrashRecord.id.desc())
             .options(selectinload(TrashRecord.deleted_by)))
    return query.limit(limit) if limit is not None else query


def get_or_404(project_id: int, record_id: int, kinds: Iterable[str]) -> TrashRecord:
    """A record of this project and of one of these kinds (restored or not), or 404."""
    record = db.session.scalar(select(TrashRecord).where(TrashRecord.id == record_id,
                                                         TrashRecord.project_id == project_id,
                                                         TrashRecord.kind.in_(list(kinds))))
    if record is None:
        abort(404)
    return record


def undo_token(record: TrashRecord) -> str:
    """Signed, so an Undo button can only name a record the app itself offered."""
    return make_token(UNDO_PURPOSE, record.id)


def record_for_undo(project_id: int, token: str, kinds: Iterable[str]) -> TrashRecord:
    """The record an Undo names: LinkProblem("expired"/"invalid") for a token that cannot be used,
    404 for a record of another project (or of another kind)."""
    record_id = read_token(UNDO_PURPOSE, token or "", UNDO_MAX_AGE)
    if not isinstance(record_id, int) or isinstance(record_id, bool):
        raise LinkProblem("invalid")
    return get_or_404(project_id, record_id, kinds)


# Rows that stay in their table while in the trash ----------------------------------------------

def set_aside(row, user) -> None:
    """Move a row with deleted_at and deleted_by_id columns to the trash: it disappears from every list
    that reads only rows not deleted, and keeps everything pointing at it."""
    row.deleted_at, row.deleted_by_id = utcnow(), getattr(user, "id", None)
    db.session.flush()


def take_back(row) -> None:
    """Bring a row that set_aside() moved to the trash back; TrashError when it is not in the trash."""
    if row.deleted_at is None:
        raise TrashError(ALREADY_RESTORED)
    row.deleted_at, row.deleted_by_id = None, None
    db.session.flush()
