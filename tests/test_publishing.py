"""Published reports: funders read only what a lead published, frozen, with small numbers suppressed."""
from __future__ import annotations

import datetime as dt
import html
import re

from sqlalchemy import select

from impact.cards.models import CardSource
from impact.cards.services import CardData, save_card
from impact.events.models import Event, EventKind
from impact.events.services import save_event
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance, Strength
from impact.extensions import db as _db
from impact.projects.models import Membership, PartnerGroup, Project, Role
from impact.publishing.models import PublishedReport
from impact.publishing.services import FEWER, for_funders
from impact.research.models import ResearchProject, ResearchUpdate, UpdateStatus
from impact.toc.services import load_chain
from impact.tracing.models import Claim
from tests import factories


def _clients(app, project):
    lead, funder = app.test_client(), app.test_client()
    for viewer, role in ((lead, "lead"), (funder, "funder")):
        user = factories.user_with_role(role, project)
        assert viewer.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302
    return lead, funder


def _quote(project, step_id: int, words: str, *, consent: bool) -> EvidenceItem:
    item = EvidenceItem(project_id=project.id, kind=EvidenceKind.OBSERVATION, title="Observation note",
                        evidence_date=dt.date(2011, 5, 1), partner_group=PartnerGroup.PRACTITIONER, quote=words,
                        consent_to_quote=consent, pseudonym="Practitioner 9" if consent else "")
    item.links.append(EvidenceLink(step_id=step_id, stance=Stance.SUPPORTS, strength=Strength.MODERATE))
    _db.session.add(item)
    _db.session.commit()
    return item


def _funder_pages(project, number: int | None) -> list[str]:
    pages = [f"/projects/{project.id}", f"/projects/{project.id}/reports/", "/"]
    if number is not None:
        pages += [f"/projects/{project.id}/reports/{number}", f"/projects/{project.id}/reports/{number}?evidence=all"]
    return pages


def _funder_api(app, project):
    from impact.api.tokens import create_token

    _, raw = create_token(factories.user_with_role("funder", project), "Funder's dashboard")
    _db.session.commit()
    program = app.test_client(use_cookies=False)
    program.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return program


def _api_answers(app, program, project) -> dict:
    """Every GET of the API's document, for this project's real objects."""
    event = _db.session.scalar(select(Event.id).where(Event.project_id == project.id)) or 1
    item = _db.session.scalar(select(EvidenceItem.id).where(EvidenceItem.project_id == project.id))
    prp = _db.session.scalar(select(ResearchProject.id).where(ResearchProject.project_id == project.id)) or 1
    ids = {"project_id": project.id, "event_id": event, "item_id": item, "prp_id": prp}
    paths = [path for path, operations in program.get("/api/v1/openapi.json").get_json()["paths"].items()
             if "get" in operations]
    assert len(paths) >= 10
    return {path: program.get(path.format(**ids)) for path in paths}


