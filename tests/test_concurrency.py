"""Two people editing the same thing: the second save is told, never silently applied."""
from __future__ import annotations

from impact.extensions import db as _db
from impact.projects.models import Project
from impact.toc.models import Step
from impact.toc.services import load_chain


def test_second_save_of_a_step_is_refused_and_shows_the_other_version(client, project, login_as):
    login_as("team_member", project)
    step = load_chain(project.id).steps[0]
    opened_at = step.version  # both people opened the edit form at this version
    first = client.post(f"/projects/{project.id}/chain/steps/{step.id}/edit",
                        data={"title": "Alice's title", "level_id": step.level_id, "description": "",
                              "version": opened_at})
    assert first.status_code == 302
    second = client.post(f"/projects/{project.id}/chain/steps/{step.id}/edit",
                         data={"title": "Bob's title", "level_id": step.level_id, "description": "",
                               "version": opened_at})
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Someone else saved this step while you were editing" in page
    assert "Alice&#39;s title" in page  # their version is shown
    assert 'value="Bob&#39;s title"' in page  # and the form still holds mine
    _db.session.expire_all()
    assert _db.session.get(Step, step.id).title == "Alice's title"
    # saving again from the refreshed form (now at the new version) is a deliberate overwrite
    version = int(__import__("re").search(r'name="version" type="hidden" value="(\d+)"', page).group(1))
    third = client.post(f"/projects/{project.id}/chain/steps/{step.id}/edit",
                        data={"title": "Bob's title", "level_id": step.level_id, "description": "", "version": version})
    assert third.status_code == 302


def test_project_settings_conflict(client, project, login_as):
    login_as("lead", project)
    url = f"/projects/{project.id}/edit"
    opened_at = project.version
    assert client.post(url, data={"title": "New title A", "version": opened_at}).status_code == 302
    response = client.post(url, data={"title": "New title B", "version": opened_at})
    assert response.status_code == 409
    assert "New title A" in response.get_data(as_text=True)
    _db.session.expire_all()
    assert _db.session.get(Project, project.id).title == "New title A"


def test_a_save_without_the_version_it_started_from_is_refused(client, project, login_as):
    # A form posted without its version (an old tab, a hand-made request) must not count as current.
    login_as("team_member", project)
    step = load_chain(project.id).steps[0]
    response = client.post(f"/projects/{project.id}/chain/steps/{step.id}/edit",
                           data={"title": "Blind overwrite", "level_id": step.level_id, "description": ""})
    assert response.status_code == 409
    _db.session.expire_all()
    assert _db.session.get(Step, step.id).title == step.title


def test_an_invalid_step_save_says_what_is_wrong(client, project, login_as):
    login_as("team_member", project)
    step = load_chain(project.id).steps[0]
    response = client.post(f"/projects/{project.id}/chain/steps/{step.id}/edit",
                           data={"title": "", "level_id": step.level_id, "description": "", "version": step.version})
    assert response.status_code == 400
    assert "This field is required" in response.get_data(as_text=True)


def test_a_save_racing_another_between_check_and_write_is_a_conflict(app, project):
    """The version check also sits in the UPDATE itself, so a save landing between our
    check and our write is caught as a conflict, not silently overwritten."""
    from sqlalchemy import text

    from impact.concurrency import CONFLICT_ERRORS

    step = _db.session.get(Step, load_chain(project.id).steps[0].id)
    with _db.engine.connect() as other:  # a second worker saving the same step
        other.execute(text("UPDATE steps SET title = 'Theirs', version = version + 1 WHERE id = :id"), {"id": step.id})
        other.commit()
    step.title = "Mine"
    try:
        _db.session.flush()
    except CONFLICT_ERRORS:
        _db.session.rollback()
    else:
        raise AssertionError("the racing save was not detected")
    assert _db.session.get(Step, step.id).title == "Theirs"
