"""Deleting a step can be undone: it comes back with its links, assumptions and factors."""
from __future__ import annotations

from sqlalchemy import select

from impact.extensions import db as _db
from impact.toc.models import DeletedStep
from impact.toc.revisions import diff_snapshots, snapshot
from impact.toc.services import load_chain
from tests import factories


def _delete(client, project, title):
    step_id = next(s.id for s in load_chain(project.id).steps if s.title == title)
    response = client.post(f"/projects/{project.id}/chain/steps/{step_id}/delete", data={"confirm": "yes"})
    assert response.status_code == 302
    _db.session.expire_all()
    return _db.session.scalar(select(DeletedStep).order_by(DeletedStep.id.desc()))


def test_restore_brings_back_the_step_exactly(client, project, login_as):
    login_as("team_member", project)
    before = snapshot(load_chain(project.id))
    record = _delete(client, project, "Seminars")
    assert len(load_chain(project.id).links) == 1
    page = client.get(f"/projects/{project.id}/chain/").get_data(as_text=True)
    assert "Recently deleted" in page and "Restore Seminars" in page

    response = client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore", follow_redirects=True)
    assert "restored with its links" in response.get_data(as_text=True)
    _db.session.expire_all()
    after = snapshot(load_chain(project.id))
    assert not diff_snapshots(before, after)  # same ids, titles, links, assumptions, factors
    assert "Restore Seminars" not in client.get(f"/projects/{project.id}/chain/").get_data(as_text=True)


def test_restoring_twice_is_refused(client, project, login_as):
    login_as("team_member", project)
    record = _delete(client, project, "Seminars")
    client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore")
    page = client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore", follow_redirects=True)
    assert "already been restored" in page.get_data(as_text=True)


def test_restore_skips_links_to_steps_deleted_since(client, project, login_as):
    login_as("team_member", project)
    first = _delete(client, project, "Seminars")
    _delete(client, project, "Attendees from six councils")
    page = client.post(f"/projects/{project.id}/chain/deleted/{first.id}/restore", follow_redirects=True).get_data(as_text=True)
    assert "A link to a step that has since been deleted was not restored." in page
    chain = load_chain(project.id)
    assert [(chain.step_by_id[l.source_step_id].title, chain.step_by_id[l.target_step_id].title) for l in chain.links] == [
        ("Seminars", "Reports written for the client")]


def test_restore_into_another_level_when_the_level_is_gone(client, project, login_as):
    login_as("team_member", project)
    record = _delete(client, project, "Seminars")
    activities = factories.level(project, "Activities")
    client.post(f"/projects/{project.id}/chain/levels/{activities.id}/delete")
    page = client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore", follow_redirects=True).get_data(as_text=True)
    assert "Its level no longer exists, so it is now in Inputs." in page


def test_deleted_steps_of_another_project_are_not_reachable(client, project, login_as):
    login_as("team_member", project)
    other = factories.chain_project()
    step = load_chain(other.id).steps[0]
    from impact.toc.trash import delete_step

    record = delete_step(step, None)
    _db.session.commit()
    assert client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore").status_code == 404
