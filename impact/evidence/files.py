"""Files attached to evidence items: checked on the server, stored once under their content hash.

A file is streamed to a temporary file inside UPLOAD_FOLDER while it is hashed, so a
refused or oversized upload never reaches its final place and the temporary file is
always removed. Only a valid file is moved to UPLOAD_FOLDER/<sha256[:2]>/<sha256>; the
same content uploaded twice is therefore stored once. UPLOAD_FOLDER lies outside the
web root: files are only ever served through evidence.download, to project members.

A stored file is never deleted by the save that stops using it: another upload of the same
content may have just found it and not yet committed. ``flask jobs run`` deletes files no item
uses once they have been left alone for an hour (sweep_unused_files); an upload that reuses a
stored file touches it first, so a file about to be used again is never that old.
"""
from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import re
import secrets
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import exists, select, union

from impact.attachments import attachment
from impact.extensions import db

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024
TEMP_PREFIX = ".upload-"
ASIDE_PREFIX = ".removing-"  # a stored file moved aside for the moment it takes to decide on deleting it
SWEEP_GRACE = timedelta(hours=1)

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


def _is_mp3(head: bytes) -> bool:
    # An ID3 tag, or straight into an MPEG audio frame (eleven sync bits, then layer III).
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2)


# A meeting's recording or its transcript: audio is checked by its container's signature, as above.
RECORDING_TYPES: dict[str, tuple[str, object]] = {
    "mp3": ("audio/mpeg", _is_mp3),
    "m4a": ("audio/mp4", lambda head: head[4:8] == b"ftyp"),
    "wav": ("audio/wav", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WAVE"),
    "txt": ALLOWED_TYPES["txt"],
    "docx": ALLOWED_TYPES["docx"],
}
RECORDING_ACCEPT = ",".join(f".{ext}" for ext in RECORDING_TYPES)
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
    # The modification time this upload left the file with, when it created it: another upload of the same
    # content changes it (see store_upload), which tells a failed save not to delete the file.
    mtime_ns: int = field(default=0, compare=False)

    def columns(self) -> dict[str, object]:
        """The values of a row's file columns (file_name, file_sha256, file_size, file_type) for this file."""
        return {"file_name": self.name, "file_sha256": self.sha256, "file_size": self.size, "file_type": self.mimetype}


NO_FILE: dict[str, object] = {"file_name": "", "file_sha256": None, "file_size": None, "file_type": ""}


def attach(row, stored: StoredFile | None, *, remove: bool = False) -> None:
    """Point a row's file columns at a newly stored file; without one, at no file if ``remove``, else leave them."""
    for name, value in (stored.columns() if stored is not None else NO_FILE if remove else {}).items():
        setattr(row, name, value)


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_FILE_MAX_BYTES", DEFAULT_MAX_BYTES))


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def path_for(sha256: str) -> Path:
    if not _SHA256.fullmatch(sha256 or ""):
        raise ValueError("not a sha256 hex digest")  # never build a path from anything else
    return upload_folder() / sha256[:2] / sha256


def mimetype_for(file_name: str) -> str:
    ext = extension(file_name)
    return (ALLOWED_TYPES.get(ext) or RECORDING_TYPES.get(ext) or ("application/octet-stream", None))[0]


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


def store_upload(upload, *, types: dict | None = None, limit: int | None = None) -> StoredFile:
    """Check and keep an uploaded werkzeug FileStorage; raises FileRefused and then leaves nothing on disk.

    ``types`` (extension → (MIME type, headers or a check of the first 16 bytes)) defaults to the
    evidence library's; ``limit`` to EVIDENCE_FILE_MAX_BYTES.
    """
    types = ALLOWED_TYPES if types is None else types
    name = clean_name(upload.filename or "")
    ext = extension(name)
    if not name or ext not in types:
        raise FileRefused(f"This type of file is not accepted. Allowed types: {', '.join(types)}.")
    mimetype, headers = types[ext]
    limit = max_bytes() if limit is None else limit
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
        elif not (headers(head) if callable(headers) else head.startswith(headers)):
            raise FileRefused(f"The file's content is not a real .{ext} file, so it was not accepted.")
        sha256 = digest.hexdigest()
        target = path_for(sha256)
        try:
            # Reusing the stored copy: mark it as just used (with the clock's full precision, unlike the
            # filesystem's own stamps), so neither the sweep nor another upload's failed save deletes it
            # before this upload's item is committed.
            now = time.time_ns()
            os.utime(target, ns=(now, now))
        except FileNotFoundError:  # not stored yet, or just removed as unused: this upload's copy goes in
            target.parent.mkdir(exist_ok=True)
            mtime_ns = temp.stat().st_mtime_ns  # read before the move: afterwards another upload may touch it
            os.replace(temp, target)
            return StoredFile(name, sha256, size, mimetype, created=True, mtime_ns=mtime_ns)
        temp.unlink()
        return StoredFile(name, sha256, size, mimetype, created=False)
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


def _file_columns():
    """Every column that refers to a stored file: evidence items' (trashed ones too: they can be restored)
    and any other part's (a draft update's photo), found by their name on the metadata."""
    return [table.c.file_sha256 for table in db.metadata.sorted_tables if "file_sha256" in table.c]


def in_use(sha256: str) -> bool:
    """Whether any row still refers to this content."""
    return any(db.session.scalar(select(exists().where(column == sha256))) for column in _file_columns())


def _remove_unless_reused(path: Path, untouched) -> bool:
    """Delete a stored file unless an upload has reused it; untouched(stat) says whether it still looks unused.

    The file is first moved aside, so an upload arriving from then on no longer finds it and stores its own
    copy; an upload that came earlier has touched it (store_upload), which the check on the moved file sees,
    and the file is then put back (over any new copy: the content is the same, its name being its hash).
    """
    aside = path.with_name(f"{ASIDE_PREFIX}{path.name}.{secrets.token_hex(4)}")
    try:
        os.replace(path, aside)
        if untouched(aside.stat()):
            aside.unlink()
            return True
        os.replace(aside, path)
    except FileNotFoundError:  # another sweep got there first, or put it back after a crash (see sweep)
        pass
    return False


@contextlib.contextmanager
def kept_only_if_saved(stored: StoredFile | None):
    """Wrap the save and commit that refer to a freshly stored file: if they fail, roll back and
    remove the file again, unless another item uses it or another upload has just reused it."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        if stored is not None and stored.created and not in_use(stored.sha256):
            _remove_unless_reused(path_for(stored.sha256), lambda stat: stat.st_mtime_ns == stored.mtime_ns)
        raise


def sweep_unused_files(grace: timedelta = SWEEP_GRACE) -> dict[str, int]:
    """Due work for ``flask jobs run``: delete stored files no evidence item refers to (items in the trash
    count: they can be restored) and temporary files of interrupted uploads, once older than grace.

    A save that stops using a file (a replaced or removed file, a purged item) leaves the file to this sweep,
    as an upload of the same content may be about to use it again. Such an upload touches it first, so the
    age (the modification time) is checked again after the database says nobody uses it.
    """
    counts = {"unused files removed": 0, "temporary files removed": 0}
    folder = upload_folder()
    if not folder.is_dir():
        return counts
    cutoff = time.time_ns() - int(grace.total_seconds() * 1_000_000_000)

    def old(path: Path) -> bool:
        with contextlib.suppress(FileNotFoundError):
            return path.stat().st_mtime_ns < cutoff
        return False

    candidates: list[Path] = []
    for entry in folder.iterdir():
        if entry.name.startswith(TEMP_PREFIX):
            if old(entry) and _unlink(entry):
                counts["temporary files removed"] += 1
        elif len(entry.name) == 2 and entry.is_dir():
            for path in entry.iterdir():
                if path.name.startswith(ASIDE_PREFIX):
                    # Left by a sweep that crashed half-way: put it back, to be judged like any other next time.
                    sha256 = path.name[len(ASIDE_PREFIX):].partition(".")[0]
                    if _SHA256.fullmatch(sha256) and sha256[:2] == entry.name:
                        with contextlib.suppress(FileNotFoundError):
                            os.replace(path, entry / sha256)
                elif _SHA256.fullmatch(path.name) and path.name[:2] == entry.name and old(path):
                    candidates.append(path)
    if candidates:
        used = set(db.session.scalars(union(*(select(column).where(column.is_not(None))
                                              for column in _file_columns()))))
        db.session.commit()  # only read: end the transaction rather than hold it open between runs
        for path in candidates:
            if path.name not in used and _remove_unless_reused(path, lambda stat: stat.st_mtime_ns < cutoff):
                counts["unused files removed"] += 1
    return counts


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def _chunks(path: Path):
    # The file is opened only once the server starts sending, and closed however sending ends.
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def streamed_attachment(path: Path, *, name: str, mimetype: str, etag: str):
    """A stored file too large to read into memory (a meeting's recording), sent as a download."""
    return attachment(_chunks(path), name=name, mimetype=mimetype, etag=etag, length=path.stat().st_size)
