"""Practitioner research projects (PRPs) inside a KE project, and the updates their practitioners send."""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
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
from impact.projects.models import PartnerGroup

if TYPE_CHECKING:
    from impact.auth.models import User
    from impact.evidence.models import EvidenceItem
    from impact.toc.models import Step

QUOTE_NAME_MAX = 80


class ResearchStatus(enum.Enum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    COMPLETED = "completed"
    STOPPED = "stopped"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class UpdateStatus(enum.Enum):
    DRAFT = "draft"  # seen only by its author, until they submit it
    SUBMITTED = "submitted"  # evidence: an item in the library, linked to its steps

    @property
    def label(self) -> str:
        return self.value.capitalize()


research_project_leads = Table(
    "research_project_leads", db.metadata,
    Column("research_project_id", ForeignKey("research_projects.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# The steps of the chain a PRP bears on: its updates are linked to them unless the author says otherwise.
research_project_steps = Table(
    "research_project_steps", db.metadata,
    Column("research_project_id", ForeignKey("research_projects.id", ondelete="CASCADE"), primary_key=True),
    Column("step_id", ForeignKey("steps.id", ondelete="CASCADE"), primary_key=True, index=True),
    info={"held_as": ("practitioner research projects", "research_project_id")},
)

# The steps one update is about (for a draft; a submitted update's links are its evidence item's).
research_update_steps = Table(
    "research_update_steps", db.metadata,
    Column("update_id", ForeignKey("research_updates.id", ondelete="CASCADE"), primary_key=True),
    Column("step_id", ForeignKey("steps.id", ondelete="CASCADE"), primary_key=True, index=True),
    info={"held_as": ("practitioner updates", "update_id")},
)


class ResearchProject(db.Model):
    __tablename__ = "research_projects"
    __table_args__ = (
        UniqueConstraint("id", "project_id"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint("ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        CheckConstraint("reminder_weeks IS NULL OR (reminder_weeks >= 1 AND reminder_weeks <= 52)",
                        name="reminder_weeks_range"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    local_authority: Mapped[str] = mapped_column(String(200), default="", server_default="")
    status: Mapped[ResearchStatus] = mapped_column(enum_column(ResearchStatus, "research_status"),
                                                   default=ResearchStatus.PROPOSED,
                                                   server_default=ResearchStatus.PROPOSED.value)
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    aims: Mapped[str] = mapped_column(Text, default="", server_default="")
    milestones: Mapped[str] = mapped_column(Text, default="", server_default="")
    outputs: Mapped[str] = mapped_column(Text, default="", server_default="")
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reminder_weeks: Mapped[int | None] = mapped_column(Integer)
    # A reply to a reminder carries the reminder's signed tag: the team may take the first reply to each
    # reminder as submitted. A message to the plain update address only claims its sender, so it always
    # waits as a draft, as do further replies to the same reminder.
    submit_emailed_replies: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The PRP's report, as a file: an evidence item (a document) on the PRP's steps, written from here.
    report_item_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_items.id", ondelete="SET NULL"),
                                                       unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    mentor: Mapped[User | None] = relationship(foreign_keys=[mentor_id])
    report_item: Mapped[EvidenceItem | None] = relationship()
    leads: Mapped[list[User]] = relationship(secondary=research_project_leads, order_by="User.name")
    steps: Mapped[list[Step]] = relationship(secondary=research_project_steps, order_by="Step.position")
    output_files: Mapped[list[ResearchOutput]] = relationship(
        back_populates="research_project", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ResearchOutput.id")
    updates: Mapped[list[ResearchUpdate]] = relationship(
        back_populates="research_project", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ResearchUpdate.update_date.desc(), ResearchUpdate.id.desc()")


class ResearchOutput(db.Model):
    """A file the PRP produced besides its report (a presentation, a briefing, a poster): an evidence item
    (a document) on the PRP's steps. Removing it puts that item in the evidence trash; it is listed while live."""

    __tablename__ = "research_outputs"
    __table_args__ = (
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    research_project_id: Mapped[int] = mapped_column(ForeignKey("research_projects.id", ondelete="CASCADE"),
                                                     index=True)
    title: Mapped[str] = mapped_column(String(200))
    evidence_item_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_items.id", ondelete="SET NULL"),
                                                         unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())

    research_project: Mapped[ResearchProject] = relationship(back_populates="output_files")
    evidence_item: Mapped[EvidenceItem | None] = relationship()


class ResearchUpdate(db.Model):
    """What a practitioner did and what changed, in their words; submitted, it is an evidence item."""

    __tablename__ = "research_updates"
    __table_args__ = (
        CheckConstraint("consent_to_quote = false OR length(quote) = 0 OR length(pseudonym) > 0",
                        name="quote_has_a_name"),
        CheckConstraint("file_sha256 IS NULL OR (length(file_sha256) = 64 AND file_size >= 0 "
                        "AND length(file_name) > 0)", name="file_complete"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    research_project_id: Mapped[int] = mapped_column(ForeignKey("research_projects.id", ondelete="CASCADE"),
                                                     index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[UpdateStatus] = mapped_column(enum_column(UpdateStatus, "update_status"),
                                                 default=UpdateStatus.DRAFT, server_default=UpdateStatus.DRAFT.value)
    update_date: Mapped[dt.date] = mapped_column(Date)
    partner_group: Mapped[PartnerGroup] = mapped_column(enum_column(PartnerGroup, "partner_group"))
    what_did: Mapped[str] = mapped_column(Text, default="", server_default="")
    what_changed: Mapped[str] = mapped_column(Text, default="", server_default="")
    changed_practice: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    changed_team: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    changed_families: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    who_involved: Mapped[str] = mapped_column(String(500), default="", server_default="")
    quote: Mapped[str] = mapped_column(Text, default="", server_default="")
    consent_to_quote: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    pseudonym: Mapped[str] = mapped_column(String(QUOTE_NAME_MAX), default="", server_default="")
    file_name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    file_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_type: Mapped[str] = mapped_column(String(100), default="", server_default="")
    evidence_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_items.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sent_by_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    research_project: Mapped[ResearchProject] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()
    steps: Mapped[list[Step]] = relationship(secondary=research_update_steps, order_by="Step.position")
    evidence_item: Mapped[EvidenceItem | None] = relationship()

    @property
    def changes(self) -> list[str]:
        return [label for flag, label in ((self.changed_practice, "their own practice"),
                                          (self.changed_team, "their team"),
                                          (self.changed_families, "families")) if flag]


class ResearchReminder(db.Model):
    """A reminder emailed to a PRP's lead; its sign-in link works once (used_at), and only for a while."""

    __tablename__ = "research_reminders"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    research_project_id: Mapped[int] = mapped_column(ForeignKey("research_projects.id", ondelete="CASCADE"),
                                                     index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    research_project: Mapped[ResearchProject] = relationship()
    user: Mapped[User] = relationship()
