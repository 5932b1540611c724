"""Permission matrix: every route, requested by every kind of user, gets the right status.

The expected answers are written out here from the rules (not imported from
permissions.CAPABILITIES), so a change to the rules in the app has to be matched by a
deliberate change to this table. A route missing from CASES fails
test_every_route_has_a_case, so new routes cannot slip in without permission coverage.
"""
from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from impact.auth.services import create_user, make_reset_token, send_password_reset
from impact.extensions import db as _db
from impact.mail.models import OutboxMessage
from impact.projects.models import Membership, PartnerGroup, PartnerOrganisation, Role
from impact.projects.permissions import Need
from impact.toc import revisions, trash
from impact.toc.models import DeletedStep
from impact.toc.services import add_step, load_chain
from tests import factories

ROLES = ["anonymous", "outsider", "admin", "lead", "team_member", "practitioner_researcher", "co_researcher", "funder"]

# Which project roles hold each capability (see permissions.py), restated here on purpose.
ALLOWED: dict[Need, set[str]] = {
    Need.VIEW_REPORT: {"lead", "team_member", "practitioner_researcher", "co_researcher", "funder"},
    Need.READ: {"lead", "team_member", "practitioner_researcher", "co_researcher"},
    Need.EDIT: {"lead", "team_member"},
    Need.MANAGE: {"lead"},
}

# Needs for routes outside any project.
PUBLIC = "public"  # no login needed; everyone gets the success answer
GUEST = "guest"  # the login page: shown to anonymous users, logged-in users are sent on
LOGIN = "login"  # any logged-in user
ADMIN = "admin"  # site admins only; everyone else logged in gets 404

NEW_PASSWORD = "a brand new passphrase"
C = "/projects/{p}/chain"


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    path: str  # str.format template over the ids from world()
    need: Need | str
    data: dict[str, str] = field(default_factory=dict)  # values are templates too

    @property
    def id(self) -> str:
        return f"{self.endpoint}-{self.method}"

    def path_ids(self) -> set[str]:
        """Ids in the path itself (not the query string), i.e. objects the route must look up."""
        return {name for _, name, _, _ in string.Formatter().parse(urlsplit(self.path).path) if name}

    def request(self, client, ids: dict):
        data = {key: value.format(**ids) for key, value in self.data.items()}
        # End the test's own read transaction first: on PostgreSQL an idle transaction keeps its
        # table locks, and anything waiting for an exclusive lock (a TRUNCATE) then blocks the app too.
        _db.session.commit()
        return client.open(self.path.format(**ids), method=self.method, data=data)


def get(endpoint, path, need):
    return Case(endpoint, "GET", path, need)


def post(endpoint, path, need, **data):
    return Case(endpoint, "POST", path, need, data)


