"""What hangs off a row, found from the schema itself, and copies of rows as plain JSON (for the trash).

A feature deletes rows of its own tables (its "family": the chain's steps, links, assumptions and
factors; an evidence link; a tracing test). The database drops the rows pointing at them (ON DELETE
CASCADE) or forgets what they pointed at (ON DELETE SET NULL). So that a deletion stays reversible
without losing anyone's work, those rows are copied into the trash record first, as plain JSON, and
put back on restore wherever what they point at still exists. Which rows those are is read off the
foreign keys on the metadata, so a new feature's rows are kept without this module (or the feature
that deletes) knowing them; a table says how a delete page counts it with ``info={"held_as": ...}``.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Date, Enum, ForeignKeyConstraint, Table, and_, insert, or_, select, update

from impact.extensions import db
from impact.model_types import UTCDateTime


def to_json(table: Table, row) -> dict[str, Any]:
    data = {}
    for column in table.columns:
        value = row._mapping[column]
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, (dt.datetime, dt.date)):
            value = value.isoformat()
        data[column.name] = value
    return data


def from_json(table: Table, data: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for column in table.columns:
        value = data.get(column.name)
        if value is not None:
            if isinstance(column.type, UTCDateTime):
                value = dt.datetime.fromisoformat(value)
            elif isinstance(column.type, Date):
                value = dt.date.fromisoformat(value)
            elif isinstance(column.type, Enum) and column.type.enum_class is not None:
                value = column.type.enum_class(value)
        values[column.name] = value
    return values


def _pointers(constraint: ForeignKeyConstraint) -> list[tuple[str, str]]:
    """(local column, referred column) pairs of a foreign key, leaving out the project_id that
    composite keys repeat only to keep rows within one project."""
    pairs = [(element.parent.name, element.column.name) for element in constraint.elements]
    return [pair for pair in pairs if pair[1] != "project_id"] or pairs


def _cascades(constraint: ForeignKeyConstraint) -> bool:
    return (constraint.ondelete or "").upper() == "CASCADE"


def hanging_keys(family: Iterable[str]) -> list[tuple[Table, ForeignKeyConstraint]]:
    """Every foreign key that points, directly or through other hanging rows, at a row of the family's tables.

    Those with ON DELETE CASCADE take their rows with it; SET NULL ones only forget it.
    """
    family = set(family)
    found, parents = [], set(family)
    for table in db.metadata.sorted_tables:  # parents before children, so a child sees its parent's rows
        if table.name in family:
            continue
        for constraint in table.foreign_key_constraints:
            referred = constraint.referred_table.name
            if referred in family or (referred in parents and _cascades(constraint)):
                found.append((table, constraint))
                if _cascades(constraint):
                    parents.add(table.name)
    return found


def copy_rows(name: str, ids: Iterable[int]) -> list[dict[str, Any]]:
    """The rows of a table with these ids, as JSON (the rows a feature deletes, kept to be put back as they were)."""
    table = db.metadata.tables[name]
    ids = list(ids)
    if not ids:
        return []
    return [to_json(table, row) for row in db.session.execute(select(table).where(table.c.id.in_(ids))
                                                               .order_by(table.c.id))]


def capture(family: Iterable[str], ids: Mapping[str, Iterable[int]]) -> dict[str, Any]:
    """Copies of every row that deleting these rows of the family's tables ({table: ids}) would remove, and
    of every reference it would clear: {"family": [...], "rows": {table: [row, ...]}, "nulled": [...]}."""
    family = list(family)
    gone: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for name in family:
        gone[name]["id"] = set(ids.get(name, ()))
    rows: dict[str, list[dict[str, Any]]] = {}
    nulled: list[dict[str, Any]] = []
    for table, constraint in hanging_keys(family):
        conditions = [table.c[local].in_(gone[constraint.referred_table.name][referred])
                      for local, referred in _pointers(constraint)
                      if gone[constraint.referred_table.name][referred]]
        if not conditions:
            continue
        key = [column.name for column in table.primary_key.columns]
        if _cascades(constraint):
            taken = [to_json(table, row) for row in db.session.execute(select(table).where(or_(*conditions)))]
            seen = {tuple(row[k] for k in key) for row in rows.get(table.name, [])}
            new = [row for row in taken if tuple(row[k] for k in key) not in seen]
            rows.setdefault(table.name, []).extend(new)
            for row in new:
                for column, value in row.items():
                    if not isinstance(value, (dict, list)):  # a JSON payload is never what a key points at
                        gone[table.name][column].add(value)
        else:
            for local, _ in _pointers(constraint):
                for row in db.session.execute(select(*[table.c[k] for k in key], table.c[local])
                                              .where(or_(*conditions))):
                    nulled.append({"table": table.name, "key": dict(zip(key, row[:-1], strict=True)),
                                   "column": local, "value": row[-1]})
    return {"family": family, "rows": {name: taken for name, taken in rows.items() if taken}, "nulled": nulled}


def held_counts(captured: dict[str, Any]) -> dict[str, int]:
    """What a deletion would take with it besides the family's own rows, for the confirmation page.

    Each table that hangs on the family says under which heading it counts, and by which column
    (``info={"held_as": ("assessments", "id")}``): an assessment and its assumption states count once.
    """
    distinct: dict[str, set] = defaultdict(set)
    for name, taken in _rows_of(captured).items():
        heading, column = db.metadata.tables[name].info.get("held_as") or (None, None)
        if heading:
            distinct[heading] |= {(name, index) if column is None else row[column] for index, row in enumerate(taken)}
    return {heading: len(values) for heading, values in distinct.items()}


def _rows_of(payload: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    # Trash records from before the schema was read for this kept the tables at the top level.
    if "rows" in payload:
        return payload["rows"]
    return {name: taken for name, taken in payload.items() if name != "claims"}


def _nulled_of(payload: dict[str, Any]) -> list[dict[str, Any]]:
    if "nulled" in payload:
        return payload["nulled"]
    return [{"table": "claims", "key": {"id": claim["id"]}, "column": column, "value": claim[column]}
            for claim in payload.get("claims", []) for column in ("step_id", "link_id") if claim[column]]


def _existing(table: Table, column: str, values: set) -> set:
    if not values:
        return set()
    return set(db.session.scalars(select(table.c[column]).where(table.c[column].in_(values))))


def restorable(table: Table, taken: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows whose every foreign key points at something that exists (again)."""
    keep = taken
    for constraint in table.foreign_key_constraints:
        for local, referred in _pointers(constraint):
            present = _existing(constraint.referred_table, referred,
                                {row[local] for row in keep if row.get(local) is not None})
            keep = [row for row in keep if row.get(local) is None or row[local] in present]
    return keep


