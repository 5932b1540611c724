"""Action cards: what each attendee of an event means to do, and how to reach them later."""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
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
from impact.projects.models import PartnerGroup

if TYPE_CHECKING:
    from impact.events.models import Event
    from impact.toc.models import Step

MAX_ACTIONS = 3


class CardSource(enum.Enum):
    PAPER = "paper"  # typed in by the team from a paper card
    ONLINE = "online"  # filled in by the attendee through the event link
    IMPORT = "import"  # imported from a spreadsheet

    @property
    def label(self) -> str:
        return {"paper": "Typed in from paper", "online": "Filled in online", "import": "Imported"}[self.value]


class ActionCard(db.Model):
    __tablename__ = "action_cards"
    __table_args__ = (
        ForeignKeyConstraint(["event_id", "project_id"], ["events.id", "events.project_id"], ondelete="CASCADE"),
        # One card per person per event: a second card from the same email updates the first.
        UniqueConstraint("event_id", "email"),
        UniqueConstraint("id", "project_id"),
        CheckConstraint("email = lower(email) AND email LIKE '%_@_%'", name="email_normalised"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    organisation: Mapped[str] = mapped_column(String(200), default="", server_default="")
    partner_group: Mapped[PartnerGroup] = mapped_column(
        enum_column(PartnerGroup, "partner_group"), default=PartnerGroup.OTHER, server_default="other"
    )
    source: Mapped[CardSource] = mapped_column(enum_column(CardSource, "card_source"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now()
    )
    # Set when the person follows the opt-out link: no follow-up or reminder goes to them again.
    opted_out_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    event: Mapped[Event] = relationship(overlaps="cards")
    actions: Mapped[list[Action]] = relationship(
        back_populates="card", cascade="all, delete-orphan", passive_deletes=True, order_by="Action.position"
    )


class OptOut(db.Model):
    """An email that asked for no more follow-ups from a project.

    Kept apart from the cards so the wish outlives them: a card deleted and entered again, or
    imported for a later event, must not bring the emails back.
    """

    __tablename__ = "opt_outs"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    opted_out_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())


action_steps = Table(
    "action_steps",
    db.metadata,
    Column("action_id", Integer, primary_key=True),
    Column("step_id", Integer, primary_key=True),
    Column("project_id", Integer, nullable=False),
    ForeignKeyConstraint(["action_id", "project_id"], ["actions.id", "actions.project_id"], ondelete="CASCADE"),
    ForeignKeyConstraint(["step_id", "project_id"], ["steps.id", "steps.project_id"], ondelete="CASCADE"),
    info={"held_as": ("tags", None)},  # each tag counts on the delete page
)


class Action(db.Model):
    __tablename__ = "actions"
    __table_args__ = (
        ForeignKeyConstraint(["card_id", "project_id"], ["action_cards.id", "action_cards.project_id"],
                             ondelete="CASCADE"),
        UniqueConstraint("card_id", "position"),
        UniqueConstraint("id", "project_id"),
        CheckConstraint(f"position BETWEEN 1 AND {MAX_ACTIONS}", name="position_in_range"),
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    card: Mapped[ActionCard] = relationship(back_populates="actions")
    steps: Mapped[list[Step]] = relationship(
        secondary=action_steps, order_by="Step.id", overlaps="card,actions",
        primaryjoin="Action.id == action_steps.c.action_id",
        secondaryjoin="Step.id == action_steps.c.step_id",
        viewonly=True,  # written through services.set_action_steps, which also fills project_id
    )


class CardConfirmation(db.Model):
    """A card sent through the public link for an email that already has a card at the event.

    Anyone with the event's link could type someone else's email, so the card is not changed
    until the link emailed to that address is opened: this row holds the proposed card till then.
    """

    __tablename__ = "card_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("action_cards.id", ondelete="CASCADE"), index=True)
    # What the form said: name, organisation, partner_group (value) and the three action texts.
    proposed: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    card: Mapped[ActionCard] = relationship()
