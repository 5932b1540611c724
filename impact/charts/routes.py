"""Plotly served by the app itself, versioned in the address so browsers may keep it for a year."""
from __future__ import annotations

import functools
import gzip

from flask import Blueprint, Response, abort, request

from impact.charts.bundle import bundle_path, global_stylesheet, plotly_version

bp = Blueprint("charts", __name__, url_prefix="/vendor/plotly")

ONE_YEAR = 365 * 24 * 3600


@functools.cache
def _script_bytes(compressed: bool) -> bytes:
    """The bundle (4.8 MB; 1.4 MB gzipped, which matters on a council's slow link), read once per process."""
    data = bundle_path().read_bytes()
    return gzip.compress(data, compresslevel=6, mtime=0) if compressed else data


def _cached(response: Response) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response


def _check(version: str) -> None:
    if version != plotly_version():
        abort(404)


@bp.route("/<version>/plotly.min.js")
def script(version: str):
    _check(version)
    compressed = "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(_script_bytes(compressed), mimetype="text/javascript")
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    return _cached(response)


@bp.route("/<version>/plotly.css")
def stylesheet(version: str):
    _check(version)
    return _cached(Response(global_stylesheet(), mimetype="text/css"))
