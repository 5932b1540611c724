"""Delivery over a kept SMTP connection (issue 15): connections counted where the server accepts them,
connections the server drops between messages or with one in hand, and workers delivering at once.

Each test runs a real aiosmtpd server; none replaces any of our code."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from impact.extensions import db as _db
from impact.mail.models import OutboxMessage, OutboxStatus
from impact.mail.outbox import deliver_due
from impact.mail.smtp import Relay
from tests.test_outbox import ScriptedInbox, queue, start_smtp
from tests.test_outbox_processes import MeetingInbox, assert_each_received_at_most_once

pytestmark = pytest.mark.smtp


class CountingController(Controller):
    """aiosmtpd makes one protocol object for each TCP connection it accepts: counted here."""

    def __init__(self, handler, **options):
        super().__init__(handler, **options)
        self.connections = 0

    def factory(self):
        self.connections += 1
        return super().factory()


class DroppingInbox(ScriptedInbox):
    """Drops the client's connection after taking `keep` messages on it: politely (421) or not.

    At MAIL FROM of the next message, as a relay with a cap of messages per connection does, or
    (in_hand=True) right after reading a message, before its reply: the client cannot know it arrived.
    """

    def __init__(self, *, keep: int, how: str = "421", in_hand: bool = False, **options):
        super().__init__(**options)
        self.keep, self.how, self.in_hand = keep, how, in_hand
        self.taken: Counter = Counter()  # messages taken on each connection, by the client's address
        self.dropped = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if not self.in_hand and self.taken[session.peer] >= self.keep:
            self.dropped += 1
            if self.how == "421":
                return "421 4.7.0 Too many messages on this connection, closing"
            server.transport.close()
            return "250 OK"  # never read: the connection is gone
        return await super().handle_MAIL(server, session, envelope, address, mail_options)

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        self.taken[session.peer] += 1
        if self.in_hand and self.taken[session.peer] == self.keep and not self.dropped:
            self.dropped += 1
            server.transport.close()
        return reply


@pytest.fixture
def server(app, monkeypatch):
    """server(handler): aiosmtpd on a free port, the app pointed at it; returns the controller."""
    started = []

    def _start(handler: ScriptedInbox) -> CountingController:
        controller, port = start_smtp(handler, CountingController)
        controller.connections = 0  # start() itself connects once, to know the server is up
        started.append(controller)
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        return controller

    yield _start
    for controller in started:
        controller.stop()


def statuses() -> Counter:
    _db.session.expire_all()
    rows = _db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    _db.session.commit()
    return Counter({status: count for status, count in rows})


def attempts() -> Counter:
    _db.session.expire_all()
    return Counter(_db.session.scalars(select(OutboxMessage.attempts)))


def test_a_batch_goes_over_one_connection_refusals_included_in_two_statements_a_message(db, server, query_counter):
    inbox = ScriptedInbox()
    controller = server(inbox)
    inbox.rcpt_replies["gone@example.org"] = ["550 5.1.1 No such user here"]
    inbox.data_replies["spam@example.org"] = ["554 5.7.1 Message rejected as spam"]
    subjects = [f"Message {n}" for n in range(10)]
    for n, subject in enumerate(subjects):
        queue(to=f"person{n}@example.org", subject=subject)
    queue(to="gone@example.org", subject="Bounces")
    queue(to="spam@example.org", subject="Refused")

    with query_counter() as statements:
        counts = deliver_due()
    assert counts == {"sent": 10, "retry": 0, "failed": 0, "bounced": 2, "uncertain": 0}
    assert sorted(inbox.subjects()) == sorted(subjects)
    # A refusal leaves the session reset for the next message, not closed.
    assert controller.connections == 1
    # Each message: its claim (UPDATE ... RETURNING) and its outcome; then the claim that finds none.
    assert len(statements) == 2 * 12 + 1, statements


def test_a_new_connection_every_hundred_messages(db, server, monkeypatch):
    monkeypatch.setattr(Relay, "MESSAGES_PER_SESSION", 4)
    inbox = ScriptedInbox()
    controller = server(inbox)
    for n in range(10):
        queue(subject=f"Message {n}")
    assert deliver_due()["sent"] == 10
    assert controller.connections == 3 and len(inbox.messages) == 10


@pytest.mark.parametrize("how", ["421", "drop"])
def test_a_connection_dropped_between_messages_costs_nothing_and_sends_none_twice(db, server, how):
    inbox = DroppingInbox(keep=3, how=how)
    controller = server(inbox)
    subjects = [f"Message {n}" for n in range(8)]
    for subject in subjects:
        queue(subject=subject)

    assert deliver_due() == {"sent": 8, "retry": 0, "failed": 0, "bounced": 0, "uncertain": 0}
    assert_each_received_at_most_once(inbox)
    assert sorted(inbox.subjects()) == subjects
    # Dropped after messages 3 and 6: each next message went out at once on a new connection,
    # without a retry's back-off or an attempt counted against it.
    assert inbox.dropped == 2 and controller.connections == 3
    assert statuses() == Counter({OutboxStatus.SENT: 8}) and attempts() == Counter({1: 8})


def test_a_connection_dropped_with_a_message_in_hand_leaves_that_one_uncertain_and_sends_the_rest(db, server):
    inbox = DroppingInbox(keep=3, in_hand=True)
    controller = server(inbox)
    ids = [queue(subject=f"Message {n}") for n in range(8)]

    assert deliver_due() == {"sent": 7, "retry": 0, "failed": 0, "bounced": 0, "uncertain": 1}
    assert_each_received_at_most_once(inbox)
    assert sorted(inbox.subjects()) == [f"Message {n}" for n in range(8)]
    assert controller.connections == 2
    in_hand = _db.session.get(OutboxMessage, ids[2])
    assert in_hand.status is OutboxStatus.SENDING and "delivery uncertain" in in_hand.last_error
    assert statuses() == Counter({OutboxStatus.SENT: 7, OutboxStatus.SENDING: 1})
    # Not sent again by a later run: a person settles it from the outbox page.
    assert deliver_due()["sent"] == 0 and len(inbox.messages) == 8


def test_two_deliveries_at_once_send_each_message_once(db, server, app):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("concurrent claims rely on PostgreSQL's row locks (SKIP LOCKED); SQLite has one writer")
    inbox = MeetingInbox(delay=0.005)
    controller = server(inbox)
    subjects = [f"Message {n:02d}" for n in range(40)]
    for subject in subjects:
        queue(to=f"{subject.replace(' ', '-').lower()}@example.org", subject=subject)

    results, errors = [], []

    def worker():
        try:
            with app.app_context():
                results.append(deliver_due())
                _db.session.remove()
        except Exception as exc:  # reported below, with the thread's own traceback lost otherwise
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and len(results) == 2
    assert_each_received_at_most_once(inbox)
    assert sorted(inbox.subjects()) == subjects
    assert statuses() == Counter({OutboxStatus.SENT: 40})
    sent_by = [result["sent"] for result in results]
    assert sum(sent_by) == 40 and min(sent_by) > 0, sent_by
    assert controller.connections == 2  # one kept by each worker