# Each POST carries valid data, so an allowed user reaches the success redirect.
CASES = [
    get("auth.login", "/login", GUEST),
    post("auth.login", "/login", PUBLIC, email="{lead_email}", password=factories.PASSWORD),
    post("auth.logout", "/logout", PUBLIC),
    get("auth.forgot_password", "/password/forgot", PUBLIC),
    post("auth.forgot_password", "/password/forgot", PUBLIC, email="{lead_email}"),
    get("auth.reset_password", "/password/reset/{token}", PUBLIC),
    post("auth.reset_password", "/password/reset/{token}", PUBLIC, password=NEW_PASSWORD, confirm=NEW_PASSWORD),
    get("auth.change_password", "/account/password", LOGIN),
    post("auth.change_password", "/account/password", LOGIN,
         current=factories.PASSWORD, password=NEW_PASSWORD, confirm=NEW_PASSWORD),
    get("projects.index", "/", LOGIN),
    get("projects.new_project", "/projects/new", LOGIN),
    post("projects.new_project", "/projects/new", LOGIN, title="Another project", organisations="Council B"),
    get("admin.users", "/admin/users", ADMIN),
    post("admin.users", "/admin/users", ADMIN, email="newcomer@example.org", name="Newcomer"),
    get("admin.edit_user", "/admin/users/{lead_id}", ADMIN),
    post("admin.edit_user", "/admin/users/{lead_id}", ADMIN, name="Renamed lead", active="y"),
    post("admin.send_reset", "/admin/users/{lead_id}/reset", ADMIN),
    get("mail.outbox", "/admin/outbox/", ADMIN),
    get("mail.message", "/admin/outbox/{message}", ADMIN),
    # Project pages.
    get("projects.project", "/projects/{p}", Need.VIEW_REPORT),
    get("projects.edit_project", "/projects/{p}/edit", Need.MANAGE),
    post("projects.edit_project", "/projects/{p}/edit", Need.MANAGE, title="Renamed", version="{project_version}"),
    get("projects.members", "/projects/{p}/members", Need.MANAGE),
    post("projects.members", "/projects/{p}/members", Need.MANAGE, email="added@example.org", name="Added",
         role="co_researcher", partner_group="other", organisation_id="0"),
    get("projects.edit_member", "/projects/{p}/members/{membership}", Need.MANAGE),
    post("projects.edit_member", "/projects/{p}/members/{membership}", Need.MANAGE,
         role="co_researcher", partner_group="other", organisation_id="0"),
    post("projects.remove_member", "/projects/{p}/members/{membership}/remove", Need.MANAGE),
    post("projects.add_organisation", "/projects/{p}/organisations", Need.MANAGE, name="Council B", kind="other"),
    post("projects.remove_organisation", "/projects/{p}/organisations/{org}/remove", Need.MANAGE),
    # The chain editor.
    get("toc.chain", C + "/", Need.READ),
    post("toc.add_level", C + "/levels", Need.EDIT, name="Policy change"),
    get("toc.edit_level", C + "/levels/{level}/edit", Need.EDIT),
    post("toc.edit_level", C + "/levels/{level}/edit", Need.EDIT, name="Events"),
    post("toc.move_level", C + "/levels/{level}/move", Need.EDIT, direction="down"),
    post("toc.delete_level", C + "/levels/{empty_level}/delete", Need.EDIT),
    post("toc.quick_add_step", C + "/levels/{level}/steps", Need.EDIT, title="Workshops"),
    get("toc.new_step", C + "/steps/new", Need.EDIT),
    post("toc.new_step", C + "/steps/new", Need.EDIT, title="Workshops", level_id="{level}"),
    get("toc.step", C + "/steps/{step}", Need.READ),
    get("toc.edit_step", C + "/steps/{step}/edit", Need.EDIT),
    post("toc.edit_step", C + "/steps/{step}/edit", Need.EDIT,
         title="Seminars and workshops", level_id="{level}", version="{step_version}"),
    post("toc.move_step", C + "/steps/{step}/move", Need.EDIT, direction="down"),
    get("toc.delete_step", C + "/steps/{step}/delete", Need.EDIT),
    post("toc.delete_step", C + "/steps/{step}/delete", Need.EDIT, confirm="yes"),
    post("toc.restore_step", C + "/deleted/{deleted}/restore", Need.EDIT),
    get("toc.new_link", C + "/links/new", Need.EDIT),
    post("toc.new_link", C + "/links/new", Need.EDIT, source_id="{step}", target_id="{spare_step}"),
    get("toc.link", C + "/links/{link}", Need.READ),
    post("toc.delete_link", C + "/links/{link}/delete", Need.EDIT),
    post("toc.add_assumption", C + "/links/{link}/assumptions", Need.EDIT, kind="risk", text="Staff turnover"),
    get("toc.edit_assumption", C + "/assumptions/{assumption}/edit", Need.EDIT),
    post("toc.edit_assumption", C + "/assumptions/{assumption}/edit", Need.EDIT, kind="risk", text="Reworded"),
    post("toc.delete_assumption", C + "/assumptions/{assumption}/delete", Need.EDIT),
    post("toc.add_factor", C + "/steps/{step}/factors", Need.EDIT, title="New director", direction="helping"),
    get("toc.edit_factor", C + "/factors/{factor}/edit", Need.EDIT),
    post("toc.edit_factor", C + "/factors/{factor}/edit", Need.EDIT, title="Caseloads", direction="hindering"),
    post("toc.delete_factor", C + "/factors/{factor}/delete", Need.EDIT),
    get("toc.revision_list", C + "/revisions", Need.READ),
    post("toc.revision_list", C + "/revisions", Need.EDIT, name="Midpoint", revision_date="2024-06-30"),
    get("toc.revision", C + "/revisions/{revision}", Need.READ),
    get("toc.compare", C + "/revisions/compare?old={revision}&new=current", Need.READ),
]


def expected_status(case: Case, role: str) -> int:
    success = 200 if case.method == "GET" else 302
    if case.need == PUBLIC:
        return success
    if case.need == GUEST:
        return success if role == "anonymous" else 302
    if role == "anonymous":
        return 302  # to the login page; the test checks where
    if case.need == LOGIN:
        return success
    if case.need == ADMIN or role == "admin":
        return success if role == "admin" else 404
    if role == "outsider":
        return 404  # not even the project's existence is revealed
    return success if role in ALLOWED[case.need] else 403


def furnish(project, revision_count: int = 1) -> None:
    """Give the project what the routes above need besides the fixture's chain."""
    chain = load_chain(project.id)
    # Every pair of the three steps is already linked one way, so new_link needs a free step;
    # beside Seminars, so that moving Seminars really moves it.
    seminars = next(step for step in chain.steps if step.title == "Seminars")
    add_step(project, seminars.level, "Spare step")
    trash.delete_step(add_step(project, seminars.level, "Discarded step"), None)  # something to restore
    # A member who is not the lead, to edit and remove; made here to share furnish's one commit.
    member = create_user(f"member{project.id}@example.org", "Team member", None)
    _db.session.add(Membership(project=project, user=member, role=Role.TEAM_MEMBER, partner_group=PartnerGroup.OTHER))
    for number in range(revision_count):
        revisions.save_revision(project, name=f"Revision {number + 1}", revision_date=dt.date(2024, 1, 1),
                                note="", user=None)
    send_password_reset(lead_of(project))  # puts a message in the outbox
    _db.session.commit()


