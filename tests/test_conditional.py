"""A browser (or a program) that holds a project page as it stands gets 304 Not Modified, for one
statement or two; any change to the project, another viewer, a message to show, or a new day gives
the whole page again (impact/projects/conditional.py)."""
from __future__ import annotations

from sqlalchemy import select

from impact.extensions import db as _db
from impact.projects.models import Project
from impact.toc.models import Step
from tests import factories
from tests.test_api import api_as


def _chain(project) -> str:
    return f"/projects/{project.id}/chain/"


def test_an_unchanged_page_is_answered_304_for_a_statement_or_two(client, login_as, project, query_counter):
    login_as("lead", project)
    first = client.get(_chain(project))
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    tag = first.headers["ETag"]
    with query_counter() as statements:
        again = client.get(_chain(project), headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == tag
    # The signed-in user (with their session), and the project with the viewer's role: nothing of the page.
    assert len(statements) <= 3, statements


def test_any_change_to_the_project_gives_the_new_page(client, login_as, project):
    login_as("lead", project)
    tag = client.get(_chain(project)).headers["ETag"]
    step = _db.session.scalars(select(Step).where(Step.project_id == project.id)).first()
    step.title = "Councils change how they commission"
    _db.session.commit()
    response = client.get(_chain(project), headers={"If-None-Match": tag})
    assert response.status_code == 200
    assert "Councils change how they commission" in response.get_data(as_text=True)
    assert response.headers["ETag"] != tag


def test_a_change_to_another_project_leaves_the_page_as_it_is(client, login_as, project):
    login_as("lead", project)
    tag = client.get(_chain(project)).headers["ETag"]
    other = factories.chain_project()
    other.title = "Someone else's project"
    _db.session.commit()
    assert client.get(_chain(project), headers={"If-None-Match": tag}).status_code == 304


def test_another_viewer_never_gets_a_304_for_a_page_kept_by_someone_else(app, client, login_as, project):
    login_as("lead", project)
    lead_tag = client.get(f"/projects/{project.id}").headers["ETag"]
    funder_browser = app.test_client()
    funder = factories.user_with_role("funder", project)
    signed_in = funder_browser.post("/login", data={"email": funder.email, "password": factories.PASSWORD})
    assert signed_in.status_code == 302
    response = funder_browser.get(f"/projects/{project.id}", headers={"If-None-Match": lead_tag})
    assert response.status_code == 200 and response.headers["ETag"] != lead_tag


def test_a_page_with_a_message_to_show_is_sent_whole_and_not_kept(client, login_as, project):
    login_as("lead", project)
    tag = client.get(_chain(project)).headers["ETag"]
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Level added.")]
    response = client.get(_chain(project), headers={"If-None-Match": tag})
    assert response.status_code == 200 and "Level added." in response.get_data(as_text=True)
    assert "ETag" not in response.headers and response.headers["Cache-Control"] == "no-store"
    assert client.get(_chain(project), headers={"If-None-Match": tag}).status_code == 304  # shown once


def test_a_page_that_shows_time_is_tagged_by_the_minute(client, login_as, project, monkeypatch):
    import datetime as dt

    from impact.projects import conditional

    login_as("lead", project)
    tag = client.get(f"/projects/{project.id}").headers["ETag"]
    later = conditional.utcnow() + dt.timedelta(minutes=1)
    monkeypatch.setattr(conditional, "utcnow", lambda: later)
    assert client.get(f"/projects/{project.id}", headers={"If-None-Match": tag}).status_code == 200
    chain_tag = client.get(_chain(project)).headers["ETag"]
    assert client.get(_chain(project), headers={"If-None-Match": chain_tag}).status_code == 304


def test_a_download_is_tagged_and_answered_304(client, login_as, project):
    login_as("lead", project)
    path = f"/projects/{project.id}/data/actions.csv"
    first = client.get(path)
    assert first.status_code == 200 and first.mimetype == "text/csv"
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_an_api_read_is_tagged_and_answered_304_and_a_write_changes_it(app, db, project):
    api = api_as(app, "lead", project)
    path = f"/projects/{project.id}/chain"
    first = api.get(path)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    conditional = {**api._headers(), "If-None-Match": tag}
    assert api.client.get(f"/api/v1{path}", headers=conditional).status_code == 304
    _db.session.get(Project, project.id).title = "Renamed through the web"
    _db.session.commit()
    assert api.client.get(f"/api/v1{path}", headers=conditional).status_code == 200


def test_a_page_the_request_itself_changed_is_not_tagged(client, login_as, project):
    login_as("lead", project)
    response = client.post(f"/projects/{project.id}/chain/levels", data={"name": "Wider change"},
                           follow_redirects=False)
    assert response.status_code in (302, 303) and "ETag" not in response.headers


def test_signing_out_clears_what_the_browser_kept(client, login_as, project):
    login_as("lead", project)
    response = client.post("/logout")
    assert response.headers["Clear-Site-Data"] == '"cache"'
