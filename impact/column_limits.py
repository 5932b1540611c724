"""What a text column can hold, enforced before the database sees it, on every backend.

PostgreSQL refuses a string longer than its VARCHAR(n) and any NUL character; SQLite stores
both without a word. So a value derived from user input ("Follow-up response (…): <event
title>") could pass every test on SQLite and lose a respondent's answers on PostgreSQL. The
flush guard makes SQLite as strict as PostgreSQL, so the suite catches such a value on either
backend, and ``clip`` is how a derived value is made to fit its column.
"""
from __future__ import annotations

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session

ELLIPSIS = "…"


def column_length(attribute) -> int | None:
    """The length limit of a mapped String column (e.g. ``EvidenceItem.title``), or None."""
    return getattr(attribute.property.columns[0].type, "length", None)


def clip(attribute, text: str) -> str:
    """``text`` shortened to fit the column, ending with an ellipsis when something was cut."""
    limit = column_length(attribute)
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


class ColumnLimitError(ValueError):
    """A value that the database would refuse; it names the column, so the bug is easy to find."""


def _check(instance) -> None:
    state = inspect(instance)
    for attribute in state.mapper.column_attrs:
        value = state.dict.get(attribute.key)
        if not isinstance(value, str):
            continue
        column = attribute.columns[0]
        if not isinstance(column.type, String):
            continue
        where = f"{column.table.name}.{column.name}"
        if "\x00" in value:
            raise ColumnLimitError(f"{where} would hold a NUL character, which PostgreSQL cannot store")
        if column.type.length is not None and len(value) > column.type.length:
            raise ColumnLimitError(f"{where} would hold {len(value)} characters; the column holds "
                                   f"{column.type.length}")


@event.listens_for(Session, "before_flush")
def _refuse_what_postgresql_would(session, flush_context, instances) -> None:
    for instance in (*session.new, *session.dirty):
        _check(instance)
