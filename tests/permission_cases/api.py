"""Permission cases for the JSON API and the tokens on the account page (see permission_cases/__init__).

An API case is called with a token of the role's user (and no session); the answers are the pages'
(404 outside the project, 403 for a role without the capability), 401 without a token.
"""
from __future__ import annotations

from sqlalchemy import func, select

from impact.api.models import ApiToken
from impact.api.tokens import create_token
from impact.evidence.models import EvidenceItem
from impact.extensions import db as _db
from impact.projects.permissions import Need
from impact.research.models import ResearchUpdate
from tests import factories
from tests.permission_cases import LOGIN, LOGIN_FORM, NOT_THEIRS, PUBLIC, TOKEN, Case, api_call, get, post

P = "/projects/{p}"
ITEM = {"kind": "observation", "title": "Notes from the API", "evidence_date": "2011-05-02"}

CASES: list[Case] = [
    get("api_tokens.new", "/account/tokens/new", LOGIN),
    post("api_tokens.new", "/account/tokens/new", LOGIN_FORM, name="A script", password=factories.PASSWORD),
    post("api_tokens.revoke", "/account/tokens/{api_token}/revoke", NOT_THEIRS),
    get("auth.account", "/account", LOGIN),
    Case("api-docs.openapi_json", "GET", "/api/v1/openapi.json", PUBLIC),
    api_call("GET", "api_projects.Projects", "/projects", TOKEN),
    api_call("GET", "api_projects.OneProject", P, Need.VIEW_REPORT),
    api_call("GET", "api_projects.Chain", P + "/chain", Need.READ),
    api_call("GET", "api_projects.Report", P + "/report", Need.VIEW_REPORT),
    api_call("GET", "api_projects.Events", P + "/events", Need.READ),
    api_call("GET", "api_evidence.Items", P + "/evidence", Need.READ),
    api_call("POST", "api_evidence.Items", P + "/evidence", Need.CONTRIBUTE, **ITEM),
    api_call("GET", "api_evidence.Item", P + "/evidence/{ev_item}", Need.READ),
    api_call("PATCH", "api_evidence.Item", P + "/evidence/{ev_item}", Need.EDIT, title="Renamed by the API",
             version="{ev_item_version}"),
    api_call("POST", "api_evidence.Links", P + "/evidence/{ev_item}/links", Need.EDIT,
             target="link", target_id="{link}", stance="challenges"),
    api_call("GET", "api_cards.Cards", P + "/events/{event}/cards", Need.EDIT),
    api_call("POST", "api_cards.Cards", P + "/events/{event}/cards", Need.EDIT, email="api@council.gov.uk",
             actions=["Read the guide"]),
    api_call("GET", "api_research.ResearchProjects", P + "/practitioner-projects", Need.READ),
    api_call("GET", "api_research.Updates", P + "/practitioner-projects/{rs_prp}/updates", Need.READ),
    api_call("POST", "api_research.Updates", P + "/practitioner-projects/{rs_prp}/updates", Need.CONTRIBUTE,
             update_date="2011-06-01", what_did="Sent from the council's system"),
]


def furnish(project, step) -> None:
    """A token of someone who holds none of the roles tried (the caller commits)."""
    create_token(factories.user("Token owner"), "Someone else's")


def world(project) -> dict[str, object]:
    return {"api_token": _db.session.scalar(select(ApiToken.id).join(ApiToken.user)
                                            .where(ApiToken.name == "Someone else's").order_by(ApiToken.id.desc()))}


def state(project) -> tuple:
    return (
        _db.session.scalar(select(func.count()).select_from(EvidenceItem).where(EvidenceItem.project_id == project.id)),
        _db.session.scalar(select(func.count()).select_from(ResearchUpdate)),
        list(_db.session.execute(select(ApiToken.id, ApiToken.revoked_at).order_by(ApiToken.id))),
    )
