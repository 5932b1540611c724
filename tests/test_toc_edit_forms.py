"""Editing an assumption, risk or influencing factor: the form shows what is stored, and two
people editing the same one are told rather than the second silently winning."""
from __future__ import annotations

from sqlalchemy import select

from impact.extensions import db as _db
from impact.toc.models import Assumption, AssumptionKind, FactorDirection, InfluencingFactor
from tests.test_forms import submitted_form


def _assumption(project) -> Assumption:
    return _db.session.scalar(select(Assumption).where(Assumption.text == "Managers release staff to attend"))


def _factor(project) -> InfluencingFactor:
    return _db.session.scalar(select(InfluencingFactor).where(InfluencingFactor.project_id == project.id))


def _checked(page: str, name: str) -> list[str]:
    """The values of the radios named so that the page shows checked."""
    return submitted_form(page).getlist(name)


def test_assumption_edit_form_shows_the_stored_kind(client, project, login_as):
    login_as("team_member", project)
    assumption = _assumption(project)
    url = f"/projects/{project.id}/chain/assumptions/{assumption.id}/edit"
    assert _checked(client.get(url).get_data(as_text=True), "kind") == ["assumption"]
    assumption.kind = AssumptionKind.RISK
    _db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert _checked(page, "kind") == ["risk"]
    assert submitted_form(page)["kind"] == "risk"


def test_unchanged_assumption_form_saves_and_keeps_a_risk_a_risk(client, project, login_as):
    login_as("team_member", project)
    assumption = _assumption(project)
    assumption.kind = AssumptionKind.RISK
    _db.session.commit()
    opened_at = assumption.version
    url = f"/projects/{project.id}/chain/assumptions/{assumption.id}/edit"
    form = submitted_form(client.get(url).get_data(as_text=True))
    assert form["version"] == str(opened_at)
    form["text"] = "Managers release staff to attend (reworded)"
    response = client.post(url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    _db.session.expire_all()
    saved = _db.session.get(Assumption, assumption.id)
    assert saved.kind is AssumptionKind.RISK and saved.text.endswith("(reworded)")
    assert saved.version == opened_at + 1


def test_factor_edit_form_shows_the_stored_direction_and_an_unchanged_save_works(client, project, login_as):
    login_as("team_member", project)
    factor = _factor(project)  # "Heavy caseloads", hindering
    url = f"/projects/{project.id}/chain/factors/{factor.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert _checked(page, "direction") == ["hindering"]
    response = client.post(url, data=submitted_form(page))
    assert response.status_code == 302, response.get_data(as_text=True)
    _db.session.expire_all()
    saved = _db.session.get(InfluencingFactor, factor.id)
    assert saved.direction is FactorDirection.HINDERING and saved.title == "Heavy caseloads"


def test_factor_direction_can_be_changed(client, project, login_as):
    login_as("team_member", project)
    factor = _factor(project)
    url = f"/projects/{project.id}/chain/factors/{factor.id}/edit"
    form = submitted_form(client.get(url).get_data(as_text=True))
    form["direction"] = "helping"
    assert client.post(url, data=form).status_code == 302
    _db.session.expire_all()
    assert _db.session.get(InfluencingFactor, factor.id).direction is FactorDirection.HELPING
    assert _checked(client.get(url).get_data(as_text=True), "direction") == ["helping"]


def test_second_save_of_an_assumption_is_refused_and_both_versions_are_kept(client, project, login_as):
    login_as("team_member", project)
    assumption = _assumption(project)
    url = f"/projects/{project.id}/chain/assumptions/{assumption.id}/edit"
    opened = submitted_form(client.get(url).get_data(as_text=True))  # both people open the form
    lead = opened.copy()
    lead["text"] = "Staff turnover (lead)"
    assert client.post(url, data=lead).status_code == 302
    team = opened.copy()
    team["kind"], team["text"] = "risk", "Staff turnover (team)"
    second = client.post(url, data=team)
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Someone else saved this assumption or risk while you were editing" in page
    assert "Staff turnover (lead)" in page  # their version is shown
    kept = submitted_form(page)
    assert kept["text"] == "Staff turnover (team)" and kept["kind"] == "risk"  # and the form still holds mine
    _db.session.expire_all()
    stored = _db.session.get(Assumption, assumption.id)
    assert (stored.text, stored.kind) == ("Staff turnover (lead)", AssumptionKind.ASSUMPTION)
    # saving again from the refreshed form (now at the new version) is a deliberate overwrite
    assert client.post(url, data=kept).status_code == 302
    _db.session.expire_all()
    stored = _db.session.get(Assumption, assumption.id)
    assert (stored.text, stored.kind) == ("Staff turnover (team)", AssumptionKind.RISK)


def test_second_save_of_a_factor_is_refused_and_both_versions_are_kept(client, project, login_as):
    login_as("team_member", project)
    factor = _factor(project)
    url = f"/projects/{project.id}/chain/factors/{factor.id}/edit"
    opened = submitted_form(client.get(url).get_data(as_text=True))
    first = opened.copy()
    first["title"], first["description"] = "Caseloads (lead)", "Lead's description"
    assert client.post(url, data=first).status_code == 302
    second_data = opened.copy()
    second_data["title"], second_data["direction"] = "Caseloads (team)", "helping"
    second = client.post(url, data=second_data)
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Someone else saved this influencing factor while you were editing" in page
    assert "Caseloads (lead)" in page and "Lead&#39;s description" in page
    kept = submitted_form(page)
    assert kept["title"] == "Caseloads (team)" and kept["direction"] == "helping"
    _db.session.expire_all()
    stored = _db.session.get(InfluencingFactor, factor.id)
    assert (stored.title, stored.direction) == ("Caseloads (lead)", FactorDirection.HINDERING)
    assert client.post(url, data=kept).status_code == 302
    _db.session.expire_all()
    assert _db.session.get(InfluencingFactor, factor.id).title == "Caseloads (team)"


def test_a_save_without_a_version_is_refused(client, project, login_as):
    login_as("team_member", project)
    assumption, factor = _assumption(project), _factor(project)
    response = client.post(f"/projects/{project.id}/chain/assumptions/{assumption.id}/edit",
                           data={"kind": "risk", "text": "Blind overwrite"})
    assert response.status_code == 409
    response = client.post(f"/projects/{project.id}/chain/factors/{factor.id}/edit",
                           data={"title": "Blind overwrite", "direction": "helping"})
    assert response.status_code == 409
    _db.session.expire_all()
    assert _db.session.get(Assumption, assumption.id).text == "Managers release staff to attend"
    assert _db.session.get(InfluencingFactor, factor.id).title == "Heavy caseloads"


def test_adding_still_works_with_the_version_field_empty(client, project, login_as):
    login_as("team_member", project)
    link_id = _assumption(project).link_id
    step_id = _factor(project).step_id
    page = client.get(f"/projects/{project.id}/chain/links/{link_id}").get_data(as_text=True)
    action = f"/projects/{project.id}/chain/links/{link_id}/assumptions"
    form = submitted_form(page, action)
    assert form["kind"] == "assumption"  # the add form's default is checked
    form["text"] = "Sponsors stay"
    assert client.post(action, data=form).status_code == 302
    response = client.post(f"/projects/{project.id}/chain/steps/{step_id}/factors",
                           data={"title": "Munro review", "direction": "helping"})
    assert response.status_code == 302
    assert _db.session.scalar(select(Assumption).where(Assumption.text == "Sponsors stay")).version == 1
