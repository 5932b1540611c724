"""A campaign's page: its own figures only, queued versus delivered, and the would-be recipients before sending.

Driven through the team's routes and the respondents' personal links, which are taken from the emails
waiting in the outbox (no SMTP server unless a test starts one), as a site administrator would.
"""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update

from impact.extensions import db as _db
from impact.followups.models import Campaign
from impact.mail.models import OutboxMessage, OutboxStatus
from impact.mail.outbox import deliver_due, mark_sent
from impact.projects.models import Project
from tests import factories
from tests.test_followups import _answer, _create_event, _enter_cards, _url


def plan_campaign(client, project, event_id, subject="How did your actions go?") -> int:
    """A campaign planned for next week (so only "Send the follow-up now" sends it); returns its id."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    response = client.post(_url(project, event_id, "followups/new"), data={
        "subject": subject, "message": "At {event} you wrote down some actions.",
        "send_at": (now + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "reminder_at": (now + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=40)).strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/followups/(\d+)", response.headers["Location"]).group(1))


def send_now(client, project, event_id, campaign_id, what="followup"):
    response = client.post(_url(project, event_id, f"followups/{campaign_id}/send"), data={"what": what})
    assert response.status_code == 302
    return response


def campaign_page(client, project, event_id, campaign_id) -> str:
    _db.session.expire_all()
    response = client.get(_url(project, event_id, f"followups/{campaign_id}"))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def personal_link(email: str, campaign_id: int) -> str:
    """The respond link in the follow-up email queued for `email` in that campaign."""
    _db.session.expire_all()
    subject = _db.session.scalar(select(Campaign.subject).where(Campaign.id == campaign_id))
    message = _db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == email, OutboxMessage.kind == "followup", OutboxMessage.subject == subject))
    return re.search(r"http://localhost(/followup/[^\s/]+)\s", factories.email_text(message)).group(1)


def figure(page: str, name: str) -> str | None:
    found = re.search(rf"<dt>{re.escape(name)}</dt><dd>([^<]*)</dd>", page)
    return found.group(1) if found else None


def event_with_cards(client, project, login_as) -> int:
    login_as("lead", project)
    event_id = _create_event(client, project)
    _enter_cards(client, project, event_id)
    return event_id


def test_a_campaign_counts_only_its_own_answers(app, client, project, login_as):
    """The review's steps: a second campaign for the same event, nobody has answered it yet."""
    event_id = event_with_cards(client, project, login_as)
    first = plan_campaign(client, project, event_id, "Six months on")
    send_now(client, project, event_id, first)
    respondent = app.test_client()
    for email, progress in (("ann@council-a.gov.uk", ["a_lot", "some"]), ("bob@council-b.gov.uk", ["none"]),
                            ("cat@council-c.gov.uk", ["done", "a_little", "some"])):
        assert _answer(respondent, personal_link(email, first), progress).status_code == 200
    second = plan_campaign(client, project, event_id, "A year on")
    send_now(client, project, event_id, second)

    page = campaign_page(client, project, event_id, second)
    assert figure(page, "Follow-ups sent") == "5"
    assert figure(page, "Responded") == "0" and figure(page, "Response rate") == "0%"
    assert "Progress reported on" not in page
    assert "(0 ÷ 5)" in page
    page = campaign_page(client, project, event_id, first)
    assert figure(page, "Responded") == "3" and figure(page, "Response rate") == "60%"
    assert "Progress reported on 6 actions" in page

    # One answer to the second campaign: counted there, and not in the first.
    assert _answer(respondent, personal_link("ann@council-a.gov.uk", second), ["done", "done"]).status_code == 200
    page = campaign_page(client, project, event_id, second)
    assert figure(page, "Responded") == "1" and "Progress reported on 2 actions" in page
    assert re.search(r"<th scope=\"row\">Practitioner</th>"
                     r"<td>3</td><td>3</td><td>3</td><td>0</td><td>1</td><td>33%</td>", page)
    page = campaign_page(client, project, event_id, first)
    assert figure(page, "Responded") == "3" and "Progress reported on 6 actions" in page

    # The event page and the report count across both campaigns: Ann once, and her actions once (latest answer).
    event_page = client.get(_url(project, event_id)).get_data(as_text=True)
    assert figure(event_page, "Responded") == "3" and figure(event_page, "Response rate") == "60%"
    assert "Progress reported on 6 actions" in event_page
    # Bob and Cat answered the first campaign but not the second: they are still to answer it.
    still = event_page[event_page.index("Still to answer"):]
    assert "Bob &lt;bob@council-b.gov.uk&gt;" in still and "cat@council-c.gov.uk" in still
    assert "ann@council-a.gov.uk" not in still
    report = client.get(f"/projects/{project.id}/report.json").get_json()["action_cards"]
    assert (report["cards"], report["followups_sent"], report["respondents"]) == (5, 5, 3)
    assert report["progress"] == {"none": 1, "a_little": 1, "some": 1, "a_lot": 0, "done": 3}


