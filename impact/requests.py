"""Requests as the app reads them: no NUL characters anywhere a view or an extension looks.

No real input contains NUL, and PostgreSQL refuses to store it in text (a 500 where SQLite
stored it silently), so it is dropped where a request is parsed rather than in each of the
places that read form fields and query arguments (forms, raw reads, the rate limiter's keys).
"""
from __future__ import annotations

from flask import Request, abort, current_app, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict


def _clean(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


def _pairs(mapping):
    if isinstance(mapping, MultiDict):
        yield from mapping.items(multi=True)
    elif isinstance(mapping, dict):
        for key, value in mapping.items():
            if isinstance(value, (list, tuple)):
                for each in value:
                    yield key, each
            else:
                yield key, value
    else:
        yield from mapping


class NulFreeMultiDict(ImmutableMultiDict):
    def __init__(self, mapping=None):
        super().__init__(None if mapping is None else [(_clean(key), _clean(value)) for key, value in _pairs(mapping)])


class NulFreeRequest(Request):
    parameter_storage_class = NulFreeMultiDict

    @property
    def max_content_length(self) -> int | None:
        """MAX_CONTENT_LENGTH, or more for a view a part registered as taking large files (a meeting's
        recording): read when the body is parsed, which the CSRF check does before any view runs."""
        limit = Request.max_content_length.fget(self)
        if self._max_content_length is None and current_app and self.url_rule is not None:
            large = current_app.extensions.get("impact.large_uploads", {}).get(self.endpoint)
            # Only for someone the part says may send that form: nobody else gets the server to spool 200 MB.
            if large is not None and large.allowed(self.view_args or {}):
                # The file's own limit, and room for the rest of the form beside it.
                self._max_content_length = max(limit or 0, current_app.config[large.setting] + 2**20)
            else:
                self._max_content_length = limit
            return self._max_content_length
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def refuse_nul_in_path() -> None:
    """A path with a NUL in it names nothing that exists (and must not reach a database query)."""
    if "\x00" in request.path:
        abort(404)
