"""Bayesian contribution tracing: claims, and the evidence tests that update confidence in them."""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from impact.extensions import db
from impact.model_types import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from impact.evidence.models import EvidenceItem
    from impact.toc.models import Link, Step


class TestType(enum.Enum):
    STRAW_IN_THE_WIND = "straw_in_the_wind"
    HOOP = "hoop"
    SMOKING_GUN = "smoking_gun"
    DOUBLY_DECISIVE = "doubly_decisive"
    CUSTOM = "custom"

    __test__ = False  # not a pytest test class

    @property
    def label(self) -> str:
        return {"straw_in_the_wind": "Straw in the wind", "hoop": "Hoop test", "smoking_gun": "Smoking gun",
                "doubly_decisive": "Doubly decisive", "custom": "Set by hand"}[self.value]


class Claim(db.Model):
    """A contribution claim, e.g. 'the seminars contributed to practitioners changing how they engage'."""

    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint("prior >= 0 AND prior <= 1", name="prior_is_probability"),
        CheckConstraint("length(statement) > 0", name="statement_not_empty"),
        # Outlives a deleted step (SET NULL); the trash remembers what it was about.
        {"sqlite_autoincrement": True, "info": {"held_as": None}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    statement: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    # What part of the chain the claim is about, if any; the claim outlives a deleted step.
    step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id", ondelete="SET NULL"), index=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("links.id", ondelete="SET NULL"), index=True)
    prior: Mapped[float] = mapped_column(Float, default=0.5, server_default="0.5")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    step: Mapped[Step | None] = relationship()
    link: Mapped[Link | None] = relationship()
    tests: Mapped[list[ClaimTest]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(ClaimTest.position, ClaimTest.id)",
    )

    @property
    def about(self) -> str:
        """What the claim is about, in words: "Step: ...", "Link: ... → ..." or the whole story."""
        if self.step:
            return f"Step: {self.step.title}"
        if self.link:
            return f"Link: {self.link.source.title} → {self.link.target.title}"
        return "The whole story"


class ClaimTest(db.Model):
    """One piece of evidence bearing on a claim: how likely it is to be found if the claim is true or not."""

    __tablename__ = "claim_tests"
    __test__ = False
    __table_args__ = (
        CheckConstraint("sensitivity >= 0 AND sensitivity <= 1", name="sensitivity_is_probability"),
        CheckConstraint("type_one_error >= 0 AND type_one_error <= 1", name="type_one_error_is_probability"),
        CheckConstraint("length(description) > 0", name="description_not_empty"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_items.id", ondelete="SET NULL"), index=True)
    description: Mapped[str] = mapped_column(String(500))
    test_type: Mapped[TestType] = mapped_column(enum_column(TestType, "test_type"))
    sensitivity: Mapped[float] = mapped_column(Float)  # P(E | claim true)
    type_one_error: Mapped[float] = mapped_column(Float)  # P(E | claim false)
    found: Mapped[bool] = mapped_column(Boolean)  # looked for and found (True) or sought but not found (False)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())

    claim: Mapped[Claim] = relationship(back_populates="tests")
    item: Mapped[EvidenceItem | None] = relationship()
