"""The project home: Mayne's six steps, each with where the project stands and the next thing to do,
and the charts beside their tables; and the coding workbench it sends the team to."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update

from impact.assessment.models import Assessment, Confidence, ProgressRating
from impact.coding.models import FactorTheme
from impact.coding.services import add_default_themes
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance, Strength
from impact.extensions import db as _db
from impact.followups.models import Campaign, Response
from impact.mail.models import OutboxMessage, OutboxStatus
from impact.projects.models import PartnerGroup
from impact.toc.models import Link, Step
from tests.test_followups import _answer, _create_event, _enter_cards
from tests.test_followups_campaigns import personal_link, plan_campaign, send_now


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _step(page: str, number: int) -> str:
    """The text of one of Mayne's steps on the project home."""
    start = page.index(f'id="step-{number}-heading"')
    end = page.index('<li class="mayne-step', start) if number < 6 else page.index("</ol>", start)
    return _text(page[start:end])


def _home(client, project) -> str:
    _db.session.expire_all()
    response = client.get(f"/projects/{project.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _answered_campaign(client, project, *, helped="My manager gave me time", hindered="Caseloads"):
    event = _create_event(client, project)
    _enter_cards(client, project, event)
    campaign = plan_campaign(client, project, event, subject="How did the seminar actions go?")
    send_now(client, project, event, campaign)
    _answer(client, personal_link("ann@council-a.gov.uk", campaign), ["done", "some"], helped=helped,
            hindered=hindered)
    return event, campaign


def test_the_lead_sees_each_step_with_what_to_do_next(client, project, login_as):
    login_as("lead", project)
    add_default_themes(project)
    _db.session.commit()
    _answered_campaign(client, project)
    _db.session.execute(update(OutboxMessage).where(OutboxMessage.to_address == "cat@council-c.gov.uk")
                        .values(status=OutboxStatus.FAILED))
    _db.session.commit()
    second = _create_event(client, project)
    plan_campaign(client, project, second, subject="Second seminar follow-up")

    page = _home(client, project)
    assert [re.sub(r"\s+", " ", h) for h in re.findall(r'<h3 id="step-\d-heading">(.*?)</h3>', page, re.S)] == [
        '<span class="step-number">1</span> Set out the question',
        '<span class="step-number">2</span> Develop the theory of change',
        '<span class="step-number">3</span> Gather the existing evidence',
        '<span class="step-number">4</span> Assess the contribution story',
        '<span class="step-number">5</span> Seek out more evidence',
        '<span class="step-number">6</span> Revise and strengthen the story']
    assert "Did it help?" in _step(page, 1)
    assert "3 steps, 3 links, 1 assumption or risk, 1 influencing factor" in _step(page, 2)
    assert "2 links have no assumption written down" in _step(page, 2)
    # The factory chain's steps have no evidence; the answer's evidence item is linked to no step yet.
    assert "To do: 3 steps have no evidence." in _step(page, 3)
    assert f'href="/projects/{project.id}/story/gaps"' in page
    assert "0 of 3 steps and 0 of 3 links assessed" in _step(page, 4)
    five = _step(page, 5)
    assert "Needs attention: 1 follow-up email could not be sent." in five
    assert "1 answer not yet coded (0 coded)." in five
    assert "Follow-up “Second seminar follow-up” (First seminar) is due on" in five
    assert f'href="/projects/{project.id}/coding"' in page and f'href="/projects/{project.id}/followups/"' in page
    assert "No conclusion written yet" in _step(page, 6) and "Nothing published for the funder yet" in _step(page, 6)
    # Alerts lead their step: a failed send reads before the figures.
    assert five.index("could not be sent") < five.index("action cards with")


def _campaign_due_an_hour_ago(client, project, subject: str, **values) -> None:
    """A follow-up planned, then its send time put an hour back: the state the job runner finds it in."""
    event = _create_event(client, project)
    _enter_cards(client, project, event)
    campaign = plan_campaign(client, project, event, subject=subject)
    _db.session.execute(update(Campaign).where(Campaign.id == campaign).values(
        send_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), **values))
    _db.session.commit()


