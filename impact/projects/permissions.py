"""The one permission check every project-scoped page goes through.

Someone who is not a member of a project (and not a site admin) gets 404 for anything
in it, so they cannot even learn that it exists; a member whose role lacks the
capability gets 403.
"""
from __future__ import annotations

import enum
import functools
from collections.abc import Callable

from flask import abort, g, request
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from impact.auth.services import LIVE_SESSION_USER, READ_WITH_USER, read_along_user
from impact.extensions import db
from impact.local_time import use_zone_of_request
from impact.projects import conditional
from impact.projects.models import Membership, Project, Role


class Need(enum.Enum):
    VIEW_REPORT = "view_report"  # the project summary and chain diagram: every member, funders included
    READ = "read"  # the working pages: the chain in detail, revisions
    CONTRIBUTE = "contribute"  # add updates and evidence
    EDIT = "edit"  # change the chain, evidence, assessments
    MANAGE = "manage"  # project settings and members


CAPABILITIES: dict[Role, frozenset[Need]] = {
    Role.LEAD: frozenset(Need),
    Role.TEAM_MEMBER: frozenset({Need.VIEW_REPORT, Need.READ, Need.CONTRIBUTE, Need.EDIT}),
    Role.PRACTITIONER_RESEARCHER: frozenset({Need.VIEW_REPORT, Need.READ, Need.CONTRIBUTE}),
    Role.CO_RESEARCHER: frozenset({Need.VIEW_REPORT, Need.READ, Need.CONTRIBUTE}),
    Role.FUNDER: frozenset({Need.VIEW_REPORT}),
}


_ROLE = select(Membership.role).where(Membership.project_id == bindparam("project_id"),
                                     Membership.user_id == bindparam("user_id"))


def role_in(user, project_id: int) -> Role | None:
    """The user's role in a project (looked up once per request and user), None for a non-member."""
    if user is None or not user.is_authenticated:
        return None
    cache: dict[tuple[int, int], Role | None] = g.setdefault("project_roles", {})
    key = (user.id, project_id)
    if key not in cache:
        cache[key] = db.session.scalar(_ROLE, {"project_id": project_id, "user_id": user.id})
    return cache[key]


