"""Deleting a step can be undone: it comes back with its links, assumptions and factors."""
from __future__ import annotations

from sqlalchemy import select

from impact.extensions import db as _db
from impact.toc.revisions import diff_snapshots, snapshot
from impact.toc.services import load_chain
from impact.trash import TrashRecord as DeletedStep
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
    page = client.post(f"/projects/{project.id}/chain/deleted/{first.id}/restore",
                       follow_redirects=True).get_data(as_text=True)
    assert "A link to a step that has since been deleted was not restored." in page
    chain = load_chain(project.id)
    ends = [(chain.step_by_id[link.source_step_id].title, chain.step_by_id[link.target_step_id].title)
            for link in chain.links]
    assert ends == [("Seminars", "Reports written for the client")]


def test_restore_into_another_level_when_the_level_is_gone(client, project, login_as):
    login_as("team_member", project)
    record = _delete(client, project, "Seminars")
    activities = factories.level(project, "Activities")
    client.post(f"/projects/{project.id}/chain/levels/{activities.id}/delete")
    page = client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore",
                       follow_redirects=True).get_data(as_text=True)
    assert "Its level no longer exists, so it is now in Inputs." in page


def test_deleted_steps_of_another_project_are_not_reachable(client, project, login_as):
    login_as("team_member", project)
    other = factories.chain_project()
    step = load_chain(other.id).steps[0]
    from impact.toc.trash import delete_step

    record = delete_step(step, None)
    _db.session.commit()
    assert client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore").status_code == 404


def test_deleting_a_step_with_influencing_factors_and_restoring_it(client, project, login_as):
    login_as("team_member", project)
    before = snapshot(load_chain(project.id))
    record = _delete(client, project, "Reports written for the client")
    assert record.payload["factors"], "the step's factors are kept with the deleted step"
    assert not [s for s in load_chain(project.id).steps if s.title == "Reports written for the client"]
    client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore")
    _db.session.expire_all()
    assert not diff_snapshots(before, snapshot(load_chain(project.id)))


def test_a_deleted_steps_id_is_never_given_to_a_new_step(client, project, login_as):
    login_as("team_member", project)
    newest = max(load_chain(project.id).steps, key=lambda s: s.id)
    title, level_id = newest.title, newest.level_id
    record = _delete(client, project, title)
    client.post(f"/projects/{project.id}/chain/steps/new", data={"title": "A new step", "level_id": level_id})
    _db.session.expire_all()
    new = next(s for s in load_chain(project.id).steps if s.title == "A new step")
    assert new.id > record.payload["step"]["id"]
    page = client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore", follow_redirects=True)
    assert page.status_code == 200
    titles = {s.title for s in load_chain(project.id).steps}
    assert {"A new step", title} <= titles


def _held_work(project):
    """Evidence linked to the Seminars step, its link and assumption, an assessment, a card tag and a claim."""
    import datetime as dt

    from impact.assessment.models import Assessment, AssumptionState, AssumptionStatus, Confidence, ProgressRating
    from impact.cards.models import CardSource
    from impact.cards.services import CardData, save_card, tag_actions
    from impact.events.models import EventKind
    from impact.events.services import save_event
    from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance
    from impact.tracing.models import Claim

    chain = load_chain(project.id)
    step = next(s for s in chain.steps if s.title == "Seminars")
    link = next(link for link in chain.links if chain.assumptions_by_link.get(link.id)
                and step.id in (link.source_step_id, link.target_step_id))
    assumption = chain.assumptions_by_link[link.id][0]
    item = EvidenceItem(project_id=project.id, kind=EvidenceKind.QUESTIONNAIRE, title="Seminar questionnaire",
                        evidence_date=dt.date(2011, 3, 15))
    _db.session.add(item)
    _db.session.flush()
    _db.session.add_all([
        EvidenceLink(item_id=item.id, step_id=step.id, stance=Stance.SUPPORTS, note="Rated highly"),
        EvidenceLink(item_id=item.id, link_id=link.id, stance=Stance.MIXED),
        EvidenceLink(item_id=item.id, assumption_id=assumption.id, stance=Stance.CHALLENGES),
    ])
    step_assessment = Assessment(project_id=project.id, step_id=step.id, number=1, progress=ProgressRating.GOOD,
                                 confidence=Confidence.MEDIUM, rationale="Well attended")
    link_assessment = Assessment(project_id=project.id, link_id=link.id, number=1, progress=ProgressRating.SOME,
                                 confidence=Confidence.LOW)
    _db.session.add_all([step_assessment, link_assessment])
    _db.session.flush()
    _db.session.add(AssumptionStatus(assessment_id=link_assessment.id, assumption_id=assumption.id,
                                     state=AssumptionState.PARTLY))
    event = save_event(project, None, kind=EventKind.SEMINAR, title="First seminar", event_date=dt.date(2011, 3, 15),
                       place="", notes="", attendance={})
    card, _ = save_card(event, CardData("ann@council.gov.uk", ["Write for the family"]), CardSource.PAPER)
    tag_actions(project, event, [card.actions[0].id], step)
    claim = Claim(project_id=project.id, statement="The seminars made a difference", step_id=step.id, prior=0.5)
    _db.session.add(claim)
    _db.session.commit()
    return step, item, claim


