"""What hangs off a part of the chain, found from the schema itself: evidence links, card tags,
assessments, codebook mappings, and whatever a later feature adds.

The database drops these rows with the step, link, assumption or factor they point at (ON DELETE
CASCADE), or forgets what they pointed at (ON DELETE SET NULL). So that a deletion stays
reversible without losing anyone's work, they are copied into the trash record first, as plain
JSON, and put back on restore wherever what they point at still exists. Which rows those are is
read off the foreign keys on the metadata, so a new feature's rows are kept without this module
knowing them; a table says how the delete page counts it with ``info={"held_as": ...}``.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from typing import Any

from sqlalchemy import Date, Enum, ForeignKeyConstraint, Table, and_, insert, or_, select, update

from impact.extensions import db
from impact.model_types import UTCDateTime

# The chain's own tables: the trash record copies these parts itself (toc/trash.py).
CHAIN_TABLES = ("steps", "links", "assumptions", "influencing_factors")


def _to_json(table: Table, row) -> dict[str, Any]:
    data = {}
    for column in table.columns:
        value = row._mapping[column]
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, (dt.datetime, dt.date)):
            value = value.isoformat()
        data[column.name] = value
    return data


def _from_json(table: Table, data: dict[str, Any]) -> dict[str, Any]:
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


def hanging_keys() -> list[tuple[Table, ForeignKeyConstraint]]:
    """Every foreign key that points, directly or through other hanging rows, at a chain part.

    Those with ON DELETE CASCADE take their rows with the part; SET NULL ones only forget it.
    """
    found, parents = [], set(CHAIN_TABLES)
    for table in db.metadata.sorted_tables:  # parents before children, so a child sees its parent's rows
        if table.name in CHAIN_TABLES:
            continue
        for constraint in table.foreign_key_constraints:
            referred = constraint.referred_table.name
            cascades = (constraint.ondelete or "").upper() == "CASCADE"
            if referred in CHAIN_TABLES or (referred in parents and cascades):
                found.append((table, constraint))
                if cascades:
                    parents.add(table.name)
    return found


def capture(step_ids: list[int], link_ids: list[int], assumption_ids: list[int],
            factor_ids: list[int]) -> dict[str, Any]:
    """Copies of every row that deleting these steps, links, assumptions and factors would remove, and
    of every reference it would clear: {"rows": {table: [row, ...]}, "nulled": [...]}."""
    gone: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for name, ids in zip(CHAIN_TABLES, (step_ids, link_ids, assumption_ids, factor_ids), strict=True):
        gone[name]["id"] = set(ids)
    rows: dict[str, list[dict[str, Any]]] = {}
    nulled: list[dict[str, Any]] = []
    for table, constraint in hanging_keys():
        conditions = [table.c[local].in_(gone[constraint.referred_table.name][referred])
                      for local, referred in _pointers(constraint)
                      if gone[constraint.referred_table.name][referred]]
        if not conditions:
            continue
        if (constraint.ondelete or "").upper() == "CASCADE":
            taken = [_to_json(table, row) for row in db.session.execute(select(table).where(or_(*conditions)))]
            key = [column.name for column in table.primary_key.columns]
            seen = {tuple(row[k] for k in key) for row in rows.get(table.name, [])}
            new = [row for row in taken if tuple(row[k] for k in key) not in seen]
            rows.setdefault(table.name, []).extend(new)
            for row in new:
                for column in row:
                    gone[table.name][column].add(row[column])
        else:
            key = [column.name for column in table.primary_key.columns]
            for local, _ in _pointers(constraint):
                for row in db.session.execute(select(*[table.c[k] for k in key], table.c[local])
                                              .where(or_(*conditions))):
                    nulled.append({"table": table.name, "key": dict(zip(key, row[:-1], strict=True)),
                                   "column": local, "value": row[-1]})
    return {"rows": {name: taken for name, taken in rows.items() if taken}, "nulled": nulled}


def held_counts(captured: dict[str, Any]) -> dict[str, int]:
    """What a deletion would take with it besides the chain itself, for the confirmation page.

    Each table that hangs on the chain says under which heading it counts, and by which column
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


def _restorable(table: Table, taken: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows whose every foreign key points at something that exists again."""
    keep = taken
    for constraint in table.foreign_key_constraints:
        for local, referred in _pointers(constraint):
            present = _existing(constraint.referred_table, referred,
                                {row[local] for row in keep if row.get(local) is not None})
            keep = [row for row in keep if row.get(local) is None or row[local] in present]
    return keep


def restore(payload: dict[str, Any]) -> int:
    """Put back what capture() copied, where possible; returns how many rows could not come back."""
    lost = 0
    rows = _rows_of(payload)
    for table in db.metadata.sorted_tables:  # parents first
        taken = rows.get(table.name)
        if not taken:
            continue
        keep = _restorable(table, taken)
        lost += len(taken) - len(keep)
        if keep:
            db.session.execute(insert(table), [_from_json(table, row) for row in keep])
    by_row: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for entry in _nulled_of(payload):
        by_row[(entry["table"], tuple(sorted(entry["key"].items())))].append(entry)
    for (name, key), entries in by_row.items():
        _restore_references(db.metadata.tables[name], dict(key), entries)
    return lost


def _restore_references(table: Table, key: dict[str, Any], entries: list[dict[str, Any]]) -> None:
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
    pointers = {local for _, constraint in hanging_keys() if constraint.table is table
                for local, _ in _pointers(constraint)}
    untouched = [table.c[column].is_(None) for column in pointers]
    db.session.execute(update(table).where(and_(*[table.c[k] == v for k, v in key.items()]), *untouched)
                       .values(values))
