"""Pages run a fixed number of SQL queries whatever the size of the chain."""
from __future__ import annotations

import pytest

from impact.extensions import db as _db
from impact.toc import services as chain
from impact.toc.models import AssumptionKind, FactorDirection
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
    assert len(small) <= 12
