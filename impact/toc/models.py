"""The theory of change: levels, steps, links, assumptions/risks, influencing factors, revisions.

Composite foreign keys (``(x_id, project_id)``) make the database itself refuse a step
in another project's level, or a link between two projects' steps. Later features
(evidence links) point at a step, a link, an assumption or a factor by id; each of
those tables has a plain integer primary key for that purpose.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from impact.extensions import db
from impact.model_types import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from impact.auth.models import User
    from impact.projects.models import Project


# SQLite would otherwise hand a deleted row's id to the next new row. Revisions, the
# undo of a deletion and evidence links all identify chain objects by id, so an id
# must never come to mean a different object. (PostgreSQL sequences never reuse ids.)
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


class AssumptionKind(enum.Enum):
    ASSUMPTION = "assumption"
    RISK = "risk"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class FactorDirection(enum.Enum):
    HELPING = "helping"
    HINDERING = "hindering"

    @property
    def label(self) -> str:
        return self.value.capitalize()


KE_TEMPLATE_LEVELS = (
    ("Inputs", "Funding, time and other resources put in."),
    ("Activities", "What the project does: reviews, seminars, practitioner research projects, guides."),
    ("Outputs", "What the activities produce: briefings, reports, the guide."),
    ("Reach", "Who takes part and engages."),
    ("Reactions", "How participants respond: interest, usefulness, satisfaction."),
    ("Capacity change", "Changes in knowledge, attitudes, skills and aspirations."),
    ("Practice change", "Changes in practice and behaviour."),
    ("Direct benefits", "Benefits for the people services work with."),
    ("Wider outcomes", "Longer-term well-being and wider outcomes."),
)


class Level(db.Model):
    __tablename__ = "levels"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        UniqueConstraint("id", "project_id"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    project: Mapped[Project] = relationship(back_populates="levels")
    steps: Mapped[list[Step]] = relationship(
        back_populates="level", order_by="(Step.position, Step.id)", passive_deletes="all"
    )


class Step(db.Model):
    __tablename__ = "steps"
    __table_args__ = (
        # NO ACTION (not CASCADE): a level holding steps cannot be dropped; the app asks to move them first.
        ForeignKeyConstraint(["level_id", "project_id"], ["levels.id", "levels.project_id"]),
        UniqueConstraint("id", "project_id"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    level_id: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    project: Mapped[Project] = relationship(viewonly=True)
    level: Mapped[Level] = relationship(back_populates="steps", overlaps="project,steps")
    outgoing: Mapped[list[Link]] = relationship(
        foreign_keys="Link.source_step_id", back_populates="source", passive_deletes="all", overlaps="incoming"
    )
    incoming: Mapped[list[Link]] = relationship(
        foreign_keys="Link.target_step_id", back_populates="target", passive_deletes="all", overlaps="outgoing"
    )
    factors: Mapped[list[InfluencingFactor]] = relationship(
        back_populates="step", passive_deletes="all", order_by="InfluencingFactor.id"
    )


class Link(db.Model):
    __tablename__ = "links"
    __table_args__ = (
        ForeignKeyConstraint(["source_step_id", "project_id"], ["steps.id", "steps.project_id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["target_step_id", "project_id"], ["steps.id", "steps.project_id"], ondelete="CASCADE"),
        UniqueConstraint("source_step_id", "target_step_id"),
        CheckConstraint("source_step_id <> target_step_id", name="not_self_link"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    source_step_id: Mapped[int] = mapped_column(index=True)
    target_step_id: Mapped[int] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())

    source: Mapped[Step] = relationship(
        foreign_keys=[source_step_id], back_populates="outgoing", overlaps="target,incoming,project"
    )
    target: Mapped[Step] = relationship(
        foreign_keys=[target_step_id], back_populates="incoming", overlaps="source,outgoing,project"
    )
    assumptions: Mapped[list[Assumption]] = relationship(
        back_populates="link", passive_deletes="all", order_by="(Assumption.kind, Assumption.id)"
    )


class Assumption(db.Model):
    """An assumption (what must hold) or a risk (what could break) on a link."""

    __tablename__ = "assumptions"
    __table_args__ = (CheckConstraint("length(text) > 0", name="text_not_empty"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AssumptionKind] = mapped_column(
        enum_column(AssumptionKind, "assumption_kind"), default=AssumptionKind.ASSUMPTION
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    link: Mapped[Link] = relationship(back_populates="assumptions")


# The other steps an influencing factor bears on besides the one it was entered on (the Munro review bears
# on practice and on culture at once): one factor and its evidence, shared, not entered again per step.
factor_steps = Table(
    "factor_steps",
    db.metadata,
    Column("factor_id", Integer, ForeignKey("influencing_factors.id", ondelete="CASCADE"), primary_key=True),
    Column("step_id", Integer, ForeignKey("steps.id", ondelete="CASCADE"), primary_key=True, index=True),
    info={"held_as": None},  # kept and put back with the step or factor, not worth a line on the delete page
)


class InfluencingFactor(db.Model):
    """Something outside the programme that helps or hinders a step, or several (``also_steps``)."""

    __tablename__ = "influencing_factors"
    __table_args__ = (
        ForeignKeyConstraint(["step_id", "project_id"], ["steps.id", "steps.project_id"], ondelete="CASCADE"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    direction: Mapped[FactorDirection] = mapped_column(enum_column(FactorDirection, "factor_direction"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    step: Mapped[Step] = relationship(back_populates="factors", overlaps="project")
    also_steps: Mapped[list[Step]] = relationship(secondary=factor_steps, order_by="Step.position")


class TocRevision(db.Model):
    """A named, dated, read-only snapshot of the whole results chain."""

    __tablename__ = "toc_revisions"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    revision_date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    created_by: Mapped[User | None] = relationship()
