"""A page whose content changes rarely, rendered once and served from the cache until what it shows changes.

base.html marks every page's content (``{{ cached_content_start() }}{% block content %}...``);
a miss renders the whole page as usual and keeps the marked part; a hit puts the kept part in a plain
shell (the site header, the project's tabs for this viewer, flash messages). The key must name
everything the content depends on: the versions of the rows it shows, and what the viewer may see.

The shell is kept too, apart, under what it shows: the viewer (their name, whether they are a site
admin), the page's title, stylesheet and tab, and what the parts register as shaping it
(``Contributions.shell_parts``: the projects part names the project and the tabs this viewer gets).
Its CSRF token is put back for each request, and a shell with flash messages is never kept, so
nothing of one request's session is ever served to another. Both are kept deflated too, and a browser
that takes gzip gets them joined as one gzip body, compressed no more per request (impact/precompressed.py).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from flask import Response, current_app, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from impact import precompressed
from impact.extensions import cache

START, END = "<!-- cached content -->", "<!-- /cached content -->"
# Where a kept shell takes the content, and its CSRF token (neither can occur in a rendered page:
# the page's text is escaped, and the slot holds a character HTML escaping never produces unescaped).
_CONTENT_SLOT = "<!-- \x00 the page's content -->"
_TOKEN_SLOT = b"\x00csrf-token\x00"


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


def cached_page(key: str, render_page: Callable[[], str], **shell) -> str | Response:
    """The page: from the cache under ``key`` (in the shell, given its ``stylesheet``, ``project`` and
    ``active`` tab), or rendered by ``render_page`` and its title and content kept."""
    found = kept(key)
    if found is not None:
        title, content = found
        head, tail = _shell(title, shell)
        return _sent((head, content, tail))
    page = render_page()
    start, end = page.find(START), page.find(END)
    title = re.search(r"<title>(.*?) · impact</title>", page, re.S)
    if 0 <= start < end and title is not None:
        # The content's forms carry this session's token: kept with its place marked, as the shell's is.
        content = page[start + len(START):end].encode().replace(generate_csrf().encode(), _TOKEN_SLOT)
        keep(key, (Markup(title.group(1)).unescape(), precompressed.pack(content, _TOKEN_SLOT)))
    response = Response(page, mimetype="text/html")
    response.vary.add("Accept-Encoding")  # the same page, kept, is sent gzipped to a browser that takes it
    return response


def _sent(pieces: tuple[precompressed.Packed, ...]) -> Response:
    """The kept pieces as one body with this session's CSRF token, gzipped if the browser takes it."""
    token = generate_csrf().encode()
    if precompressed.accepts_gzip(request):
        response = Response(precompressed.gzipped(pieces, token), mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(precompressed.joined(pieces, token), mimetype="text/html")
    response.vary.add("Accept-Encoding")
    return response


def _shell(title: str, shell: dict) -> tuple[precompressed.Packed, precompressed.Packed]:
    """The page around its content, before and after it, packed around the CSRF token's places."""
    if session.get("_flashes"):  # this request's own messages: rendered for it alone
        return _render_shell(title, shell)
    key = f"shell:{_shell_fingerprint(title, shell)}"
    found = kept(key)
    if found is None:
        found = _render_shell(title, shell)
        keep(key, found)
    return found


def _render_shell(title: str, shell: dict) -> tuple[precompressed.Packed, precompressed.Packed]:
    page = render_template("_cached_page.html", title=title, cached_content=Markup(_CONTENT_SLOT), **shell)
    head, _, tail = page.encode().replace(generate_csrf().encode(), _TOKEN_SLOT).partition(_CONTENT_SLOT.encode())
    return precompressed.pack(head, _TOKEN_SLOT), precompressed.pack(tail, _TOKEN_SLOT)


def _shell_fingerprint(title: str, shell: dict) -> str:
    user = current_user._get_current_object()
    viewer = (user.id, user.name, user.is_admin) if user.is_authenticated else None
    plain = sorted((name, value) for name, value in shell.items() if isinstance(value, str | int | None))
    shaped = [part(**shell) for part in current_app.extensions["impact.parts"].shell_parts]
    return hashlib.sha256(repr((viewer, title, plain, shaped)).encode()).hexdigest()


def _build(root: Path) -> str:
    """A fingerprint of this release's code and templates."""
    digest = hashlib.sha256()
    for path in sorted([*root.joinpath("impact").rglob("*.py"), *root.joinpath("templates").rglob("*.html")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def register(app) -> None:
    app.extensions["impact.build"] = _build(Path(app.root_path).parent)
    app.jinja_env.globals.update(cached_content_start=lambda: Markup(START), cached_content_end=lambda: Markup(END))
