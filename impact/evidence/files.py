"""Files attached to evidence items: checked on the server, stored once under their content hash.

A file is streamed to a temporary file inside UPLOAD_FOLDER while it is hashed, so a
refused or oversized upload never reaches its final place and the temporary file is
always removed. Only a valid file is moved to UPLOAD_FOLDER/<sha256[:2]>/<sha256>; the
same content uploaded twice is therefore stored once. UPLOAD_FOLDER lies outside the
web root: files are only ever served through evidence.download, to project members.
"""
from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from impact.evidence.models import EvidenceItem
from impact.extensions import db

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024
TEMP_PREFIX = ".upload-"

ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
TEXT = None  # checked by decoding the whole file instead of by a header

# extension -> (the MIME type we serve it with, the headers its content may start with)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP),
    "odt": ("application/vnd.oasis.opendocument.text", ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    "doc": ("application/msword", OLE),
    "xls": ("application/vnd.ms-excel", OLE),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "txt": ("text/plain", TEXT),
    "csv": ("text/csv", TEXT),
    "md": ("text/markdown", TEXT),
}
ACCEPT = ",".join(f".{ext}" for ext in ALLOWED_TYPES)
ALLOWED_LIST = ", ".join(ALLOWED_TYPES)
_SHA256 = re.compile(r"[0-9a-f]{64}")


class FileRefused(ValueError):
    """An upload we will not keep, with a message for the person who sent it."""


@dataclass(frozen=True)
class StoredFile:
    name: str
    sha256: str
    size: int
    mimetype: str
    created: bool  # False when the same content was already stored


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_FILE_MAX_BYTES", DEFAULT_MAX_BYTES))


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def path_for(sha256: str) -> Path:
    if not _SHA256.fullmatch(sha256 or ""):
        raise ValueError("not a sha256 hex digest")  # never build a path from anything else
    return upload_folder() / sha256[:2] / sha256


def mimetype_for(file_name: str) -> str:
    return ALLOWED_TYPES.get(extension(file_name), ("application/octet-stream", None))[0]


def extension(file_name: str) -> str:
    _, dot, ext = file_name.rpartition(".")
    return ext.lower() if dot else ""


def clean_name(raw: str) -> str:
    """The file's own name without any folder part or control characters, safe for a download header."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = name.strip().strip(".").strip()
    if len(name) > 200:  # keep the extension when shortening
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:.1f} {unit}".replace(".0 ", " ")


def store_upload(upload) -> StoredFile:
    """Check and keep an uploaded werkzeug FileStorage; raises FileRefused and then leaves nothing on disk."""
    name = clean_name(upload.filename or "")
    ext = extension(name)
    if not name or ext not in ALLOWED_TYPES:
        raise FileRefused(f"This type of file is not accepted. Allowed types: {ALLOWED_LIST}.")
    mimetype, headers = ALLOWED_TYPES[ext]
    limit = max_bytes()
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
    temp = Path(temp_name)
    try:
        digest, size, head = hashlib.sha256(), 0, b""
        decoder = codecs.getincrementaldecoder("utf-8")() if headers is TEXT else None
        with os.fdopen(handle, "wb") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > limit:  # stop reading at once: the rest is never written anywhere
                    raise FileRefused(f"The file is too large: the limit is {human_size(limit)}.")
                if len(head) < 16:
                    head += chunk[:16]
                if decoder is not None:
                    _check_text(decoder, chunk, ext)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise FileRefused("The file is empty.")
        if decoder is not None:
            _check_text(decoder, b"", ext, final=True)
        elif not head.startswith(headers):
            raise FileRefused(f"The file's content is not a real .{ext} file, so it was not accepted.")
        sha256 = digest.hexdigest()
        target = path_for(sha256)
        if target.exists():
            temp.unlink()
            return StoredFile(name, sha256, size, mimetype, created=False)
        target.parent.mkdir(exist_ok=True)
        os.replace(temp, target)
        return StoredFile(name, sha256, size, mimetype, created=True)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise


def _check_text(decoder, chunk: bytes, ext: str, final: bool = False) -> None:
    if b"\x00" in chunk:
        raise FileRefused(f"The file is not plain text, so it cannot be a .{ext} file.")
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        raise FileRefused(f"The .{ext} file must be saved as UTF-8 text.") from None


def in_use(sha256: str) -> bool:
    """Whether any item (trashed ones too: they can be restored) still refers to this content."""
    return bool(db.session.scalar(select(func.count()).select_from(EvidenceItem)
                                  .where(EvidenceItem.file_sha256 == sha256)))


def remove_if_unused(sha256: str | None) -> None:
    """Delete a stored file nobody refers to any more (after a commit or a rollback)."""
    if sha256 and not in_use(sha256):
        with contextlib.suppress(FileNotFoundError):
            path_for(sha256).unlink()


@contextlib.contextmanager
def kept_only_if_saved(stored: StoredFile | None):
    """Wrap the save and commit that refer to a freshly stored file: if they fail, roll back and
    remove the file again, unless it was already there for another item."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        if stored is not None and stored.created:
            remove_if_unused(stored.sha256)
        raise
