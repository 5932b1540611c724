"""Published versions of a project's report: what funders read, frozen on the day it was published."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from impact.extensions import db
from impact.model_types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from impact.auth.models import User
    from impact.projects.models import Project


class PublishedReport(db.Model):
    """The contribution story and the report data as a lead published them; never changed afterwards.

    ``story`` is the story's content (as story.services.build_content gives it) and ``data`` the report
    data with small numbers suppressed: both are what a funder may see, taken in one transaction.
    """

    __tablename__ = "published_reports"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        # The published page finds a version and its publisher from this index alone, never reading the row
        # (which holds the whole story).
        Index("ix_published_reports_page", "project_id", "number", "published_by_id"),
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

    # Figures across projects are read from here, not from the JSON: the portfolio sums them in SQL.
    steps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    steps_with_evidence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    confidence_high: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    confidence_medium: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    confidence_low: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_good: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_some: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_low: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_none: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    response_rate: Mapped[float | None] = mapped_column(Float)  # None where suppressed or nobody was asked

    published_by: Mapped[User | None] = relationship()
    project: Mapped[Project] = relationship()
    factors: Mapped[list[PublishedFactor]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                          passive_deletes=True)

    @property
    def created_at(self) -> dt.datetime:  # what the shared snapshot templates call a saved version's date
        return self.published_at


class PublishedFactor(db.Model):
    """An influencing factor as a published version reports it: the portfolio ranks them across projects."""

    __tablename__ = "published_factors"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("published_reports.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(20))  # helping or hindering, as the report data says
    evidence_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    report: Mapped[PublishedReport] = relationship(back_populates="factors")
