"""report.json: assessments, claims and evidence counts (the keys INTERFACES.md promises stay as they were)."""
from __future__ import annotations

import pytest

from impact.assessment.models import Confidence, ProgressRating
from impact.extensions import db as _db
from impact.projects.models import PartnerGroup
from impact.tracing.models import Claim, ClaimTest, TestType
from tests import factories
from tests.test_story import add_item, assess, link_item, parts


def report(client, project) -> dict:
    response = client.get(f"/projects/{project.id}/report.json")
    assert response.status_code == 200
    return response.get_json()


def test_steps_carry_their_current_assessment(client, project, login_as):
    _, steps, first, _, _ = parts(project)
    seminars = steps["Seminars"]
    assess(project, seminars, ProgressRating.SOME, Confidence.LOW)
    assess(project, seminars, ProgressRating.GOOD, Confidence.MEDIUM)  # the latest revision counts
    assess(project, first, ProgressRating.NONE, Confidence.HIGH)  # links are not steps
    login_as("team_member", project)
    data = report(client, project)
    by_title = {step["title"]: step for step in data["steps"]}
    assert (by_title["Seminars"]["progress"], by_title["Seminars"]["confidence"]) == ("good", "medium")
    assert (by_title["Attendees from six councils"]["progress"],
            by_title["Attendees from six councils"]["confidence"]) == (None, None)
    assert set(data) == {"project", "action_cards", "steps", "factors", "claims", "prps", "meetings"}
    assert set(by_title["Seminars"]) == {"id", "level", "title", "evidence_count", "progress", "confidence", "voice"}


def test_claims_with_prior_and_posterior(client, project, login_as):
    project.contribution_tracing = True
    found = Claim(project_id=project.id, statement="Seminars changed practice", prior=0.5, position=0)
    found.tests = [ClaimTest(description="Reports quote families", test_type=TestType.CUSTOM, sensitivity=0.9,
                             type_one_error=0.1, found=True)]
    undefined = Claim(project_id=project.id, statement="Impossible evidence", prior=0.5, position=1)
    undefined.tests = [ClaimTest(description="Both zero", test_type=TestType.CUSTOM, sensitivity=0.0,
                                 type_one_error=0.0, found=True)]
    untested = Claim(project_id=project.id, statement="Not yet tested", prior=0.3, position=2)
    _db.session.add_all([found, undefined, untested])
    _db.session.commit()
    login_as("lead", project)
    claims = report(client, project)["claims"]
    assert [c["title"] for c in claims] == ["Seminars changed practice", "Impossible evidence", "Not yet tested"]
    assert claims[0]["prior"] == 0.5 and claims[0]["posterior"] == pytest.approx(0.9)
    assert claims[1]["posterior"] is None
    assert claims[2] == {"id": untested.id, "title": "Not yet tested", "prior": 0.3, "posterior": 0.3}


def test_evidence_counts_leave_out_the_trash_and_other_projects(client, project, login_as):
    _, steps, _, _, factor = parts(project)
    seminars = steps["Seminars"]
    kept = add_item(project, "Questionnaires")
    link_item(kept, step=seminars)
    link_item(add_item(project, "Second source", group=PartnerGroup.MANAGER), step=seminars)
    link_item(add_item(project, "In the trash", deleted=True), step=seminars)
    link_item(add_item(project, "Trashed factor note", deleted=True), factor=factor)
    link_item(kept, factor=factor)
    # A link from another project's item to this project's step must not count here.
    other = factories.chain_project()
    link_item(add_item(other, "Someone else's evidence"), step=seminars)
    _db.session.commit()
    login_as("team_member", project)
    data = report(client, project)
    assert {s["title"]: s["evidence_count"] for s in data["steps"]}["Seminars"] == 2
    assert {f["title"]: f["evidence_count"] for f in data["factors"]}["Heavy caseloads"] == 1


def test_no_claims_while_contribution_tracing_is_off(client, project, login_as):
    """Claims are kept while tracing is off, but no page shows them, so neither may the report."""
    _db.session.add(Claim(project_id=project.id, statement="Seminars changed practice", prior=0.5))
    _db.session.commit()
    login_as("team_member", project)
    assert report(client, project)["claims"] == []
    project.contribution_tracing = True
    _db.session.commit()
    assert [c["title"] for c in report(client, project)["claims"]] == ["Seminars changed practice"]
