"""Shared vocabulary of the permission matrix (tests/test_permissions.py).

Each feature adds its routes in a module of this package defining
``CASES`` (a list of Case), ``furnish(project, step)`` (create what the routes need,
without committing), ``world(project) -> dict`` (the ids the paths refer to) and
``state(project) -> tuple`` (what its routes could change). List the module in FEATURES
in test_permissions.py.
"""
from __future__ import annotations

import io
import string
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from impact.extensions import db as _db
from impact.projects.permissions import Need

ROLES = ["anonymous", "outsider", "admin", "lead", "team_member", "practitioner_researcher", "co_researcher", "funder"]

# Which project roles hold each capability (see permissions.py), restated here on purpose.
ALLOWED: dict[Need, set[str]] = {
    Need.VIEW_REPORT: {"lead", "team_member", "practitioner_researcher", "co_researcher", "funder"},
    Need.READ: {"lead", "team_member", "practitioner_researcher", "co_researcher"},
    Need.CONTRIBUTE: {"lead", "team_member", "practitioner_researcher", "co_researcher"},
    Need.EDIT: {"lead", "team_member"},
    Need.MANAGE: {"lead"},
}

# Needs for routes outside any project.
PUBLIC = "public"  # no login needed; everyone gets the success answer
PUBLIC_FORM = "public_form"  # a public page whose form answers with a page (200), not a redirect
GUEST = "guest"  # the login page: shown to anonymous users, logged-in users are sent on
LOGIN = "login"  # any logged-in user
CREATOR = "creator"  # accounts that may create projects: site admins and those they allow (none of ROLES but admin)
ADMIN = "admin"  # site admins only; everyone else logged in gets 404
OWNER = "owner"  # only the person whose words they are (none of ROLES): 404 for contributors, 403 for funders
LOGIN_FORM = "login_form"  # any logged-in user, whose form answers with a page (200), not a redirect
NOT_THEIRS = "not_theirs"  # a user's own thing (an API token) that belongs to none of ROLES: 404 for all signed in
TOKEN = "token"  # an API route any valid token may call

NEW_PASSWORD = "a brand new passphrase"
UPLOAD = "@upload:"
C = "/projects/{p}/chain"
E = "/projects/{p}/events/{event}"
F = E + "/followups"


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    path: str  # str.format template over the ids from world()
    need: Need | str
    data: dict[str, object] = field(default_factory=dict)  # values are templates too
    api: bool = False  # a JSON API route: called with the role's token (none for anonymous) and a JSON body

    @property
    def id(self) -> str:
        return f"{self.endpoint}-{self.method}"

    def path_ids(self) -> set[str]:
        """Ids in the path itself (not the query string), i.e. objects the route must look up."""
        return {name for _, name, _, _ in string.Formatter().parse(urlsplit(self.path).path) if name}

    def request(self, client, ids: dict):
        if self.api:
            _db.session.commit()
            return client.open(self.path.format(**ids), method=self.method,
                               json=_json(self.data, ids) if self.method != "GET" else None)
        data = {key.format(**ids): value.format(**ids) for key, value in self.data.items()}
        for key, value in data.items():
            if value.startswith(UPLOAD):  # a file upload: "@upload:name.csv:content"
                name, _, content = value[len(UPLOAD):].partition(":")
                data[key] = (io.BytesIO(content.encode()), name)
        # End the test's own read transaction first: on PostgreSQL an idle transaction keeps its
        # table locks, and anything waiting for an exclusive lock (a TRUNCATE) then blocks the app too.
        _db.session.commit()
        return client.open(self.path.format(**ids), method=self.method, data=data)


def _json(value, ids: dict):
    """A JSON body template: strings are formatted, and one that names an id alone ("{step}") is that number."""
    if isinstance(value, dict):
        return {key: _json(inner, ids) for key, inner in value.items()}
    if isinstance(value, list):
        return [_json(inner, ids) for inner in value]
    if isinstance(value, str):
        formatted = value.format(**ids)
        return int(formatted) if value.startswith("{") and value.endswith("}") and formatted.isdigit() else formatted
    return value


def api_call(method, endpoint, path, need, **body):
    return Case(endpoint, method, "/api/v1" + path, need, body, api=True)


def get(endpoint, path, need):
    return Case(endpoint, "GET", path, need)


def post(endpoint, path, need, **data):
    return Case(endpoint, "POST", path, need, data)
