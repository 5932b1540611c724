"""The one permission check every project-scoped page goes through.

Someone who is not a member of a project (and not a site admin) gets 404 for anything
in it, so they cannot even learn that it exists; a member whose role lacks the
capability gets 403.
"""
from __future__ import annotations

import enum

from flask import abort, g
from flask_login import current_user
from sqlalchemy import select

from impact.extensions import db
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


def role_in(project_id: int) -> Role | None:
    """The current user's role in a project, looked up once per request."""
    if not current_user.is_authenticated:
        return None
    cache: dict[int, Role | None] = g.setdefault("project_roles", {})
    if project_id not in cache:
        cache[project_id] = db.session.scalar(
            select(Membership.role).where(Membership.project_id == project_id, Membership.user_id == current_user.id)
        )
    return cache[project_id]


def can(project: Project | int, need: Need) -> bool:
    if not current_user.is_authenticated:
        return False
    if current_user.is_admin:
        return True
    project_id = project if isinstance(project, int) else project.id
    role = role_in(project_id)
    return role is not None and need in CAPABILITIES[role]


def get_project_or_404(project_id: int, need: Need = Need.READ) -> Project:
    project = db.session.get(Project, project_id)
    if project is None or not current_user.is_authenticated:
        abort(404)
    if not current_user.is_admin and role_in(project.id) is None:
        abort(404)
    if not can(project, need):
        abort(403)
    return project


def visible_projects_query():
    """Projects the current user may open, newest first, as a select() to paginate."""
    query = select(Project).order_by(Project.created_at.desc(), Project.id.desc())
    if not current_user.is_admin:
        query = query.join(Membership).where(Membership.user_id == current_user.id)
    return query
