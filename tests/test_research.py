"""Practitioner research projects (PRPs) and the practitioners' two-minute updates, which become evidence."""
from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from sqlalchemy import select

from impact.evidence.files import sweep_unused_files, upload_folder
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance, Strength
from impact.extensions import db as _db
from impact.projects.models import Membership, PartnerGroup
from impact.research.models import ResearchOutput, ResearchProject, ResearchUpdate, UpdateStatus
from impact.toc.services import load_chain
from tests import factories

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _steps(project) -> dict[str, int]:
    return {step.title: step.id for step in load_chain(project.id).steps}


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]*)"', page)
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


def _prp(project, *, steps: list[str], title="Carers' voices in assessments", lead=None) -> ResearchProject:
    ids = _steps(project)
    prp = ResearchProject(project_id=project.id, title=title, local_authority="Council A")
    prp.steps = [step for step in load_chain(project.id).steps if step.id in {ids[name] for name in steps}]
    if lead is not None:
        prp.leads = [lead]
    _db.session.add(prp)
    _db.session.commit()
    return prp


def _practitioner(client, project, *, group=PartnerGroup.PRACTITIONER, name="Pat Practitioner"):
    """A practitioner-researcher of the project, logged in on ``client``."""
    user = factories.user(name)
    _db.session.add(Membership(project_id=project.id, user_id=user.id, role="practitioner_researcher",
                               partner_group=group))
    _db.session.commit()
    assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302
    return user


def _url(project, prp, tail: str = "") -> str:
    return f"/projects/{project.id}/research/{prp.id}{tail}"