def test_a_funder_reads_only_what_was_published_never_what_came_after(app, db, project):
    lead, funder = _clients(app, project)
    steps = {step.title: step.id for step in load_chain(project.id).steps}
    _quote(project, steps["Seminars"], "The seminar changed how I write reports.", consent=True)
    # Before anything is published: no live story, chain or data for the funder.
    assert funder.get(f"/projects/{project.id}/story/").status_code == 403
    overview = funder.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "No version of the report has been published yet" in overview and "<svg" not in overview
    missing = funder.get(f"/projects/{project.id}/report.json")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_published"

    published = lead.post(f"/projects/{project.id}/reports/", data={"name": "Interim report"})
    assert published.status_code == 302 and published.headers["Location"].endswith("/reports/1")
    report = funder.get(f"/projects/{project.id}/reports/1?evidence=all").get_data(as_text=True)
    assert "Published report, version 1: Interim report" in report
    assert html.escape("The seminar changed how I write reports.") in report
    frozen = funder.get(f"/projects/{project.id}/report.json").get_json()
    assert frozen["project"]["title"] == project.title and frozen["claims"] == []

    # After publishing: a claim, a quote without consent, a new step's title, a draft update.
    project.contribution_tracing = True
    _db.session.add(Claim(project_id=project.id, statement="Unpublished claim about seminars", prior=0.5,
                          position=0))
    _quote(project, steps["Seminars"], "Words nobody agreed to share.", consent=False)
    chain = load_chain(project.id)
    from impact.toc.services import add_step
    add_step(project, chain.levels[0], "A step added after publishing")
    prp = ResearchProject(project_id=project.id, title="Carers first")
    _db.session.add(prp)
    _db.session.flush()
    _db.session.add(ResearchUpdate(research_project_id=prp.id, status=UpdateStatus.DRAFT,
                                   update_date=dt.date(2011, 6, 1), partner_group=PartnerGroup.PRACTITIONER,
                                   what_did="A draft only its author sees"))
    _db.session.commit()
    unpublished = ("Unpublished claim about seminars", "Words nobody agreed to share", "A step added after publishing",
                   "A draft only its author sees", "Carers first")
    for path in _funder_pages(project, 1):
        text = funder.get(path).get_data(as_text=True)
        for words in unpublished:
            assert words not in text, (path, words)
    data = funder.get(f"/projects/{project.id}/report.json").get_data(as_text=True)
    for words in unpublished:
        assert words not in data, words
    assert funder.get(f"/projects/{project.id}/report.json").get_json() == frozen
    # And every API operation a funder's token can call: the report is the frozen one, the rest refused.
    program = _funder_api(app, project)
    for path, answer in _api_answers(app, program, project).items():
        for words in unpublished:
            assert words not in answer.get_data(as_text=True), (path, words)
        assert answer.status_code in (200, 403), (path, answer.status_code)
    assert program.get(f"/api/v1/projects/{project.id}/report").get_json() == frozen
    for page in ("/story/", "/story/snapshots", "/chain/", "/evidence/", "/research/", "/meetings/",
                 "/tracing/", f"/chain/steps/{steps['Seminars']}"):
        assert funder.get(f"/projects/{project.id}{page}").status_code == 403, page

    # The lead sees what funders would see change, before publishing again.
    listing = lead.get(f"/projects/{project.id}/reports/").get_data(as_text=True)
    assert "What funders will see change since version 1" in listing
    assert "A step added after publishing" in listing and "Unpublished claim about seminars" in listing
    assert lead.post(f"/projects/{project.id}/reports/", data={"name": ""}).status_code == 400
    lead.post(f"/projects/{project.id}/reports/", data={"name": "Final report"})
    assert "A step added after publishing" in funder.get(f"/projects/{project.id}/reports/2").get_data(as_text=True)
    assert "Words nobody agreed to share" not in funder.get(
        f"/projects/{project.id}/reports/2?evidence=all").get_data(as_text=True)
    overview = funder.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f"/projects/{project.id}/reports/2" in overview and "Read the published report" in overview


def test_a_quote_whose_consent_is_withdrawn_after_publishing_leaves_the_published_report(app, db, project):
    lead, funder = _clients(app, project)
    step_id = load_chain(project.id).steps[0].id
    item = _quote(project, step_id, "I listen first now.", consent=True)
    lead.post(f"/projects/{project.id}/reports/", data={"name": "Interim report"})
    assert "I listen first now." in funder.get(f"/projects/{project.id}/reports/1?evidence=all").get_data(as_text=True)
    item.consent_to_quote = False
    _db.session.commit()
    assert "I listen first now." not in funder.get(
        f"/projects/{project.id}/reports/1?evidence=all").get_data(as_text=True)
    # The record keeps what was published; only the page leaves the quote out.
    stored = _db.session.scalar(select(PublishedReport.story))
    assert "I listen first now." in str(stored)


def test_small_groups_are_shown_as_fewer_than_five_and_their_response_rates_left_out(app, db, project):
    event = save_event(project, None, kind=EventKind.SEMINAR, title="Seminar", event_date=dt.date(2011, 3, 1),
                       place="", notes="", attendance={})
    for number in range(7):
        save_card(event, CardData(f"p{number}@council.gov.uk", ["Write for the family"],
                                  partner_group=PartnerGroup.PRACTITIONER), CardSource.PAPER)
    for number in range(3):
        save_card(event, CardData(f"c{number}@carers.org", ["Ask what helps"], partner_group=PartnerGroup.CARER),
                  CardSource.PAPER)
    _db.session.commit()
    lead, funder = _clients(app, project)
    live = lead.get(f"/projects/{project.id}/report.json").get_json()["action_cards"]
    assert live["by_partner_group"]["carer"]["cards"] == 3 and live["by_partner_group"]["practitioner"]["cards"] == 7
    lead.post(f"/projects/{project.id}/reports/", data={"name": "Interim report"})
    seen = funder.get(f"/projects/{project.id}/report.json").get_json()["action_cards"]
    assert seen["cards"] == 10 and seen["by_partner_group"]["practitioner"]["cards"] == 7
    assert seen["by_partner_group"]["carer"]["cards"] == FEWER
    # Two of five asked answered: three silent, so the rate would single them out.
    figures = {"cards": 5, "followups_sent": 5, "respondents": 2, "response_rate": 0.4}
    shown = for_funders({"action_cards": {**figures, "by_partner_group": {"carer": dict(figures)}, "progress": {
        "none": 1, "good": 0, "some": 12}}})["action_cards"]
    assert shown["respondents"] == FEWER and shown["response_rate"] is None and shown["cards"] == 5
    assert shown["by_partner_group"]["carer"]["response_rate"] is None
    assert shown["progress"] == {"none": FEWER, "good": 0, "some": 12}
    whole = for_funders({"action_cards": {"cards": 40, "followups_sent": 40, "respondents": 20,
                                          "response_rate": 0.5}})["action_cards"]
    assert whole["response_rate"] == 0.5


