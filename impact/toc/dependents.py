"""What hangs off a part of the chain: evidence links, card tags, assessments, codebook mappings.

The database drops these rows with the step, link, assumption or factor they point at
(ON DELETE CASCADE). So that a deletion stays reversible without losing anyone's work,
they are copied into the trash record first, as plain JSON, and put back on restore wherever
what they point at still exists.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Date, Enum, Table, insert, or_, select, update

from impact.extensions import db
from impact.model_types import UTCDateTime


def _table(name: str) -> Table:
    return db.metadata.tables[name]


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


def _rows(table_name: str, *conditions) -> list[dict[str, Any]]:
    table = _table(table_name)
    return [_to_json(table, row) for row in db.session.execute(select(table).where(or_(*conditions)))]


def capture(step_ids: list[int], link_ids: list[int], assumption_ids: list[int],
            factor_ids: list[int]) -> dict[str, Any]:
    """Copies of every row that deleting these steps, links, assumptions and factors would remove."""
    evidence = _table("evidence_links").c
    assessments = _table("assessments").c
    statuses = _table("assumption_statuses").c
    claims = _table("claims").c
    captured_assessments = _rows("assessments", assessments.step_id.in_(step_ids), assessments.link_id.in_(link_ids))
    assessment_ids = [row["id"] for row in captured_assessments]
    return {
        "evidence_links": _rows("evidence_links", evidence.step_id.in_(step_ids), evidence.link_id.in_(link_ids),
                                evidence.assumption_id.in_(assumption_ids), evidence.factor_id.in_(factor_ids)),
        "action_steps": _rows("action_steps", _table("action_steps").c.step_id.in_(step_ids)),
        "assessments": captured_assessments,
        "assumption_statuses": _rows("assumption_statuses", statuses.assessment_id.in_(assessment_ids),
                                     statuses.assumption_id.in_(assumption_ids)),
        "factor_theme_factors": _rows("factor_theme_factors",
                                      _table("factor_theme_factors").c.factor_id.in_(factor_ids)),
        # Claims survive the step (ON DELETE SET NULL); remember what they were about.
        "claims": [{"id": claim_id, "step_id": step, "link_id": link} for claim_id, step, link in db.session.execute(
            select(claims.id, claims.step_id, claims.link_id)
            .where(or_(claims.step_id.in_(step_ids), claims.link_id.in_(link_ids))))],
    }


# Each kind of row may come back only if everything it points at is there again.
_PARENTS: dict[str, dict[str, str]] = {
    "evidence_links": {"item_id": "evidence_items", "step_id": "steps", "link_id": "links",
                       "assumption_id": "assumptions", "factor_id": "influencing_factors"},
    "action_steps": {"action_id": "actions", "step_id": "steps"},
    "assessments": {"step_id": "steps", "link_id": "links"},
    "assumption_statuses": {"assessment_id": "assessments", "assumption_id": "assumptions"},
    "factor_theme_factors": {"theme_id": "factor_themes", "factor_id": "influencing_factors"},
}


def _existing_ids(table_name: str, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    table = _table(table_name)
    return set(db.session.scalars(select(table.c.id).where(table.c.id.in_(ids))))


def _restorable(table_name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    parents = _PARENTS[table_name]
    present = {
        column: _existing_ids(parent, {row[column] for row in rows if row.get(column) is not None})
        for column, parent in parents.items()
        if column in _table(table_name).c
    }
    return [row for row in rows
            if all(row.get(column) is None or row[column] in ids for column, ids in present.items())]


def held_counts(captured: dict[str, Any]) -> dict[str, int]:
    """What a deletion would take with it besides the chain itself, for the confirmation page."""
    return {"evidence": len(captured["evidence_links"]),
            "assessments": len({row["id"] for row in captured["assessments"]}
                               | {row["assessment_id"] for row in captured["assumption_statuses"]}),
            "tags": len(captured["action_steps"])}


def restore(payload: dict[str, Any]) -> int:
    """Put back what capture() copied, where possible; returns how many rows could not come back."""
    lost = 0
    for table_name in ("evidence_links", "action_steps", "assessments", "assumption_statuses", "factor_theme_factors"):
        rows = payload.get(table_name, [])
        if not rows:
            continue
        keep = _restorable(table_name, rows)
        lost += len(rows) - len(keep)
        if keep:
            table = _table(table_name)
            db.session.execute(insert(table), [_from_json(table, row) for row in keep])
    claims = _table("claims")
    steps = _existing_ids("steps", {c["step_id"] for c in payload.get("claims", []) if c["step_id"]})
    links = _existing_ids("links", {c["link_id"] for c in payload.get("claims", []) if c["link_id"]})
    for claim in payload.get("claims", []):
        if claim["step_id"] in steps or claim["link_id"] in links:
            db.session.execute(update(claims).where(claims.c.id == claim["id"], claims.c.step_id.is_(None),
                                                    claims.c.link_id.is_(None))
                               .values(step_id=claim["step_id"] if claim["step_id"] in steps else None,
                                       link_id=claim["link_id"] if claim["link_id"] in links else None))
    return lost
