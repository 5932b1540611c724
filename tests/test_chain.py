"""The results chain through its pages: levels, steps, links, assumptions, factors."""
from __future__ import annotations

from sqlalchemy import select

from impact.extensions import db as _db
from impact.toc.models import Assumption, InfluencingFactor, Level, Link, Step
from impact.toc.services import load_chain
from tests import factories


def _chain(project):
    _db.session.expire_all()
    return load_chain(project.id)


def _step(chain, title):
    return next(step for step in chain.steps if step.title == title)


def test_new_project_starts_from_the_ke_template(client, login_as):
    login_as("creator")
    response = client.post("/projects/new", data={"title": "Care leavers", "organisations": "Uni\nCouncil B\nuni"})
    assert response.status_code == 302
    project = _db.session.scalar(select(factories.Project).where(factories.Project.title == "Care leavers"))
    names = [level.name for level in project.levels]
    assert names == ["Inputs", "Activities", "Outputs", "Reach", "Reactions", "Capacity change",
                     "Practice change", "Direct benefits", "Wider outcomes"]
    assert sorted(org.name for org in project.organisations) == ["Council B", "Uni"]  # duplicates folded


def test_project_dates_must_be_in_order(client, login_as):
    login_as("creator")
    response = client.post("/projects/new", data={"title": "X", "start_date": "2026-05-01", "end_date": "2026-04-01"})
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.get_data(as_text=True)


def test_levels_can_be_renamed_reordered_added_and_removed(client, project, login_as):
    login_as("team_member", project)
    reach = factories.level(project, "Reach")
    client.post(f"/projects/{project.id}/chain/levels/{reach.id}/edit", data={"name": "Engagement", "description": ""})
    client.post(f"/projects/{project.id}/chain/levels/{reach.id}/move", data={"direction": "up"})
    client.post(f"/projects/{project.id}/chain/levels", data={"name": "Policy change"})
    empty = factories.level(project, "Inputs")
    client.post(f"/projects/{project.id}/chain/levels/{empty.id}/delete")
    names = [level.name for level in _chain(project).levels]
    assert names[:3] == ["Activities", "Engagement", "Outputs"]
    assert names[-1] == "Policy change"
    assert "Inputs" not in names


def test_level_holding_steps_is_not_removed(client, project, login_as):
    login_as("team_member", project)
    activities = factories.level(project, "Activities")
    response = client.post(f"/projects/{project.id}/chain/levels/{activities.id}/delete", follow_redirects=True)
    assert "still holds 1 step" in response.get_data(as_text=True)
    assert _db.session.get(Level, activities.id) is not None


def test_duplicate_level_name_is_refused_next_to_the_field(client, project, login_as):
    login_as("team_member", project)
    response = client.post(f"/projects/{project.id}/chain/levels", data={"name": "outputs"})
    assert response.status_code == 400
    assert 'id="name-error"' in response.get_data(as_text=True)
    assert "There is already a level called outputs." in response.get_data(as_text=True)


def test_steps_are_added_reordered_and_moved_between_levels(client, project, login_as):
    login_as("team_member", project)
    activities = factories.level(project, "Activities")
    client.post(f"/projects/{project.id}/chain/levels/{activities.id}/steps", data={"title": "Good practice guide"})
    chain = _chain(project)
    assert [s.title for s in chain.steps_by_level[activities.id]] == ["Seminars", "Good practice guide"]
    guide = _step(chain, "Good practice guide")
    client.post(f"/projects/{project.id}/chain/steps/{guide.id}/move", data={"direction": "up"})
    assert [s.title for s in _chain(project).steps_by_level[activities.id]] == ["Good practice guide", "Seminars"]
    outputs = factories.level(project, "Outputs")
    response = client.post(f"/projects/{project.id}/chain/steps/{guide.id}/edit",
                           data={"title": "The guide", "level_id": outputs.id, "description": "",
                                 "version": guide.version})
    assert response.status_code == 302
    assert [s.title for s in _chain(project).steps_by_level[outputs.id]] == ["The guide"]


