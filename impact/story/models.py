"""The contribution story: the team's conclusion, and saved snapshots of the whole story."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from impact.extensions import db
from impact.model_types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from impact.auth.models import User


class Story(db.Model):
    """The parts of the story the team writes; the rest is assembled from the chain and evidence."""

    __tablename__ = "stories"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    conclusion: Mapped[str] = mapped_column(Text, default="", server_default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    updated_by: Mapped[User | None] = relationship()


class StorySnapshot(db.Model):
    """The story as it read on a day, frozen (e.g. 'interim report to the funder')."""

    __tablename__ = "story_snapshots"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    created_by: Mapped[User | None] = relationship()
