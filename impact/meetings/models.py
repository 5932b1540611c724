"""Meetings of a project on the record: the impact meeting with its quotes and themes, and governance meetings.

Who took part is kept by partner group (and PRP), so the project can show that partners were
represented at every level. The notes and each quote are evidence items written from here
(evidence.derived): a quote carries its own pseudonym and consent.
"""
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
    from impact.research.models import ResearchProject
    from impact.toc.models import InfluencingFactor, Step

NAME_MAX = 80


class MeetingKind(enum.Enum):
    IMPACT = "impact"  # practitioners report what changed, some months after their research
    GOVERNANCE = "governance"  # steering group, advisory board, partnership board
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"impact": "Impact meeting", "governance": "Governance or steering group meeting",
                "other": "Other meeting"}[self.value]


meeting_steps = Table(
    "meeting_steps", db.metadata,
    Column("meeting_id", ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("step_id", ForeignKey("steps.id", ondelete="CASCADE"), primary_key=True, index=True),
    info={"held_as": ("meetings", "meeting_id")},
)

meeting_quote_steps = Table(
    "meeting_quote_steps", db.metadata,
    Column("quote_id", ForeignKey("meeting_quotes.id", ondelete="CASCADE"), primary_key=True),
    Column("step_id", ForeignKey("steps.id", ondelete="CASCADE"), primary_key=True, index=True),
    info={"held_as": ("meeting quotes", "quote_id")},
)

meeting_theme_steps = Table(
    "meeting_theme_steps", db.metadata,
    Column("theme_id", ForeignKey("meeting_themes.id", ondelete="CASCADE"), primary_key=True),
    Column("step_id", ForeignKey("steps.id", ondelete="CASCADE"), primary_key=True, index=True),
    info={"held_as": ("meeting themes", "theme_id")},
)

meeting_theme_factors = Table(
    "meeting_theme_factors", db.metadata,
    Column("theme_id", ForeignKey("meeting_themes.id", ondelete="CASCADE"), primary_key=True),
    Column("factor_id", ForeignKey("influencing_factors.id", ondelete="CASCADE"), primary_key=True, index=True),
    info={"held_as": ("meeting themes", "theme_id")},
)


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint("file_sha256 IS NULL OR (length(file_sha256) = 64 AND file_size >= 0 "
                        "AND length(file_name) > 0)", name="file_complete"),
        # A recording or transcript is kept only of a meeting everyone agreed to have recorded.
        CheckConstraint("file_sha256 IS NULL OR consent_to_record", name="recording_has_consent"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind, "meeting_kind"), default=MeetingKind.IMPACT,
                                              server_default=MeetingKind.IMPACT.value)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")
    consent_to_record: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Whose words the notes mostly record: the partner group their evidence item carries.
    notes_voice: Mapped[PartnerGroup] = mapped_column(enum_column(PartnerGroup, "partner_group"),
                                                      default=PartnerGroup.PRACTITIONER,
                                                      server_default=PartnerGroup.PRACTITIONER.value)
    # The audio recording or its transcript.
    file_name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    file_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_type: Mapped[str] = mapped_column(String(100), default="", server_default="")
    notes_item_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_items.id", ondelete="SET NULL"),
                                                      unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    steps: Mapped[list[Step]] = relationship(secondary=meeting_steps, order_by="Step.position")
    notes_item: Mapped[EvidenceItem | None] = relationship()
    attendance: Mapped[list[MeetingAttendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", passive_deletes=True,
        order_by="MeetingAttendance.id")
    quotes: Mapped[list[MeetingQuote]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", passive_deletes=True, order_by="MeetingQuote.id")
    themes: Mapped[list[MeetingTheme]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", passive_deletes=True, order_by="MeetingTheme.id")


class MeetingAttendance(db.Model):
    """One person who attended (by their name in the record, partner group and PRP), or several of a group."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        CheckConstraint("people >= 1 AND people <= 1000", name="people_range"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), default="", server_default="")  # "Practitioner 1"
    partner_group: Mapped[PartnerGroup] = mapped_column(enum_column(PartnerGroup, "partner_group"))
    people: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    research_project_id: Mapped[int | None] = mapped_column(
        ForeignKey("research_projects.id", ondelete="SET NULL"), index=True)
    # A member of the project: their quotes are among their contributions, theirs to withdraw.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    research_project: Mapped[ResearchProject | None] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def described(self) -> str:
        who = self.name or (f"{self.people} {self.partner_group.label.lower()}" if self.people > 1
                            else self.partner_group.label)
        return f"{who} ({self.research_project.title})" if self.research_project else who


class MeetingQuote(db.Model):
    """Words said at the meeting, under a pseudonym and with the speaker's own consent: an evidence item.

    Removing a quote puts its evidence item in the evidence trash; the quote is shown while its item is live.
    """

    __tablename__ = "meeting_quotes"
    __table_args__ = (
        CheckConstraint("length(words) > 0", name="words_not_empty"),
        CheckConstraint("consent_to_quote = false OR length(pseudonym) > 0", name="quote_has_a_name"),
        UniqueConstraint("evidence_item_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    heading: Mapped[str] = mapped_column(String(150), default="", server_default="")
    words: Mapped[str] = mapped_column(Text)
    context: Mapped[str] = mapped_column(Text, default="", server_default="")
    pseudonym: Mapped[str] = mapped_column(String(NAME_MAX), default="", server_default="")
    consent_to_quote: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Set when the speaker withdrew consent (on My contributions): from then on no page shows the words,
    # the team's included, and the team cannot tick consent again on their behalf.
    consent_withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_attendance.id", ondelete="SET NULL"),
                                                   index=True)
    partner_group: Mapped[PartnerGroup] = mapped_column(enum_column(PartnerGroup, "partner_group"))
    evidence_item_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_items.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    meeting: Mapped[Meeting] = relationship(back_populates="quotes")
    speaker: Mapped[MeetingAttendance | None] = relationship()
    steps: Mapped[list[Step]] = relationship(secondary=meeting_quote_steps, order_by="Step.position")
    evidence_item: Mapped[EvidenceItem | None] = relationship()


class MeetingTheme(db.Model):
    """A theme that emerged from the discussion, and the steps and influencing factors it bears on."""

    __tablename__ = "meeting_themes"
    __table_args__ = (
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    meeting: Mapped[Meeting] = relationship(back_populates="themes")
    steps: Mapped[list[Step]] = relationship(secondary=meeting_theme_steps, order_by="Step.position")
    factors: Mapped[list[InfluencingFactor]] = relationship(secondary=meeting_theme_factors,
                                                            order_by="InfluencingFactor.title")
