"""Events of a project (seminars, workshops, meetings) and who attended them."""
from __future__ import annotations

import datetime as dt
import enum
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from impact.extensions import db
from impact.model_types import UTCDateTime, enum_column, utcnow
from impact.projects.models import PartnerGroup

if TYPE_CHECKING:
    from impact.cards.models import ActionCard
    from impact.projects.models import Project


class EventKind(enum.Enum):
    SEMINAR = "seminar"
    WORKSHOP = "workshop"
    MEETING = "meeting"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def new_card_link_key() -> str:
    return secrets.token_urlsafe(12)


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("id", "project_id"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "event_kind"), default=EventKind.SEMINAR)
    title: Mapped[str] = mapped_column(String(200))
    event_date: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The online card form lives at a hard-to-guess address the team hands out at the event,
    # and only accepts cards while the team keeps it open.
    card_link_key: Mapped[str] = mapped_column(String(40), unique=True, default=new_card_link_key)
    card_form_open: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    project: Mapped[Project] = relationship()
    attendance: Mapped[list[EventAttendance]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True,
        order_by="EventAttendance.partner_group",
    )
    cards: Mapped[list[ActionCard]] = relationship(viewonly=True)


class EventAttendance(db.Model):
    """How many people of one partner group attended an event."""

    __tablename__ = "event_attendance"
    __table_args__ = (
        UniqueConstraint("event_id", "partner_group"),
        CheckConstraint("attendees >= 0", name="attendees_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    partner_group: Mapped[PartnerGroup] = mapped_column(enum_column(PartnerGroup, "partner_group"))
    attendees: Mapped[int] = mapped_column(Integer)

    event: Mapped[Event] = relationship(back_populates="attendance")
