"""Requests as the app reads them: no NUL characters anywhere a view or an extension looks.

No real input contains NUL, and PostgreSQL refuses to store it in text (a 500 where SQLite
stored it silently), so it is dropped where a request is parsed rather than in each of the
places that read form fields and query arguments (forms, raw reads, the rate limiter's keys).
"""
from __future__ import annotations

from flask import Request, abort, request
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


def refuse_nul_in_path() -> None:
    """A path with a NUL in it names nothing that exists (and must not reach a database query)."""
    if "\x00" in request.path:
        abort(404)
