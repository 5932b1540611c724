"""Project pages and data that are expensive to make and change rarely, kept until the project changes.

Kept under the project's change stamp (every write advances it, impact/projects/stamps.py), so a
change shows at the next request, and under what the viewer may see (their role; a site admin sees
what a lead sees), so no one is served another role's page. A page's shell (header, tabs, messages,
the CSRF token of its forms) is the viewer's own, as impact/page_cache.py keeps it.

The key names only the arguments the page reads (``varies_on``): others cannot fill the cache with
pages nobody asks for twice.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import request, session
from flask_login import current_user

from impact.extensions import db
from impact.local_time import local_date
from impact.model_types import utcnow
from impact.page_cache import cached_page, keep, kept
from impact.pagination import page_number
from impact.projects import stamps
from impact.projects.models import Project
from impact.projects.permissions import role_in


def _key(kind: str, project: Project, parts: Iterable[Any]) -> str:
    return ":".join(str(part) for part in (kind, project.id, project.change_stamp, _viewer_of(project), *parts))


def _viewer_of(project: Project) -> str:
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return "anonymous"
    if user.is_admin:
        return "admin"
    role = role_in(user, project.id)
    return role.value if role is not None else "none"


def _fresh(project: Project) -> bool:
    # A request that changed the project reads its own writes: the stamp it loaded is already behind.
    return project.id not in stamps.written(db.session)


def kept_page(project: Project, render_page: Callable[[], str], *, active: str, stylesheet: str | None = None,
              charts: bool = False, varies_on: tuple[str, ...] = (), by_the_minute: bool = False):
    """The page from the cache, or rendered by ``render_page`` and its content kept (the shell is
    rebuilt from ``active``, ``stylesheet`` and ``charts`` (the chart scripts): a page with more in its head
    block cannot be kept)."""
    if not _fresh(project) or session.get("_flashes"):
        return render_page()
    arguments = [f"{name}={request.args.get(name, '')}" for name in varies_on]
    now = utcnow()
    # The day too: forms in the content propose today's date; and the minute for a page that says
    # how long ago or until something happens.
    when = now.strftime("%H:%M") if by_the_minute else ""
    key = _key(f"page:{request.endpoint}", project,
               [local_date(now, project).isoformat(), when, *request.view_args.values(), *arguments])
    return cached_page(key, render_page, stylesheet=stylesheet, charts=charts, project=project, active=active)


KEPT_PAGES = 5  # of a paged list: further pages are rendered each time, so they cannot fill the cache


def kept_list_page(project: Project, render_page: Callable[[], str], *, active: str):
    """kept_page for a list paged by ?page=: its first KEPT_PAGES pages, each kept apart."""
    if page_number() > KEPT_PAGES:
        return render_page()
    return kept_page(project, render_page, active=active, varies_on=("page",))


def kept_data(name: str, project: Project, build: Callable[[], Any]) -> Any:
    """What ``build`` returns for the project as it stands, worked out once per change."""
    if not _fresh(project):
        return build()
    key = _key(f"data:{name}", project, [])
    found = kept(key)
    if found is None:
        found = build()
        keep(key, found)
    return found
