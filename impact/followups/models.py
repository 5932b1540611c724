"""Follow-up campaigns: an email to each card holder of an event, their responses."""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from impact.extensions import db
from impact.model_types import UTCDateTime, enum_column, utcnow
from impact.projects.models import PartnerGroup

if TYPE_CHECKING:
    from impact.cards.models import Action, ActionCard
    from impact.events.models import Event
    from impact.evidence.models import EvidenceItem


class Progress(enum.Enum):
    """How far a respondent got with one action, in their own words' scale."""

    NONE = "none"
    A_LITTLE = "a_little"
    SOME = "some"
    A_LOT = "a_lot"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"none": "None", "a_little": "A little", "some": "Some", "a_lot": "A lot", "done": "Done"}[self.value]

    @property
    def rank(self) -> int:
        return list(Progress).index(self)


class Campaign(db.Model):
    __tablename__ = "followup_campaigns"
    __table_args__ = (
        ForeignKeyConstraint(["event_id", "project_id"], ["events.id", "events.project_id"], ondelete="CASCADE"),
        CheckConstraint("length(subject) > 0", name="subject_not_empty"),
        CheckConstraint("reminder_at IS NULL OR reminder_at > send_at", name="reminder_after_send"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(index=True)
    subject: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    reminder_message: Mapped[str] = mapped_column(Text, default="", server_default="")
    send_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reminder_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # After this the personal links stop accepting answers (and say so).
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Set, in the same transaction as the outbox messages, when the follow-ups/reminders are queued.
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reminders_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    event: Mapped[Event] = relationship(overlaps="project")
    followups: Mapped[list[FollowUp]] = relationship(viewonly=True)

    def is_closed(self, now: dt.datetime) -> bool:
        return self.closed_at is not None or now >= self.closes_at


class FollowUp(db.Model):
    """One card holder's follow-up in one campaign: sent, reminded, bounced, answered."""

    __tablename__ = "followups"
    __table_args__ = (
        UniqueConstraint("campaign_id", "card_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("followup_campaigns.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("action_cards.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    bounced_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    bounce_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    campaign: Mapped[Campaign] = relationship()
    card: Mapped[ActionCard] = relationship()
    response: Mapped[Response | None] = relationship(uselist=False, viewonly=True)


class Response(db.Model):
    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint("consent_to_quote = false OR length(pseudonym) > 0", name="pseudonym_when_quoted"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = mapped_column(ForeignKey("followups.id", ondelete="CASCADE"), unique=True)
    helped: Mapped[str] = mapped_column(Text, default="", server_default="")
    hindered: Mapped[str] = mapped_column(Text, default="", server_default="")
    anything_else: Mapped[str] = mapped_column(Text, default="", server_default="")
    consent_to_quote: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    pseudonym: Mapped[str] = mapped_column(String(80), default="", server_default="")
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    evidence_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_items.id", ondelete="SET NULL"), unique=True
    )

    followup: Mapped[FollowUp] = relationship(overlaps="response")
    evidence_item: Mapped[EvidenceItem | None] = relationship()
    progress: Mapped[list[ActionProgress]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ActionProgress.action_id",
    )


class ActionProgress(db.Model):
    """A respondent's answer about one of their actions."""

    __tablename__ = "action_progress"
    __table_args__ = (UniqueConstraint("response_id", "action_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    progress: Mapped[Progress] = mapped_column(enum_column(Progress, "progress"))
    helped: Mapped[str] = mapped_column(Text, default="", server_default="")
    hindered: Mapped[str] = mapped_column(Text, default="", server_default="")

    response: Mapped[Response] = relationship(back_populates="progress")
    action: Mapped[Action] = relationship()


class Pseudonym(db.Model):
    """The name a person (an email) is quoted under in a project's reports: one each, none shared."""

    __tablename__ = "pseudonyms"
    __table_args__ = (
        UniqueConstraint("project_id", "email"),
        UniqueConstraint("project_id", "name"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())


class PseudonymCounter(db.Model):
    """The highest number the names of one partner group's label carry in a project ("Practitioner 7"):
    the next name offered is one past it (followups.pseudonyms), read in one row however many names the
    project holds. Written only by pseudonyms.py, without the ORM."""

    __tablename__ = "pseudonym_counters"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    partner_group: Mapped[PartnerGroup] = mapped_column(enum_column(PartnerGroup, "partner_group"), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