def test_the_team_adds_a_research_project_with_its_steps_leads_and_mentor(client, project, login_as):
    lead = login_as("lead", project)
    steps = _steps(project)
    page = client.get(f"/projects/{project.id}/research/new").get_data(as_text=True)
    assert 'type="checkbox"' in page and "Hold Ctrl" not in page and "multiple" not in page
    response = client.post(f"/projects/{project.id}/research/new", data={
        "title": "Carers' voices in assessments", "local_authority": "Council A", "status": "active",
        "started_on": "2012-01-09", "lead_ids": [str(lead.id)], "mentor_id": str(lead.id),
        "step_ids": [str(steps["Reports written for the client"])], "aims": "Bring carers into the assessment.",
        "reminder_weeks": "6"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Practitioner research project “Carers&#39; voices in assessments” added" \
        in text
    assert "Reports written for the client" in text and "Council A" in text and "Active, from 9 Jan 2012" in text
    listing = client.get(f"/projects/{project.id}/research/").get_data(as_text=True)
    assert "Carers&#39; voices in assessments" in listing and "Practitioner research</a>" in listing

    bad = client.post(f"/projects/{project.id}/research/new", data={
        "title": "", "status": "active", "started_on": "2012-05-01", "ended_on": "2012-01-01", "reminder_weeks": "0"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'id="ended_on-error"' in text and "cannot be before the start" in text
    assert 'id="reminder_weeks-error"' in text and 'id="title-error"' in text


def test_a_practitioner_sends_an_update_with_a_quote_and_a_photo_and_the_team_sees_it_as_evidence(
        app, client, project):
    prp = _prp(project, steps=["Reports written for the client"])
    author = _practitioner(client, project)
    form = client.get(_url(project, prp, "/updates/new")).get_data(as_text=True)
    # Filled in already: today's date and the PRP's step; the voice comes from the membership.
    assert f'value="{dt.datetime.now(dt.UTC).date().isoformat()}"' in form
    assert re.search(rf'value="{_steps(project)["Reports written for the client"]}"[^>]*checked|checked[^>]*value="'
                     rf'{_steps(project)["Reports written for the client"]}"', form)
    assert "evidence from practitioners" in form
    response = client.post(_url(project, prp, "/updates/new"), data={
        "what_did": "Ran the carers' session with my team.", "what_changed": "Carers now speak first.",
        "changed_team": "y", "quote": "For the first time they listened to me.", "consent_to_quote": "y",
        "pseudonym": "Carer, Council A", "submit": "Submit update",
        "update_date": _hidden(form, "update_date") if 'name="update_date" type="hidden"' in form
        else dt.datetime.now(dt.UTC).date().isoformat(),
        "step_ids": [str(_steps(project)["Reports written for the client"])],
        "file": (io.BytesIO(PNG), "session.png"),
    }, content_type="multipart/form-data", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Update submitted" in text
    assert "For the first time they listened to me." in text and "Carer, Council A" in text
    # Where it is used: each of its steps, in the contribution story (the link opens the step's level).
    practice = next(step for step in load_chain(project.id).steps if step.title == "Reports written for the client")
    assert f'/story/?level={practice.level_id}#step-{practice.id}"' in text

    update = _db.session.scalar(select(ResearchUpdate))
    assert update.status is UpdateStatus.SUBMITTED and update.author_id == author.id
    item = _db.session.get(EvidenceItem, update.evidence_item_id)
    assert item.kind is EvidenceKind.PRACTITIONER_UPDATE and item.partner_group is PartnerGroup.PRACTITIONER
    assert item.quote == "For the first time they listened to me." and item.pseudonym == "Carer, Council A"
    assert item.file_name == "session.png" and item.file_sha256
    assert "Carers now speak first." in item.summary and "their team" in item.summary
    links = _db.session.execute(select(EvidenceLink.step_id, EvidenceLink.stance, EvidenceLink.strength)
                                .where(EvidenceLink.item_id == item.id)).all()
    assert links == [(_steps(project)["Reports written for the client"], Stance.SUPPORTS, Strength.WEAK)]

    team = app.test_client()
    assert team.post("/login", data={"email": factories.user_with_role("team_member", project).email,
                                     "password": factories.PASSWORD}).status_code == 302
    step_page = team.get(f"/projects/{project.id}/chain/steps/{links[0][0]}").get_data(as_text=True)
    assert "Update (Carer, Council A): Carers&#39; voices in assessments" in step_page
    # In the library it mirrors the update: edited there, not in the library.
    mirrored = team.get(f"/projects/{project.id}/evidence/{item.id}/edit").get_data(as_text=True)
    assert "This evidence comes from a practitioner&#39;s update" in mirrored


def test_a_draft_is_its_authors_alone_until_submitted(app, client, project):
    prp = _prp(project, steps=["Seminars"])
    author = _practitioner(client, project)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    saved = client.post(_url(project, prp, "/updates/new"), data={
        "what_did": "Half-written notes", "update_date": today, "save_draft": "Save as draft"}, follow_redirects=True)
    assert "Draft saved. Only you can see it" in saved.get_data(as_text=True)
    update = _db.session.scalar(select(ResearchUpdate))
    assert update.status is UpdateStatus.DRAFT and update.evidence_item_id is None
    assert _db.session.scalar(select(EvidenceItem.id)) is None  # not in the library, so no funder sees it

    other = app.test_client()
    _practitioner(other, project, name="Olu Other")
    assert "Half-written notes" not in other.get(_url(project, prp)).get_data(as_text=True)
    assert other.get(_url(project, prp, f"/updates/{update.id}")).status_code == 404
    lead = app.test_client()
    assert lead.post("/login", data={"email": factories.user_with_role("lead", project).email,
                                     "password": factories.PASSWORD}).status_code == 302
    assert lead.get(_url(project, prp, f"/updates/{update.id}")).status_code == 404
    assert "Half-written notes" not in lead.get(_url(project, prp)).get_data(as_text=True)

    page = client.get(_url(project, prp, f"/updates/{update.id}")).get_data(as_text=True)
    assert "Finish your update" in page and "Half-written notes" in page
    finished = client.post(_url(project, prp, f"/updates/{update.id}"), data={
        "what_did": "Ran the session", "update_date": today, "version": _hidden(page, "version"),
        "step_ids": [str(_steps(project)["Seminars"])], "submit": "Submit update"}, follow_redirects=True)
    assert "Update submitted" in finished.get_data(as_text=True)
    _db.session.expire_all()
    update = _db.session.get(ResearchUpdate, update.id)
    assert update.status is UpdateStatus.SUBMITTED and update.author_id == author.id and update.evidence_item_id
    assert "Ran the session" in lead.get(_url(project, prp)).get_data(as_text=True)


def test_an_empty_update_is_not_submitted_and_the_message_is_by_the_field(client, project):
    prp = _prp(project, steps=["Seminars"])
    _practitioner(client, project)
    response = client.post(_url(project, prp, "/updates/new"), data={
        "update_date": dt.datetime.now(dt.UTC).date().isoformat(), "submit": "Submit update",
        "quote": "Something said", "consent_to_quote": "y"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="pseudonym-error"' in text and "Give a name to quote the words under" in text
    response = client.post(_url(project, prp, "/updates/new"), data={
        "update_date": dt.datetime.now(dt.UTC).date().isoformat(), "submit": "Submit update"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="what_did-error"' in text and "before you submit" in text
    assert _db.session.scalar(select(ResearchUpdate.id)) is None


def test_an_edit_from_an_old_page_is_refused_with_theirs_shown(app, client, project):
    prp = _prp(project, steps=["Seminars"])
    _practitioner(client, project)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    client.post(_url(project, prp, "/updates/new"), data={"what_did": "First", "update_date": today,
                                                         "submit": "Submit update"})
    update_id = _db.session.scalar(select(ResearchUpdate.id))
    page = client.get(_url(project, prp, f"/updates/{update_id}")).get_data(as_text=True)
    version = _hidden(page, "version")
    assert client.post(_url(project, prp, f"/updates/{update_id}"), data={
        "what_did": "Second", "update_date": today, "version": version, "submit": "Submit update"}).status_code == 302
    stale = client.post(_url(project, prp, f"/updates/{update_id}"), data={
        "what_did": "Third", "update_date": today, "version": version, "submit": "Submit update"})
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "The update now reads: Second" in text and "Third" in text


def test_a_drafts_photo_is_kept_by_the_file_sweep(app, client, project):
    prp = _prp(project, steps=["Seminars"])
    _practitioner(client, project)
    client.post(_url(project, prp, "/updates/new"), data={
        "what_did": "Photo of the flipchart", "update_date": dt.datetime.now(dt.UTC).date().isoformat(),
        "save_draft": "Save as draft", "file": (io.BytesIO(PNG), "flipchart.png")}, content_type="multipart/form-data")
    sha = _db.session.scalar(select(ResearchUpdate.file_sha256))
    assert sha
    sweep_unused_files(grace=dt.timedelta(0))
    assert (upload_folder() / sha[:2] / sha).is_file()


@pytest.mark.parametrize("role", ["funder", "outsider"])
def test_funders_and_outsiders_do_not_see_research_pages(client, project, login_as, role):
    prp = _prp(project, steps=["Seminars"])
    login_as(role, project)
    expected = 403 if role == "funder" else 404
    assert client.get(f"/projects/{project.id}/research/").status_code == expected
    assert client.get(_url(project, prp)).status_code == expected
    assert client.get(_url(project, prp, "/updates/new")).status_code == expected


def test_the_research_project_page_runs_the_same_queries_however_many_updates(client, project, query_counter):
    prp = _prp(project, steps=["Seminars", "Attendees from six councils"])
    author = _practitioner(client, project)

    def add_updates(count):
        for number in range(count):
            update = ResearchUpdate(research_project_id=prp.id, author_id=author.id, status=UpdateStatus.SUBMITTED,
                                    update_date=dt.date(2012, 3, 1), partner_group=PartnerGroup.PRACTITIONER,
                                    what_did=f"Update {number}")
            update.steps = list(prp.steps)
            _db.session.add(update)
        _db.session.commit()

    add_updates(2)
    with query_counter() as few:
        assert client.get(_url(project, prp)).status_code == 200
    add_updates(15)
    with query_counter() as many:
        assert client.get(_url(project, prp)).status_code == 200
    assert len(few) == len(many)
    client.get(f"/projects/{project.id}/research/")
    with query_counter() as listing_few:
        client.get(f"/projects/{project.id}/research/")
    for number in range(12):
        _prp(project, steps=["Seminars"], title=f"PRP {number}", lead=author)
    client.get(f"/projects/{project.id}/research/")  # as before the first count: the same warm state
    with query_counter() as listing_many:
        client.get(f"/projects/{project.id}/research/")
    assert len(listing_few) == len(listing_many)


def test_the_report_lists_the_research_projects_and_whose_voice_evidences_each_step(client, project, login_as):
    from impact.evidence.models import EvidenceItem
    from impact.model_types import utcnow

    login_as("lead", project)
    steps = _steps(project)
    prp = _prp(project, steps=["Seminars"])
    for what in ("One", "Two"):
        _db.session.add(ResearchUpdate(research_project_id=prp.id, status=UpdateStatus.SUBMITTED,
                                       update_date=dt.date(2012, 3, 1), partner_group=PartnerGroup.PRACTITIONER,
                                       what_did=what))
    _db.session.add(ResearchUpdate(research_project_id=prp.id, update_date=dt.date(2012, 3, 1),
                                   partner_group=PartnerGroup.PRACTITIONER, what_did="A draft: not counted"))
    # Seminars: 2 practitioner items, 1 carer's, 1 academic's; a trashed manager's item does not count.
    mix = [(PartnerGroup.PRACTITIONER, ["Seminars"]), (PartnerGroup.PRACTITIONER, ["Seminars"]),
           (PartnerGroup.CARER, ["Seminars", "Attendees from six councils"]), (PartnerGroup.ACADEMIC, ["Seminars"]),
           (PartnerGroup.MANAGER, ["Seminars"])]
    for number, (group, linked) in enumerate(mix):
        item = EvidenceItem(project_id=project.id, kind=EvidenceKind.DOCUMENT, title=f"Item {number}",
                            evidence_date=dt.date(2012, 1, 1), partner_group=group,
                            deleted_at=utcnow() if group is PartnerGroup.MANAGER else None)
        item.links = [EvidenceLink(step_id=steps[name], stance=Stance.SUPPORTS, strength=Strength.WEAK)
                      for name in linked]
        _db.session.add(item)
    _db.session.commit()
    data = client.get(f"/projects/{project.id}/report.json").get_json()
    assert data["prps"] == [{"id": prp.id, "title": prp.title, "status": "proposed", "local_authority": "Council A",
                             "updates": 2}]
    voice = {step["title"]: step["voice"] for step in data["steps"]}
    assert voice["Seminars"] == {"academic": 1, "practitioner": 2, "manager": 0, "service_user": 0, "carer": 1,
                                 "funder": 0, "other": 0}
    attendees = voice["Attendees from six councils"]
    assert attendees["carer"] == 1 and sum(attendees.values()) == 1
    assert sum(voice["Reports written for the client"].values()) == 0


def test_the_demo_has_the_seeds_seven_research_projects_six_completed(app, client, db):
    from impact.demo.loader import load_demo
    from impact.demo.seed_data import DEMO_PASSWORD

    project, created = load_demo()
    _db.session.commit()
    assert created
    prps = _db.session.scalars(select(ResearchProject).where(ResearchProject.project_id == project.id)).all()
    assert len(prps) == 7 and sum(prp.status.value == "completed" for prp in prps) == 6
    assert len({prp.local_authority for prp in prps}) == 6  # one authority undertook two
    assert load_demo()[1] is False and len(_db.session.scalars(select(ResearchProject)).all()) == 7
    assert client.post("/login", data={"email": "practitioner@demo.example.org",
                                       "password": DEMO_PASSWORD}).status_code == 302
    listing = client.get(f"/projects/{project.id}/research/").get_data(as_text=True)
    assert "Honesty about concerns in child protection work" in listing and "Shona Baird" in listing
    data = client.get(f"/projects/{project.id}/report.json").get_json()
    assert sum(prp["updates"] for prp in data["prps"]) == 5


def test_whose_voice_shows_on_the_step_the_story_and_the_projects_voice_page(client, project, login_as):
    """Seminars rests on academics' word alone; Attendees has a practitioner's and a carer's."""
    login_as("lead", project)
    steps = _steps(project)
    for number, (group, linked) in enumerate([
            (PartnerGroup.ACADEMIC, ["Seminars"]), (PartnerGroup.ACADEMIC, ["Seminars"]),
            (PartnerGroup.PRACTITIONER, ["Attendees from six councils"]),
            (PartnerGroup.CARER, ["Attendees from six councils"])]):
        item = EvidenceItem(project_id=project.id, kind=EvidenceKind.DOCUMENT, title=f"Item {number}",
                            evidence_date=dt.date(2012, 1, 1), partner_group=group)
        item.links = [EvidenceLink(step_id=steps[name], stance=Stance.SUPPORTS, strength=Strength.WEAK)
                      for name in linked]
        _db.session.add(item)
    _db.session.commit()
    seminars = client.get(f"/projects/{project.id}/chain/steps/{steps['Seminars']}").get_data(as_text=True)
    assert "Whose voice:</strong> 2 academic." in seminars and "Rests on academic evidence alone" in seminars
    attendees = client.get(f"/projects/{project.id}/chain/steps/{steps['Attendees from six councils']}")
    text = attendees.get_data(as_text=True)
    assert "Whose voice:</strong> 1 practitioner, 1 carer." in text and "Rests on" not in text
    story = client.get(f"/projects/{project.id}/story/?open=all").get_data(as_text=True)
    assert "Rests on academic evidence alone" in story and "1 practitioner, 1 carer" in story
    # On the story's diagram, the box of Seminars carries the flag (a badge, and in words in its tooltip).
    box = re.search(r'<g class="step[^"]*"[^>]*><title>Seminars \(([^)]*)\)</title>', story)
    assert box and "rests on academic evidence alone" in box.group(1)
    assert story.count('class="flag"') == 1
    page = client.get(f"/projects/{project.id}/evidence/voices").get_data(as_text=True)
    assert "Yes: academic only" in page and page.count("No evidence yet") == 1


def test_withdrawing_consent_removes_the_quote_from_every_page_report_and_snapshot(app, client, project):
    """The practitioner's quote is on the step, the link, the evidence item, the PRP, the story, a saved
    snapshot; after they withdraw consent on My contributions it is on none of them, for
    the team or a funder, and the snapshot's stored content no longer holds it."""
    from impact.story.models import StorySnapshot

    quote = "For the first time they listened to me."
    steps = _steps(project)
    chain = load_chain(project.id)
    link_id = next(link.id for link in chain.links if link.source_step_id == steps["Seminars"]
                   and link.target_step_id == steps["Attendees from six councils"])
    prp = _prp(project, steps=["Seminars"])
    _practitioner(client, project)
    client.post(_url(project, prp, "/updates/new"), data={
        "what_did": "Ran the session", "quote": quote, "consent_to_quote": "y", "pseudonym": "Carer, Council A",
        "update_date": "2012-03-01", "step_ids": [str(steps["Seminars"])], "submit": "Submit update"})
    item_id = _db.session.scalar(select(ResearchUpdate.evidence_item_id))
    # The team links the same item to a link of the chain, and saves a snapshot of the story.
    _db.session.add(EvidenceLink(item_id=item_id, link_id=link_id, stance=Stance.SUPPORTS, strength=Strength.WEAK))
    _db.session.commit()
    team, funder = app.test_client(), app.test_client()
    for viewer, role in ((team, "lead"), (funder, "funder")):
        assert viewer.post("/login", data={"email": factories.user_with_role(role, project).email,
                                           "password": factories.PASSWORD}).status_code == 302
    assert team.post(f"/projects/{project.id}/story/snapshots", data={"name": "For the funder"}).status_code == 302
    assert team.post(f"/projects/{project.id}/reports/", data={"name": "For the funder"}).status_code == 302
    pages = {
        "step": f"/projects/{project.id}/chain/steps/{steps['Seminars']}",
        "link": f"/projects/{project.id}/chain/links/{link_id}",
        "item": f"/projects/{project.id}/evidence/{item_id}",
        "story": f"/projects/{project.id}/story/?open=all",
        "snapshot": f"/projects/{project.id}/story/snapshots/1",
        "research": _url(project, prp),
    }
    shown = html.escape(quote)
    for name, path in pages.items():
        assert shown in team.get(path).get_data(as_text=True), name
    assert shown in funder.get(f"/projects/{project.id}/reports/1?evidence=all").get_data(as_text=True)

    mine = client.get(f"/projects/{project.id}/evidence/mine").get_data(as_text=True)
    assert shown in mine and "Withdraw my consent to this quote" in mine
    assert team.post(f"/projects/{project.id}/evidence/{item_id}/withdraw-consent").status_code == 404  # not theirs
    done = client.post(f"/projects/{project.id}/evidence/{item_id}/withdraw-consent", follow_redirects=True)
    assert "no longer quoted" in done.get_data(as_text=True)

    for name, path in pages.items():
        assert shown not in team.get(path).get_data(as_text=True), name
    assert shown not in funder.get(f"/projects/{project.id}/reports/1?evidence=all").get_data(as_text=True)
    assert quote not in str(funder.get(f"/projects/{project.id}/report.json").get_json())
    assert quote not in str(_db.session.scalar(select(StorySnapshot.content)))
    assert quote not in str(client.get(f"/projects/{project.id}/report.json").get_json())
    _db.session.expire_all()
    assert _db.session.scalar(select(ResearchUpdate.consent_to_quote)) is False  # amending it will not quote again


def test_a_partner_dissents_from_a_rating_and_it_stays_through_the_next_rating_and_shows_in_the_story(
        app, client, project):
    from impact.assessment.models import AssessmentComment

    steps = _steps(project)
    step_url = f"/projects/{project.id}/chain/steps/{steps['Seminars']}"
    team = app.test_client()
    assert team.post("/login", data={"email": factories.user_with_role("team_member", project).email,
                                     "password": factories.PASSWORD}).status_code == 302

    def rate(progress: str, based_on: str):
        assert team.post(f"/projects/{project.id}/assessment/steps/{steps['Seminars']}", data={
            "progress": progress, "confidence": "medium", "rationale": "Attendance sheets",
            "based_on": based_on}).status_code == 302

    rate("good", "0")
    _practitioner(client, project, group=PartnerGroup.CARER, name="Cara Carer")
    page = client.get(step_url).get_data(as_text=True)
    assert "Comment on this assessment, or disagree with it" in page
    empty = client.post(f"/projects/{project.id}/assessment/steps/{steps['Seminars']}/comments",
                        data={"text": "", "about_number": "1"})
    assert empty.status_code == 400 and 'id="text-error"' in empty.get_data(as_text=True)
    added = client.post(f"/projects/{project.id}/assessment/steps/{steps['Seminars']}/comments", data={
        "text": "Carers were not asked; the rating is too kind.", "dissent": "y", "about_number": "1"})
    assert added.status_code == 302
    comment = _db.session.scalar(select(AssessmentComment))
    assert comment.dissent and comment.partner_group is PartnerGroup.CARER and comment.about_number == 1

    # The team sees it as they re-rate, and after re-rating it is still there, marked as about revision 1.
    assert "Carers were not asked" in team.get(f"/projects/{project.id}/assessment/steps/{steps['Seminars']}"
                                               ).get_data(as_text=True)
    rate("some", "1")
    after = team.get(step_url).get_data(as_text=True)
    assert "Disagrees" in after and "Carers were not asked; the rating is too kind." in after
    assert "on revision 1 (an earlier rating)" in after
    story = team.get(f"/projects/{project.id}/story/?open=all").get_data(as_text=True)
    assert "A partner disagrees" in story and "(carer, on revision 1)" in story


def test_the_team_cannot_give_consent_for_a_practitioner_or_quote_them_again(app, client, project):
    prp = _prp(project, steps=["Seminars"])
    _practitioner(client, project)
    sent = client.post(_url(project, prp, "/updates/new"), data={
        "what_did": "Ran the session", "quote": "Secret words", "pseudonym": "Carer A", "update_date": "2012-03-01",
        "submit": "Submit update"})  # no consent given
    assert sent.status_code == 302, sent.get_data(as_text=True)[-3000:]
    update_id = _db.session.scalar(select(ResearchUpdate.id))
    team = app.test_client()
    assert team.post("/login", data={"email": factories.user_with_role("team_member", project).email,
                                     "password": factories.PASSWORD}).status_code == 302
    page = team.get(_url(project, prp, f"/updates/{update_id}")).get_data(as_text=True)
    assert "Secret words" not in page and "only they can change them" in page
    assert team.post(_url(project, prp, f"/updates/{update_id}"), data={
        "what_did": "Ran the session (corrected)", "quote": "Secret words", "consent_to_quote": "y",
        "pseudonym": "Carer A", "update_date": "2012-03-01", "version": _hidden(page, "version"),
        "submit": "Submit update"}).status_code == 302
    _db.session.expire_all()
    update = _db.session.get(ResearchUpdate, update_id)
    item = _db.session.get(EvidenceItem, update.evidence_item_id)
    assert update.what_did == "Ran the session (corrected)" and update.consent_to_quote is False
    assert item.consent_to_quote is False and item.quote == "" and "Carer A" not in item.title


def test_a_reminders_sign_in_link_dies_with_a_new_password_and_removed_leads_are_not_reminded(client, project):
    from impact.auth.services import set_password
    from impact.model_types import utcnow
    from impact.research import reminders
    from impact.research.models import ResearchReminder, ResearchStatus

    lead = _practitioner(client, project)
    prp = _prp(project, steps=["Seminars"], lead=lead)
    prp.status, prp.reminder_weeks = ResearchStatus.ACTIVE, 6
    prp.started_on = (utcnow() - dt.timedelta(weeks=7)).date()
    _db.session.commit()
    assert [(due.id, user.id) for due, user in reminders.due_reminders(utcnow())] == [(prp.id, lead.id)]
    reminder = ResearchReminder(research_project_id=prp.id, user_id=lead.id)
    _db.session.add(reminder)
    _db.session.commit()
    token = reminders.sign_in_url(reminder.id).rsplit("/", 1)[1]
    assert reminders.reminder_for_token(token).id == reminder.id
    set_password(lead, "another long passphrase")
    _db.session.commit()
    with pytest.raises(reminders.SignInProblem):
        reminders.reminder_for_token(token)

    _db.session.delete(_db.session.scalar(select(Membership).where(Membership.user_id == lead.id)))
    _db.session.commit()
    later = utcnow() + dt.timedelta(weeks=7)
    assert reminders.due_reminders(later) == []


def test_a_comment_is_about_the_rating_the_step_has_whatever_the_form_says(client, project, login_as):
    from impact.assessment.models import AssessmentComment

    login_as("practitioner_researcher", project)
    step_id = _steps(project)["Seminars"]
    assert client.post(f"/projects/{project.id}/assessment/steps/{step_id}/comments",
                       data={"text": "Too early to say", "about_number": "-7"}).status_code == 302
    assert _db.session.scalar(select(AssessmentComment.about_number)) == 0


def test_a_title_with_a_line_break_stays_one_subject_line(client, project):
    from impact.mail.models import OutboxMessage
    from impact.model_types import utcnow
    from impact.research.models import ResearchStatus
    from impact.research.reminders import send_reminders

    lead = _practitioner(client, project)
    prp = _prp(project, steps=["Seminars"], title="Carers first\r\nBcc: everyone@example.org", lead=lead)
    prp.status, prp.reminder_weeks = ResearchStatus.ACTIVE, 1
    prp.started_on = (utcnow() - dt.timedelta(weeks=2)).date()
    _db.session.commit()
    assert send_reminders() == {"reminders queued": 1}
    subject = _db.session.scalar(select(OutboxMessage.subject))
    assert subject == "A quick update on Carers first Bcc: everyone@example.org?"


def test_a_prps_report_file_is_evidence_on_its_steps_and_a_refused_file_gets_a_message(client, project, login_as):
    login_as("lead", project)
    steps = _steps(project)
    prp = _prp(project, steps=["Reports written for the client"])
    page = client.get(_url(project, prp, "/edit")).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    refused = client.post(_url(project, prp, "/edit"), data={
        "title": prp.title, "status": "completed", "version": _hidden(page, "version"),
        "step_ids": [str(steps["Reports written for the client"])],
        "report": (io.BytesIO(b"MZ\x90\x00"), "report.exe")}, content_type="multipart/form-data")
    assert refused.status_code == 400 and 'id="report-error"' in refused.get_data(as_text=True)
    saved = client.post(_url(project, prp, "/edit"), data={
        "title": prp.title, "status": "completed", "version": _hidden(page, "version"), "outputs": "Final report",
        "step_ids": [str(steps["Reports written for the client"])],
        "report": (io.BytesIO(b"The carers' voices report\n"), "report.txt")}, content_type="multipart/form-data")
    assert saved.status_code == 302
    _db.session.expire_all()
    item = _db.session.get(ResearchProject, prp.id).report_item
    assert item.kind is EvidenceKind.DOCUMENT and item.file_name == "report.txt"
    assert item.partner_group is PartnerGroup.PRACTITIONER and item.title == f"PRP report: {prp.title}"
    assert [(link.step_id, link.strength) for link in item.links] == [
        (steps["Reports written for the client"], Strength.MODERATE)]
    shown = client.get(_url(project, prp)).get_data(as_text=True)
    assert f"/evidence/{item.id}" in shown
    mirrored = client.get(f"/projects/{project.id}/evidence/{item.id}/edit").get_data(as_text=True)
    assert "This evidence comes from a practitioner research project&#39;s report" in mirrored


def test_a_prp_keeps_several_output_files_each_evidence_and_removing_one_asks_and_can_be_undone(
        client, project, login_as):
    login_as("lead", project)
    steps = _steps(project)
    prp = _prp(project, steps=["Reports written for the client"])
    refused = client.post(_url(project, prp, "/outputs"), content_type="multipart/form-data", data={
        "title": "Slides", "file": (io.BytesIO(b"MZ\x90\x00"), "slides.exe")})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="file-error"' in text and "not accepted" in text
    missing = client.post(_url(project, prp, "/outputs"), data={"title": ""})
    assert missing.status_code == 400 and 'id="title-error"' in missing.get_data(as_text=True)
    for title, name in (("Slides for the practitioner forum", "slides.txt"), ("Briefing for managers", "brief.md")):
        added = client.post(_url(project, prp, "/outputs"), content_type="multipart/form-data", data={
            "title": title, "file": (io.BytesIO(f"{title}\n".encode()), name)})
        assert added.status_code == 302 and added.headers["Location"].endswith("#outputs")
    items = _db.session.scalars(select(EvidenceItem).where(EvidenceItem.kind == EvidenceKind.DOCUMENT)
                                .order_by(EvidenceItem.id)).all()
    assert [(item.title, item.file_name, item.partner_group) for item in items] == [
        (f"Slides for the practitioner forum ({prp.title})", "slides.txt", PartnerGroup.PRACTITIONER),
        (f"Briefing for managers ({prp.title})", "brief.md", PartnerGroup.PRACTITIONER)]
    assert all([link.step_id for link in item.links] == [steps["Reports written for the client"]] for item in items)
    page = client.get(_url(project, prp)).get_data(as_text=True)
    assert "Slides for the practitioner forum" in page and f"/evidence/{items[1].id}/file" in page
    assert client.get(f"/projects/{project.id}/evidence/{items[0].id}/file").data == \
        b"Slides for the practitioner forum\n"

    output = _db.session.scalar(select(ResearchOutput).order_by(ResearchOutput.id))
    ask = client.get(_url(project, prp, f"/outputs/{output.id}/remove")).get_data(as_text=True)
    assert "Remove “Slides for the practitioner forum”?" in ask and "linked to 1 part of the chain" in ask
    client.post(_url(project, prp, f"/outputs/{output.id}/remove"))
    page = client.get(_url(project, prp)).get_data(as_text=True)
    assert f"/evidence/{items[0].id}/file" not in page and "Removed:" in page
    step = client.get(f"/projects/{project.id}/chain/steps/{steps['Reports written for the client']}")
    assert "Slides for the practitioner forum" not in step.get_data(as_text=True)
    client.post(_url(project, prp, f"/outputs/{output.id}/restore"))
    assert f"/evidence/{items[0].id}/file" in client.get(_url(project, prp)).get_data(as_text=True)


def test_the_prp_page_says_which_contribution_claims_cite_its_evidence(client, project, login_as):
    from impact.tracing.models import Claim, ClaimTest, TestType

    login_as("lead", project)
    prp = _prp(project, steps=["Seminars"])
    client.post(_url(project, prp, "/updates/new"), data={
        "what_did": "Ran the session", "update_date": "2012-03-01", "submit": "Submit update"})
    item_id = _db.session.scalar(select(ResearchUpdate.evidence_item_id))
    project.contribution_tracing = True
    claim = Claim(project_id=project.id, statement="The PRPs changed practice", prior=0.5, position=0)
    claim.tests.append(ClaimTest(description="Practitioners describe a change", test_type=TestType.HOOP,
                                 sensitivity=0.95, type_one_error=0.6, found=True, item_id=item_id, position=0))
    _db.session.add(claim)
    _db.session.commit()
    page = client.get(_url(project, prp)).get_data(as_text=True)
    assert "cited by <a" in page and "1 contribution claim</a>" in page
