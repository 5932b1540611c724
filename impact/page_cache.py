"""A page whose content changes rarely, rendered once and served from the cache until what it shows changes.

The page marks its content (``{% block content %}{{ cached_content_start() }}...{{ cached_content_end() }}``);
a miss renders the whole page as usual and keeps the marked part; a hit puts the kept part in a plain
shell (the site header, the project's tabs for this viewer, flash messages), so nothing of one
viewer's session (a CSRF token, their name) is ever kept. The key must name everything the content
depends on: the versions of the rows it shows, and what the viewer may see.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from flask import current_app, render_template
from markupsafe import Markup

from impact.extensions import cache

START, END = "<!-- cached content -->", "<!-- /cached content -->"


def kept(key: str):
    """What the cache holds under ``key`` (None if nothing, or if the cache cannot be reached)."""
    try:
        return cache.get(_versioned(key))
    except Exception:  # the cache only saves work: an unreachable Redis must not take the page down
        current_app.logger.warning("cache unavailable: reading %s", key, exc_info=True)
        return None


def keep(key: str, value) -> None:
    try:
        cache.set(_versioned(key), value)
    except Exception:
        current_app.logger.warning("cache unavailable: keeping %s", key, exc_info=True)


def _versioned(key: str) -> str:
    # Pages kept by an older release (in a Redis that outlives it) are never served by a newer one.
    return f"{current_app.extensions['impact.build']}:{key}"


def cached_page(key: str, render_page: Callable[[], str], **shell) -> str:
    """The page: from the cache under ``key`` (in the shell, given its ``stylesheet``, ``project`` and
    ``active`` tab), or rendered by ``render_page`` and its title and content kept."""
    found = kept(key)
    if found is not None:
        title, content = found
        return render_template("_cached_page.html", title=title, cached_content=Markup(content), **shell)
    page = render_page()
    start, end = page.find(START), page.find(END)
    title = re.search(r"<title>(.*?) · impact</title>", page, re.S)
    if 0 <= start < end and title is not None:
        keep(key, (Markup(title.group(1)).unescape(), page[start:end + len(END)]))
    return page


def _build(root: Path) -> str:
    """A fingerprint of this release's code and templates."""
    digest = hashlib.sha256()
    for path in sorted([*root.joinpath("impact").rglob("*.py"), *root.joinpath("templates").rglob("*.html")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def register(app) -> None:
    app.extensions["impact.build"] = _build(Path(app.root_path).parent)
    app.jinja_env.globals.update(cached_content_start=lambda: Markup(START), cached_content_end=lambda: Markup(END))