def test_before_sending_the_page_shows_the_events_cards(client, project, login_as):
    event_id = event_with_cards(client, project, login_as)
    campaign_id = plan_campaign(client, project, event_id)
    page = campaign_page(client, project, event_id, campaign_id)
    assert figure(page, "Cards") == "5" and figure(page, "Actions") == "8"
    assert "Not sent yet" in page and "will get this follow-up when it is sent" in page
    assert figure(page, "Follow-ups sent") == "0" and figure(page, "Response rate") == "—"
    assert "Nobody yet: the list fills when the follow-up is sent." in page
    assert "<caption>By partner group</caption>" in page and "<th scope=\"row\">Manager</th><td>1</td>" in page


def test_queued_follow_ups_are_shown_as_queued_until_the_outbox_delivers_them(app, client, project, login_as,
                                                                               smtp_server):
    event_id = event_with_cards(client, project, login_as)
    campaign_id = plan_campaign(client, project, event_id)
    app.config["MAIL_SERVER"] = None  # as on a site with no SMTP server set up yet
    send_now(client, project, event_id, campaign_id)
    assert deliver_due()["sent"] == 0

    page = campaign_page(client, project, event_id, campaign_id)
    assert figure(page, "Follow-ups sent") == "5" and figure(page, "Waiting in the outbox") == "5"
    assert "5 follow-ups are still waiting in the outbox: queued, not delivered yet" in page
    rows = page[page.index("<h2>Recipients</h2>"):]
    assert len(re.findall(r"Queued \d+ \w+ <span class=\"meta\">waiting in the outbox", rows)) == 5
    assert not re.search(r"\bSent \d", rows)
    assert "A follow-up counts as sent once it is queued in the outbox." in page
    # The event page says so too (and is kept as it stands: asked twice).
    for _ in range(2):
        assert figure(client.get(_url(project, event_id)).get_data(as_text=True), "Waiting in the outbox") == "5"

    app.config["MAIL_SERVER"] = "127.0.0.1"  # the SMTP server is set up, the mail job runs
    assert deliver_due()["sent"] == 5 and len(smtp_server.messages) == 5
    page = campaign_page(client, project, event_id, campaign_id)
    assert figure(page, "Waiting in the outbox") is None and "still waiting in the outbox" not in page
    rows = page[page.index("<h2>Recipients</h2>"):]
    assert len(re.findall(r"\bSent \d", rows)) == 5 and "Queued" not in rows
    # Delivery moved the project's stamp, so the kept event page is made again.
    assert figure(client.get(_url(project, event_id)).get_data(as_text=True), "Waiting in the outbox") is None

    # A reminder waits in the outbox too until delivered; one address the outbox gave up on is shown.
    app.config["MAIL_SERVER"] = None
    send_now(client, project, event_id, campaign_id, what="reminder")
    _db.session.execute(update(OutboxMessage).where(OutboxMessage.to_address == "dan@uni.ac.uk",
                                                    OutboxMessage.kind == "reminder")
                        .values(status=OutboxStatus.FAILED))
    _db.session.commit()
    page = campaign_page(client, project, event_id, campaign_id)
    rows = page[page.index("<h2>Recipients</h2>"):]
    assert rows.count("reminder queued") == 4 and rows.count("reminder not delivered") == 1
    assert figure(page, "Waiting in the outbox") is None  # the follow-ups themselves were delivered


