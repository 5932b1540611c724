"""A file sent as a download: its name (ASCII, with the RFC 6266 UTF-8 form beside it when it is not),
and never kept in any cache, the browser's own included (office PCs are shared; files hold people's words)."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from flask import current_app


def attachment(body: bytes | str | Iterable[bytes], *, name: str, mimetype: str, etag: str | None = None,
               length: int | None = None):
    streamed = not isinstance(body, (bytes, str))  # chunks from a file: passed to the server as they come
    response = current_app.response_class(body, mimetype=mimetype, direct_passthrough=streamed)
    if length is not None:
        response.headers["Content-Length"] = str(length)
    try:
        name.encode("ascii")
        names = {"filename": name}
    except UnicodeEncodeError:
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        names = {"filename": plain, "filename*": f"UTF-8''{quote(name, safe='!#$&+^`|~')}"}
    response.headers.set("Content-Disposition", "attachment", **names)
    if etag is not None:
        response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-store"
    return response
