"""A project's codebook of factor themes, and responses coded to them."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from impact.extensions import db
from impact.model_types import enum_column
from impact.toc.models import FactorDirection

if TYPE_CHECKING:
    from impact.followups.models import Response
    from impact.research.models import ResearchUpdate
    from impact.toc.models import InfluencingFactor

# Drawn from what the seed project's respondents said helped or hindered them.
DEFAULT_THEMES = (
    ("Relationships and trust", "Working relationships with clients, colleagues and the project team."),
    ("Time and caseload", "Having (or not having) time alongside a full caseload."),
    ("Senior buy-in and champions", "Managers and senior staff who back the work, or move on."),
    ("Organisational culture and hierarchy", "Performance management, procedures, who may decide."),
    ("Policy timing", "National or local policy that lands at the same time (e.g. the Munro review)."),
    ("Access to IT", "Firewalls and locked-down PCs that block online tools."),
    ("Training and mentoring", "Support from the project's mentors, training and peers."),
)

theme_factors = Table(
    "factor_theme_factors",
    db.metadata,
    Column("theme_id", Integer, ForeignKey("factor_themes.id", ondelete="CASCADE"), primary_key=True),
    Column("factor_id", Integer, ForeignKey("influencing_factors.id", ondelete="CASCADE"), primary_key=True),
    info={"held_as": None},  # kept and put back, but not worth a line on the delete page
)


class FactorTheme(db.Model):
    __tablename__ = "factor_themes"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    factors: Mapped[list[InfluencingFactor]] = relationship(secondary=theme_factors, order_by="InfluencingFactor.id")


class ResponseCode(db.Model):
    """A response's helped/hindered text coded to a theme, as helping or hindering."""

    __tablename__ = "response_codes"
    __table_args__ = (UniqueConstraint("response_id", "theme_id", "direction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("factor_themes.id", ondelete="CASCADE"), index=True)
    direction: Mapped[FactorDirection] = mapped_column(enum_column(FactorDirection, "factor_direction"))
    excerpt: Mapped[str] = mapped_column(Text, default="", server_default="")

    response: Mapped[Response] = relationship()
    theme: Mapped[FactorTheme] = relationship()


class UpdateCode(db.Model):
    """A practitioner's update (what they did, what changed) coded to a theme, as helping or hindering."""

    __tablename__ = "update_codes"
    __table_args__ = (UniqueConstraint("update_id", "theme_id", "direction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("research_updates.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("factor_themes.id", ondelete="CASCADE"), index=True)
    direction: Mapped[FactorDirection] = mapped_column(enum_column(FactorDirection, "factor_direction"))

    update: Mapped[ResearchUpdate] = relationship()
    theme: Mapped[FactorTheme] = relationship()