def can(user, project: Project | int, need: Need) -> bool:
    """Whether ``user`` (whoever acts: the request's user, an API token's owner, a job's) may do ``need``."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    role = role_in(user, project if isinstance(project, int) else project.id)
    return role is not None and need in CAPABILITIES[role]


def may(project: Project | int, need: Need) -> bool:
    """``can`` for the user of this request (what templates ask)."""
    # The user itself, not the proxy: templates ask this a dozen times a page (the tabs), and each
    # attribute read through the proxy looks the user up again.
    return can(current_user._get_current_object(), project, need)


# The project and the user's role in it, in one statement: every project page asks both first.
_PROJECT_AND_ROLE = (select(Project, Membership.role)
                     .outerjoin(Membership, (Membership.project_id == Project.id)
                                & (Membership.user_id == bindparam("user_id")))
                     .where(Project.id == bindparam("project_id")))


def _with_rows(statement, loads: dict, read_with: list | None):
    """``statement`` with each of ``loads``' rows (None when the id is another project's) and the
    ``read_with`` columns."""
    for name, model in loads.items():
        row = aliased(model, name=name)
        statement = statement.add_columns(row).outerjoin(
            row, (row.id == bindparam(f"{name}_id")) & (row.project_id == Project.id))
    return statement.add_columns(*read_with) if read_with else statement


# The user of the login session with the project and role as above, for a page to read in one round trip.
_USER_PROJECT_AND_ROLE = (LIVE_SESSION_USER.add_columns(Project, Membership.role)
                          .outerjoin(Project, Project.id == bindparam("project_id"))
                          .outerjoin(Membership, (Membership.project_id == Project.id)
                                     & (Membership.user_id == bindparam("user_id"))))


def get_project_or_404(project_id: int, need: Need = Need.READ, user=None) -> Project:
    """The project, if ``user`` (by default the request's) may see it (404 otherwise) and do ``need`` (403)."""
    return _checked_project(project_id, need, user)[0]


def _checked_project(project_id: int, need: Need, user, statement=_PROJECT_AND_ROLE,
                     arguments: dict | None = None, read_along=None) -> tuple[Project, tuple]:
    """get_project_or_404, with the values of any columns ``statement`` adds to _PROJECT_AND_ROLE (their
    parameters named after the URL's ``arguments``); ``read_along``: the same read with the user, whose
    values are used if the user was loaded by it."""
    user = current_user._get_current_object() if user is None else user
    if not user.is_authenticated:
        abort(404)
    found = read_along_user(read_along, user) if read_along is not None else None
    if found is None:
        found = db.session.execute(statement, {**(arguments or {}), "project_id": project_id,
                                               "user_id": user.id}).first()
    if found is None or found[0] is None:
        abort(404)
    project, role, *read = found
    g.setdefault("project_roles", {})[(user.id, project.id)] = role
    if not user.is_admin and role_in(user, project.id) is None:
        abort(404)
    if not can(user, project, need):
        abort(403)
    use_zone_of_request(project.time_zone)
    conditional.remember_tag(project)
    return project, tuple(read)


def needs(need: Need = Need.READ, *, to_post: Need | None = None, only_if: Callable[[Project], bool] | None = None,
          by_the_minute: bool = False, read_with: list | None = None, **loads):
    """Declares what a project page needs: the view gets ``project`` (checked as get_project_or_404 does)
    in place of the URL's ``project_id``, and for each ``name=Model`` in ``loads`` that project's row
    named by the URL's ``<name>_id`` (404 if it is another project's): ``@needs(Need.EDIT, event=Event)``.
    ``to_post``: a page that readers may see but only some may submit (``@needs(Need.READ, to_post=Need.EDIT)``).
    ``only_if``: the page exists only for projects that use its feature (404 otherwise).
    A GET is answered 304 when the browser holds the page as it stands (impact/projects/conditional.py);
    ``by_the_minute``: the page says how long ago or until something happens, so it changes with the clock.
    ``read_with``: columns (scalar subqueries correlated to the project, their parameters named after the URL's
    other arguments: ``bindparam("number")``) read in the project's own statement, one round trip fewer; the
    view gets their values as ``read``."""
    statement = _with_rows(_PROJECT_AND_ROLE, loads, read_with)
    with_user = _with_rows(_USER_PROJECT_AND_ROLE, loads, read_with)
    with_arguments = bool(loads or read_with)

    def decorate(view):
        @functools.wraps(view)
        def checked(project_id: int, **kwargs):
            wanted = to_post if to_post is not None and request.method == "POST" else need
            project, read = _checked_project(project_id, wanted, None, statement, kwargs if with_arguments else None,
                                             with_user)
            if only_if is not None and not only_if(project):
                abort(404)
            for name, row in zip(loads, read[:len(loads)], strict=True):
                if row is None:
                    abort(404)
                del kwargs[f"{name}_id"]
                kwargs[name] = row
            if read_with is not None:
                kwargs["read"] = read[len(loads):]
            unchanged = conditional.not_modified(project, by_the_minute=by_the_minute)
            if unchanged is not None:
                return unchanged
            return view(project=project, **kwargs)
        setattr(checked, READ_WITH_USER, with_user)  # the user loader reads the project with the user
        return checked
    return decorate


def visible_projects_query(user=None):
    """Projects the user (by default the request's) may open, newest first, as a select() to paginate."""
    user = current_user if user is None else user
    query = select(Project).order_by(Project.created_at.desc(), Project.id.desc())
    if not user.is_admin:
        query = query.join(Membership).where(Membership.user_id == user.id)
    return query
