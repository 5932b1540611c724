"""schemathesis against the API's own OpenAPI document: generated requests, valid and not, to every
operation; no answer may be a server error or disagree with the document (status, content type, schema).

Path ids are pinned to a real project's objects, so the generated queries and bodies reach the code
behind the permission check rather than stopping at 404.
"""
from __future__ import annotations

import contextvars
import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from impact.api.tokens import create_token
from impact.events.models import EventKind
from impact.events.services import save_event
from impact.evidence.models import EvidenceItem, EvidenceKind
from impact.extensions import db as _db
from impact.research.models import ResearchProject
from tests import factories


@pytest.fixture
def api_world(app, db):
    project = factories.chain_project()
    event = save_event(project, None, kind=EventKind.SEMINAR, title="Seminar", event_date=dt.date(2011, 3, 1),
                       place="", notes="", attendance={})
    item = EvidenceItem(project_id=project.id, kind=EvidenceKind.OBSERVATION, title="Observation",
                        evidence_date=dt.date(2011, 5, 1))
    prp = ResearchProject(project_id=project.id, title="Carers first")
    _db.session.add_all([item, prp])
    _db.session.flush()
    lead = next(member.user for member in project.memberships)
    _, raw = create_token(lead, "schemathesis")
    _db.session.commit()
    ids = {"project_id": project.id, "event_id": event.id, "item_id": item.id, "prp_id": prp.id}
    return raw, ids


# schemathesis' own pytest plugin reaches into pytest internals that pytest 9 no longer has, so each
# operation's strategy is run with Hypothesis directly: valid requests, then invalid ones.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda mode: mode.value)
def test_the_api_keeps_to_its_openapi_document(app, api_world, mode):
    raw, ids = api_world
    def served(environ, start_response):
        # Each request in a context of its own, as in production: the test's app context (and its g,
        # where the request's token is kept) is not shared with the requests.
        return contextvars.Context().run(app, environ, start_response)

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", served)

    @schema.auth()
    class Token:
        """The lead's token on every request (the checks take it off to see the API refuse without it)."""

        def get(self, case, context):
            return raw

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def keeps_to_the_document(case):
            if case.path_parameters and not (case.meta and case.meta.is_negative_at(ParameterLocation.PATH)):
                case.path_parameters = {**case.path_parameters, **{key: ids[key] for key in case.path_parameters}}
            # Business rules the document cannot state (a link's target must be in this project's chain, an
            # email must be a deliverable address) refuse some schema-valid bodies with 422, as they should.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        try:
            keeps_to_the_document()
        except Exception as failure:
            raise AssertionError(f"{operation.method.upper()} {operation.path} ({mode.value}): {failure}") from failure
