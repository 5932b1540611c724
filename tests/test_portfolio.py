"""A funder's portfolio: the latest published version of each of their projects, filtered, summed in SQL."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance, Strength
from impact.extensions import db as _db
from impact.projects.models import Membership, PartnerGroup, Role
from impact.publishing.services import publish
from impact.toc.models import InfluencingFactor
from impact.toc.services import load_chain
from tests import factories


def _project(title: str, *, programme: str, started: dt.date, partner: str, evidence: int, funder=None):
    project = factories.chain_project()
    project.title, project.programme, project.start_date = title, programme, started
    project.organisations[0].name = partner  # the factory's one partner, renamed
    factor = _db.session.scalar(select(InfluencingFactor).where(InfluencingFactor.project_id == project.id))
    factor.title = "heavy caseloads" if evidence % 2 else "Heavy caseloads"
    step = load_chain(project.id).steps[0]
    for number in range(evidence):
        item = EvidenceItem(project_id=project.id, kind=EvidenceKind.OBSERVATION, title=f"Note {number}",
                            evidence_date=dt.date(2011, 5, 1), partner_group=PartnerGroup.PRACTITIONER)
        item.links += [EvidenceLink(step_id=step.id, stance=Stance.SUPPORTS, strength=Strength.MODERATE),
                       EvidenceLink(factor_id=factor.id, stance=Stance.SUPPORTS, strength=Strength.WEAK)]
        _db.session.add(item)
    if funder is not None:
        _db.session.add(Membership(project=project, user=funder, role=Role.FUNDER, partner_group=PartnerGroup.FUNDER))
    _db.session.commit()
    return project


def _rows(page: str) -> list[str]:
    body = page[page.index("<caption>Projects, with their latest published report"):]
    return [line for line in body[:body.index("</table>")].split("<tr>")[2:]]


def test_a_funder_sees_the_published_versions_of_their_own_projects_side_by_side(app, db, client):
    funder = factories.user("Fiona Funder")
    first = _project("Carers first", programme="ESLA", started=dt.date(2010, 1, 1), partner="Council A",
                     evidence=3, funder=funder)
    second = _project("Honest reports", programme="ESLA", started=dt.date(2011, 1, 1), partner="Council B",
                      evidence=1, funder=funder)
    unpublished = _project("Not yet", programme="ESLA", started=dt.date(2011, 1, 1), partner="Council B",
                           evidence=1, funder=funder)
    theirs = _project("Someone else's", programme="Other", started=dt.date(2011, 1, 1), partner="Council C",
                      evidence=5)
    for project in (first, second, theirs):
        publish(project, "Final report", None)
    # Evidence added after publishing counts for nothing until the next version.
    late = EvidenceItem(project_id=second.id, kind=EvidenceKind.OBSERVATION, title="After publishing",
                        evidence_date=dt.date(2011, 9, 1), partner_group=PartnerGroup.PRACTITIONER)
    late.links.append(EvidenceLink(step_id=load_chain(second.id).steps[1].id, stance=Stance.SUPPORTS))
    _db.session.add(late)
    _db.session.commit()

    client.post("/login", data={"email": funder.email, "password": factories.PASSWORD})
    page = client.get("/portfolio").get_data(as_text=True)
    rows = _rows(page)
    assert len(rows) == 2 and "Carers first" in rows[0] and "Honest reports" in rows[1]
    assert unpublished.title not in page and "Someone else&#39;s" not in page
    assert "Across 2 projects" in page and "2 of 6 steps have evidence" in page
    assert "<td>1 of 3</td>" in rows[1]  # the late evidence is not in the published version
    helping = page[page.index('id="hindering-heading"'):]
    # One factor title, written two ways in two projects: one theme, its evidence summed.
    assert "<td>4</td><td>2</td>" in helping

    filtered = client.get("/portfolio?year=2010").get_data(as_text=True)
    assert len(_rows(filtered)) == 1 and "Across 1 project" in filtered
    assert len(_rows(client.get("/portfolio?organisation=Council+B").get_data(as_text=True))) == 1
    assert "No project here has a published report yet" in client.get("/portfolio?programme=Other").get_data(
        as_text=True)
    options = page[page.index('<select id="organisation"'):page.index("</select>", page.index('id="organisation"'))]
    assert "Council A" in options and "Council B" in options and "Council C" not in options


def test_the_portfolio_runs_the_same_queries_however_many_projects(app, db, client, query_counter):
    funder = factories.user("Fiona Funder")
    client.post("/login", data={"email": funder.email, "password": factories.PASSWORD})
    counts = []
    for batch in (2, 6):
        for number in range(batch):
            project = _project(f"Project {batch}-{number}", programme="ESLA", started=dt.date(2010 + number % 3, 1, 1),
                               partner=f"Council {number}", evidence=number % 3, funder=funder)
            publish(project, "Final report", None)
        with query_counter() as statements:
            assert client.get("/portfolio").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_the_portfolio_works_with_ids_near_the_largest_the_database_holds(app, db, client, login_as):
    from impact.projects.models import Project

    big = Project(id=2**31 - 2, title="A project with a very large id")
    _db.session.add(big)
    _db.session.commit()
    funder = login_as("funder", big)
    publish(big, "Interim report", funder)
    page = client.get("/portfolio")
    assert page.status_code == 200 and f"/projects/{big.id}/reports/1" in page.get_data(as_text=True)


def test_every_change_a_portfolio_shows_moves_its_counter_and_nothing_else_does(app, db):
    from impact import change_counters
    from impact.projects.models import PartnerOrganisation, Project
    from impact.transfer.document import export_project, import_project

    def moved(change) -> bool:
        before = change_counters.value("portfolio")
        change()
        _db.session.commit()
        return change_counters.value("portfolio") > before

    project = factories.chain_project()
    lead = project.memberships[0].user
    funder = factories.user("Funder")
    assert moved(lambda: setattr(project, "programme", "Children and families"))
    assert moved(lambda: _db.session.add(Membership(project_id=project.id, user_id=funder.id, role=Role.FUNDER,
                                                    partner_group=PartnerGroup.FUNDER)))
    assert moved(lambda: _db.session.add(PartnerOrganisation(project_id=project.id, name="Council B")))
    assert moved(lambda: publish(project, "Interim report", lead))
    membership = _db.session.scalar(select(Membership).where(Membership.user_id == funder.id))
    assert moved(lambda: _db.session.delete(membership))
    assert not moved(lambda: _db.session.add(EvidenceItem(project_id=project.id, kind=EvidenceKind.OBSERVATION,
                                                          title="Not in any portfolio",
                                                          evidence_date=dt.date(2011, 5, 1))))
    document = export_project(project.id)
    assert moved(lambda: _db.session.delete(_db.session.get(Project, project.id)))
    assert moved(lambda: import_project(document))  # rows written without the ORM


def test_a_counter_made_again_after_its_database_was_emptied_never_repeats_a_number(app, db):
    """Pages are kept under a counter's number, in a cache that outlives the database (Redis, or a
    server that keeps running while its database is restored): an emptied counter must not count
    through the numbers it had before, or a page kept under one would be served as current."""
    from impact import change_counters

    factories.chain_project()
    factories.chain_project()
    before = change_counters.value("portfolio")
    _db.session.execute(change_counters.ChangeCounter.__table__.delete())
    _db.session.commit()
    factories.chain_project()
    assert change_counters.value("portfolio") > before
