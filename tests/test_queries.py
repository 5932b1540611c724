"""Pages run a fixed number of SQL queries whatever the size of the chain."""
from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from sqlalchemy import event, func, select

from impact.extensions import db as _db
from impact.projects.models import Membership, OrganisationKind, PartnerGroup, PartnerOrganisation, Role
from impact.toc import revisions
from impact.toc import services as chain
from impact.toc.models import AssumptionKind, FactorDirection, TocRevision
from tests import factories


def _grow(project, extra_steps: int) -> None:
    """Add steps to every level, each linked from the previous one, with an assumption and a factor."""
    previous = None
    for index in range(extra_steps):
        level = project.levels[index % len(project.levels)]
        step = chain.add_step(project, level, f"Extra step {index}")
        chain.add_factor(step, f"Factor {index}", FactorDirection.HELPING)
        if previous is not None and previous.level_id != step.level_id:
            link = chain.add_link(project, previous, step)
            chain.add_assumption(link, AssumptionKind.ASSUMPTION, f"Assumption {index}")
        previous = step
    _db.session.commit()


PAGES = [
    "/projects/{id}",
    "/projects/{id}/chain/",
    "/projects/{id}/chain/steps/{step}",
    "/projects/{id}/chain/revisions/compare",
]


@pytest.mark.parametrize("template", PAGES)
def test_query_count_does_not_grow_with_the_chain(client, project, login_as, query_counter, template):
    login_as("lead", project)
    first_step = chain.load_chain(project.id).steps[0].id
    url = template.format(id=project.id, step=first_step)
    client.post(f"/projects/{project.id}/chain/revisions", data={"name": "r", "revision_date": "2026-01-01"})
    with query_counter() as small:
        assert client.get(url).status_code == 200
    _grow(project, 40)
    with query_counter() as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), f"{url}: {len(small)} queries with 3 steps, {len(large)} with 43"
    # The step page also reads its assessment, evidence for and against, and its factors' evidence; the project
    # home, an aggregate or two from each part for Mayne's six steps and its charts.
    assert len(small) <= (16 if "steps" in template else 22 if template == "/projects/{id}" else 12)


def _add_members(project, count: int) -> None:
    """Members with their own account and organisation each, so no lookup is shared between rows."""
    for index in range(count):
        person = factories.user(f"Member {index}")
        organisation = PartnerOrganisation(project_id=project.id, name=f"Organisation {index}",
                                           kind=OrganisationKind.OTHER)
        _db.session.add(organisation)
        _db.session.flush()
        _db.session.add(Membership(project_id=project.id, user_id=person.id, role=Role.TEAM_MEMBER,
                                   partner_group=PartnerGroup.PRACTITIONER, organisation_id=organisation.id))
    _db.session.commit()


def _members_page_queries(client, project, query_counter) -> int:
    with query_counter() as statements:
        page = client.get(f"/projects/{project.id}/members")
    assert page.status_code == 200
    return len(statements)


def test_members_page_query_count_does_not_grow_with_members(client, project, login_as, query_counter):
    login_as("lead", project)  # with the project's creator: 2 members
    small = _members_page_queries(client, project, query_counter)
    _add_members(project, 18)
    page = client.get(f"/projects/{project.id}/members").get_data(as_text=True)
    assert "Member 17" in page and "Organisation 17" in page
    large = _members_page_queries(client, project, query_counter)
    assert large == small, f"members page: {small} queries with 2 members, {large} with 20"
    assert small <= 10


def _save_revisions(project, count: int) -> None:
    """Revisions each saved by a different person, as in a real partnership."""
    first = _db.session.scalar(select(func.count()).select_from(TocRevision)
                               .where(TocRevision.project_id == project.id))
    for index in range(first, first + count):
        revisions.save_revision(project, name=f"Revision {index}", revision_date=dt.date(2026, 1, 1),
                                note="", user=factories.user(f"Author {index}"))
    _db.session.commit()


@contextlib.contextmanager
def _revisions_loaded():
    """Which revisions the ORM loads, and whether each came with its (large) snapshot."""
    loaded: list[tuple[int, bool]] = []

    def record(target, context):
        loaded.append((target.number, "snapshot" in target.__dict__))

    event.listen(TocRevision, "load", record)
    try:
        yield loaded
    finally:
        event.remove(TocRevision, "load", record)


def test_revisions_page_query_count_does_not_grow_and_skips_snapshots(client, project, login_as, query_counter):
    login_as("team_member", project)
    url = f"/projects/{project.id}/chain/revisions"
    _save_revisions(project, 2)
    with query_counter() as small, _revisions_loaded() as loaded:
        assert client.get(url).status_code == 200
    assert sorted(loaded) == [(1, False), (2, False)]
    _save_revisions(project, 13)
    with query_counter() as large, _revisions_loaded() as loaded:
        page = client.get(url).get_data(as_text=True)
    assert "Author 14" in page and "Author 0" in page  # who saved each one is still shown
    assert len(loaded) == 15 and not any(with_snapshot for _, with_snapshot in loaded)
    assert len(large) == len(small), f"revisions page: {len(small)} queries with 2 revisions, {len(large)} with 15"
    assert len(small) <= 10


def test_compare_reads_only_the_snapshots_it_compares(client, project, login_as, query_counter):
    login_as("team_member", project)
    _save_revisions(project, 15)
    url = f"/projects/{project.id}/chain/revisions/compare?old=3&new=12"
    with query_counter() as statements, _revisions_loaded() as loaded:
        page = client.get(url).get_data(as_text=True)
    assert "Revision 3: Revision 2" in page and "Revision 12: Revision 11" in page
    assert len(loaded) == 15 and not any(with_snapshot for _, with_snapshot in loaded)
    snapshot_reads = [s for s in statements if "snapshot" in s.lower()]
    assert len(snapshot_reads) == 2, snapshot_reads


def test_the_apps_postgresql_connections_run_without_jit(app, db):
    """JIT compilation cost report.json 67 of its 72 ms of SQL at scale 1 (issue 15): the app turns it off."""
    from sqlalchemy import text

    if _db.engine.dialect.name != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    assert _db.session.execute(text("SHOW jit")).scalar() == "off"
