"""Published versions of a project's report: what funders read, frozen on the day it was published."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from impact.extensions import db
from impact.model_types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from impact.auth.models import User


class PublishedReport(db.Model):
    """The contribution story and the report data as a lead published them; never changed afterwards.

    ``story`` is the story's content (as story.services.build_content gives it) and ``data`` the report
    data with small numbers suppressed: both are what a funder may see, taken in one transaction.
    """

    __tablename__ = "published_reports"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    story: Mapped[dict[str, Any]] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    published_by: Mapped[User | None] = relationship()

    @property
    def created_at(self) -> dt.datetime:  # what the shared snapshot templates call a saved version's date
        return self.published_at
