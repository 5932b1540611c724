"""The gaps page: where the contribution story needs more evidence (Mayne's step 5)."""
from __future__ import annotations

import re

from impact.assessment.models import AssumptionState, Confidence, ProgressRating
from impact.evidence.models import Stance
from impact.extensions import db as _db
from impact.projects.models import PartnerGroup
from impact.toc import services as chain_services
from impact.toc.models import AssumptionKind
from tests.test_story import add_item, assess, link_item, parts


def section(client, project, key: str) -> str:
    """The HTML of one section of the gaps page."""
    response = client.get(f"/projects/{project.id}/story/gaps")
    assert response.status_code == 200
    match = re.search(rf'<section id="{key}".*?</section>', response.get_data(as_text=True), re.S)
    assert match, key
    return match.group(0)


def count(html: str) -> int:
    return int(re.search(r'<span class="meta">\((\d+)\)</span></h2>', html).group(1))


def test_a_step_without_evidence_is_listed_until_evidence_is_linked(client, project, login_as):
    _, steps, _, _, _ = parts(project)
    seminars = steps["Seminars"]
    login_as("co_researcher", project)
    gaps = section(client, project, "no-evidence")
    assert f'href="/projects/{project.id}/chain/steps/{seminars.id}">Step: Seminars</a>' in gaps
    assert count(gaps) == 6  # three steps and three links
    link_item(add_item(project, "Binned", deleted=True), step=seminars)  # the trash does not count
    _db.session.commit()
    assert "Step: Seminars<" in section(client, project, "no-evidence")
    link_item(add_item(project, "Attendance figures"), step=seminars)
    _db.session.commit()
    gaps = section(client, project, "no-evidence")
    assert "Step: Seminars<" not in gaps and count(gaps) == 5


def test_support_from_a_single_partner_group_is_named(client, project, login_as):
    _, steps, first, _, _ = parts(project)
    seminars = steps["Seminars"]
    for title in ("Briefing", "Literature review"):
        link_item(add_item(project, title, group=PartnerGroup.ACADEMIC), step=seminars)
    link_item(add_item(project, "Team's own notes", group=PartnerGroup.ACADEMIC), link=first)
    link_item(add_item(project, "Manager's doubts", group=PartnerGroup.MANAGER), link=first, stance=Stance.CHALLENGES)
    _db.session.commit()
    login_as("team_member", project)
    gaps = section(client, project, "single-group")
    note = '</a>: <span class="gap-note">'
    assert f"Step: Seminars{note}only academic evidence; no challenging evidence considered" in gaps
    assert f"Link: Seminars → Attendees from six councils{note}only academic evidence</span>" in gaps
    assert "only evidence for it" in section(client, project, "one-sided")

    link_item(add_item(project, "Practitioners' questionnaire", group=PartnerGroup.PRACTITIONER), step=seminars)
    _db.session.commit()
    assert "Step: Seminars<" not in section(client, project, "single-group")


def test_untested_assumptions_until_evidence_or_a_status(client, project, login_as):
    _, steps, first, assumption, _ = parts(project)
    risk = chain_services.add_assumption(first, AssumptionKind.RISK, "Senior sponsors move on")
    _db.session.commit()
    login_as("lead", project)
    untested = section(client, project, "untested")
    assert "Assumption: Managers release staff to attend" in untested and "Risk: Senior sponsors move on" in untested
    # An assessment saying "unknown" leaves it untested; one saying it holds does not.
    assess(project, first, ProgressRating.SOME, Confidence.MEDIUM,
           states={assumption.id: AssumptionState.HOLDS, risk.id: AssumptionState.UNKNOWN})
    untested = section(client, project, "untested")
    assert "Managers release staff" not in untested and "Senior sponsors move on" in untested
    link_item(add_item(project, "Sponsor still in post"), assumption=risk, stance=Stance.CHALLENGES)
    _db.session.commit()
    assert count(section(client, project, "untested")) == 0


def test_low_confidence_never_assessed_and_factors_without_evidence(client, project, login_as):
    _, steps, _, _, factor = parts(project)
    assess(project, steps["Seminars"], ProgressRating.GOOD, Confidence.LOW)
    assess(project, steps["Attendees from six councils"], ProgressRating.GOOD, Confidence.HIGH)
    login_as("practitioner_researcher", project)
    weak = section(client, project, "low-confidence")
    assert "Step: Seminars</a>: <span class=\"gap-note\">low confidence" in weak
    assert "Attendees from six councils</a>" not in weak.split("Link:")[0]
    assert "Step: Reports written for the client</a>: <span class=\"gap-note\">never assessed" in weak
    factors = section(client, project, "factors")
    assert "Factor: Heavy caseloads (hindering)" in factors
    link_item(add_item(project, "Caseload survey", group=PartnerGroup.MANAGER), factor=factor)
    _db.session.commit()
    assert count(section(client, project, "factors")) == 0


def test_gaps_page_runs_a_fixed_number_of_queries(client, project, login_as, query_counter):
    login_as("lead", project)
    counts = []
    for size in (3, 30):
        chain, steps, first, assumption, factor = parts(project)
        extra = [chain_services.add_step(project, chain.steps[0].level, f"Extra {size}.{n}") for n in range(size // 3)]
        _db.session.flush()
        targets = [dict(step=s) for s in [*steps.values(), *extra]] + [dict(link=first), dict(assumption=assumption),
                                                                      dict(factor=factor)]
        for n in range(size):
            link_item(add_item(project, f"Item {size}.{n}", group=list(PartnerGroup)[n % 3]),
                      stance=list(Stance)[n % 3], **targets[n % len(targets)])
        _db.session.commit()
        for step in extra:
            assess(project, step, ProgressRating.LOW, Confidence.LOW)
        assess(project, first, ProgressRating.SOME, Confidence.LOW, states={assumption.id: AssumptionState.UNKNOWN})
        _db.session.expire_all()
        with query_counter() as queries:
            assert client.get(f"/projects/{project.id}/story/gaps").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{counts[0]} queries with 3 items, {counts[1]} with 30"
    assert counts[1] <= 15, counts