def already_there(name: str, taken: list[dict[str, Any]]) -> bool:
    """Whether any of these rows' ids is in its table (ids are never reused, so: it was put back already)."""
    return bool(_existing(db.metadata.tables[name], "id", {row["id"] for row in taken}))


def put_back(rows: Mapping[str, list[dict[str, Any]]]) -> int:
    """Insert copied rows, parents first, where what they point at exists; returns how many could not."""
    lost = 0
    for table in db.metadata.sorted_tables:  # parents first
        taken = rows.get(table.name)
        if not taken:
            continue
        keep = restorable(table, taken)
        lost += len(taken) - len(keep)
        if keep:
            db.session.execute(insert(table), [from_json(table, row) for row in keep])
    return lost


def restore(captured: dict[str, Any], family: Iterable[str] = ()) -> int:
    """Put back what capture() copied, where possible; returns how many rows could not come back.

    ``family``: for copies made before capture() noted it (the chain's, whose feature says so).
    """
    lost = put_back(_rows_of(captured))
    by_row: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for entry in _nulled_of(captured):
        by_row[(entry["table"], tuple(sorted(entry["key"].items())))].append(entry)
    family = captured.get("family") or list(family)
    for (name, key), entries in by_row.items():
        _restore_references(db.metadata.tables[name], dict(key), entries, family)
    return lost


def _restore_references(table: Table, key: dict[str, Any], entries: list[dict[str, Any]],
                        family: list[str]) -> None:
    """Point a row that survived (a claim about the step) at what it pointed at again, if that is back and
    the row has not been pointed somewhere else since."""
    values = {}
    for entry in entries:
        column = table.c[entry["column"]]
        referred = next(iter(column.foreign_keys)).column
        if _existing(referred.table, referred.name, {entry["value"]}):
            values[entry["column"]] = entry["value"]
    if not values:
        return
    pointers = {local for _, constraint in hanging_keys(family) if constraint.table is table
                for local, _ in _pointers(constraint)}
    untouched = [table.c[column].is_(None) for column in pointers]
    db.session.execute(update(table).where(and_(*[table.c[k] == v for k, v in key.items()]), *untouched)
                       .values(values))
