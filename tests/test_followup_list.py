"""The project's follow-ups in one list across its events (the "Follow-ups" tab under Collect)."""
from __future__ import annotations

import re

from sqlalchemy import update

from impact.extensions import db as _db
from impact.mail.models import OutboxMessage, OutboxStatus
from tests.test_followups import _answer, _create_event, _enter_cards, _url
from tests.test_followups_campaigns import personal_link, plan_campaign, send_now


def _row(page: str, subject: str) -> list[str]:
    row = re.search(rf"<tr>\s*<td><a [^>]*>{re.escape(subject)}</a></td>(.*?)</tr>", page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_every_follow_up_of_the_project_with_what_was_sent_answered_and_failed(client, project, login_as):
    login_as("lead", project)
    first, second = _create_event(client, project), _create_event(client, project)
    _enter_cards(client, project, first)
    sent = plan_campaign(client, project, first, subject="How did the seminar actions go?")
    send_now(client, project, first, sent)
    plan_campaign(client, project, second, subject="Planned for the second seminar")
    _answer(client, personal_link("ann@council-a.gov.uk", sent), ["done", "some"])
    _db.session.execute(update(OutboxMessage).where(OutboxMessage.to_address == "cat@council-c.gov.uk")
                        .values(status=OutboxStatus.FAILED))
    _db.session.commit()

    response = client.get(f"/projects/{project.id}/followups/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # event, send time, status, sent, answered (rate), failed sends, bounced
    event, _, status, sent_count, answered, failed, bounced = _row(page, "How did the seminar actions go?")
    assert (status, failed, bounced) == ("Sent", "1", "0")
    assert answered == f"1 ({round(100 / int(sent_count))}%)" and int(sent_count) >= 3
    assert _row(page, "Planned for the second seminar")[2:] == ["Scheduled", "0", "0", "0", "0"]
    assert f'href="{_url(project, first)}"' in page  # each row links to its event
    nav = page[page.index('<nav class="project-nav"'):page.index("</nav>", page.index('<nav class="project-nav"'))]
    assert 'aria-current="page">Follow-ups</a>' in nav


def test_the_list_runs_the_same_queries_however_many_follow_ups(client, project, login_as, query_counter):
    login_as("lead", project)
    counts = []
    for campaigns in (1, 6):
        event_id = _create_event(client, project)
        for n in range(campaigns):
            plan_campaign(client, project, event_id, subject=f"Follow-up {campaigns}-{n}")
        with query_counter() as statements:
            assert client.get(f"/projects/{project.id}/followups/").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_with_no_follow_up_yet_the_list_says_where_to_plan_one(client, project, login_as):
    login_as("lead", project)
    page = client.get(f"/projects/{project.id}/followups/").get_data(as_text=True)
    assert "No follow-up planned yet" in page and f'href="/projects/{project.id}/events/"' in page
