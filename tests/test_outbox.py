"""The email outbox over a real SMTP server (aiosmtpd): multipart mail, bounces, retries with
back-off, uncertain deliveries and how an admin settles them, and ``flask jobs run``."""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
import socket
import threading
from email import message_from_bytes, policy

import pytest
from sqlalchemy import update

from impact.cards.models import ActionCard, CardSource
from impact.events.models import Event
from impact.extensions import db as _db
from impact.followups.models import Campaign, FollowUp
from impact.jobs import commands
from impact.mail.models import OutboxMessage, OutboxStatus
from impact.mail.outbox import deliver_due, queue_email
from impact.model_types import utcnow
from tests import factories

pytestmark = pytest.mark.smtp


class ScriptedInbox:
    """An aiosmtpd handler that can refuse chosen recipients, answer DATA slowly, or act on receipt.

    rcpt_replies / data_replies: address -> replies to give, one per attempt; once used up
    (or for other addresses) the server accepts.
    """

    def __init__(self, *, delay: float = 0.0, on_message=None):
        self.messages = []
        self.rcpt_replies: dict[str, list[str]] = {}
        self.data_replies: dict[str, list[str]] = {}
        self.mail_reply = ""
        self.delay = delay
        self.on_message = on_message
        self._lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        scripted = self.rcpt_replies.get(address)
        if scripted:
            return scripted.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        scripted = [self.data_replies[a] for a in envelope.rcpt_tos if self.data_replies.get(a)]
        if scripted:
            return scripted[0].pop(0)
        message = message_from_bytes(envelope.content, policy=policy.default)
        # Recorded before the (slow) reply: a real server has the message once it has read it.
        with self._lock:
            self.messages.append(message)
        if self.on_message:
            self.on_message(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"

    def subjects(self) -> list[str]:
        with self._lock:
            return [str(m["Subject"]) for m in self.messages]


def start_smtp(handler: ScriptedInbox, controller_class=None):
    """Start aiosmtpd (or controller_class, a subclass of its Controller) on a free local port; returns
    (controller, port)."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = (controller_class or Controller)(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


@pytest.fixture
def smtp(app, monkeypatch):
    """smtp(**ScriptedInbox options): a scripted SMTP server the app is pointed at for the test."""
    controllers = []

    def _start(**options) -> ScriptedInbox:
        handler = ScriptedInbox(**options)
        controller, port = start_smtp(handler)
        controllers.append(controller)
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        return handler

    yield _start
    for controller in controllers:
        controller.stop()


def queue(to="someone@example.org", subject="Hello", body="Plain words.", **extra) -> int:
    message_id = queue_email(kind="test", to=to, subject=subject, body=body, **extra).id
    _db.session.commit()
    return message_id


def outbox_row(message_id: int) -> OutboxMessage:
    _db.session.expire_all()
    return _db.session.get(OutboxMessage, message_id)


def make_due(message_id: int) -> None:
    """As if the back-off delay had passed."""
    _db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                        .values(next_attempt_at=utcnow() - dt.timedelta(seconds=1)))
    _db.session.commit()


def age_claim(message_id: int, minutes: int = 11) -> None:
    """As if the worker that claimed it had stopped `minutes` ago."""
    _db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                        .values(next_attempt_at=utcnow() - dt.timedelta(minutes=minutes)))
    _db.session.commit()


def a_followup(email: str) -> FollowUp:
    project = factories.project()
    event = Event(project_id=project.id, title="Seminar", event_date=dt.date(2024, 5, 1))
    _db.session.add(event)
    _db.session.flush()
    card = ActionCard(project_id=project.id, event_id=event.id, email=email, source=CardSource.PAPER)
    now = utcnow()
    campaign = Campaign(project_id=project.id, event_id=event.id, subject="How did it go?", message="Tell us.",
                        send_at=now, closes_at=now + dt.timedelta(days=30))
    _db.session.add_all([card, campaign])
    _db.session.flush()
    followup = FollowUp(campaign_id=campaign.id, card_id=card.id, sent_at=now)
    _db.session.add(followup)
    _db.session.commit()
    return followup


# Message format ---------------------------------------------------------------------------

def test_html_mail_arrives_as_multipart_alternative_with_text_first(db, smtp):
    inbox = smtp()
    message_id = queue(subject="Your follow-up", body="Hello,\nplease answer at https://example.org/r/abc",
          html="<p>Hello,</p><p>please <a href=\"https://example.org/r/abc\">answer</a></p>")
    assert deliver_due()["sent"] == 1
    [received] = inbox.messages
    assert re.fullmatch(rf"<outbox-{message_id}\.\d{{20}}@example\.org>", received["Message-ID"])
    assert received.get_content_type() == "multipart/alternative"
    plain, html = received.iter_parts()
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert "https://example.org/r/abc" in plain.get_content()
    assert '<a href="https://example.org/r/abc">answer</a>' in html.get_content()
    assert received.get_body(preferencelist=("plain",)).get_content().splitlines()[:2] == [
        "Hello,", "please answer at https://example.org/r/abc"]


def test_text_only_mail_is_a_single_plain_part(db, smtp):
    inbox = smtp()
    queue(body="Just text.")
    deliver_due()
    [received] = inbox.messages
    assert received.get_content_type() == "text/plain" and not received.is_multipart()
    assert received.get_content().strip() == "Just text."


# Permanent refusals -----------------------------------------------------------------------

def test_refused_recipient_bounces_once_and_marks_the_follow_up(db, smtp):
    inbox = smtp()
    inbox.rcpt_replies["gone@example.org"] = ["550 5.1.1 No such user here"] * 5
    followup = a_followup("gone@example.org")
    bad = queue(to="gone@example.org", about=("followup", followup.id))
    good = queue(to="fine@example.org", subject="For the living")

    counts = deliver_due()
    assert counts["bounced"] == 1 and counts["sent"] == 1
    message = outbox_row(bad)
    assert message.status is OutboxStatus.BOUNCED and message.attempts == 1
    assert "550" in message.last_error and "No such user" in message.last_error
    followup = _db.session.get(FollowUp, followup.id)
    assert followup.bounced_at is not None and followup.bounced_at <= utcnow()
    assert followup.bounce_reason.startswith("550") and "No such user" in followup.bounce_reason
    assert outbox_row(good).status is OutboxStatus.SENT

    # Never retried, however long we wait.
    make_due(bad)
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0, "bounced": 0, "uncertain": 0}
    assert outbox_row(bad).attempts == 1
    assert inbox.subjects() == ["For the living"]
    assert len(inbox.rcpt_replies["gone@example.org"]) == 4  # asked exactly once


def test_message_refused_after_data_bounces(db, smtp):
    inbox = smtp()
    inbox.data_replies["spam-filtered@example.org"] = ["554 5.7.1 Message rejected as spam"]
    message_id = queue(to="spam-filtered@example.org")
    counts = deliver_due()
    assert counts["bounced"] == 1, (counts, outbox_row(message_id).last_error)
    message = outbox_row(message_id)
    assert message.status is OutboxStatus.BOUNCED and "554" in message.last_error
    assert inbox.messages == []


def test_our_own_sender_refused_is_retried_not_a_bounce(db, smtp):
    # A 5xx at MAIL FROM is our configuration, not the recipient: marking them as bounced
    # would wrongly drop them from reminders.
    inbox = smtp()
    inbox.mail_reply = "553 5.7.1 Sender address rejected"
    message_id = queue()
    assert deliver_due()["retry"] == 1
    message = outbox_row(message_id)
    assert message.status is OutboxStatus.PENDING and "553" in message.last_error


# Temporary failures -----------------------------------------------------------------------

def test_temporary_failure_is_retried_with_growing_back_off_then_delivered_once(db, smtp):
    inbox = smtp()
    inbox.rcpt_replies["greylisted@example.org"] = ["451 4.7.1 Greylisted, try again later"] * 2
    message_id = queue(to="greylisted@example.org", subject="Patience")

    before = utcnow()
    assert deliver_due()["retry"] == 1
    message = outbox_row(message_id)
    assert message.status is OutboxStatus.PENDING and message.attempts == 1 and "451" in message.last_error
    first_delay = message.next_attempt_at - before
    assert dt.timedelta(seconds=55) < first_delay < dt.timedelta(seconds=70)
    assert deliver_due()["retry"] == 0  # not due yet
    assert outbox_row(message_id).attempts == 1

    make_due(message_id)
    before = utcnow()
    assert deliver_due()["retry"] == 1
    message = outbox_row(message_id)
    assert message.attempts == 2
    assert dt.timedelta(minutes=4, seconds=55) < message.next_attempt_at - before < dt.timedelta(minutes=5, seconds=10)

    make_due(message_id)
    assert deliver_due()["sent"] == 1
    message = outbox_row(message_id)
    assert message.status is OutboxStatus.SENT and message.sent_at is not None and message.last_error == ""
    make_due(message_id)
    assert deliver_due()["sent"] == 0
    assert inbox.subjects() == ["Patience"]


def test_unreachable_server_is_retried(db, smtp, app, monkeypatch):
    smtp()
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        monkeypatch.setitem(app.config, "MAIL_PORT", probe.getsockname()[1])
    message_id = queue()
    assert deliver_due()["retry"] == 1
    assert outbox_row(message_id).status is OutboxStatus.PENDING


def test_lost_reply_after_handing_over_is_left_uncertain_not_resent(db, smtp, app, monkeypatch, client, login_as):
    # The server has the message but its "250" never comes: sending again would be a duplicate.
    inbox = smtp(delay=3)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 0.5)
    message_id = queue(subject="Did it arrive?")
    assert deliver_due()["uncertain"] == 1
    message = outbox_row(message_id)
    assert message.status is OutboxStatus.SENDING and "uncertain" in message.last_error
    assert deliver_due()["sent"] == 0
    assert inbox.subjects() == ["Did it arrive?"]

    age_claim(message_id)
    login_as("admin")
    assert "Delivery uncertain" in client.get("/admin/outbox/").get_data(as_text=True)
    # If a person decides to send it again, the copy carries the same Message-ID, so the
    # recipient's mail program can recognise it.
    inbox.delay = 0
    client.post(f"/admin/outbox/{message_id}/send-again")
    assert deliver_due()["sent"] == 1
    first, second = inbox.messages
    assert first["Message-ID"] == second["Message-ID"]


# Without SMTP -----------------------------------------------------------------------------

def test_without_smtp_messages_stay_pending_and_admins_can_read_them(db, client, login_as, app):
    assert not app.config["MAIL_SERVER"]
    message_id = queue(to="reader@example.org", subject="Read me in the app",
                       body="Your link: https://example.org/r/xyz", html="<p>Your <b>link</b></p>")
    assert deliver_due()["sent"] == 0
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0 and "MAIL_SERVER is not set" in result.output
    assert outbox_row(message_id).status is OutboxStatus.PENDING

    login_as("admin")
    listing = client.get("/admin/outbox/").get_data(as_text=True)
    assert "reader@example.org" in listing and "Read me in the app" in listing and "Pending" in listing
    page = client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert 'href="https://example.org/r/xyz"' in page  # the link can be followed in development
    assert "&lt;p&gt;Your &lt;b&gt;link&lt;/b&gt;&lt;/p&gt;" in page  # HTML shown as source, never rendered


def test_outbox_page_is_paginated(db, client, login_as, app, monkeypatch):
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 3)
    for n in range(7):
        queue(subject=f"Message {n}")
    login_as("admin")
    first = client.get("/admin/outbox/").get_data(as_text=True)
    assert "Page 1 of 3" in first and "Message 6" in first and "Message 3" not in first
    last = client.get("/admin/outbox/?page=3").get_data(as_text=True)
    assert "Message 0" in last and "Message 1" not in last


# Uncertain deliveries ---------------------------------------------------------------------

def _stuck(subject="Stuck") -> int:
    message_id = queue(subject=subject)
    _db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                        .values(status=OutboxStatus.SENDING, attempts=1))
    _db.session.commit()
    age_claim(message_id)
    return message_id


def test_a_message_stuck_sending_is_shown_as_uncertain_and_can_be_sent_again(db, client, login_as, smtp):
    inbox = smtp()
    stuck = _stuck("Stuck one")
    recent = queue(subject="Being sent right now")
    _db.session.execute(update(OutboxMessage).where(OutboxMessage.id == recent)
                        .values(status=OutboxStatus.SENDING, next_attempt_at=utcnow()))
    _db.session.commit()
    assert deliver_due()["sent"] == 0  # never picked again automatically

    login_as("admin")
    listing = client.get("/admin/outbox/").get_data(as_text=True)
    assert "Delivery is uncertain for 1 message" in listing
    assert listing.count("check with the recipient before resending") == 1
    only = client.get("/admin/outbox/?show=uncertain").get_data(as_text=True)
    assert "Stuck one" in only and "Being sent right now" not in only
    page = client.get(f"/admin/outbox/{stuck}").get_data(as_text=True)
    assert "Delivery uncertain (worker stopped while sending): check with the recipient before resending" in page
    assert "Send again" in page and "Mark as sent" in page
    assert "Send again" not in client.get(f"/admin/outbox/{recent}").get_data(as_text=True)

    # A message still within a live worker's hands cannot be pushed back into the queue.
    assert client.post(f"/admin/outbox/{recent}/send-again").status_code == 302
    assert outbox_row(recent).status is OutboxStatus.SENDING

    response = client.post(f"/admin/outbox/{stuck}/send-again")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/outbox/{stuck}")
    assert outbox_row(stuck).status is OutboxStatus.PENDING
    assert deliver_due()["sent"] == 1
    assert inbox.subjects() == ["Stuck one"]
    assert outbox_row(stuck).status is OutboxStatus.SENT
    # A second click (say, from a stale page) does nothing.
    client.post(f"/admin/outbox/{stuck}/send-again")
    assert deliver_due()["sent"] == 0 and len(inbox.messages) == 1


def test_a_stuck_message_can_be_marked_as_sent(db, client, login_as):
    stuck = _stuck()
    login_as("admin")
    client.post(f"/admin/outbox/{stuck}/mark-sent")
    message = outbox_row(stuck)
    assert message.status is OutboxStatus.SENT and message.sent_at is not None
    assert "Send again" not in client.get(f"/admin/outbox/{stuck}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["anonymous", "lead"])
def test_only_site_admins_can_settle_messages(db, client, login_as, project, role):
    stuck = _stuck()
    login_as(role, project)
    for action in ("send-again", "mark-sent"):
        response = client.post(f"/admin/outbox/{stuck}/{action}")
        assert response.status_code == (302 if role == "anonymous" else 404)
        if role == "anonymous":
            assert "/login" in response.headers["Location"]
    assert outbox_row(stuck).status is OutboxStatus.SENDING


def test_settling_needs_a_csrf_token(db, app_with):
    stuck = _stuck()
    admin = factories.user("Admin", admin=True)
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": admin.email, "password": factories.PASSWORD, "csrf_token": token})
    assert client.post(f"/admin/outbox/{stuck}/send-again").status_code == 400
    assert outbox_row(stuck).status is OutboxStatus.SENDING
    page = client.get(f"/admin/outbox/{stuck}").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/admin/outbox/{stuck}/send-again", data={"csrf_token": form_token}).status_code == 302
    assert outbox_row(stuck).status is OutboxStatus.PENDING


# flask jobs run ---------------------------------------------------------------------------

@pytest.fixture
def due_work():
    """due_work(fn): register fn with ``flask jobs run`` for this test only."""
    added = []

    def _add(fn):
        commands.due_work().append(fn)
        added.append(fn)
        return fn

    yield _add
    for fn in added:
        if fn in commands.due_work():
            commands.due_work().remove(fn)


def test_jobs_run_does_due_work_first_and_delivers_what_it_queued(db, app, smtp, due_work):
    inbox = smtp()

    def queue_reminders():
        queue(subject="Queued by due work")
        return {"reminders queued": 1}

    due_work(queue_reminders)
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "queue_reminders: reminders queued: 1" in result.output and "outbox: sent: 1" in result.output
    assert inbox.subjects() == ["Queued by due work"]


def test_failing_due_work_is_reported_and_delivery_still_happens(db, app, smtp, due_work):
    inbox = smtp()

    def broken():
        raise RuntimeError("campaign table on fire")

    due_work(broken)
    queue(subject="Still goes out")
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 1  # so cron reports it
    assert "campaign table on fire" in result.stderr
    assert inbox.subjects() == ["Still goes out"]


def test_sigterm_finishes_the_message_in_hand_then_stops(db, app, smtp):
    # The signal arrives while the server is reading the first message.
    inbox = smtp(on_message=lambda message: os.kill(os.getpid(), signal.SIGTERM), delay=0.2)
    handler_before = signal.getsignal(signal.SIGTERM)
    ids = [queue(subject=f"Message {n}") for n in range(5)]
    result = app.test_cli_runner().invoke(args=["jobs", "run", "--loop", "--interval", "1"])
    assert result.exit_code == 0, result.output
    assert "Stopped on SIGTERM" in result.output
    statuses = [outbox_row(message_id).status for message_id in ids]
    assert statuses == [OutboxStatus.SENT] + [OutboxStatus.PENDING] * 4
    assert inbox.subjects() == ["Message 0"]
    assert signal.getsignal(signal.SIGTERM) is handler_before  # put back
