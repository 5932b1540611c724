"""Suggested pseudonyms: one person keeps one name across the project's campaigns, and no two people share one."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from impact.evidence.models import EvidenceItem, EvidenceKind
from impact.extensions import db as _db
from impact.followups.models import Response
from impact.publishing.services import publish
from tests import factories
from tests.test_followups import _answer, _create_event, _enter_cards, _url
from tests.test_followups_campaigns import personal_link, plan_campaign, send_now


def offered(client, link: str) -> str:
    """The pseudonym the respondent's form says their words would be quoted under."""
    page = client.get(link).get_data(as_text=True)
    return re.search(r"may quote your words in reports as <strong>“([^”]+)”</strong>", page).group(1)


def add_meeting_quote(client, project, pseudonym: str, quote: str, step_id=None):
    response = client.post(f"/projects/{project.id}/evidence/new", data={
        "kind": "meeting_record", "title": "Impact meeting", "evidence_date": "2011-09-01",
        "partner_group": "practitioner", "quote": quote, "pseudonym": pseudonym, "consent_to_quote": "y",
        **({"link_step_ids": [step_id], "link_stance": "supports"} if step_id else {})})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_second_campaign_offers_each_person_their_own_earlier_name_and_new_people_an_unused_one(
        app, client, project, login_as):
    login_as("lead", project)
    event_id = _create_event(client, project)
    _enter_cards(client, project, event_id)
    # Tag every action to a step, so the answers reach the funder's story.
    page = client.get(_url(project, event_id, "cards/tags")).get_data(as_text=True)
    step_id = re.search(r'<option value="(\d+)"', page[page.index('name="step_id"'):]).group(1)
    client.post(_url(project, event_id, "cards/tags"), data={
        "action_ids": re.findall(r'name="action_ids" value="(\d+)"', page), "step_id": step_id, "add": "y"})
    respondent = app.test_client()

    first = plan_campaign(client, project, event_id, "Six months on")
    send_now(client, project, event_id, first)
    # Ann answers first and is quoted as "Practitioner 1"; then the team records a meeting quote as "Practitioner 2".
    assert offered(respondent, personal_link("ann@council-a.gov.uk", first)) == "Practitioner 1"
    _answer(respondent, personal_link("ann@council-a.gov.uk", first), ["some", "some"], consent=True,
            helped="My manager gave me time in team meetings")
    add_meeting_quote(client, project, "Practitioner 2", "We now write reports with the family in the room",
                      step_id)

    second = plan_campaign(client, project, event_id, "A year on")
    send_now(client, project, event_id, second)
    # The review's case: in the second campaign Ann is offered her own name again, not a new one...
    assert offered(respondent, personal_link("ann@council-a.gov.uk", second)) == "Practitioner 1"
    # ...and Eve, never quoted, is not offered a name the project's evidence already uses.
    assert offered(respondent, personal_link("eve@council-a.gov.uk", second)) == "Practitioner 3"
    assert offered(respondent, personal_link("cat@council-c.gov.uk", second)) == "Manager 1"

    _answer(respondent, personal_link("eve@council-a.gov.uk", second), ["done"], consent=True,
            helped="Motivational interviewing with two families")
    # Bob, who answered the first campaign without agreeing to be quoted, comes after Eve.
    assert offered(respondent, personal_link("bob@council-b.gov.uk", second)) == "Practitioner 4"
    _answer(respondent, personal_link("ann@council-a.gov.uk", second), ["done", "done"], consent=True,
            helped="The checklist is now part of supervision")

    _db.session.expire_all()
    names = dict(_db.session.execute(select(Response.helped, Response.pseudonym)).all())
    assert names == {"My manager gave me time in team meetings": "Practitioner 1",
                     "Motivational interviewing with two families": "Practitioner 3",
                     "The checklist is now part of supervision": "Practitioner 1"}

    # The funder reads each person under one name, and no name for two people.
    funder = app.test_client()
    with app.app_context():
        email = factories.user_with_role("funder", project).email
    funder.post("/login", data={"email": email, "password": factories.PASSWORD})
    with app.app_context():
        publish(_db.session.merge(project), "Interim report", None)
    story = funder.get(f"/projects/{project.id}/reports/1?evidence=all").get_data(as_text=True)
    quotes = dict(re.findall(
        r"<blockquote class=\"evidence-quote\">“([^”]+)” <span class=\"meta\">— ([^<]+)</span>", story))
    assert quotes["My manager gave me time in team meetings"] == "Practitioner 1"
    assert quotes["The checklist is now part of supervision"] == "Practitioner 1"
    assert quotes["Motivational interviewing with two families"] == "Practitioner 3"
    assert quotes["We now write reports with the family in the room"] == "Practitioner 2"


def test_the_same_person_at_another_event_of_the_project_keeps_their_name(app, client, project, login_as):
    login_as("lead", project)
    first_event = _create_event(client, project)
    _enter_cards(client, project, first_event)
    campaign = plan_campaign(client, project, first_event)
    send_now(client, project, first_event, campaign)
    respondent = app.test_client()
    for email in ("ann@council-a.gov.uk", "bob@council-b.gov.uk"):
        _answer(respondent, personal_link(email, campaign), ["some", "some"], consent=True, helped=f"{email} said")

    second_event = _create_event(client, project)
    response = client.post(_url(project, second_event, "cards/new"), data={
        "email": "bob@council-b.gov.uk", "name": "Bob", "partner_group": "practitioner", "action_1": "Run a session",
        "save_and_add": "y"})
    assert response.status_code == 302
    later = plan_campaign(client, project, second_event, "After the second seminar")
    send_now(client, project, second_event, later)
    assert offered(respondent, personal_link("bob@council-b.gov.uk", later)) == "Practitioner 2"


def test_a_trashed_quote_keeps_its_name_taken_and_other_projects_do_not_count(app, client, project, login_as):
    login_as("lead", project)
    add_meeting_quote(client, project, "practitioner 1", "Lower case still names someone")
    add_meeting_quote(client, project, "Practitioner 2", "This one goes to the trash")
    item_id = _db.session.scalar(select(EvidenceItem.id).where(EvidenceItem.pseudonym == "Practitioner 2"))
    assert client.post(f"/projects/{project.id}/evidence/{item_id}/delete").status_code == 302
    other = factories.chain_project()
    _db.session.add(EvidenceItem(project_id=other.id, kind=EvidenceKind.MEETING_RECORD,
                                 title="Elsewhere", evidence_date=dt.date(2011, 1, 1),
                                 quote="Not here", pseudonym="Practitioner 3", consent_to_quote=True))
    _db.session.commit()

    event_id = _create_event(client, project)
    _enter_cards(client, project, event_id)
    campaign = plan_campaign(client, project, event_id)
    send_now(client, project, event_id, campaign)
    assert offered(app.test_client(), personal_link("ann@council-a.gov.uk", campaign)) == "Practitioner 3"
