"""Sending follow-up email (issue 15): delivery from the outbox, and "Send now" of a large campaign.

    python -m bench.mail [--messages 1000] [--cards 5000] [--other-cards 10000] [--only deliver|send-now]

On a fresh database (BENCH_DATABASE_URL, else a throwaway SQLite file; see bench/README.md):

- deliver: queues --messages emails (text and HTML) and times ``deliver_due`` handing them to a local
  aiosmtpd server that accepts everything: messages/s, SQL statements, and the SMTP connections the
  server saw;
- send-now: one project with an event of --cards action cards (two actions each) beside --other-cards at
  other events, and times ``send_campaign`` with its commit, as the "Send now" button runs it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import socket
import time

from bench import bench_app, counting_statements
from bench.generate import bulk


class CountingInbox:
    """Accepts every message; counts messages and the SMTP sessions (connections) they came in."""

    def __init__(self):
        self.messages = 0
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        return "250 OK"


def _start_smtp(handler):
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def deliver(app, count: int) -> None:
    from impact.extensions import db
    from impact.mail.outbox import deliver_due, queue_email

    inbox = CountingInbox()
    controller, port = _start_smtp(inbox)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        with app.app_context():
            for n in range(count):
                queue_email(kind="bench", to=f"person{n}@example.org", subject=f"Message {n}",
                            body="Hello,\n\nHow did your actions go?\n" * 5,
                            html="<p>Hello,</p><p>How did it go?</p>" * 5)
            db.session.commit()
            with counting_statements(db.engine) as statements:
                start = time.perf_counter()
                counts = deliver_due()
                elapsed = time.perf_counter() - start
            db.session.remove()
    finally:
        controller.stop()
    assert counts["sent"] == count == inbox.messages, (counts, inbox.messages)
    print(f"deliver_due of {count} messages: {elapsed:.2f} s, {count / elapsed:.0f} messages/s, "
          f"{len(statements)} SQL statements, {inbox.connections} SMTP connection(s)")


def send_now(app, cards: int, other_cards: int) -> None:
    from impact.auth.services import create_user
    from impact.cards.models import Action, ActionCard, CardSource
    from impact.events.models import Event
    from impact.extensions import db
    from impact.followups.models import Campaign
    from impact.followups.services import send_campaign
    from impact.model_types import utcnow
    from impact.projects.services import create_project

    with app.test_request_context():
        lead = create_user(email="lead@example.org", name="Lead", password="a long enough password")
        project = create_project(creator=lead, title="Send now", question="Did it help?")
        events = [Event(project_id=project.id, title=f"Event {n}", event_date=dt.date(2024, 5, 1 + n))
                  for n in range(3)]
        db.session.add_all(events)
        db.session.flush()
        per_event = [cards, other_cards // 2, other_cards - other_cards // 2]
        rows = [{"project_id": project.id, "event_id": event.id, "email": f"person{n}.e{event.id}@example.org",
                 "name": f"Person {n}", "source": CardSource.PAPER}
                for event, size in zip(events, per_event, strict=True) for n in range(size)]
        card_ids = bulk(ActionCard, rows)
        bulk(Action, [{"project_id": project.id, "card_id": cid, "position": p, "text": f"Action {p} of {cid}"}
                      for cid in card_ids for p in (1, 2)])
        now = utcnow()
        campaign = Campaign(project_id=project.id, event_id=events[0].id, subject="How did it go?",
                            message="Tell us about {event}.", send_at=now, closes_at=now + dt.timedelta(days=30))
        db.session.add(campaign)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
        campaign = db.session.get(Campaign, campaign.id)
        with counting_statements(db.engine) as statements:
            start = time.perf_counter()
            queued = send_campaign(campaign)
            db.session.commit()
            elapsed = time.perf_counter() - start
        db.session.remove()
    assert queued == cards, queued
    print(f"Send now of {cards} cards ({cards + other_cards} in the project): {elapsed:.2f} s, "
          f"{len(statements)} SQL statements")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--cards", type=int, default=5000)
    parser.add_argument("--other-cards", type=int, default=10000)
    parser.add_argument("--only", choices=["deliver", "send-now"])
    args = parser.parse_args()
    if args.only in (None, "deliver"):
        with bench_app() as (app, backend):
            print(f"[{backend}]", end=" ")
            deliver(app, args.messages)
    if args.only in (None, "send-now"):
        with bench_app() as (app, backend):
            print(f"[{backend}]", end=" ")
            send_now(app, args.cards, args.other_cards)


if __name__ == "__main__":
    main()
