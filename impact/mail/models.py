"""The email outbox: every message is written here first, in the same transaction as
the change that caused it, then delivered by ``flask jobs run``."""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from impact.extensions import db
from impact.model_types import UTCDateTime, enum_column, utcnow


class OutboxStatus(enum.Enum):
    PENDING = "pending"  # waiting for its first or next attempt
    SENDING = "sending"  # claimed by a worker; never picked again automatically
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry
    BOUNCED = "bounced"  # the server refused the recipient permanently

    @property
    def label(self) -> str:
        return self.value.capitalize()


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        Index("ix_outbox_messages_about", "about_kind", "about_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING, server_default="pending"
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    body_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Where a reply goes, when the sending part reads replies (``flask mail receive``); empty: to the sender.
    reply_to: Mapped[str] = mapped_column(String(320), default="", server_default="")
    # What the message is about, named by the part that sent it (("followup", 12)), so that part can
    # find its messages and hear of a bounce (mail_bounced) without the outbox knowing its tables.
    about_kind: Mapped[str] = mapped_column(String(40), default="", server_default="")
    about_id: Mapped[int | None] = mapped_column(Integer)
    # What each [[link:name]] placeholder in the bodies points at, {name: [kind, id]}: the links
    # themselves are made when the message is sent (impact/mail/links.py), never stored.
    links: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    # Set when the bodies were removed after OUTBOX_RETENTION_DAYS (the row stays for the record).
    purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
