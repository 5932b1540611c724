"""The chain, the story, the gaps and the report data are kept between requests (impact/projects/kept.py):
a change shows at the next request whoever made it, each role gets its own page, a withdrawn consent
withdraws the quote at once, and the forms of a kept page work in every session."""
from __future__ import annotations

import re

from sqlalchemy import select

from impact.coding.models import FactorTheme
from impact.coding.services import add_default_themes, set_codes
from impact.extensions import db as _db
from impact.followups.models import Response
from impact.projects.models import Membership, Project
from impact.toc.models import FactorDirection, Step
from impact.tracing.models import ClaimTest, TestType
from tests import factories
from tests.test_dashboard import _answered_campaign
from tests.test_page_cache import TOKEN, _signed_in
from tests.test_story import add_item, link_item
from tests.test_tracing import claim_url, make_claim, turn_on


def _first_step(project) -> Step:
    return _db.session.scalars(select(Step).where(Step.project_id == project.id).order_by(Step.id)).first()


def test_a_kept_chain_is_served_for_two_statements_and_a_change_shows_at_once(client, login_as, project,
                                                                              query_counter):
    login_as("lead", project)
    path = f"/projects/{project.id}/chain/"
    client.get(path)
    with query_counter() as statements:
        assert client.get(path).status_code == 200
    assert len(statements) == 1, statements  # the user with the project and the viewer's role: nothing more
    response = client.post(f"/projects/{project.id}/chain/steps/{_first_step(project).id}/edit",
                           data={"title": "Practitioners hear the research", "description": "",
                                 "version": _first_step(project).version}, follow_redirects=True)
    assert response.status_code == 200
    assert "Practitioners hear the research" in client.get(path).get_data(as_text=True)


def test_a_kept_step_page_reads_the_user_project_and_step_in_one_statement(client, login_as, project,
                                                                          query_counter):
    login_as("team_member", project)
    step = _first_step(project)
    path = f"/projects/{project.id}/chain/steps/{step.id}"
    client.get(path)
    with query_counter() as statements:
        page = client.get(path)
    assert page.status_code == 200 and step.title in page.get_data(as_text=True)
    assert len(statements) == 1, statements
    other = factories.chain_project()
    assert client.get(f"/projects/{project.id}/chain/steps/{_first_step(other).id}").status_code == 404
    assert client.get(f"/projects/{other.id}/chain/steps/{_first_step(other).id}").status_code == 404


def test_a_change_made_outside_the_request_shows_too(client, login_as, project):
    login_as("lead", project)
    path = f"/projects/{project.id}/story/gaps"
    client.get(path)
    client.get(path)
    _first_step(project).title = "Councils rewrite their guidance"
    _db.session.commit()
    assert "Councils rewrite their guidance" in client.get(path).get_data(as_text=True)


def test_each_role_gets_its_own_kept_page(app, client, login_as, project):
    practitioner = factories.user_with_role("practitioner_researcher", project)  # a member before the page is kept
    login_as("lead", project)
    path = f"/projects/{project.id}/chain/"
    client.get(path)  # shows the "logged in" message: rendered for this request alone
    assert 'name="name"' in client.get(path).get_data(as_text=True)  # kept; the lead may add a level
    other = app.test_client()
    assert other.post("/login", data={"email": practitioner.email, "password": factories.PASSWORD}).status_code == 302
    other.get(path)
    page = other.get(path).get_data(as_text=True)
    assert "Theory of change" in page and 'name="name"' not in page  # no editing forms from the lead's page


def test_a_withdrawn_consent_withdraws_the_quote_from_the_kept_story(client, login_as, project):
    item = add_item(project, "Impact meeting", quote="I write my reports for the family now",
                    pseudonym="Social worker A", consent=True)
    link_item(item, step=_first_step(project))
    _db.session.commit()
    login_as("lead", project)
    path = f"/projects/{project.id}/story/?open=all"
    client.get(path)
    assert "I write my reports for the family now" in client.get(path).get_data(as_text=True)
    item.consent_to_quote = False
    _db.session.commit()
    assert "I write my reports for the family now" not in client.get(path).get_data(as_text=True)


def test_a_kept_pages_forms_carry_each_sessions_own_token_and_work(app_with, db, project):
    protected = app_with(WTF_CSRF_ENABLED=True)
    lead = factories.user_with_role("lead", project)
    first, second = _signed_in(protected, lead), _signed_in(protected, lead)
    path = f"/projects/{project.id}/chain/"
    first_page = first.get(path).get_data(as_text=True)
    second_page = second.get(path).get_data(as_text=True)  # kept from the first session's request
    first_tokens, second_tokens = set(TOKEN.findall(first_page)), set(TOKEN.findall(second_page))
    assert len(first_tokens) == 1 and len(second_tokens) == 1 and first_tokens != second_tokens
    response = second.post(f"/projects/{project.id}/chain/levels",
                           data={"name": "Wider change", "description": "", "csrf_token": second_tokens.pop()})
    assert response.status_code == 302
    assert "Wider change" in first.get(path).get_data(as_text=True)