def _work_state(project):
    from impact.assessment.models import Assessment, AssumptionStatus
    from impact.cards.models import action_steps
    from impact.evidence.models import EvidenceLink
    from impact.tracing.models import Claim

    _db.session.expire_all()
    return (
        sorted((link.id, link.stance.value, link.note, link.step_id, link.link_id, link.assumption_id)
               for link in _db.session.scalars(select(EvidenceLink))),
        sorted((a.id, a.number, a.progress.value, a.rationale, a.created_at) for a in _db.session.scalars(
            select(Assessment).where(Assessment.project_id == project.id))),
        sorted((s.assessment_id, s.state.value) for s in _db.session.scalars(select(AssumptionStatus))),
        sorted(_db.session.execute(select(action_steps.c.action_id, action_steps.c.step_id)).all()),
        sorted((c.id, c.step_id) for c in _db.session.scalars(select(Claim))),
    )


def test_deleting_a_step_says_what_work_it_holds_and_restoring_brings_the_work_back(client, project, login_as):
    login_as("team_member", project)
    step, item, claim = _held_work(project)
    before = _work_state(project)
    page = client.get(f"/projects/{project.id}/chain/steps/{step.id}/delete").get_data(as_text=True)
    assert "3 links from evidence items" in page
    assert "2 assessment revisions" in page
    assert "1 action-card action tagged to it" in page

    record = _delete(client, project, "Seminars")
    gone = _work_state(project)
    assert gone[0] == [] and gone[1] == [] and gone[3] == []  # the database dropped them with the step
    assert gone[4] == [(claim.id, None)]  # the claim survives, no longer attached
    response = client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore", follow_redirects=True)
    assert "could not come back" not in response.get_data(as_text=True)
    assert _work_state(project) == before


def test_work_pointing_at_something_deleted_since_is_reported_not_restored(client, project, login_as):
    login_as("team_member", project)
    step, item, claim = _held_work(project)
    record = _delete(client, project, "Seminars")
    _db.session.delete(_db.session.get(type(item), item.id))  # the evidence item is purged meanwhile
    _db.session.commit()
    response = client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore", follow_redirects=True)
    assert "3 pieces of evidence, assessment or tagging could not come back" in response.get_data(as_text=True)
    assessments, statuses, tags = _work_state(project)[1:4]
    assert len(assessments) == 2 and len(statuses) == 1 and len(tags) == 1


def test_removing_a_link_that_holds_evidence_asks_first_and_can_be_undone(client, project, login_as):
    login_as("team_member", project)
    step, item, claim = _held_work(project)
    chain = load_chain(project.id)
    link = next(link for link in chain.links if chain.assumptions_by_link.get(link.id))
    before, chain_before = _work_state(project), snapshot(chain)
    link_id = link.id
    title = f"{chain.step_by_id[link.source_step_id].title} → {chain.step_by_id[link.target_step_id].title}"
    url = f"/projects/{project.id}/chain/links/{link_id}/delete"
    page = client.post(url)  # no confirmation yet: nothing happens, the page asks
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "2 links from evidence items" in text and "1 assessment revision" in text
    assert len(load_chain(project.id).links) == len(chain.links)

    assert client.post(url, data={"confirm": "yes"}).status_code == 302
    _db.session.expire_all()
    assert link_id not in {each.id for each in load_chain(project.id).links}
    record = _db.session.scalar(select(DeletedStep).order_by(DeletedStep.id.desc()))
    chain_page = client.get(f"/projects/{project.id}/chain/").get_data(as_text=True)
    assert f"Restore {title}" in chain_page
    response = client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore", follow_redirects=True)
    assert "restored with its assumptions" in response.get_data(as_text=True)
    assert _work_state(project) == before
    assert not diff_snapshots(chain_before, snapshot(load_chain(project.id)))


def test_a_factor_without_evidence_is_removed_at_once_and_can_be_restored(client, project, login_as):
    login_as("team_member", project)
    chain = load_chain(project.id)
    factor = next(f for factors in chain.factors_by_step.values() for f in factors)
    before = snapshot(chain)
    response = client.post(f"/projects/{project.id}/chain/factors/{factor.id}/delete")
    assert response.status_code == 302
    record = _db.session.scalar(select(DeletedStep).order_by(DeletedStep.id.desc()))
    assert record.payload["kind"] == "factor"
    client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore")
    _db.session.expire_all()
    assert not diff_snapshots(before, snapshot(load_chain(project.id)))


def test_an_assumption_cannot_come_back_without_its_link(client, project, login_as):
    login_as("team_member", project)
    chain = load_chain(project.id)
    link = next(link for link in chain.links if chain.assumptions_by_link.get(link.id))
    assumption = chain.assumptions_by_link[link.id][0]
    client.post(f"/projects/{project.id}/chain/assumptions/{assumption.id}/delete", data={"confirm": "yes"})
    record = _db.session.scalar(select(DeletedStep).order_by(DeletedStep.id.desc()))
    client.post(f"/projects/{project.id}/chain/links/{link.id}/delete", data={"confirm": "yes"})
    response = client.post(f"/projects/{project.id}/chain/deleted/{record.id}/restore", follow_redirects=True)
    assert "Its link has been deleted since: restore the link first." in response.get_data(as_text=True)