def test_campaign_page_query_count_stays_constant_with_two_campaigns_and_queued_mail(client, project, login_as,
                                                                                     query_counter):
    login_as("lead", project)
    counts = []
    for size in (2, 30):
        event_id = _create_event(client, project)
        for n in range(size):
            response = client.post(_url(project, event_id, "cards/new"), data={
                "email": f"person{n}@council.gov.uk", "partner_group": ["practitioner", "manager"][n % 2],
                "action_1": "Try it", "action_2": "Share it", "save_and_add": "y"})
            assert response.status_code == 302
        first = plan_campaign(client, project, event_id, "First")
        send_now(client, project, event_id, first)
        respondent = client.application.test_client()
        for n in range(0, size, 2):
            _answer(respondent, personal_link(f"person{n}@council.gov.uk", first), ["some", "done"])
        second = plan_campaign(client, project, event_id, "Second")
        send_now(client, project, event_id, second)
        _db.session.expire_all()
        with query_counter() as queries:
            page = client.get(_url(project, event_id, f"followups/{second}")).get_data(as_text=True)
        assert figure(page, "Waiting in the outbox") == str(size) and figure(page, "Responded") == "0"
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 20, counts


def test_send_now_runs_as_many_statements_for_twenty_cards_as_for_two(client, project, login_as, query_counter, app):
    # "Send now" for 5,000 cards ran four statements a card (a flush each for the follow-up and its email,
    # the project's stamp, the card's project looked up): 29 s on SQLite, beside gunicorn's 30 s limit.
    login_as("lead", project)
    counts = []
    for size in (2, 20):
        event_id = _create_event(client, project)
        for n in range(size):
            response = client.post(_url(project, event_id, "cards/new"), data={
                "email": f"person{n}.{size}@council.gov.uk", "partner_group": "practitioner",
                "action_1": f"Try it ({n})", "action_2": "Share it", "save_and_add": "y"})
            assert response.status_code == 302
        campaign_id = plan_campaign(client, project, event_id)
        sent = []
        for what in ("followup", "reminder"):
            with query_counter() as statements:
                send_now(client, project, event_id, campaign_id, what)
            sent.append(statements)
        # Each person's email carries their own actions.
        emails = _db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address.like(f"%.{size}@%"))).all()
        assert len(emails) == 2 * size
        for email in emails:
            n = int(email.to_address.split(".")[0].removeprefix("person"))
            assert f"Try it ({n})" in email.body_text and "Share it" in email.body_text
        # SQLite gets one INSERT a row (the ORM batches rows only where it can tell their ids apart:
        # PostgreSQL); every other statement is the same for two cards or twenty.
        others = [[s for s in statements if not s.lstrip().upper().startswith("INSERT")] for statements in sent]
        counts.append([len(statements) for statements in others]
                      + ([len(statements) for statements in sent] if app.config["BACKEND"] == "postgresql" else []))
    assert counts[0] == counts[1], counts


def test_settling_an_uncertain_delivery_by_hand_changes_the_project(app, client, project, login_as):
    event_id = event_with_cards(client, project, login_as)
    campaign_id = plan_campaign(client, project, event_id)
    app.config["MAIL_SERVER"] = None
    send_now(client, project, event_id, campaign_id)
    message_id = _db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.about_kind == "followup")).first()
    # A worker was killed with this one in hand an hour ago.
    _db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
        status=OutboxStatus.SENDING, next_attempt_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)))
    _db.session.commit()
    before = _db.session.scalar(select(Project.change_stamp).where(Project.id == project.id))
    assert mark_sent(message_id)
    _db.session.commit()
    assert _db.session.scalar(select(Project.change_stamp).where(Project.id == project.id)) > before
