"""Step-by-step assessment: progress and confidence for each step and link, kept as revisions.

Every save is a new row (a revision) with its author and time; the current assessment of
a step or link is its highest-numbered revision. A save based on an older revision than
the current one is kept too, marked ``refused``, so nobody's judgement is ever lost.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from impact.extensions import db
from impact.model_types import UTCDateTime, enum_column, utcnow
from impact.projects.models import PartnerGroup

if TYPE_CHECKING:
    from impact.auth.models import User
    from impact.toc.models import Assumption, Link, Step


class ProgressRating(enum.Enum):
    NONE = "none"
    LOW = "low"
    SOME = "some"
    GOOD = "good"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        return list(ProgressRating).index(self)


class Confidence(enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        return list(Confidence).index(self)


class AssumptionState(enum.Enum):
    HOLDS = "holds"
    PARTLY = "partly"
    DOES_NOT_HOLD = "does_not_hold"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {"holds": "Holds", "partly": "Partly holds", "does_not_hold": "Does not hold",
                "unknown": "Unknown (not yet tested)"}[self.value]

    def label_for(self, kind) -> str:
        """The words for an assumption (does it hold?) or a risk (did it happen?). A risk that did not
        materialise leaves the link holding, so each state keeps its meaning for the chain."""
        if getattr(kind, "value", kind) == "risk":
            return {"holds": "Did not materialise", "partly": "Partly materialised", "does_not_hold": "Materialised",
                    "unknown": "Unknown (not yet seen)"}[self.value]
        return self.label


class Assessment(db.Model):
    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("(step_id IS NULL) <> (link_id IS NULL)", name="exactly_one_target"),
        CheckConstraint("(refused AND number IS NULL) OR (NOT refused AND number >= 1)", name="number_when_applied"),
        CheckConstraint("based_on >= 0", name="based_on_not_negative"),
        UniqueConstraint("step_id", "number"),
        UniqueConstraint("link_id", "number"),
        # Hangs on the chain: copied to the trash with the part it points at (impact/dependents.py).
        {"sqlite_autoincrement": True, "info": {"held_as": ("assessments", "id")}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"), index=True)
    # 1, 2, 3... per step or link; NULL for a refused save (kept, never current).
    number: Mapped[int | None] = mapped_column(Integer)
    # The revision number the author was looking at when they started (0: none yet).
    based_on: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    refused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    progress: Mapped[ProgressRating] = mapped_column(enum_column(ProgressRating, "progress_rating"))
    confidence: Mapped[Confidence] = mapped_column(enum_column(Confidence, "confidence"))
    rationale: Mapped[str] = mapped_column(Text, default="", server_default="")
    alternatives: Mapped[str] = mapped_column(Text, default="", server_default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())

    author: Mapped[User | None] = relationship()
    step: Mapped[Step | None] = relationship()
    link: Mapped[Link | None] = relationship()
    assumption_states: Mapped[list[AssumptionStatus]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True,
        order_by="AssumptionStatus.assumption_id",
    )


class AssumptionStatus(db.Model):
    """How an assumption on a link stood in one assessment revision of that link."""

    __tablename__ = "assumption_statuses"
    # An assessment revision counts once however many of its assumption states go with it.
    __table_args__ = ({"info": {"held_as": ("assessments", "assessment_id")}},)

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True)
    assumption_id: Mapped[int] = mapped_column(ForeignKey("assumptions.id", ondelete="CASCADE"), primary_key=True,
                                               index=True)
    state: Mapped[AssumptionState] = mapped_column(enum_column(AssumptionState, "assumption_state"))

    assessment: Mapped[Assessment] = relationship(back_populates="assumption_states")
    assumption: Mapped[Assumption] = relationship()


class EvidenceStandard(db.Model):
    """What the project counts as low, medium and high confidence; shown beside every rating."""

    __tablename__ = "evidence_standards"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    low: Mapped[str] = mapped_column(Text, default="", server_default="")
    medium: Mapped[str] = mapped_column(Text, default="", server_default="")
    high: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The counts the wording implies, checked (without blocking) when a step or link is rated: the
    # sources for it (evidence items supporting it, or mixed) and the partner groups they come from.
    medium_min_sources: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    medium_min_groups: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    high_min_sources: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    high_min_groups: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __table_args__ = (
        CheckConstraint("medium_min_sources BETWEEN 0 AND 100 AND medium_min_groups BETWEEN 0 AND 100 AND "
                        "high_min_sources BETWEEN 0 AND 100 AND high_min_groups BETWEEN 0 AND 100",
                        name="minimums_in_range"),
    )
    __mapper_args__ = {"version_id_col": version}


class AssessmentComment(db.Model):
    """A partner's comment on a step's assessment, or their dissent from it: kept beside the team's rating,
    whatever the team rates next (it says which revision it was about)."""

    __tablename__ = "assessment_comments"
    __table_args__ = (
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        {"sqlite_autoincrement": True, "info": {"held_as": ("comments on its assessment", "id")}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("steps.id", ondelete="CASCADE"), index=True)
    # The revision the comment was about (0: the step had none yet).
    about_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    dissent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    partner_group: Mapped[PartnerGroup] = mapped_column(enum_column(PartnerGroup, "partner_group"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())

    author: Mapped[User | None] = relationship()
