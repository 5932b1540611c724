"""Reminders to practitioner research leads, sent by ``flask jobs run`` as cron runs it, through a real SMTP
server; the link in them signs the lead in once."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from impact.extensions import db as _db
from tests import test_cli_processes
from tests.test_cli_processes import PASSWORD, describe, succeeded
from tests.test_outbox import ScriptedInbox, start_smtp

RHYTHM_WEEKS = 6
# The installations cron runs in (a migrated database, its environment), as for the other commands.
migrated, site = test_cli_processes.migrated, test_cli_processes.site


def _reminder_state(site) -> None:
    """An active PRP with a six-week rhythm, started ten weeks ago, and three leads: Ann never updated,
    Bob updated seven weeks ago (due an hour ago, as cron finds it), Cat updated last week (not due).
    A second PRP, completed, with the same rhythm: it reminds nobody."""
    from impact.auth.services import create_user
    from impact.model_types import utcnow
    from impact.projects.models import Membership, PartnerGroup, Role
    from impact.projects.services import create_project
    from impact.research.models import ResearchProject, ResearchStatus, ResearchUpdate, UpdateStatus

    now = utcnow()
    with site.app.test_request_context():
        lead = create_user("lead@uni.example.org", "Lead", PASSWORD)
        project = create_project(creator=lead, title="Involuntary clients", question="Did practice change?")
        people = {name: create_user(f"{name.lower()}@council-a.gov.uk", name, PASSWORD)
                  for name in ("Ann", "Bob", "Cat")}
        for person in people.values():
            _db.session.add(Membership(project_id=project.id, user_id=person.id, role=Role.PRACTITIONER_RESEARCHER,
                                       partner_group=PartnerGroup.PRACTITIONER))
        active = ResearchProject(project_id=project.id, title="Carers first", status=ResearchStatus.ACTIVE,
                                 started_on=(now - dt.timedelta(weeks=10)).date(), reminder_weeks=RHYTHM_WEEKS)
        active.leads = list(people.values())
        done = ResearchProject(project_id=project.id, title="Finished study", status=ResearchStatus.COMPLETED,
                               started_on=(now - dt.timedelta(weeks=40)).date(), reminder_weeks=RHYTHM_WEEKS)
        done.leads = list(people.values())
        _db.session.add_all([active, done])
        _db.session.flush()
        for name, ago in (("Bob", dt.timedelta(weeks=RHYTHM_WEEKS, hours=1)), ("Cat", dt.timedelta(weeks=1))):
            _db.session.add(ResearchUpdate(research_project_id=active.id, author_id=people[name].id,
                                           status=UpdateStatus.SUBMITTED, update_date=(now - ago).date(),
                                           submitted_at=now - ago, partner_group=PartnerGroup.PRACTITIONER,
                                           what_did="Notes"))
        _db.session.commit()
        _db.session.remove()


def _sign_in_link(site, message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    (link,) = re.findall(r"https?://\S+/research/sign-in/\S+", body)
    assert link.startswith(site.base_url), link
    return link[len(site.base_url):]


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
    assert match, page
    return match.group(1)


@pytest.mark.smtp
def test_jobs_run_reminds_the_leads_who_are_due_once_and_the_link_signs_in_once(site):
    from impact.research.models import ResearchReminder

    _reminder_state(site)
    inbox = ScriptedInbox()
    controller, port = start_smtp(inbox)
    try:
        mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port)}
        first = succeeded(site.flask("jobs", "run", **mail))
        assert "reminders queued: 2" in first.stdout, describe(first)
        assert sorted(str(message["To"]) for message in inbox.messages) == [
            "ann@council-a.gov.uk", "bob@council-a.gov.uk"], describe(first)
        assert {str(message["Subject"]) for message in inbox.messages} == {"A quick update on Carers first?"}
        second = succeeded(site.flask("jobs", "run", **mail))
        assert len(inbox.messages) == 2, describe(second)  # reminded: not again until the next rhythm
    finally:
        controller.stop()

    ann = next(message for message in inbox.messages if str(message["To"]) == "ann@council-a.gov.uk")
    link = _sign_in_link(site, ann)
    scanner = site.app.test_client()
    assert scanner.get(link).status_code == 200  # following the link (a mail scanner) uses nothing
    browser = site.app.test_client()
    page = browser.get(link).get_data(as_text=True)
    assert "Send an update on Carers first" in page
    signed_in = browser.post(link, data={"csrf_token": _hidden(page, "csrf_token")} if "csrf_token" in page else {})
    assert signed_in.status_code == 302 and "/updates/new" in signed_in.headers["Location"]
    form = browser.get(signed_in.headers["Location"])
    assert form.status_code == 200 and "What did you do?" in form.get_data(as_text=True)

    again = site.app.test_client()
    used = again.post(link, data={})
    assert used.status_code == 400 and "used already" in used.get_data(as_text=True)
    assert site.count(ResearchReminder, ResearchReminder.used_at.is_not(None)) == 1

    # Six weeks on, Ann (still silent) is reminded again; Bob, who has updated since, is not.
    with site.app.app_context():
        from impact.auth.models import User
        from impact.model_types import utcnow
        from impact.research.models import ResearchUpdate, UpdateStatus

        later = dt.timedelta(weeks=RHYTHM_WEEKS, hours=1)
        for reminder in _db.session.scalars(select(ResearchReminder)):
            reminder.sent_at = reminder.sent_at - later
        bob = _db.session.scalar(select(User).where(User.email == "bob@council-a.gov.uk"))
        update_row = _db.session.scalar(select(ResearchUpdate).where(ResearchUpdate.author_id == bob.id))
        update_row.submitted_at = utcnow() - dt.timedelta(days=2)
        update_row.status = UpdateStatus.SUBMITTED
        _db.session.commit()
        _db.session.remove()
    inbox2 = ScriptedInbox()
    controller, port = start_smtp(inbox2)
    try:
        third = succeeded(site.flask("jobs", "run", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port)))
        assert [str(message["To"]) for message in inbox2.messages] == ["ann@council-a.gov.uk"], describe(third)
    finally:
        controller.stop()
