"""The demo project from the seed."""
from __future__ import annotations

from sqlalchemy import func, select

from impact.demo import seed_data
from impact.projects.models import Membership, Project, Role
from impact.toc.models import Assumption, AssumptionKind, FactorDirection, InfluencingFactor, TocRevision
from impact.toc.services import load_chain


def test_demo_load_builds_the_seed_project_once(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "lead@demo.example.org" in first.output
    again = runner.invoke(args=["demo", "load"])
    assert "Already present" in again.output
    assert db.session.scalar(select(func.count()).select_from(Project)) == 1

    project = db.session.scalar(select(Project))
    assert project.title == "Engaging with involuntary clients"
    chain = load_chain(project.id)
    assert [level.name for level in chain.levels][0] == "Inputs"
    assert len(chain.steps) == len(seed_data.STEPS) + 1  # plus the step added in the second revision
    assert all(chain.steps_by_level[level.id] for level in chain.levels)  # every level has steps
    factors = {f.title: f.direction for f in db.session.scalars(select(InfluencingFactor))}
    assert FactorDirection.HELPING in factors.values() and FactorDirection.HINDERING in factors.values()
    assert any("Munro" in title for title in factors)
    risks = db.session.scalar(
        select(func.count()).select_from(Assumption).where(Assumption.kind == AssumptionKind.RISK))
    assert risks > 0
    roles = set(db.session.scalars(select(Membership.role).where(Membership.project_id == project.id)))
    assert roles == set(Role)
    revisions = list(db.session.scalars(select(TocRevision).order_by(TocRevision.number)))
    assert [r.name for r in revisions] == [r["name"] for r in seed_data.REVISIONS]


def test_demo_if_empty_leaves_a_used_database_alone(app, db, project):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert "demo not loaded" in result.output
    assert db.session.scalar(select(func.count()).select_from(Project)) == 1


def test_demo_logins_work(app, db, client):
    app.test_cli_runner().invoke(args=["demo", "load"])
    for spec in seed_data.USERS:
        client.post("/logout")
        response = client.post("/login", data={"email": spec["email"], "password": seed_data.DEMO_PASSWORD})
        assert response.status_code == 302, spec["email"]


def test_the_demo_funder_reads_the_published_final_report_and_not_the_live_story(app, db, client):
    from impact.publishing.models import PublishedReport

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    project = db.session.scalar(select(Project))
    report = db.session.scalar(select(PublishedReport).where(PublishedReport.project_id == project.id))
    assert report.number == 1 and report.name == "Final report to the funder"
    assert client.post("/login", data={"email": "funder@demo.example.org", "password": "demo-password"}).status_code \
        == 302
    overview = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Read the published report" in overview
    page = client.get(f"/projects/{project.id}/reports/1").get_data(as_text=True)
    assert "Published report, version 1: Final report to the funder" in page and "Munro" in page
    assert client.get(f"/projects/{project.id}/story/").status_code == 403
    assert client.get(f"/projects/{project.id}/report.json").get_json()["project"]["title"] == project.title