def lead_of(project):
    return next(m.user for m in project.memberships if m.role == Role.LEAD)


def world(project) -> dict[str, object]:
    """The ids the path and form templates refer to, read back from the database."""
    _db.session.expire_all()
    chain = load_chain(project.id)
    by_title = {step.title: step for step in chain.steps}
    seminars = by_title["Seminars"]
    lead = lead_of(project)
    link = next(link for link in chain.links if chain.assumptions_by_link.get(link.id))
    factor = next(f for factors in chain.factors_by_step.values() for f in factors)
    return {
        "p": project.id,
        "project_version": project.version,
        "level": seminars.level_id,
        "empty_level": next(level.id for level in chain.levels if not chain.steps_by_level[level.id]),
        "step": seminars.id,
        "step_version": seminars.version,
        "spare_step": by_title["Spare step"].id,
        "link": link.id,
        "assumption": chain.assumptions_by_link[link.id][0].id,
        "factor": factor.id,
        "revision": max(r.number for r in _db.session.scalars(revisions.revisions_query(project))),
        "deleted": _db.session.scalar(select(DeletedStep.id).where(DeletedStep.project_id == project.id)),
        "membership": next(m.id for m in project.memberships if m.role == Role.TEAM_MEMBER),
        "org": project.organisations[0].id,
        "lead_id": lead.id,
        "lead_email": lead.email,
        "token": make_reset_token(lead),
        "message": _db.session.scalar(select(OutboxMessage.id)),
    }


def project_state(project) -> tuple:
    """What any of the routes could change in a project, to check that a refusal changed nothing."""
    _db.session.expire_all()
    return (
        (project.title, project.version),
        revisions.snapshot(load_chain(project.id)),
        list(_db.session.execute(select(Membership.id, Membership.role)
                                 .where(Membership.project_id == project.id).order_by(Membership.id))),
        sorted(_db.session.scalars(select(PartnerOrganisation.id).where(PartnerOrganisation.project_id == project.id))),
        [r.number for r in _db.session.scalars(revisions.revisions_query(project))],
        list(_db.session.scalars(select(DeletedStep.restored_at).where(DeletedStep.project_id == project.id))),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_permission_matrix(client, project, login_as, case, role):
    furnish(project)
    login_as(role, project)
    want = expected_status(case, role)
    sent_to_login = role == "anonymous" and case.need not in (PUBLIC, GUEST)
    # A refusal must come before any change, not after it; only POSTs could change anything.
    check_unchanged = case.method == "POST" and (sent_to_login or want in (403, 404))
    before = project_state(project) if check_unchanged else None
    response = case.request(client, world(project))
    assert response.status_code == want, f"{case.method} {case.path} as {role}"
    if sent_to_login:
        assert urlsplit(response.headers["Location"]).path == "/login"
    if check_unchanged:
        assert project_state(project) == before


def test_every_route_has_a_case(app):
    """Every (endpoint, method) the app serves is in CASES, and every case names a real one."""
    served = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules() if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    listed = {(case.endpoint, case.method) for case in CASES}
    assert served - listed == set(), "routes without a permission case"
    assert listed - served == set(), "cases for routes that no longer exist"
    assert len(listed) == len(CASES), "a route is listed twice"

    class AnyId(dict):
        def __missing__(self, key):
            return "1"

    adapter = app.url_map.bind("localhost")
    for case in CASES:
        path = urlsplit(case.path.format_map(AnyId())).path
        endpoint, _ = adapter.match(path, method=case.method)
        assert endpoint == case.endpoint, f"{case.path} is served by {endpoint}"


# Routes that take an id of an object inside the project: the object must be looked up
# within the project in the URL, or a member of one project could reach into another.
# (compare takes revision numbers as query arguments and only offers the project's own.)
SCOPED = [case for case in CASES if isinstance(case.need, Need) and case.path_ids() - {"p"}]


@pytest.mark.parametrize("case", SCOPED, ids=lambda case: case.id)
def test_objects_of_another_project_are_not_found(client, project, login_as, case):
    other = factories.chain_project()
    furnish(project)
    # B gets a revision number that A does not have, since revisions are found by number.
    furnish(other, revision_count=2)
    # Members and organisations need MANAGE: a team member would be stopped (403) before the lookup.
    login_as("lead" if case.need == Need.MANAGE else "team_member", project)
    crossed = {**world(other), "p": project.id}
    before = project_state(other)
    response = case.request(client, crossed)
    assert response.status_code == 404, f"{case.method} {case.path.format(**crossed)}"
    assert project_state(other) == before, "project B was changed through project A's URL"
