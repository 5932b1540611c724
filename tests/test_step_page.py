"""The step and link pages show the current assessment and the evidence for and against, in fixed queries."""
from __future__ import annotations

import datetime as dt

import pytest

from impact.assessment.models import AssumptionState, Confidence, ProgressRating
from impact.assessment.queries import DEFAULT_STANDARDS
from impact.assessment.services import AssessmentValues, save_assessment
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance, Strength
from impact.extensions import db as _db
from impact.model_types import utcnow
from impact.projects.models import PartnerGroup
from impact.toc.services import load_chain
from tests import factories

STANCES = [Stance.SUPPORTS, Stance.CHALLENGES, Stance.MIXED]


def _parts(project):
    chain = load_chain(project.id)
    practice = next(step for step in chain.steps if step.title == "Reports written for the client")
    link = next(link for link in chain.links if chain.assumptions_by_link.get(link.id))
    return chain, practice, chain.factors_by_step[practice.id][0], link, chain.assumptions_by_link[link.id][0]


def _add_evidence(project, count: int, start: int = 0, *, deleted: bool = False) -> None:
    """`count` items, each linked to the practice step, its factor, the first link and its assumption,
    with stances taking turns (supports, challenges, mixed)."""
    _, practice, factor, link, assumption = _parts(project)
    for n in range(start, start + count):
        item = EvidenceItem(project_id=project.id, kind=EvidenceKind.MEETING_RECORD, title=f"Evidence item {n}",
                            evidence_date=dt.date(2012, 1, 1) + dt.timedelta(days=n),
                            partner_group=PartnerGroup.PRACTITIONER, summary="",
                            quote=f"Quote {n}", pseudonym=f"Practitioner {n}", consent_to_quote=n % 2 == 0,
                            deleted_at=utcnow() if deleted else None)
        stance = STANCES[n % 3]
        item.links = [EvidenceLink(step_id=practice.id, stance=stance, strength=Strength.STRONG, note=f"Note {n}"),
                      EvidenceLink(factor_id=factor.id, stance=stance),
                      EvidenceLink(link_id=link.id, stance=stance),
                      EvidenceLink(assumption_id=assumption.id, stance=stance)]
        _db.session.add(item)
    _db.session.commit()


def _assess(project):
    chain, practice, _, link, assumption = _parts(project)
    author = factories.user("Assessing Anna")
    save_assessment(project, practice, 0, AssessmentValues(ProgressRating.SOME, Confidence.MEDIUM,
                                                           "Two reports rewritten for families",
                                                           "A new manager pushed for it anyway"), author)
    save_assessment(project, link, 0, AssessmentValues(ProgressRating.GOOD, Confidence.HIGH, "Registers", "",
                                                       {assumption.id: AssumptionState.PARTLY}), author)
    _db.session.commit()


def test_step_page_shows_the_assessment_and_the_evidence_for_and_against(client, project, login_as):
    login_as("team_member", project)
    _, practice, factor, _, _ = _parts(project)
    url = f"/projects/{project.id}/chain/steps/{practice.id}"
    page = client.get(url).get_data(as_text=True)
    assert "This step has not been assessed yet." in page and "Assess this step" in page
    assert "No evidence for this yet." in page

    _assess(project)
    _add_evidence(project, 3)
    _add_evidence(project, 1, start=3, deleted=True)  # in the trash: not shown
    page = client.get(url).get_data(as_text=True)
    assert "Two reports rewritten for families" in page and "A new manager pushed for it anyway" in page
    assert "Assessing Anna" in page and "Some" in page
    assert DEFAULT_STANDARDS["medium"] in page  # the standard's wording beside the confidence
    assert f"/assessment/steps/{practice.id}/history" in page
    assert "For <span class=\"meta\">(1)</span>" in page and "Against <span class=\"meta\">(1)</span>" in page
    for n in range(3):
        assert f"Evidence item {n}" in page
    assert "Evidence item 3" not in page
    assert "“Quote 0”" in page and "Quote 1" not in page  # only quotes given with consent
    assert "Evidence on the influencing factors" in page and factor.title in page
    # What the page showed before is still there.
    assert "Leads here from" in page and "Add an influencing factor" in page


def test_step_page_offers_assessing_only_to_editors(client, project, login_as):
    login_as("practitioner_researcher", project)
    _, practice, _, _, _ = _parts(project)
    _assess(project)
    page = client.get(f"/projects/{project.id}/chain/steps/{practice.id}").get_data(as_text=True)
    assert "Two reports rewritten for families" in page
    assert "Assess this step" not in page and "Assessment history" in page


def test_link_page_shows_assessment_with_assumption_statuses_and_evidence(client, project, login_as):
    login_as("lead", project)
    _, _, _, link, assumption = _parts(project)
    _assess(project)
    _add_evidence(project, 3)
    page = client.get(f"/projects/{project.id}/chain/links/{link.id}").get_data(as_text=True)
    assert "Registers" in page and "Assess this link" in page
    assert f"{assumption.text}: <strong>Partly holds</strong>" in page
    assert "Evidence on this link" in page and "Evidence on the assumptions and risks" in page
    assert page.count("Evidence item 2") == 2  # once for the link, once for its assumption
    assert "Add an assumption or risk" in page  # what the page showed before


PAGES = {
    "step": "/projects/{p}/chain/steps/{step}",
    "link": "/projects/{p}/chain/links/{link}",
    "overview": "/projects/{p}/assessment/",
}


@pytest.mark.parametrize("page", PAGES)
def test_query_count_does_not_grow_with_the_evidence(client, project, login_as, query_counter, page):
    login_as("team_member", project)
    _, practice, _, link, _ = _parts(project)
    _assess(project)
    url = PAGES[page].format(p=project.id, step=practice.id, link=link.id)
    counts = []
    for start, size in ((0, 3), (3, 27)):  # 3 items, then 30
        _add_evidence(project, size, start)
        with query_counter() as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    # The 30 items are really on the page (or counted, on the overview: ten of each stance).
    body = response.get_data(as_text=True)
    assert (body.count("<td>10</td>") == 3 * 2) if page == "overview" else ("Evidence item 29" in body)
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries with 3 items, {counts[1]} with 30"
    assert counts[1] <= 20, counts
