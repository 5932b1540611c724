"""Project pages, downloads and API reads answer 304 Not Modified when nothing they show has changed.

A page's ETag names everything it depends on: the project's change stamp (which every write advances,
impact/projects/stamps.py), the viewer and what they may see (their role, whether they are a site
admin, their name in the header), the address, this release and its settings, the project's date (a
form's default date), the session's CSRF secret (a kept form must still submit), whether the browser
takes gzip (a kept page is sent gzipped) and, for pages that show how long ago or until something
happens, the minute. A project page checks the tag before its
view runs, so a browser revalidating an unchanged page costs one statement.

Kept pages are ``private, no-cache``: the browser keeps them but asks every time, and signing out
clears what it kept (office PCs are shared).
"""
from __future__ import annotations

import hashlib

from flask import Flask, Response, current_app, g, request, session
from flask.globals import request_ctx
from flask_login import current_user

from impact import precompressed
from impact.extensions import db
from impact.local_time import local_date
from impact.model_types import utcnow
from impact.projects import stamps
from impact.projects.models import Project

KEPT = "private, no-cache"
_TAGGED = "impact.page_tag"  # g: {project id: (project, by_the_minute)} of the project page being served
_SETTINGS = "impact.settings_fingerprint"
_TAGS_WORKED_OUT = "impact.page_tags"  # g: {what a tag depends on that can change in a request: the tag}


def page_tag(project: Project, *, by_the_minute: bool = False) -> str:
    # Asked before the view runs and again once it has: worked out again only if the view gave the
    # session its CSRF secret (or the project's stamp moved).
    known = g.setdefault(_TAGS_WORKED_OUT, {})
    asked = (project.id, project.change_stamp, by_the_minute, session.get("csrf_token"))
    if asked not in known:
        known[asked] = _work_out_tag(project, by_the_minute)
    return known[asked]


def _work_out_tag(project: Project, by_the_minute: bool) -> str:
    user = current_user._get_current_object()
    viewer = (user.id, user.name, user.is_admin, g.get("project_roles", {}).get((user.id, project.id)))\
        if user.is_authenticated else None
    now = utcnow()
    parts = (_settings_fingerprint(current_app), request.full_path, project.id, project.change_stamp, viewer,
             hashlib.sha256(str(session.get("csrf_token", "")).encode()).hexdigest(),
             local_date(now, project).isoformat(), now.strftime("%Y-%m-%dT%H:%M") if by_the_minute else None,
             precompressed.accepts_gzip(request))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _flashes_pending() -> bool:
    return bool(session.get("_flashes"))


def not_modified(project: Project, *, by_the_minute: bool = False) -> Response | None:
    """A 304 for a GET whose If-None-Match names the page as it stands, else None (and the page, once
    rendered, gets the tag)."""
    if request.method not in ("GET", "HEAD") or _flashes_pending():
        return None
    g.setdefault(_TAGGED, {})[project.id] = (project, by_the_minute)
    tag = page_tag(project, by_the_minute=by_the_minute)
    if tag in request.if_none_match:
        response = Response(status=304)
        response.set_etag(tag)
        response.headers["Cache-Control"] = KEPT
        return response
    return None


def remember_tag(project: Project) -> None:
    """The page being served is this project's (an API read), to be tagged once answered."""
    if request.method in ("GET", "HEAD") and not _flashes_pending():
        g.setdefault(_TAGGED, {}).setdefault(project.id, (project, False))


def _tag_response(response: Response) -> Response:
    tags = g.get(_TAGGED)
    if not tags or len(tags) != 1 or response.status_code != 200 or "ETag" in response.headers:
        return response
    (project_id, (project, by_the_minute)), = tags.items()
    if project_id in stamps.written(db.session) or request_ctx.flashes:
        return response  # the page shows what this request did, or its own messages
    # Worked out again now the page is rendered: its forms may have just given the session its CSRF secret.
    response.set_etag(page_tag(project, by_the_minute=by_the_minute))
    response.headers["Cache-Control"] = KEPT
    if "If-None-Match" in request.headers or "If-Modified-Since" in request.headers or "Range" in request.headers:
        return response.make_conditional(request)
    return response  # the request compares nothing: answered as it is


def _settings_fingerprint(app: Flask) -> str:
    """This release and its settings (a changed setting, such as mail being set up, can change pages)."""
    if _SETTINGS not in app.extensions:
        plain = sorted((name, value) for name, value in app.config.items()
                       if isinstance(value, str | int | float | bool | None))
        app.extensions[_SETTINGS] = hashlib.sha256(
            repr((app.extensions.get("impact.build"), plain)).encode()).hexdigest()
    return app.extensions[_SETTINGS]


def register(app: Flask) -> None:
    app.after_request(_tag_response)