def test_a_send_that_should_have_gone_out_an_hour_ago_is_an_alert(client, project, login_as):
    login_as("lead", project)
    _campaign_due_an_hour_ago(client, project, "Overdue follow-up")
    five = _step(_home(client, project), 5)
    assert "Needs attention: The follow-up “Overdue follow-up” (First seminar) was due today at" in five \
        or "was due yesterday at" in five
    assert "is the job runner (flask jobs run) running?" in five


def test_an_assessment_older_than_the_newest_evidence_is_flagged(client, project, login_as):
    lead = login_as("lead", project)
    step = _db.session.scalars(select(Step).where(Step.project_id == project.id).order_by(Step.id)).first()
    saved = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
    _db.session.add(Assessment(project_id=project.id, step_id=step.id, number=1, progress=ProgressRating.GOOD,
                               confidence=Confidence.MEDIUM, author_id=lead.id, created_at=saved))
    item = EvidenceItem(project_id=project.id, kind=EvidenceKind.MEETING_RECORD, title="Impact meeting",
                        evidence_date=dt.date(2026, 1, 5), partner_group=PartnerGroup.PRACTITIONER)
    _db.session.add(item)
    _db.session.flush()
    link = EvidenceLink(item_id=item.id, step_id=step.id, stance=Stance.SUPPORTS, strength=Strength.MODERATE,
                        created_at=saved - dt.timedelta(days=1))
    _db.session.add(link)
    _db.session.commit()
    page = _home(client, project)
    assert "1 of 3 steps and 0 of 3 links assessed" in _step(page, 4)
    assert "older than the newest evidence" not in page
    assert "1 evidence item; 1 of 3 steps with evidence." in _step(page, 3)
    assert "2 steps have no evidence" in _step(page, 3)

    link.created_at = saved + dt.timedelta(days=1)  # evidence the assessment has not weighed
    _db.session.commit()
    assert "1 assessment is older than the newest evidence on its step or link." in _step(_home(client, project), 4)
    overview = client.get(f"/projects/{project.id}/assessment/").get_data(as_text=True)
    assert 'id="stale"' in overview and overview.count("Older than its newest evidence</strong>") == 1
    row = overview[overview.index(step.title):]
    assert row.index("Older than its newest evidence") < row.index("</tr>")  # on the step's own row

    # A link of the chain too; and evidence put in the trash no longer counts against an assessment.
    chain_link = _db.session.scalars(select(Link).where(Link.project_id == project.id).order_by(Link.id)).first()
    _db.session.add(Assessment(project_id=project.id, link_id=chain_link.id, number=1, progress=ProgressRating.SOME,
                               confidence=Confidence.LOW, author_id=lead.id, created_at=saved))
    _db.session.add(EvidenceLink(item_id=item.id, link_id=chain_link.id, stance=Stance.SUPPORTS,
                                 created_at=saved + dt.timedelta(hours=1)))
    _db.session.commit()
    assert "2 assessments are older than the newest evidence on their step or link." in _step(
        _home(client, project), 4)
    item.deleted_at = dt.datetime.now(dt.UTC)
    _db.session.commit()
    assert "older than the newest evidence" not in _home(client, project)


