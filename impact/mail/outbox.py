"""Queue email in the outbox and deliver it over SMTP, at most once per message.

A message is claimed (status SENDING, committed) before it is handed to the SMTP
server, and a claimed message is never picked again automatically. So a worker that
dies mid-send leaves the message SENDING, which the outbox page shows as "delivery
uncertain" for a person to settle, rather than risking a second copy.
"""
from __future__ import annotations

import datetime as dt
import smtplib
import time
from collections import defaultdict
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import select, update

from impact.extensions import db
from impact.mail import smtp as smtp_session
from impact.mail.addresses import is_normal_address
from impact.mail.links import LinkGone, filled_bodies
from impact.mail.models import OutboxMessage, OutboxStatus
from impact.mail.signals import mail_bounced, mail_settled
from impact.mail.smtp import DeliveryUncertain
from impact.model_types import utcnow

MAX_ATTEMPTS = 6
# Back-off after each failed attempt: 1, 5, 15, 60, 240 minutes.
RETRY_DELAYS = (1, 5, 15, 60, 240)
# A send takes seconds (socket timeout 30 s); a message SENDING for longer than this
# belongs to a worker that was killed or lost its connection after handing it over.
STUCK_AFTER = dt.timedelta(minutes=10)
# The parts hear of delivered messages at most this often during a run (and at its end): what their pages
# show is at most this late, and a run of thousands costs them a few statements a second, not two a message.
ANNOUNCE_EVERY = 1.0  # seconds


def queue_email(*, kind: str, to: str, subject: str, body: str, html: str = "",
                about: tuple[str, int] | None = None, links: dict | None = None, reply_to: str = "",
                flush: bool = True) -> OutboxMessage:
    """Add a message to the outbox; it is sent only if the surrounding transaction commits.

    ``to`` must be an address in normal form (impact.mail.addresses), since it is the envelope
    recipient as it stands. Links go in the bodies as placeholders, with ``links`` saying what each
    points at (impact.mail.links): they are made when the message is sent. ``about`` names what the
    message is about, for the part that sent it (see mail_bounced). flush=False leaves the INSERT (and the id) to
    the caller's next flush, so many messages go in together.
    """
    if not is_normal_address(to):
        raise ValueError(f"not an address in normal form: {to!r}")
    # A subject made of what people typed (a title with a line break in it) must stay one header line.
    subject = " ".join(subject.split())
    message = OutboxMessage(kind=kind, to_address=to, subject=subject, body_text=body, body_html=html,
                            about_kind=about[0] if about else "", about_id=about[1] if about else None,
                            links=links or {}, reply_to=reply_to)
    db.session.add(message)
    if flush:
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
    """Mark the next due message SENDING in one statement, and return it detached; the caller commits.

    On PostgreSQL rows another worker is claiming are skipped rather than waited for; SQLite
    serialises writers. The status test in the UPDATE itself guards both.
    """
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    message = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id == due.scalar_subquery(), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, attempts=OutboxMessage.attempts + 1, next_attempt_at=utcnow())
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).first()
    if message is not None:
        # Detached, the commit that follows leaves its columns loaded: building and recording it
        # reads nothing more.
        db.session.expunge(message)
    return message


def _build(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    # The same Message-ID on every attempt lets a receiving server (and a person) spot a
    # duplicate; the creation time keeps it unique across databases whose ids start again.
    domain = parseaddr(config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2] or "impact.invalid"
    email["Message-ID"] = f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S%f}@{domain}>"
    text, html = filled_bodies(message)
    email.set_content(text)
    if html:
        # Plain text first: mail readers show the last alternative they can render.
        email.add_alternative(html, subtype="html")
    return email


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


def _retry_or_fail(message: OutboxMessage, error: str) -> tuple[str, dict]:
    if message.attempts >= MAX_ATTEMPTS:
        return "failed", {"status": OutboxStatus.FAILED, "last_error": error[:2000]}
    delay = RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1]
    return "retry", {"status": OutboxStatus.PENDING, "last_error": error[:2000],
                     "next_attempt_at": utcnow() + dt.timedelta(minutes=delay)}


