"""Queue email in the outbox and deliver it over SMTP, at most once per message.

A message is claimed (status SENDING, committed) before it is handed to the SMTP
server, and a claimed message is never picked again automatically. So a worker that
dies mid-send leaves the message SENDING, which the outbox page shows as "delivery
uncertain" for a person to settle, rather than risking a second copy.
"""
from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import select, update

from impact.extensions import db
from impact.followups.models import FollowUp
from impact.mail.models import OutboxMessage, OutboxStatus
from impact.model_types import utcnow

MAX_ATTEMPTS = 6
# Back-off after each failed attempt: 1, 5, 15, 60, 240 minutes.
RETRY_DELAYS = (1, 5, 15, 60, 240)
# A send takes seconds (socket timeout 30 s); a message SENDING for longer than this
# belongs to a worker that was killed or lost its connection after handing it over.
STUCK_AFTER = dt.timedelta(minutes=10)


def queue_email(*, kind: str, to: str, subject: str, body: str, html: str = "",
                followup_id: int | None = None) -> OutboxMessage:
    """Add a message to the outbox; it is sent only if the surrounding transaction commits."""
    message = OutboxMessage(kind=kind, to_address=to, subject=subject, body_text=body, body_html=html,
                            followup_id=followup_id)
    db.session.add(message)
    db.session.flush()
    return message


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def claimed_at(message: OutboxMessage) -> dt.datetime:
    # The claim stamps next_attempt_at with the time (see _claim_next): the model has no
    # separate column, and a SENDING message has no next attempt to schedule.
    return message.next_attempt_at


def delivery_uncertain(message: OutboxMessage, now: dt.datetime | None = None) -> bool:
    """SENDING for so long that its worker is gone: it may or may not have reached the recipient."""
    return message.status is OutboxStatus.SENDING and claimed_at(message) < (now or utcnow()) - STUCK_AFTER


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
        .values(status=OutboxStatus.SENDING, attempts=OutboxMessage.attempts + 1, next_attempt_at=utcnow())
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
    # The same Message-ID on every attempt lets a receiving server (and a person) spot a
    # duplicate; the creation time keeps it unique across databases whose ids start again.
    domain = parseaddr(config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2] or "impact.invalid"
    email["Message-ID"] = f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S%f}@{domain}>"
    email.set_content(message.body_text)
    if message.body_html:
        # Plain text first: mail readers show the last alternative they can render.
        email.add_alternative(message.body_html, subtype="html")
    return email


class _SMTP(smtplib.SMTP):
    """Remembers whether the whole message went out, so a lost reply is not taken as a failure."""

    handed_over = False
    _in_data = False

    def data(self, msg):
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s):
        super().send(s)
        # Within DATA, commands go out as str and the message itself as bytes.
        if self._in_data and isinstance(s, bytes):
            self.handed_over = True


class DeliveryUncertain(Exception):
    """The server had the whole message but no reply came: it may have accepted it."""


def _send(email: EmailMessage) -> None:
    config = current_app.config
    smtp = _SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config.get("MAIL_TIMEOUT", 30))
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        try:
            smtp.send_message(email)
        except smtplib.SMTPResponseException:
            raise  # the server answered: a definite refusal
        except OSError as exc:  # SMTPServerDisconnected and timeouts (smtplib's errors are OSErrors too)
            if smtp.handed_over:
                raise DeliveryUncertain(f"{type(exc).__name__}: {exc}") from exc
            raise
    finally:
        # Once the server has said 250 the message is delivered: a failing QUIT must not
        # turn that into a retry (and a second copy).
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _permanent_refusal(exc: smtplib.SMTPException) -> str | None:
    """The server's reason if it refused this recipient or message for good (5xx), else None.

    5xx replies to the connection, HELO, login or MAIL FROM (SMTPConnectError,
    SMTPAuthenticationError, SMTPSenderRefused...) are our own configuration going wrong,
    not the recipient: they are retried and end as FAILED, never marked as a bounce.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        permanent = [(code, reply) for code, reply in exc.recipients.values() if code >= 500]
        if permanent:
            code, reply = permanent[0]
            return f"{code} {_text(reply)}"
    if isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500:
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return None


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _bounce(message: OutboxMessage, reason: str) -> None:
    message.status = OutboxStatus.BOUNCED
    message.last_error = reason[:2000]
    if message.followup_id is not None:
        followup = db.session.get(FollowUp, message.followup_id)
        if followup is not None and followup.bounced_at is None:
            followup.bounced_at = utcnow()
            followup.bounce_reason = reason[:200]


def _retry_or_fail(message: OutboxMessage, error: str) -> str:
    message.last_error = error[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        return "failed"
    delay = RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1]
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = utcnow() + dt.timedelta(minutes=delay)
    return "retry"


def deliver_due(limit: int | None = None, should_stop: Callable[[], bool] = lambda: False) -> dict[str, int]:
    """Deliver due messages; return counts by outcome. Does nothing without SMTP settings.

    should_stop is asked before each message, so a stop request never interrupts one in hand.
    """
    counts = {"sent": 0, "retry": 0, "failed": 0, "bounced": 0, "uncertain": 0}
    if not smtp_configured():
        return counts
    handled = 0
    while (limit is None or handled < limit) and not should_stop():
        message = _claim_next(utcnow())
        if message is None:
            break
        handled += 1
        try:
            _send(_build(message))
        except DeliveryUncertain as exc:
            # Left SENDING: retrying could deliver it twice.
            message.last_error = f"No reply after the message was handed over ({exc}); delivery uncertain."[:2000]
            counts["uncertain"] += 1
        except smtplib.SMTPException as exc:
            reason = _permanent_refusal(exc)
            if reason is not None:
                _bounce(message, reason)
                counts["bounced"] += 1
            else:
                counts[_retry_or_fail(message, f"{type(exc).__name__}: {exc}")] += 1
        except OSError as exc:  # refused connection, DNS failure, timeout before the message went out
            counts[_retry_or_fail(message, f"{type(exc).__name__}: {exc}")] += 1
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            message.last_error = ""
            counts["sent"] += 1
        db.session.commit()
    return counts


def _settle(message_id: int, status: OutboxStatus, **values) -> bool:
    """Move a stuck SENDING message on; False if it is not (or no longer) stuck."""
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING,
               OutboxMessage.next_attempt_at < utcnow() - STUCK_AFTER)
        .values(status=status, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    return changed == 1


def send_again(message_id: int) -> bool:
    """Put a stuck message back in the queue: a person has checked it did not arrive."""
    return _settle(message_id, OutboxStatus.PENDING, next_attempt_at=utcnow(),
                   last_error="Sent again by hand after an uncertain delivery.")


def mark_sent(message_id: int) -> bool:
    """Close a stuck message: a person has checked it did arrive."""
    # The claim time is the best estimate of when it went out.
    return _settle(message_id, OutboxStatus.SENT, sent_at=OutboxMessage.next_attempt_at,
                   last_error="Marked as sent by hand after an uncertain delivery.")