def test_empty_step_title_gets_a_message(client, project, login_as):
    login_as("team_member", project)
    activities = factories.level(project, "Activities")
    response = client.post(f"/projects/{project.id}/chain/levels/{activities.id}/steps", data={"title": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_links_refuse_self_links_duplicates_and_cycles(client, project, login_as):
    login_as("team_member", project)
    chain = _chain(project)
    seminars, attendees = _step(chain, "Seminars"), _step(chain, "Attendees from six councils")
    practice = _step(chain, "Reports written for the client")
    url = f"/projects/{project.id}/chain/links/new"

    def attempt(source, target):
        response = client.post(url, data={"source_id": source.id, "target_id": target.id})
        return response.status_code, response.get_data(as_text=True)

    status, page = attempt(seminars, seminars)
    assert status == 400 and "A step cannot link to itself" in page
    status, page = attempt(seminars, attendees)
    assert status == 400 and "already links to" in page
    status, page = attempt(practice, seminars)  # practice is reachable from seminars: would loop
    assert status == 400 and "That link would make a loop" in page
    assert 'id="target_id-error"' in page
    assert len(_chain(project).links) == 3


def test_skip_links_and_several_parents_are_allowed(client, project, login_as):
    login_as("team_member", project)
    reach = factories.level(project, "Reach")
    client.post(f"/projects/{project.id}/chain/levels/{reach.id}/steps", data={"title": "Managers"})
    chain = _chain(project)
    managers, practice = _step(chain, "Managers"), _step(chain, "Reports written for the client")
    response = client.post(f"/projects/{project.id}/chain/links/new",
                           data={"source_id": managers.id, "target_id": practice.id})
    assert response.status_code == 302
    assert len(_chain(project).links_to[practice.id]) == 3


def test_assumptions_risks_and_factors(client, project, login_as):
    login_as("team_member", project)
    chain = _chain(project)
    link = chain.links[0]
    client.post(f"/projects/{project.id}/chain/links/{link.id}/assumptions",
                data={"kind": "risk", "text": "Sponsors move on"})
    page = client.get(f"/projects/{project.id}/chain/links/{link.id}").get_data(as_text=True)
    assert "Sponsors move on" in page and "Managers release staff to attend" in page
    practice = _step(chain, "Reports written for the client")
    client.post(f"/projects/{project.id}/chain/steps/{practice.id}/factors",
                data={"title": "Munro review", "direction": "helping"})
    factors = _chain(project).factors_by_step[practice.id]
    assert ({(f.title, f.direction.value) for f in factors}
            == {("Heavy caseloads", "hindering"), ("Munro review", "helping")})
    response = client.post(f"/projects/{project.id}/chain/steps/{practice.id}/factors",
                           data={"title": "", "direction": "sideways"})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_deleting_a_step_with_links_asks_first(client, project, login_as):
    login_as("team_member", project)
    seminars_id = _step(_chain(project), "Seminars").id
    url = f"/projects/{project.id}/chain/steps/{seminars_id}/delete"
    page = client.post(url).get_data(as_text=True)
    assert "This step has 2 links" in page
    assert _db.session.get(Step, seminars_id) is not None  # nothing deleted yet
    assert client.post(url, data={"confirm": "yes"}).status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Step, seminars_id) is None
    assert len(_chain(project).links) == 1  # its two links went with it
    assert _db.session.scalar(select(Assumption.id)) is None  # and the assumption on one of them


def test_deleting_an_unlinked_step_needs_no_confirmation(client, project, login_as):
    login_as("team_member", project)
    outputs = factories.level(project, "Outputs")
    client.post(f"/projects/{project.id}/chain/levels/{outputs.id}/steps", data={"title": "Briefing"})
    briefing_id = _step(_chain(project), "Briefing").id
    assert client.post(f"/projects/{project.id}/chain/steps/{briefing_id}/delete").status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Step, briefing_id) is None


def test_database_refuses_cross_project_links(db, project):
    """The composite foreign keys hold even if application code were to slip."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    other = factories.chain_project()
    mine, theirs = load_chain(project.id).steps[0], load_chain(other.id).steps[1]
    _db.session.add(Link(project_id=project.id, source_step_id=mine.id, target_step_id=theirs.id))
    with pytest.raises(IntegrityError):
        _db.session.flush()
    _db.session.rollback()


def test_database_refuses_self_links(db, project):
    import pytest
    from sqlalchemy.exc import IntegrityError

    step = load_chain(project.id).steps[0]
    _db.session.add(Link(project_id=project.id, source_step_id=step.id, target_step_id=step.id))
    with pytest.raises(IntegrityError):
        _db.session.flush()
    _db.session.rollback()


def test_factor_and_assumption_pages_round_trip(client, project, login_as):
    login_as("lead", project)
    factor = _db.session.scalar(select(InfluencingFactor))
    client.post(f"/projects/{project.id}/chain/factors/{factor.id}/edit",
                data={"title": "Caseloads and performance culture", "direction": "hindering", "description": "x",
                      "version": factor.version})
    assumption = _db.session.scalar(select(Assumption))
    client.post(f"/projects/{project.id}/chain/assumptions/{assumption.id}/edit",
                data={"kind": "risk", "text": "Changed", "version": assumption.version})
    _db.session.expire_all()
    assert _db.session.get(InfluencingFactor, factor.id).title == "Caseloads and performance culture"
    assert _db.session.get(Assumption, assumption.id).kind.value == "risk"


def test_a_move_in_an_unknown_direction_changes_nothing(client, project, login_as):
    login_as("team_member", project)
    before = [level.name for level in load_chain(project.id).levels]
    reach = factories.level(project, "Reach")
    for direction in ("sideways", "", "UP"):
        response = client.post(f"/projects/{project.id}/chain/levels/{reach.id}/move", data={"direction": direction})
        assert response.status_code == 302
    _db.session.expire_all()
    assert [level.name for level in load_chain(project.id).levels] == before