def _deliver(message: OutboxMessage, relay: smtp_session.Relay) -> tuple[str, dict]:
    """Hand a claimed message to the relay: (the outcome, the columns that record it)."""
    try:
        relay.send(_build(message), message.to_address)
    except LinkGone as exc:
        # Nothing to retry: what the link was for (an account, a follow-up) has been deleted.
        return "failed", {"status": OutboxStatus.FAILED, "last_error": f"Not sent: {exc}"}
    except DeliveryUncertain as exc:
        # Left SENDING: retrying could deliver it twice.
        error = f"No reply after the message was handed over ({exc}); delivery uncertain."
        return "uncertain", {"last_error": error[:2000]}
    except smtplib.SMTPException as exc:
        reason = _permanent_refusal(exc)
        if reason is None:
            return _retry_or_fail(message, f"{type(exc).__name__}: {exc}")
        mail_bounced.send(message, reason=reason)
        return "bounced", {"status": OutboxStatus.BOUNCED, "last_error": reason[:2000]}
    except OSError as exc:  # refused connection, DNS failure, TLS refused, timeout before the message went out
        return _retry_or_fail(message, f"{type(exc).__name__}: {exc}")
    return "sent", {"status": OutboxStatus.SENT, "sent_at": utcnow(), "last_error": ""}


def deliver_due(limit: int | None = None, should_stop: Callable[[], bool] = lambda: False) -> dict[str, int]:
    """Deliver due messages over one kept SMTP connection; return counts by outcome. Does nothing without SMTP
    settings.

    should_stop is asked before each message, so a stop request never interrupts one in hand. Each message
    costs one commit: its claim goes with the outcome of the one before, so whenever a worker dies at most
    one message is SENDING without an outcome, and every other due one is still PENDING for the next worker.
    """
    counts = {"sent": 0, "retry": 0, "failed": 0, "bounced": 0, "uncertain": 0}
    if not smtp_configured():
        return counts
    # Before any message is claimed, so contradictory settings leave the queue as it was.
    smtp_session.check_settings(current_app.config)
    relay = smtp_session.Relay(current_app.config)
    news = _News()
    handled = 0
    try:
        while True:
            message = None
            if (limit is None or handled < limit) and not should_stop():
                message = _claim_next(utcnow())
            news.announce(finished=message is None)  # with the outcomes it tells of, in their transaction
            # SENDING is on disk before a byte of the message goes out.
            db.session.commit()
            if message is None:
                break
            handled += 1
            outcome, values = _deliver(message, relay)
            counts[outcome] += 1
            db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(**values)
                               .execution_options(synchronize_session=False))
            news.add(message.about_kind, message.about_id)
    finally:
        relay.close()
    return counts


class _News:
    """The messages whose status changed and whose parts have not heard yet, by about_kind."""

    def __init__(self) -> None:
        self.ids: dict[str, set[int]] = defaultdict(set)
        self.told_at = time.monotonic()

    def add(self, kind: str, about_id: int | None) -> None:
        if kind and about_id is not None:
            self.ids[kind].add(about_id)

    def announce(self, *, finished: bool) -> None:
        if not self.ids or not (finished or time.monotonic() - self.told_at >= ANNOUNCE_EVERY):
            return
        for kind, ids in sorted(self.ids.items()):
            mail_settled.send(kind, ids=sorted(ids))
        self.ids.clear()
        self.told_at = time.monotonic()


def _settle(message_id: int, status: OutboxStatus, **values) -> bool:
    """Move a stuck SENDING message on; False if it is not (or no longer) stuck."""
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING,
               OutboxMessage.next_attempt_at < utcnow() - STUCK_AFTER)
        .values(status=status, **values)
        .returning(OutboxMessage.about_kind, OutboxMessage.about_id)
        .execution_options(synchronize_session=False)
    ).first()
    if changed is None:
        return False
    kind, about_id = changed
    if kind and about_id is not None:
        mail_settled.send(kind, ids=[about_id])
    return True


def send_again(message_id: int) -> bool:
    """Put a stuck message back in the queue: a person has checked it did not arrive."""
    return _settle(message_id, OutboxStatus.PENDING, next_attempt_at=utcnow(),
                   last_error="Sent again by hand after an uncertain delivery.")


def mark_sent(message_id: int) -> bool:
    """Close a stuck message: a person has checked it did arrive."""
    # The claim time is the best estimate of when it went out.
    return _settle(message_id, OutboxStatus.SENT, sent_at=OutboxMessage.next_attempt_at,
                   last_error="Marked as sent by hand after an uncertain delivery.")


FINISHED = (OutboxStatus.SENT, OutboxStatus.BOUNCED, OutboxStatus.FAILED)


def purge_old_bodies(now: dt.datetime | None = None) -> dict[str, int]:
    """Due work: messages finished more than OUTBOX_RETENTION_DAYS ago keep their envelope, not their words."""
    cutoff = (now or utcnow()) - dt.timedelta(days=current_app.config["OUTBOX_RETENTION_DAYS"])
    purged = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status.in_(FINISHED), OutboxMessage.purged_at.is_(None),
               OutboxMessage.created_at < cutoff)
        .values(body_text="", body_html="", links={}, purged_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return {"bodies removed": purged}
