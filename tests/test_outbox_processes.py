"""``flask jobs run`` as real worker processes on PostgreSQL: two at once, stopped with
SIGTERM, killed with SIGKILL. Every message must reach the SMTP server at most once.

PostgreSQL only: concurrent workers rely on its row locks (SELECT ... FOR UPDATE SKIP
LOCKED); SQLite allows one writer at a time, so there is nothing to race there.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from impact.extensions import db as _db
from impact.mail.models import OutboxMessage, OutboxStatus
from impact.mail.outbox import queue_email
from impact.model_types import utcnow
from tests.test_outbox import ScriptedInbox, start_smtp

pytestmark = pytest.mark.smtp

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def pg(app, db):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("worker processes racing need PostgreSQL row locks (SKIP LOCKED); SQLite has a single writer")
    return app


@pytest.fixture
def smtp_server():
    """start(handler): an aiosmtpd server for the workers; returns its port."""
    controllers = []

    def _start(handler: ScriptedInbox) -> int:
        controller, port = start_smtp(handler)
        controllers.append(controller)
        return port

    yield _start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def workers(pg):
    """start(port, *args): a ``flask jobs run`` process on the test database. All are gone
    before the database is emptied."""
    started: list[subprocess.Popen] = []

    def _start(port: int, *args: str) -> subprocess.Popen:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("MAIL_", "FLASK_"))}
        env.update(IMPACT_ENV="production", SECRET_KEY="worker-test-key-" + "k" * 32, RATELIMIT_STORAGE_URI="memory://",
                   BASE_URL="https://impact.example.org",
                   DATABASE_URL=pg.config["SQLALCHEMY_DATABASE_URI"],
                   MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port), PYTHONUNBUFFERED="1")
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run", *args],
                                   cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started.append(process)
        return process

    yield _start
    for process in started:
        if process.poll() is None:
            process.kill()
        if not process.stdout.closed:
            process.communicate()


def queue_messages(count: int) -> list[str]:
    subjects = [f"Message {n:03d}" for n in range(count)]
    for subject in subjects:
        queue_email(kind="test", to=f"{subject.replace(' ', '-').lower()}@example.org", subject=subject, body="Hi.")
    _db.session.commit()  # the workers only see committed rows
    return subjects


def finish(process: subprocess.Popen, timeout: float = 60) -> str:
    # A guard against a hung worker, not a speed test: on a busy 2-core machine, starting the
    # interpreter and the app alone has taken over 10 s.
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    return output


def wait_until(condition, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"worker exited early:\n{process.communicate()[0]}")
        assert time.monotonic() < deadline, "timed out waiting for the worker"
        time.sleep(0.02)


def statuses() -> Counter:
    _db.session.expire_all()
    rows = _db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    _db.session.commit()
    return Counter({status: count for status, count in rows})


def assert_each_received_at_most_once(inbox: ScriptedInbox) -> Counter:
    received = Counter(str(message["Message-ID"]) for message in inbox.messages)
    assert [mid for mid, times in received.items() if times > 1] == []
    assert not [subject for subject, times in Counter(inbox.subjects()).items() if times > 1]
    return received


class MeetingInbox(ScriptedInbox):
    """Holds the first message until a second one is being delivered at the same time, so
    the two workers are known to overlap rather than one finishing before the other starts."""

    def __init__(self, **options):
        super().__init__(**options)
        self.in_data = 0
        self.met = None

    async def handle_DATA(self, server, session, envelope):
        self.met = self.met or asyncio.Event()
        self.in_data += 1
        if self.in_data >= 2:
            self.met.set()
        try:
            await asyncio.wait_for(self.met.wait(), timeout=10)
        finally:
            self.in_data -= 1
        return await super().handle_DATA(server, session, envelope)


def test_two_workers_at_once_send_each_message_exactly_once(workers, smtp_server):
    inbox = MeetingInbox(delay=0.01)
    port = smtp_server(inbox)
    subjects = queue_messages(60)

    started = time.monotonic()
    first, second = workers(port), workers(port)
    outputs = [finish(first), finish(second)]
    elapsed = time.monotonic() - started

    assert_each_received_at_most_once(inbox)
    assert sorted(inbox.subjects()) == subjects
    assert statuses() == Counter({OutboxStatus.SENT: 60})
    sent_by = [int(output.split("outbox: sent: ")[1].split(",")[0]) for output in outputs]
    assert sum(sent_by) == 60 and min(sent_by) > 0, outputs
    print(f"two workers: {sent_by} messages each, 60 received once each, {elapsed:.1f} s")


def test_sigterm_mid_run_finishes_the_message_in_hand_and_a_restart_sends_the_rest(workers, smtp_server):
    inbox = ScriptedInbox(delay=0.2)
    port = smtp_server(inbox)
    subjects = queue_messages(20)

    worker = workers(port, "--loop", "--interval", "1")
    # The third message has reached the server and awaits its reply: the worker has it in hand.
    wait_until(lambda: len(inbox.messages) >= 3, worker)
    worker.send_signal(signal.SIGTERM)
    output = finish(worker, timeout=20)
    assert "Stopped on SIGTERM" in output

    after_stop = statuses()
    assert after_stop[OutboxStatus.SENDING] == 0  # nothing left half-done
    assert after_stop[OutboxStatus.SENT] == len(inbox.messages) >= 3
    assert after_stop[OutboxStatus.PENDING] > 0  # it really was stopped mid-run

    finish(workers(port))
    assert_each_received_at_most_once(inbox)
    assert sorted(inbox.subjects()) == subjects
    assert statuses() == Counter({OutboxStatus.SENT: 20})
    print(f"SIGTERM after {after_stop[OutboxStatus.SENT]} of 20; restart sent the rest; no duplicates")


def test_sigkill_mid_run_never_duplicates_and_leaves_at_most_one_uncertain(workers, smtp_server, client, login_as):
    inbox = ScriptedInbox(delay=0.2)
    port = smtp_server(inbox)
    subjects = queue_messages(20)

    worker = workers(port, "--loop", "--interval", "1")
    wait_until(lambda: len(inbox.messages) >= 3, worker)
    worker.kill()
    worker.communicate()

    finish(workers(port))
    assert_each_received_at_most_once(inbox)
    counts = statuses()
    assert counts[OutboxStatus.PENDING] == 0
    assert counts[OutboxStatus.SENDING] <= 1
    assert counts[OutboxStatus.SENT] + counts[OutboxStatus.SENDING] == 20
    sent = set(_db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.status == OutboxStatus.SENT)))
    assert sent <= set(inbox.subjects()) and set(inbox.subjects()) <= set(subjects)

    stuck = _db.session.scalar(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENDING))
    if stuck is not None:
        # Ten minutes on, the outbox page tells the team to check before resending.
        _db.session.execute(update(OutboxMessage).where(OutboxMessage.id == stuck.id)
                            .values(next_attempt_at=utcnow().replace(year=2000)))
        _db.session.commit()
        login_as("admin")
        page = client.get("/admin/outbox/").get_data(as_text=True)
        assert "Delivery uncertain" in page and "check with the recipient before resending" in page
    print(f"SIGKILL: {counts[OutboxStatus.SENT]} sent, {counts[OutboxStatus.SENDING]} uncertain "
          f"({'received' if stuck is not None and stuck.subject in inbox.subjects() else 'n/a'}), no duplicates")
