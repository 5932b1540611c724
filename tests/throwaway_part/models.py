from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, Table, Text

from impact.extensions import db

notes = Table(
    "throwaway_notes",
    db.metadata,
    Column("id", Integer, primary_key=True),
    Column("step_id", Integer, ForeignKey("steps.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    info={"held_as": ("notes", "id")},
)
