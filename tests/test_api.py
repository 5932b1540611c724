"""The JSON API as a program uses it: a token, JSON in and out, the same permissions as the pages."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from impact.api.models import ApiToken, token_hash
from impact.api.tokens import create_token
from impact.cards.models import ActionCard, CardSource
from impact.cards.services import CardData, save_card
from impact.events.models import EventKind
from impact.events.services import save_event
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance, Strength
from impact.extensions import db as _db
from impact.projects.models import PartnerGroup
from impact.research.models import ResearchProject, ResearchUpdate, UpdateStatus
from impact.toc.services import load_chain
from tests import factories


class Api:
    """A program holding a token: every request carries it, and nothing else (no cookies)."""

    def __init__(self, app, raw: str | None):
        self.client, self.raw = app.test_client(use_cookies=False), raw

    def _headers(self):
        return {"Authorization": f"Bearer {self.raw}"} if self.raw else {}

    def get(self, path, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self._headers(), **kwargs)

    def post(self, path, body):
        return self.client.post(f"/api/v1{path}", json=body, headers=self._headers())

    def patch(self, path, body):
        return self.client.patch(f"/api/v1{path}", json=body, headers=self._headers())


def api_as(app, role: str, project=None) -> Api:
    user = factories.user_with_role(role, project)
    _, raw = create_token(user, "Tests")
    _db.session.commit()
    return Api(app, raw)


def _steps(project) -> dict[str, int]:
    return {step.title: step.id for step in load_chain(project.id).steps}


def _item(project, title="Observation note", *, quote="", consent=False, created_by=None) -> EvidenceItem:
    item = EvidenceItem(project_id=project.id, kind=EvidenceKind.OBSERVATION, title=title,
                        evidence_date=dt.date(2011, 5, 1), partner_group=PartnerGroup.PRACTITIONER, quote=quote,
                        consent_to_quote=consent, pseudonym="Practitioner 9" if consent else "",
                        created_by_id=getattr(created_by, "id", None))
    _db.session.add(item)
    _db.session.commit()
    return item


EVIDENCE = {"kind": "observation", "title": "Team meeting notes", "evidence_date": "2011-05-02",
            "partner_group": "practitioner", "summary": "Two managers asked for the guide."}


# Tokens -------------------------------------------------------------------------------------------

def test_a_token_is_stored_as_a_hash_and_shown_once_on_the_account_page(app, client, login_as, project):
    user = login_as("lead", project)
    assert client.get("/account/tokens/new").status_code == 200
    assert client.post("/account/tokens/new", data={"name": "", "password": factories.PASSWORD}).status_code == 400
    wrong = client.post("/account/tokens/new", data={"name": "Council case system", "password": "not it"})
    assert wrong.status_code == 400 and "That is not your password." in wrong.get_data(as_text=True)
    assert _db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
    created = client.post("/account/tokens/new", data={"name": "Council case system", "password": factories.PASSWORD})
    assert created.status_code == 200
    page = created.get_data(as_text=True)
    raw = page.split('id="new-token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    assert raw.startswith("imp_") and len(raw) > 40 and "not shown again" in page
    token = _db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.token_hash == token_hash(raw) and raw not in (token.hint, token.token_hash)
    account = client.get("/account").get_data(as_text=True)
    assert "Council case system" in account and token.hint in account and raw not in account

    program = Api(app, raw)
    listed = program.get("/projects")
    assert listed.status_code == 200 and [p["id"] for p in listed.get_json()["items"]] == [project.id]
    _db.session.expire_all()
    assert _db.session.get(ApiToken, token.id).last_used_at is not None

    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    refused = program.get("/projects")
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthorized"
    assert "Revoked" in client.get("/account").get_data(as_text=True)


def test_nobody_revokes_someone_elses_token(app, client, login_as, project):
    owner = factories.user("Owner")
    token, raw = create_token(owner, "Theirs")
    _db.session.commit()
    login_as("admin")
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert Api(app, raw).get("/projects").status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer imp_not-a-token", "Basic dXNlcjpwYXNz", "Bearer "])
def test_without_a_valid_token_the_api_answers_401_in_json(app, db, header):
    client = app.test_client()
    response = client.get("/api/v1/projects", headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_signed_in_browser_cannot_use_the_api_without_a_token(app, client, login_as, project):
    """The session cookie does not count under /api/, so a page elsewhere cannot write through a browser."""
    login_as("lead", project)
    assert client.get("/api/v1/projects").status_code == 401
    assert client.post(f"/api/v1/projects/{project.id}/evidence", json=EVIDENCE).status_code == 401
    assert _db.session.scalar(select(func.count()).select_from(EvidenceItem)) == 0


def test_a_deactivated_users_tokens_stop_working(app, db, project):
    program = api_as(app, "lead", project)
    token = _db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(program.raw)))
    token.user.active = False
    _db.session.commit()
    assert program.get("/projects").status_code == 401


def test_writes_need_no_csrf_token_but_a_bearer_token(app_with, db, project):
    strict = app_with(WTF_CSRF_ENABLED=True)
    user = factories.user_with_role("lead", project)
    _, raw = create_token(user, "Script")
    _db.session.commit()
    program = Api(strict, raw)
    assert program.post(f"/projects/{project.id}/evidence", EVIDENCE).status_code == 201


def test_each_person_has_a_rate_limit_whichever_token_they_use(app_with, db, project):
    limited = app_with(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    lead = factories.user_with_role("lead", project)
    first, second = (Api(limited, create_token(lead, name)[1]) for name in ("First", "Second"))
    someone_else = Api(limited, create_token(factories.user_with_role("team_member", project), "Theirs")[1])
    _db.session.commit()
    assert [first.get("/projects").status_code for _ in range(2)] + [second.get("/projects").status_code] == [200] * 3
    refused = first.get("/projects")
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert second.get("/projects").status_code == 429
    assert someone_else.get("/projects").status_code == 200


# Reading ------------------------------------------------------------------------------------------

def test_the_project_list_holds_only_the_projects_the_user_may_open(app, db, project):
    other = factories.chain_project()
    program = api_as(app, "team_member", project)
    body = program.get("/projects").get_json()
    assert [p["id"] for p in body["items"]] == [project.id] and body["total"] == 1
    assert body["items"][0]["role"] == "team_member" and body["items"][0]["title"] == project.title
    assert program.get(f"/projects/{other.id}").status_code == 404
    assert program.get(f"/projects/{other.id}/chain").get_json()["error"]["code"] == "not_found"


def test_the_chain_has_its_levels_steps_links_assumptions_and_factors(app, db, project):
    chain = api_as(app, "co_researcher", project).get(f"/projects/{project.id}/chain").get_json()
    steps = {step["title"]: step for step in chain["steps"]}
    assert set(steps) == {"Seminars", "Attendees from six councils", "Reports written for the client"}
    assert len(chain["links"]) == 3 and len(chain["levels"]) == len(project.levels)
    first = next(link for link in chain["links"] if link["assumptions"])
    assert first["source_step_id"] == steps["Seminars"]["id"]
    assert first["assumptions"][0] == {"id": first["assumptions"][0]["id"], "kind": "assumption",
                                       "text": "Managers release staff to attend"}
    assert chain["factors"][0]["title"] == "Heavy caseloads" and chain["factors"][0]["direction"] == "hindering"


def test_a_funder_reads_the_project_and_its_published_report_only(app, db, project):
    funder = api_as(app, "funder", project)
    assert funder.get(f"/projects/{project.id}").status_code == 200
    for path in ("/chain", "/evidence", "/practitioner-projects", "/events"):
        assert funder.get(f"/projects/{project.id}{path}").status_code == 403, path
    missing = funder.get(f"/projects/{project.id}/report")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_published"
    team = api_as(app, "lead", project).get(f"/projects/{project.id}/report").get_json()
    assert team["project"]["id"] == project.id and {step["title"] for step in team["steps"]} >= {"Seminars"}


def test_words_without_consent_are_withheld_as_on_the_pages(app, db, project):
    _item(project, "Quoted", quote="It changed my reports.", consent=True)
    _item(project, "Not quoted", quote="Private words.")
    response = EvidenceItem(project_id=project.id, kind=EvidenceKind.ACTION_CARD_RESPONSE, title="A response",
                            evidence_date=dt.date(2011, 6, 1), summary="What the respondent wrote")
    _db.session.add(response)
    _db.session.commit()
    by_title = {item["title"]: item for item in
                api_as(app, "co_researcher", project).get(f"/projects/{project.id}/evidence").get_json()["items"]}
    assert by_title["Quoted"]["quote"] == "It changed my reports."
    assert by_title["Not quoted"]["quote"] is None and "Private words" not in str(by_title)
    assert by_title["A response"]["summary"] is None  # a respondent's words without consent: the team's only
    team = {item["title"]: item for item in
            api_as(app, "team_member", project).get(f"/projects/{project.id}/evidence").get_json()["items"]}
    assert team["A response"]["summary"] == "What the respondent wrote" and team["Not quoted"]["quote"] is None
    searched = api_as(app, "co_researcher", project).get(f"/projects/{project.id}/evidence?q=Private")
    assert searched.get_json()["total"] == 0


def test_evidence_pages_and_filters(app, db, project):
    steps = _steps(project)
    for number in range(7):
        item = _item(project, f"Note {number}")
        if number % 2:
            _db.session.add(EvidenceLink(item_id=item.id, step_id=steps["Seminars"], stance=Stance.CHALLENGES,
                                         strength=Strength.WEAK))
    _db.session.commit()
    program = api_as(app, "lead", project)
    first = program.get(f"/projects/{project.id}/evidence?per_page=3").get_json()
    assert (len(first["items"]), first["total"], first["pages"], first["page"]) == (3, 7, 3, 1)
    last = program.get(f"/projects/{project.id}/evidence?per_page=3&page=3").get_json()
    assert len(last["items"]) == 1
    linked = program.get(f"/projects/{project.id}/evidence?step_id={steps['Seminars']}&stance=challenges")
    assert linked.get_json()["total"] == 3
    assert linked.get_json()["items"][0]["links"][0] == {
        "id": linked.get_json()["items"][0]["links"][0]["id"], "target": "step", "target_id": steps["Seminars"],
        "stance": "challenges", "strength": "weak", "note": ""}
    bad = program.get(f"/projects/{project.id}/evidence?per_page=1000&kind=poem")
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"per_page", "kind"}


def test_lists_run_the_same_queries_however_long(app, db, project, query_counter):
    program = api_as(app, "lead", project)
    event = save_event(project, None, kind=EventKind.SEMINAR, title="Seminar", event_date=dt.date(2011, 3, 1),
                       place="", notes="", attendance={})
    prp = ResearchProject(project_id=project.id, title="Carers first")
    _db.session.add(prp)
    _db.session.commit()
    paths = [f"/projects/{project.id}/evidence", f"/projects/{project.id}/events/{event.id}/cards",
             f"/projects/{project.id}/practitioner-projects", f"/projects/{project.id}/chain", "/projects"]

    def counts():
        found = []
        for path in paths:
            with query_counter() as statements:
                assert program.get(path).status_code == 200, path
            found.append(len(statements))
        return found

    steps = _steps(project)

    def add(numbers):
        for number in numbers:
            item = _item(project, f"Note {number}")
            _db.session.add(EvidenceLink(item_id=item.id, step_id=steps["Seminars"], stance=Stance.SUPPORTS))
            save_card(event, CardData(f"person{number}@council.gov.uk", ["One", "Two"]), CardSource.PAPER)
            _db.session.add(ResearchProject(project_id=project.id, title=f"PRP {number}"))
        _db.session.commit()

    add(range(1))
    program.get("/projects")  # the token's last use is noted once an hour: not in the counts below
    few = counts()
    add(range(1, 13))
    assert counts() == few


def test_a_lists_first_pages_are_kept_until_the_project_changes(app, db, project, query_counter):
    program = api_as(app, "lead", project)
    _item(project, "Observation before")
    path = f"/projects/{project.id}/evidence"
    program.get("/projects")  # the token's last use is noted once an hour: not in the counts below
    first = program.get(path)
    with query_counter() as statements:
        again = program.get(path)
    assert again.status_code == 200 and again.mimetype == "application/json"
    assert again.get_json() == first.get_json() and len(statements) == 2  # the token, the project and role
    # The same items through a filter, made afresh: what is kept is what would be made.
    assert program.get(f"{path}?kind=observation").get_json() == again.get_json()
    assert program.post(path, {**EVIDENCE, "title": "Added through the API"}).status_code == 201
    titles = [item["title"] for item in program.get(path).get_json()["items"]]
    assert titles == ["Added through the API", "Observation before"]
    with query_counter() as statements:
        assert program.get(f"{path}?per_page=7").get_json()["total"] == 2  # another size: made each time
    assert len(statements) > 2


# Writing ------------------------------------------------------------------------------------------

def test_a_contributor_adds_evidence_and_links_it_to_a_step(app, client, login_as, project):
    steps = _steps(project)
    program = api_as(app, "practitioner_researcher", project)
    created = program.post(f"/projects/{project.id}/evidence", {**EVIDENCE, "title": "  Team meeting notes  "})
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert item["title"] == "Team meeting notes" and item["links"] == [] and item["version"] == 1
    link = program.post(f"/projects/{project.id}/evidence/{item['id']}/links",
                        {"target": "step", "target_id": steps["Seminars"], "stance": "supports"})
    assert link.status_code == 201 and link.get_json()["strength"] == "moderate"
    again = program.post(f"/projects/{project.id}/evidence/{item['id']}/links",
                         {"target": "step", "target_id": steps["Seminars"], "stance": "supports"})
    assert again.status_code == 422 and "already linked" in again.get_json()["error"]["fields"]["target_id"][0]
    # What a person sees on the pages.
    login_as("lead", project)
    page = client.get(f"/projects/{project.id}/chain/steps/{steps['Seminars']}").get_data(as_text=True)
    assert "Team meeting notes" in page


def test_bad_evidence_is_refused_field_by_field_and_nothing_is_stored(app, db, project):
    program = api_as(app, "lead", project)
    refused = program.post(f"/projects/{project.id}/evidence", {
        "kind": "poem", "title": "x" * 201, "evidence_date": "30/06/2011", "colour": "red",
        "quote": "Words", "consent_to_quote": True})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "invalid" and {"kind", "title", "evidence_date", "colour"} <= set(error["fields"])
    quote = program.post(f"/projects/{project.id}/evidence", {**EVIDENCE, "quote": "Words", "consent_to_quote": True})
    assert quote.status_code == 422 and "pseudonym" in quote.get_json()["error"]["fields"]
    assert program.client.post(f"/api/v1/projects/{project.id}/evidence", data="{not json",
                               content_type="application/json", headers=program._headers()).status_code in (400, 422)
    assert _db.session.scalar(select(func.count()).select_from(EvidenceItem)) == 0


def test_fields_at_their_limits_are_stored_and_nul_characters_dropped(app, db, project):
    program = api_as(app, "lead", project)
    full = {**EVIDENCE, "title": "t" * 200, "source": "s" * 200, "summary": "m" * 20000, "quote": "q" * 5000,
            "pseudonym": "p" * 80, "consent_to_quote": True}
    created = program.post(f"/projects/{project.id}/evidence", full)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["title"] == "t" * 200 and created.get_json()["pseudonym"] == "p" * 80
    nul = program.post(f"/projects/{project.id}/evidence", {**EVIDENCE, "title": "Notes\x00 of the day"})
    assert nul.status_code == 201 and nul.get_json()["title"] == "Notes of the day"
    event = save_event(project, None, kind=EventKind.SEMINAR, title="Seminar", event_date=dt.date(2011, 3, 1),
                       place="", notes="", attendance={})
    _db.session.commit()
    card = program.post(f"/projects/{project.id}/events/{event.id}/cards",
                        {"email": "ann@council.gov.uk", "actions": ["Write\x00 for the family", "a" * 2000]})
    assert card.status_code == 201 and card.get_json()["actions"][0]["text"] == "Write for the family"


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"title": ' + "9" * 5000 + "}"])
def test_json_python_cannot_hold_is_refused_not_a_crash(app, db, project, body):
    program = api_as(app, "lead", project)
    response = program.client.post(f"/api/v1/projects/{project.id}/evidence", data=body,
                                   content_type="application/json", headers=program._headers())
    assert response.status_code == 400 and response.get_json()["error"]["code"]


def test_a_method_no_route_takes_is_405_not_a_form_error(app_with, db, project):
    strict = app_with(WTF_CSRF_ENABLED=True)
    user = factories.user_with_role("lead", project)
    program = Api(strict, create_token(user, "Script")[1])
    _db.session.commit()
    response = program.client.delete(f"/api/v1/projects/{project.id}/evidence", headers=program._headers())
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"


def test_an_edit_based_on_an_old_version_is_refused(app, db, project):
    program = api_as(app, "lead", project)
    item = program.post(f"/projects/{project.id}/evidence", EVIDENCE).get_json()
    path = f"/projects/{project.id}/evidence/{item['id']}"
    saved = program.patch(path, {"title": "Renamed", "version": item["version"]})
    assert saved.status_code == 200 and saved.get_json()["version"] == item["version"] + 1
    assert saved.get_json()["summary"] == EVIDENCE["summary"]  # what was not sent stays
    stale = program.patch(path, {"title": "Overwrites the rename", "version": item["version"]})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "conflict"
    assert program.get(path).get_json()["title"] == "Renamed"


def test_an_edit_keeps_words_the_api_withholds(app, db, project):
    """A quote without consent reads as null; an edit that does not send it leaves it as it was."""
    lead = factories.user_with_role("lead", project)
    item = _item(project, "Not quoted", quote="Private words.", created_by=lead)
    program = api_as(app, "lead", project)
    read = program.get(f"/projects/{project.id}/evidence/{item.id}").get_json()
    assert read["quote"] is None and read["pseudonym"] == ""
    edited = program.patch(f"/projects/{project.id}/evidence/{item.id}",
                           {"title": "Renamed", "version": read["version"]})
    assert edited.status_code == 200
    _db.session.expire_all()
    assert _db.session.get(EvidenceItem, item.id).quote == "Private words."
    refused = program.patch(f"/projects/{project.id}/evidence/{item.id}",
                            {"consent_to_quote": True, "version": edited.get_json()["version"]})
    assert refused.status_code == 422 and "pseudonym" in refused.get_json()["error"]["fields"]


def test_contributors_change_only_their_own_evidence(app, db, project):
    team_item = _item(project, "The team's")
    program = api_as(app, "co_researcher", project)
    edit = program.patch(f"/projects/{project.id}/evidence/{team_item.id}", {"title": "Mine now", "version": 1})
    assert edit.status_code == 403
    link = program.post(f"/projects/{project.id}/evidence/{team_item.id}/links",
                        {"target": "step", "target_id": _steps(project)["Seminars"], "stance": "supports"})
    assert link.status_code == 403


def test_a_link_to_another_projects_chain_is_refused(app, db, project):
    other = factories.chain_project()
    program = api_as(app, "lead", project)
    item = program.post(f"/projects/{project.id}/evidence", EVIDENCE).get_json()
    refused = program.post(f"/projects/{project.id}/evidence/{item['id']}/links",
                           {"target": "step", "target_id": _steps(other)["Seminars"], "stance": "supports"})
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"]["target_id"]
    assert _db.session.scalar(select(func.count()).select_from(EvidenceLink)) == 0


def test_the_team_adds_an_action_card_once_per_email(app, db, project):
    event = save_event(project, None, kind=EventKind.SEMINAR, title="Seminar", event_date=dt.date(2011, 3, 1),
                       place="", notes="", attendance={})
    _db.session.commit()
    program = api_as(app, "team_member", project)
    path = f"/projects/{project.id}/events/{event.id}/cards"
    card = {"email": "Ann@Council.gov.uk", "name": "Ann", "partner_group": "practitioner",
            "actions": ["Write for the family", "", "Ask what helps"]}
    created = program.post(path, card)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["email"] == "ann@council.gov.uk"
    assert [(a["position"], a["text"]) for a in body["actions"]] == [(1, "Write for the family"), (3, "Ask what helps")]
    duplicate = program.post(path, card)
    assert duplicate.status_code == 409 and duplicate.get_json()["error"]["code"] == "card_exists"
    bad = program.post(path, {"email": "not an email", "actions": ["One"]})
    assert bad.status_code == 422 and "email" in bad.get_json()["error"]["fields"]
    assert program.post(path, {"email": "b@council.gov.uk", "actions": ["", " "]}).status_code == 422
    assert program.post(path, {"email": "b@council.gov.uk", "actions": ["1", "2", "3", "4"]}).status_code == 422
    listed = program.get(path).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    assert _db.session.scalar(select(func.count()).select_from(ActionCard)) == 1
    # Cards hold emails: the team's alone, like the cards pages.
    assert api_as(app, "practitioner_researcher", project).get(path).status_code == 403


def test_a_practitioner_sends_an_update_that_becomes_evidence(app, db, project):
    steps = _steps(project)
    prp = ResearchProject(project_id=project.id, title="Carers first")
    _db.session.add(prp)
    _db.session.commit()
    practitioner = api_as(app, "practitioner_researcher", project)
    path = f"/projects/{project.id}/practitioner-projects/{prp.id}/updates"
    draft = practitioner.post(path, {"update_date": "2011-06-01", "what_did": "Private draft", "submit": False})
    assert draft.status_code == 201 and draft.get_json()["status"] == "draft"
    assert draft.get_json()["evidence_item_id"] is None
    sent = practitioner.post(path, {"update_date": "2011-06-02", "what_did": "Ran the carers' group",
                                    "what_changed": "Two carers joined", "step_ids": [steps["Seminars"]]})
    assert sent.status_code == 201 and sent.get_json()["status"] == "submitted"
    item = _db.session.get(EvidenceItem, sent.get_json()["evidence_item_id"])
    assert item.kind is EvidenceKind.PRACTITIONER_UPDATE
    assert [link.step_id for link in item.links] == [steps["Seminars"]]
    # Someone else's draft is theirs alone.
    team = api_as(app, "team_member", project)
    assert [u["what_did"] for u in team.get(path).get_json()["items"]] == ["Ran the carers' group"]
    assert len(practitioner.get(path).get_json()["items"]) == 2
    empty = practitioner.post(path, {"update_date": "2011-06-03"})
    assert empty.status_code == 422 and "what_did" in empty.get_json()["error"]["fields"]
    foreign = practitioner.post(path, {"update_date": "2011-06-03", "what_did": "x", "step_ids": [999999]})
    assert foreign.status_code == 422 and "step_ids" in foreign.get_json()["error"]["fields"]
    endless = practitioner.post(path, {"update_date": "2011-06-03", "what_did": "x", "step_ids": list(range(1, 40000))})
    assert endless.status_code == 422 and "step_ids" in endless.get_json()["error"]["fields"]
    listed = team.get(f"/projects/{project.id}/practitioner-projects").get_json()["items"]
    assert listed[0]["title"] == "Carers first" and listed[0]["updates"] == 1
    assert _db.session.scalar(select(func.count()).select_from(ResearchUpdate)
                              .where(ResearchUpdate.status == UpdateStatus.SUBMITTED)) == 1


# The document -------------------------------------------------------------------------------------

def test_the_openapi_document_describes_every_api_route(app, db):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and spec["info"]["version"] == "v1"
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    documented = {(path, method.upper()) for path, operations in spec["paths"].items() for method in operations
                  if method in ("get", "post", "put", "patch", "delete")}
    served = {(rule.rule.replace("<int:", "{").replace(">", "}"), method)
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              and not rule.rule.endswith("openapi.json") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served and served == documented
