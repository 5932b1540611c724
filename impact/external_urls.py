"""Absolute links for emails, built from BASE_URL, inside a request or not.

``url_for`` outside a request needs SERVER_NAME, which would also make Flask refuse
requests for any other host name; emails are queued by ``flask jobs run`` with no
request at all, so their links are built from the configured BASE_URL instead.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` under BASE_URL (e.g. https://impact.example.org/followup/...)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
