"""Queue email in the outbox and deliver it over SMTP, at most once per message."""
from __future__ import annotations

import datetime as dt
import smtplib
import socket
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import select, update

from impact.extensions import db
from impact.mail.models import OutboxMessage, OutboxStatus
from impact.model_types import utcnow

MAX_ATTEMPTS = 6
# Back-off after each failed attempt: 1, 5, 15, 60, 240 minutes.
RETRY_DELAYS = (1, 5, 15, 60, 240)


def queue_email(*, kind: str, to: str, subject: str, body: str) -> OutboxMessage:
    """Add a message to the outbox; it is sent only if the surrounding transaction commits."""
    message = OutboxMessage(kind=kind, to_address=to, subject=subject, body_text=body)
    db.session.add(message)
    db.session.flush()
    return message


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _claim_next(now: dt.datetime) -> OutboxMessage | None:
    """Mark one due message as SENDING and commit, so no other worker can take it.

    On PostgreSQL rows another worker has locked are skipped rather than waited for;
    SQLite serialises writers anyway, and the conditional UPDATE below guards both.
    """
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    message = db.session.scalars(query).first()
    if message is None:
        db.session.rollback()
        return None
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        return None
    db.session.refresh(message)
    return message


def _build(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    # A stable Message-ID lets a receiving server (and a person) spot a duplicate.
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain="impact.local")
    email.set_content(message.body_text)
    return email


def _send(email: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def deliver_due(limit: int = 100) -> dict[str, int]:
    """Deliver due messages; return counts by outcome. Does nothing without SMTP settings."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "bounced": 0}
    if not smtp_configured():
        return counts
    for _ in range(limit):
        message = _claim_next(utcnow())
        if message is None:
            break
        try:
            _send(_build(message))
        except smtplib.SMTPRecipientsRefused as exc:
            message.status = OutboxStatus.BOUNCED
            message.last_error = str(exc)[:2000]
            counts["bounced"] += 1
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED
                counts["failed"] += 1
            else:
                delay = RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1]
                message.status = OutboxStatus.PENDING
                message.next_attempt_at = utcnow() + dt.timedelta(minutes=delay)
                counts["retry"] += 1
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            message.last_error = ""
            counts["sent"] += 1
        db.session.commit()
    return counts