def test_report_data_follows_every_change(client, login_as, project):
    login_as("lead", project)
    path = f"/projects/{project.id}/report.json"
    client.get(path)
    before = client.get(path).get_json()
    item = add_item(project, "Questionnaire returns")
    link_item(item, step=_first_step(project))
    _db.session.commit()
    after = client.get(path).get_json()
    assert after != before
    assert re.search("Questionnaire returns|evidence", repr(after))


def test_nothing_is_kept_from_a_project_of_the_same_id_before_it(client, login_as, db):
    first = factories.chain_project()
    _db.session.commit()
    assert _db.session.get(Project, first.id).change_stamp > 10**15  # starts from the clock


def test_each_step_and_each_library_page_is_kept_apart(client, login_as, project):
    login_as("lead", project)
    first, second = _db.session.scalars(select(Step).where(Step.project_id == project.id).order_by(Step.id)).all()[:2]
    for _ in range(2):
        assert f"<h1>{first.title}" in client.get(f"/projects/{project.id}/chain/steps/{first.id}").get_data(
            as_text=True).replace("\n", "")
    assert f"<h1>{second.title}" in client.get(f"/projects/{project.id}/chain/steps/{second.id}").get_data(
        as_text=True).replace("\n", "")


def test_the_kept_workbench_shows_a_coded_answer_at_once(client, login_as, project, query_counter):
    login_as("lead", project)
    add_default_themes(project)
    _db.session.commit()
    _answered_campaign(client, project, helped="My manager gave me time", hindered="My caseload doubled")
    _db.session.commit()
    path = f"/projects/{project.id}/coding"
    client.get(path)  # may show a message from sending: rendered for this request alone
    client.get(path)
    with query_counter() as statements:
        assert "1 answer and 0 updates to code" in " ".join(client.get(path).get_data(as_text=True).split())
    assert len(statements) == 1, statements  # kept: the user with the project and the viewer's role
    response = _db.session.scalars(select(Response)).one()
    time = _db.session.scalar(select(FactorTheme.id).where(FactorTheme.name == "Time and caseload"))
    # Coded by another member of the team (outside this browser's requests): this page shows it at once.
    set_codes(project, response, {(time, FactorDirection.HINDERING)})
    _db.session.commit()
    page = " ".join(client.get(path).get_data(as_text=True).split())
    assert "0 answers and 0 updates to code" in page and 'aria-label="1 hindering: Time and caseload"' in page


def test_a_kept_claim_keeps_its_charts_and_shows_a_new_test_at_once(client, login_as, project, query_counter):
    turn_on(project)
    claim = make_claim(project, prior=0.5, tests=[(0.8, 0.2, True)])
    login_as("lead", project)
    claims = f"/projects/{project.id}/tracing/"

    def tests_listed() -> list[str]:
        return re.findall(r"<td>(\d+)</td>\s*</tr>", client.get(claims).get_data(as_text=True))

    client.get(claims)  # the login message: rendered for this request alone
    assert tests_listed() == tests_listed() == ["1"]  # the second from the cache
    for _ in range(2):
        with query_counter() as statements:
            page = client.get(claim_url(project, claim)).get_data(as_text=True)
        assert "js/charts.js" in page and "Test 0" in page  # from the cache the second time, charts and all
    assert len(statements) == 1, statements  # kept: the user with the project, the role and the claim
    claim.tests.append(ClaimTest(description="Minutes name the seminar", test_type=TestType.CUSTOM,
                                 sensitivity=0.7, type_one_error=0.1, found=True, position=1))
    _db.session.commit()
    assert "Minutes name the seminar" in client.get(claim_url(project, claim)).get_data(as_text=True)
    assert tests_listed() == ["2"]  # the claims list too


def test_the_projects_list_is_kept_and_shows_a_new_a_renamed_and_a_left_project_at_once(client, login_as, project,
                                                                                      query_counter):
    lead = login_as("lead", project)
    client.get("/")
    with query_counter() as statements:
        assert "Test project" in client.get("/").get_data(as_text=True)
    assert len(statements) <= 2, statements  # the user, the counter: not the projects nor their count
    other = factories.project(lead, title="Housing advice pilot")
    _db.session.commit()
    assert "Housing advice pilot" in client.get("/").get_data(as_text=True)
    project.title = "Adult social care research"
    _db.session.commit()
    listed = client.get("/").get_data(as_text=True)
    assert "Adult social care research" in listed and "Test project" not in listed
    _db.session.delete(_db.session.scalar(select(Membership).where(Membership.project_id == other.id,
                                                                   Membership.user_id == lead.id)))
    _db.session.commit()
    assert "Housing advice pilot" not in client.get("/").get_data(as_text=True)


def test_each_person_gets_their_own_kept_projects_list(app, client, login_as, project):
    login_as("lead", project)
    assert "Test project" in client.get("/").get_data(as_text=True)
    outsider = app.test_client()
    login = factories.user("Someone else")
    _db.session.commit()
    assert outsider.post("/login", data={"email": login.email, "password": factories.PASSWORD}).status_code == 302
    assert "Test project" not in outsider.get("/").get_data(as_text=True)