def test_a_published_report_runs_the_same_queries_however_big_the_story(app, db, project, query_counter):
    lead, funder = _clients(app, project)
    step_id = load_chain(project.id).steps[0].id
    counts = []
    for number, quotes in ((1, 1), (2, 15)):
        for index in range(quotes):
            _quote(project, step_id, f"Quote {number}-{index}.", consent=True)
        lead.post(f"/projects/{project.id}/reports/", data={"name": f"Version {number}"})
        with query_counter() as statements:
            assert funder.get(f"/projects/{project.id}/reports/{number}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_the_published_report_opens_with_its_summary_and_headline_figures_each_with_a_table(app, db, client):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    project = _db.session.scalar(select(Project))
    client.post("/login", data={"email": "funder@demo.example.org", "password": "demo-password"})
    page = client.get(f"/projects/{project.id}/reports/1").get_data(as_text=True)
    summary = page.index('id="summary-heading"')
    assert summary < page.index('id="chain-heading"') < page.index('id="conclusion"')
    assert "Response rate to the follow-ups: <strong>46%</strong>" in page
    assert "What hindered most" in page and "Heavy caseloads and bureaucratic demands" in page
    for caption in ("Steps by progress", "Evidence items by partner group", "Evidence items by kind",
                    "Whose voice, by level of the chain", "Evidence items by quarter, over the project",
                    "Response by partner group"):
        assert f"<caption>{caption}" in page, caption  # every chart and figure has its table
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 3
    groups = page[page.index("<caption>Response by partner group"):]
    groups = groups[:groups.index("</table>")]
    assert "fewer than 5" in groups and "not shown (too few people)" in groups
    assert "/vendor/plotly" not in page and len(page.encode()) < 600 * 1024


def test_the_summary_names_each_contribution_claim_with_its_confidence_before_and_after(app, db, client):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    project = _db.session.scalar(select(Project))
    client.post("/login", data={"email": "funder@demo.example.org", "password": "demo-password"})
    page = client.get(f"/projects/{project.id}/reports/1").get_data(as_text=True)
    summary = page[page.index('id="summary-heading"'):page.index('id="figures-heading"')]
    assert "The contribution claims" in summary
    assert "(confidence 0.50 before the evidence, 0.86 after)" in summary  # the demo's first claim


def test_a_published_report_holds_each_level_in_brief_with_its_evidence_one_link_away(app, db, project):
    lead, funder = _clients(app, project)
    chain = load_chain(project.id)
    seminars = next(step for step in chain.steps if step.title == "Seminars")
    _quote(project, seminars.id, "The seminar changed how I write reports.", consent=True)
    lead.post(f"/projects/{project.id}/reports/", data={"name": "Interim report"})
    brief = funder.get(f"/projects/{project.id}/reports/1").get_data(as_text=True)
    assert "Seminars</strong>: progress not assessed" in brief and "1 for, 0 against" in brief
    assert "The seminar changed how I write reports." not in brief
    link = f"/projects/{project.id}/reports/1?level={seminars.level_id}#level-{seminars.level_id}-detail"
    assert html.escape(link) in brief
    opened = funder.get(link.split("#")[0]).get_data(as_text=True)
    assert html.escape("The seminar changed how I write reports.") in opened
    assert f'id="level-{seminars.level_id}-detail" open' in opened


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", page)


def test_a_cached_report_is_the_page_as_rendered_and_never_another_roles(app, db, project, query_counter):
    lead, funder = _clients(app, project)
    lead.post(f"/projects/{project.id}/reports/", data={"name": "Interim report"})
    path = f"/projects/{project.id}/reports/1"
    first = funder.get(path).get_data(as_text=True)
    with query_counter() as statements:
        again = funder.get(path).get_data(as_text=True)
    assert _without_tokens(again) == _without_tokens(first)
    assert not any("published_reports.story" in statement for statement in statements)  # not even loaded
    # The team's page links to the live story; a funder's never does, whoever opened it first.
    team = lead.get(path).get_data(as_text=True)
    assert "The story as it reads now" in team
    assert "The story as it reads now" not in funder.get(path).get_data(as_text=True)
    assert "The story as it reads now" not in first


def test_the_portfolio_shows_a_new_publication_at_once(app, db, project):
    lead, funder = _clients(app, project)
    lead.post(f"/projects/{project.id}/reports/", data={"name": "Interim report"})
    assert f"/projects/{project.id}/reports/1" in funder.get("/portfolio").get_data(as_text=True)
    lead.post(f"/projects/{project.id}/reports/", data={"name": "Final report"})
    assert f"/projects/{project.id}/reports/2" in funder.get("/portfolio").get_data(as_text=True)
    project.programme = "Children and families"
    _db.session.commit()
    assert "Children and families" in funder.get("/portfolio").get_data(as_text=True)
    other = factories.chain_project()
    _db.session.add(Membership(project_id=other.id, user_id=_funder_of(project).id, role=Role.FUNDER,
                               partner_group=PartnerGroup.FUNDER))
    _db.session.commit()
    lead_of_other = app.test_client()
    their_lead = next(m.user for m in other.memberships if m.role == Role.LEAD)
    assert lead_of_other.post("/login", data={"email": their_lead.email,
                                              "password": factories.PASSWORD}).status_code == 302
    assert f"/projects/{other.id}/reports/1" not in funder.get("/portfolio").get_data(as_text=True)
    assert lead_of_other.post(f"/projects/{other.id}/reports/",
                              data={"name": "Their first report"}).status_code == 302
    assert f"/projects/{other.id}/reports/1" in funder.get("/portfolio").get_data(as_text=True)


def _funder_of(project):
    return next(m.user for m in project.memberships if m.role == Role.FUNDER)


def test_every_change_that_can_show_or_withhold_a_quote_moves_the_projects_count(app, db, project):
    from impact.evidence import services as evidence

    step_id = load_chain(project.id).steps[0].id
    item = _quote(project, step_id, "I listen first now.", consent=True)

    def count() -> int:
        _db.session.expire_all()
        return _db.session.get(Project, project.id).quotes_changed

    before = count()
    evidence.update_item(item, {"title": "Renamed note"})  # nothing a quote hangs on
    _db.session.commit()
    assert count() == before
    changes = [
        lambda: evidence.withdraw_consent(item),
        lambda: evidence.update_item(item, {"consent_to_quote": True}),
        lambda: evidence.update_item(item, {"quote": "I listen first, then write."}),
        lambda: evidence.delete_item(item, None),
        lambda: evidence.restore_item(item),
    ]
    for number, change in enumerate(changes, start=1):
        change()
        _db.session.commit()
        assert count() == before + number, number


def test_without_its_cache_the_report_and_portfolio_are_still_served(app_with, db, project):
    """A Redis that cannot be reached costs speed, not the page."""
    unreachable = app_with(CACHE_TYPE="RedisCache", CACHE_REDIS_URL="redis://127.0.0.1:1/0")
    lead, funder = _clients(unreachable, project)
    lead.post(f"/projects/{project.id}/reports/", data={"name": "Interim report"})
    for path, shows in ((f"/projects/{project.id}/reports/1", "Interim report"),
                        ("/portfolio", f"/projects/{project.id}/reports/1")):
        for _ in range(2):
            response = funder.get(path)
            assert response.status_code == 200 and shows in response.get_data(as_text=True), path


def test_a_version_number_opens_only_that_projects_own_version(app, db, project):
    lead, funder = _clients(app, project)
    assert lead.post(f"/projects/{project.id}/reports/", data={"name": "Interim report"}).status_code == 302
    other = factories.project(title="A project with nothing published")
    funder_user = _db.session.scalars(select(Membership.user_id).where(Membership.project_id == project.id,
                                                                         Membership.role == Role.FUNDER)).one()
    _db.session.add(Membership(project_id=other.id, user_id=funder_user, role=Role.FUNDER,
                               partner_group=PartnerGroup.OTHER))
    _db.session.commit()
    assert "Interim report" in funder.get(f"/projects/{project.id}/reports/1").get_data(as_text=True)
    assert funder.get(f"/projects/{other.id}/reports/1").status_code == 404  # the other project's number 1
    assert funder.get(f"/projects/{project.id}/reports/2").status_code == 404  # not published (yet)
