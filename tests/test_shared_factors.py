"""An influencing factor that bears on several steps (the Munro review, heavy caseloads) is one factor:
added to another step rather than entered again, its evidence counts on every step it bears on."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance, Strength
from impact.extensions import db as _db
from impact.projects.models import PartnerGroup
from impact.story.services import build_content
from impact.toc.models import InfluencingFactor, factor_steps
from impact.toc.revisions import snapshot
from impact.toc.services import load_chain
from impact.trash import TrashRecord
from tests import factories


def _ids(project):
    chain = load_chain(project.id)
    steps = {step.title: step.id for step in chain.steps}
    factor = _db.session.scalar(select(InfluencingFactor).where(InfluencingFactor.project_id == project.id))
    return steps, factor


def _step_page(client, project, step_id) -> str:
    _db.session.expire_all()
    response = client.get(f"/projects/{project.id}/chain/steps/{step_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _share(client, project, step_id, factor_id):
    return client.post(f"/projects/{project.id}/chain/steps/{step_id}/factors/share",
                       data={"share-factor_id": factor_id})


def test_a_factor_added_to_another_step_brings_its_evidence(client, project, login_as):
    login_as("team_member", project)
    steps, caseloads = _ids(project)  # "Heavy caseloads", entered on "Reports written for the client"
    item = EvidenceItem(project_id=project.id, kind=EvidenceKind.MEETING_RECORD, title="Team managers' meeting",
                        evidence_date=dt.date(2011, 6, 1), partner_group=PartnerGroup.MANAGER)
    _db.session.add(item)
    _db.session.flush()
    _db.session.add(EvidenceLink(item_id=item.id, factor_id=caseloads.id, stance=Stance.SUPPORTS,
                                 strength=Strength.MODERATE))
    _db.session.commit()
    attendees = steps["Attendees from six councils"]
    page = _step_page(client, project, attendees)
    assert "Or a factor already on another step" in page
    offered = f'<option value="{caseloads.id}">Heavy caseloads (hindering; on Reports written for the client)'
    assert offered in page

    response = _share(client, project, attendees, caseloads.id)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/steps/{attendees}#factors")
    page = _step_page(client, project, attendees)
    assert "now bears on this step too" in page
    assert "Heavy caseloads" in page and "Also bears on" in page and "Reports written for the client</a>" in page
    assert "Team managers&#39; meeting" in page or "Team managers' meeting" in page  # its evidence, shared
    assert 'aria-label="Take Heavy caseloads off this step"' in page  # not deleted from here: taken off
    assert f'<option value="{caseloads.id}">' not in page  # no longer offered: it is on this step
    # Still one factor, and the story shows it (with the same evidence) under both steps.
    assert _db.session.scalar(select(InfluencingFactor.id).where(InfluencingFactor.project_id == project.id)
                              .where(InfluencingFactor.title == "Heavy caseloads")) == caseloads.id
    content = build_content(project)
    on_steps = {step["title"]: [f["evidence"][0]["title"] for f in step["factors"]] for step in content["steps"]}
    assert on_steps["Attendees from six councils"] == ["Team managers' meeting"]
    assert on_steps["Reports written for the client"] == ["Team managers' meeting"]
    # The home counts it once.
    home = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "1 influencing factor." in home


def test_taking_a_shared_factor_off_a_step_keeps_it_on_its_own(client, project, login_as):
    login_as("team_member", project)
    steps, caseloads = _ids(project)
    attendees = steps["Attendees from six councils"]
    _share(client, project, attendees, caseloads.id)
    response = client.post(f"/projects/{project.id}/chain/steps/{attendees}/factors/{caseloads.id}/unshare")
    assert response.status_code == 302
    assert "Heavy caseloads" not in _step_page(client, project, attendees).split('id="factors"')[1].split("<form")[0]
    assert "Heavy caseloads" in _step_page(client, project, steps["Reports written for the client"])


def test_what_is_missing_lists_a_shared_factor_once_with_its_steps(client, project, login_as):
    login_as("team_member", project)
    steps, caseloads = _ids(project)
    _share(client, project, steps["Seminars"], caseloads.id)
    page = client.get(f"/projects/{project.id}/story/gaps").get_data(as_text=True)
    assert page.count("Factor: Heavy caseloads") == 1
    assert "on the steps “Reports written for the client”, “Seminars”" in page


def test_another_projects_factor_cannot_be_added(client, project, login_as):
    login_as("team_member", project)
    steps, _ = _ids(project)
    other = factories.chain_project()
    _, theirs = _ids(other)
    response = _share(client, project, steps["Seminars"], theirs.id)
    assert response.status_code == 302  # refused beside the field, as an unknown choice
    assert _db.session.execute(select(factor_steps)).all() == []


def test_deleting_and_restoring_a_step_keeps_the_factor_shared(client, project, login_as):
    login_as("team_member", project)
    steps, caseloads = _ids(project)
    attendees = steps["Attendees from six councils"]
    _share(client, project, attendees, caseloads.id)
    before = snapshot(load_chain(project.id))
    assert client.post(f"/projects/{project.id}/chain/steps/{attendees}/delete",
                       data={"confirm": "yes"}).status_code == 302
    _db.session.expire_all()
    assert _db.session.execute(select(factor_steps)).all() == []
    record = _db.session.scalar(select(TrashRecord).order_by(TrashRecord.id.desc()))
    client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore")
    _db.session.expire_all()
    assert _db.session.execute(select(factor_steps.c.factor_id, factor_steps.c.step_id)).all() == [
        (caseloads.id, attendees)]
    assert snapshot(load_chain(project.id))["factors"] == before["factors"]


def test_taking_a_shared_factor_off_its_own_step_hands_it_to_the_other(client, project, login_as):
    login_as("team_member", project)
    steps, caseloads = _ids(project)
    reports, attendees = steps["Reports written for the client"], steps["Attendees from six councils"]
    _share(client, project, attendees, caseloads.id)
    page = _step_page(client, project, reports)
    assert 'aria-label="Remove Heavy caseloads from every step"' in page
    client.post(f"/projects/{project.id}/chain/steps/{reports}/factors/{caseloads.id}/unshare")
    _db.session.expire_all()
    chain = load_chain(project.id)
    assert chain.factor_steps[caseloads.id] == [attendees]
    assert [f.title for f in chain.factors_by_step.get(reports, [])] == []


def test_deleting_the_step_a_shared_factor_was_entered_on_keeps_it_on_the_others(client, project, login_as):
    login_as("team_member", project)
    steps, caseloads = _ids(project)
    reports, attendees = steps["Reports written for the client"], steps["Attendees from six councils"]
    _share(client, project, attendees, caseloads.id)
    confirm = client.get(f"/projects/{project.id}/chain/steps/{reports}/delete").get_data(as_text=True)
    assert "0 influencing factors" in confirm and "also bear on other steps and stay on them" in confirm
    assert client.post(f"/projects/{project.id}/chain/steps/{reports}/delete",
                       data={"confirm": "yes"}).status_code == 302
    _db.session.expire_all()
    chain = load_chain(project.id)
    assert [f.id for f in chain.factors_by_step[attendees]] == [caseloads.id]  # still there, one factor
    record = _db.session.scalar(select(TrashRecord).order_by(TrashRecord.id.desc()))
    client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore")
    _db.session.expire_all()
    chain = load_chain(project.id)
    assert sorted(chain.factor_steps[caseloads.id]) == sorted([attendees, reports])  # on both again


def test_a_revision_comparison_says_which_steps_a_factor_came_to_bear_on(client, project, login_as):
    from impact.toc.revisions import diff_snapshots

    login_as("team_member", project)
    steps, caseloads = _ids(project)
    before = snapshot(load_chain(project.id))
    _share(client, project, steps["Seminars"], caseloads.id)
    _db.session.expire_all()
    after = snapshot(load_chain(project.id))
    details = [change.detail for change in diff_snapshots(before, after).changes if change.what == "factor"]
    assert details == ["now also on “Seminars”"]
    client.post(f"/projects/{project.id}/chain/revisions", data={"name": "Shared", "revision_date": "2026-01-01"})
    page = client.get(f"/projects/{project.id}/chain/revisions/1").get_data(as_text=True)
    seminars = page[page.index("<strong>Seminars</strong>"):]
    assert "Heavy caseloads" in seminars[:seminars.index("</li>")]