def test_the_charts_have_tables_with_the_same_figures(client, project, login_as):
    lead = login_as("lead", project)
    steps = _db.session.scalars(select(Step).where(Step.project_id == project.id).order_by(Step.id)).all()
    _db.session.add(Assessment(project_id=project.id, step_id=steps[0].id, number=1, progress=ProgressRating.SOME,
                               confidence=Confidence.HIGH, author_id=lead.id))
    _db.session.add_all([EvidenceItem(project_id=project.id, kind=EvidenceKind.DOCUMENT, title=f"Item {n}",
                                      evidence_date=dt.date(2026, 1, 5), partner_group=group)
                         for n, group in enumerate([PartnerGroup.PRACTITIONER] * 3 + [PartnerGroup.MANAGER])])
    _db.session.commit()
    page = _home(client, project)
    progress = page[page.index("<caption>Steps by progress, per level</caption>"):]
    progress = progress[:progress.index("</table>")]
    rows = {cells[0]: cells[1:] for cells in (
        [_text(cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", progress, re.S)[1:])}
    assert rows["Activities"] == ["0", "1", "0", "0", "0"]  # Good, Some, Low, None, Not assessed
    assert rows["Reach"] == ["0", "0", "0", "0", "1"]
    assert 'aria-label="Steps by progress, per level"' in page  # the picture carries its own title
    voices = page[page.index("<caption>Evidence items by partner group</caption>"):]
    assert re.search(r"<th scope=\"row\">Practitioner</th><td>3</td>", voices)
    assert re.search(r"<th scope=\"row\">Manager</th><td>1</td>", voices)


def test_a_funder_sees_the_report_not_the_teams_to_do_list(client, project, login_as):
    login_as("funder", project)
    page = _home(client, project)
    assert "Where the project stands" not in page and "not yet coded" not in page and "To do:" not in page
    assert "No version of the report has been published yet" in page


def test_the_home_runs_the_same_queries_whatever_the_size_of_the_project(client, project, login_as,
                                                                          query_counter):
    lead = login_as("lead", project)
    add_default_themes(project)
    _db.session.commit()
    counts = []
    for size in (1, 4):
        event = _create_event(client, project)
        _enter_cards(client, project, event)
        campaign = plan_campaign(client, project, event, subject=f"Follow-up {size}")
        send_now(client, project, event, campaign)
        for email in ("ann@council-a.gov.uk", "bob@council-b.gov.uk")[:min(size, 2)]:
            _answer(client, personal_link(email, campaign), ["done"], helped="Time")
        for step in _db.session.scalars(select(Step).where(Step.project_id == project.id)):
            for n in range(size):
                item = EvidenceItem(project_id=project.id, kind=EvidenceKind.DOCUMENT, title=f"{size}-{n}",
                                    evidence_date=dt.date(2026, 1, 5), partner_group=PartnerGroup.MANAGER)
                _db.session.add(item)
                _db.session.flush()
                _db.session.add(EvidenceLink(item_id=item.id, step_id=step.id, stance=Stance.SUPPORTS,
                                             strength=Strength.MODERATE))
            _db.session.add(Assessment(project_id=project.id, step_id=step.id, number=size,
                                       progress=ProgressRating.LOW, confidence=Confidence.LOW, author_id=lead.id))
        _db.session.commit()
        with query_counter() as statements:
            _home(client, project)
        counts.append(len(statements))
    assert counts[0] == counts[1]


# The coding workbench -------------------------------------------------------------------------------

def test_coding_from_the_queue_without_opening_each_answer(client, project, login_as):
    login_as("lead", project)
    add_default_themes(project)
    _db.session.commit()
    _answered_campaign(client, project, helped="My manager gave me time", hindered="My caseload doubled")
    _db.session.commit()
    queue = client.get(f"/projects/{project.id}/coding")
    assert queue.status_code == 200
    page = queue.get_data(as_text=True)
    assert "1 answer and 0 updates to code" in _text(page)
    assert "My manager gave me time" in page and "My caseload doubled" in page
    response = _db.session.scalars(select(Response)).one()
    time = _db.session.scalar(select(FactorTheme.id).where(FactorTheme.name == "Time and caseload"))
    buy_in = _db.session.scalar(select(FactorTheme.id).where(FactorTheme.name == "Senior buy-in and champions"))
    # Each passage has its own boxes: helping words code a helping theme, hindering words a hindering one.
    assert f'id="code-a{response.id}-{buy_in}-helping"' in page and f'id="code-a{response.id}-{time}-hindering"' in page

    saved = client.post(f"/projects/{project.id}/responses/{response.id}/codes", data={
        "code": [f"{buy_in}:helping", f"{time}:hindering"], "back": "workbench", "page": "1"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/projects/{project.id}/coding#queue")
    page = client.get(f"/projects/{project.id}/coding").get_data(as_text=True)
    assert "Coding saved. 0 answers and 0 updates left to code." in page
    assert "Nothing left to code" in page and "0 answers and 0 updates to code" in _text(page)
    # Every passage coded to a theme, helping and hindering counted apart.
    assert 'aria-label="1 hindering: Time and caseload"' in page
    passages = client.get(f"/projects/{project.id}/coding/themes/{time}?direction=hindering").get_data(as_text=True)
    assert "My caseload doubled" in passages and "My manager gave me time" not in passages
    assert "Helping (0)" in _text(passages) and "Hindering (1)" in _text(passages)
    assert "Every answer and update is coded (1)." in _step(_home(client, project), 5)


def test_a_partner_without_edit_rights_may_not_open_the_workbench(client, project, login_as):
    login_as("practitioner_researcher", project)
    assert client.get(f"/projects/{project.id}/coding").status_code == 403


def test_the_workbench_runs_the_same_queries_for_one_answer_or_many(client, project, login_as, query_counter):
    login_as("lead", project)
    add_default_themes(project)
    _db.session.commit()
    counts = []
    for emails in (("ann@council-a.gov.uk",), ("bob@council-b.gov.uk", "eve@council-a.gov.uk", "dan@uni.ac.uk")):
        event = _create_event(client, project)
        _enter_cards(client, project, event)
        campaign = plan_campaign(client, project, event, subject=f"Follow-up {len(emails)}")
        send_now(client, project, event, campaign)
        for email in emails:
            _answer(client, personal_link(email, campaign), ["done", "some"], helped="Time", hindered="Caseload")
        _db.session.commit()
        with query_counter() as statements:
            assert client.get(f"/projects/{project.id}/coding").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_a_follow_up_closed_before_it_went_out_is_not_due(client, project, login_as):
    login_as("lead", project)
    _campaign_due_an_hour_ago(client, project, "Cancelled follow-up", closed_at=dt.datetime.now(dt.UTC))
    five = _step(_home(client, project), 5)
    assert "Cancelled follow-up" not in five and "Needs attention" not in five


def test_partners_see_where_the_project_stands_not_the_teams_mail(client, project, login_as):
    login_as("lead", project)
    _campaign_due_an_hour_ago(client, project, "Overdue follow-up")
    client.post("/logout")
    login_as("practitioner_researcher", project)
    page = _home(client, project)
    five = _step(page, 5)
    assert "5 action cards with 8 actions" in five
    assert "Overdue follow-up" not in five and "Needs attention" not in five and "not yet coded" not in five
    assert f'href="/projects/{project.id}/followups/"' not in page
    assert f'href="/projects/{project.id}/coding"' not in page
    assert "Write the conclusion" not in page


def test_coding_the_last_answer_of_the_last_page_lands_on_the_page_before(client, project, login_as):
    login_as("lead", project)
    add_default_themes(project)
    _db.session.commit()
    assert client.get(f"/projects/{project.id}/coding?page=2").status_code == 302  # nothing on page 2
    saved = client.get(f"/projects/{project.id}/coding?page=2", follow_redirects=True)
    assert saved.status_code == 200 and "Nothing left to code" in saved.get_data(as_text=True)


def test_two_people_coding_one_answer_at_once_both_keep_their_codes(client, project, login_as):
    login_as("lead", project)
    add_default_themes(project)
    _db.session.commit()
    _answered_campaign(client, project)
    response = _db.session.scalars(select(Response)).one()
    themes = {name: _db.session.scalar(select(FactorTheme.id).where(FactorTheme.name == name))
              for name in ("Time and caseload", "Senior buy-in and champions")}
    url = f"/projects/{project.id}/responses/{response.id}/codes"
    form = {"back": "workbench", "page": "1", "shown": "codes"}  # both opened the queue with no code ticked
    client.post(url, data={**form, "code": [f"{themes['Senior buy-in and champions']}:helping"]})
    client.post(url, data={**form, "code": [f"{themes['Time and caseload']}:hindering"]})
    _db.session.expire_all()
    from impact.coding.workbench import codes_of as codes_of_answers

    def codes_of(answer):
        return codes_of_answers([answer])[answer.id]

    assert {(theme, direction.value) for theme, direction in codes_of(response)} == {
        (themes["Senior buy-in and champions"], "helping"), (themes["Time and caseload"], "hindering")}
    # Un-ticking a code one saw takes it off.
    client.post(url, data={**form, "was": [f"{themes['Time and caseload']}:hindering"]})
    _db.session.expire_all()
    assert {theme for theme, _ in codes_of(response)} == {themes["Senior buy-in and champions"]}


def test_a_practitioners_update_is_coded_from_the_queue_and_evidences_the_themes_factor(client, project, login_as):
    from impact.coding.models import theme_factors
    from impact.research.models import ResearchProject, ResearchUpdate, UpdateStatus
    from impact.research.services import sync_update_evidence
    from impact.toc.models import InfluencingFactor

    login_as("lead", project)
    add_default_themes(project)
    prp = ResearchProject(project_id=project.id, title="Carers' voices")
    _db.session.add(prp)
    _db.session.flush()
    update = ResearchUpdate(research_project_id=prp.id, status=UpdateStatus.SUBMITTED,
                            update_date=dt.date(2012, 2, 1), partner_group=PartnerGroup.PRACTITIONER,
                            what_did="Ran a session with carers", what_changed="Caseloads left no time to follow up",
                            submitted_at=dt.datetime(2012, 2, 1, tzinfo=dt.UTC))
    _db.session.add(update)
    _db.session.flush()
    sync_update_evidence(update)
    time = _db.session.scalar(select(FactorTheme).where(FactorTheme.name == "Time and caseload"))
    caseloads = _db.session.scalar(select(InfluencingFactor).where(InfluencingFactor.project_id == project.id))
    _db.session.execute(theme_factors.insert().values(theme_id=time.id, factor_id=caseloads.id))  # hindering
    _db.session.commit()

    page = client.get(f"/projects/{project.id}/coding").get_data(as_text=True)
    assert "0 answers and 1 update to code" in _text(page)
    assert "Caseloads left no time to follow up" in page
    assert "1 update not yet coded (0 coded)." in _step(_home(client, project), 5)
    saved = client.post(f"/projects/{project.id}/updates/{update.id}/codes",
                        data={"code": [f"{time.id}:hindering"], "back": "workbench", "shown": "codes"})
    assert saved.headers["Location"].endswith(f"/projects/{project.id}/coding#updates")
    page = client.get(f"/projects/{project.id}/coding").get_data(as_text=True)
    assert "0 answers and 0 updates to code" in _text(page)
    # The update's evidence item now evidences the hindering factor of the theme.
    _db.session.expire_all()
    link = _db.session.scalar(select(EvidenceLink).where(EvidenceLink.item_id == update.evidence_item_id,
                                                         EvidenceLink.factor_id == caseloads.id))
    assert link is not None and "Time and caseload" in link.note
    passages = client.get(f"/projects/{project.id}/coding/themes/{time.id}?direction=hindering").get_data(
        as_text=True)
    assert "Practitioners&#39; updates (1)" in passages or "Practitioners' updates (1)" in passages
    assert "Caseloads left no time to follow up" in passages
    assert "Every answer and update is coded (1)." in _step(_home(client, project), 5)
