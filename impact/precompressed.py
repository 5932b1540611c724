"""A kept page sent gzipped without compressing it again: its parts are deflated once, when kept, and
each request joins them into one gzip body around its own CSRF token.

A body of 150 KB leaves a worker as 23 KB, so a sync worker waits far less on a reader taking it in
(the published report at full scale went from 0.16-0.21 to 0.26-0.36 of the one-query floor on SQLite,
bench/README.md), and compressing at level 6 once costs 2 ms against 0.05 ms for joining the parts for
each request.

Each part between two token slots is deflated on its own (a fresh compressor, ended with a full
flush, so it starts no back-reference into another part and ends on a byte boundary); the token goes
between them as a stored (uncompressed) block. Raw deflate blocks laid end to end are one deflate
stream, closed by an empty final block; the gzip trailer's CRC is of the whole text as sent. The
token is never compressed with the page's text, so how well a response compresses says nothing of it.
"""
from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

from flask import Request

# (plain text, the same deflated) for each run of a text between two token slots.
Packed = tuple[tuple[bytes, bytes], ...]

_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, unknown system
_LAST_BLOCK = b"\x01\x00\x00\xff\xff"  # an empty stored block marked final
LEVEL = 6


def pack(text: bytes, slot: bytes) -> Packed:
    """``text`` cut at each ``slot``, each run kept plain and deflated."""
    return tuple((run, _deflated(run)) for run in text.split(slot))


def _deflated(run: bytes) -> bytes:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(run) + compressor.flush(zlib.Z_FULL_FLUSH)


def _stored(data: bytes) -> bytes:
    # A non-final stored block: the header byte (its 3 bits and padding to the byte boundary), then the
    # length and its complement. A token is far below a stored block's 65,535 bytes.
    return b"\x00" + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data


def joined(pieces: Iterable[Packed], token: bytes) -> bytes:
    """The pieces' text as one plain body, ``token`` in each slot."""
    return b"".join(token.join(run for run, _ in packed) for packed in pieces)


def gzipped(pieces: Iterable[Packed], token: bytes) -> bytes:
    """The pieces' text as one gzip body, ``token`` in each slot: what ``gzip.compress(joined(...))`` decodes to."""
    stored_token = _stored(token)
    body, crc, size = [_GZIP_HEADER], 0, 0
    for packed in pieces:
        for index, (run, deflated) in enumerate(packed):
            if index:
                body.append(stored_token)
                crc, size = zlib.crc32(token, crc), size + len(token)
            body.append(deflated)
            crc, size = zlib.crc32(run, crc), size + len(run)
    body += [_LAST_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF)]
    return b"".join(body)


def accepts_gzip(request: Request) -> bool:
    return request.accept_encodings["gzip"] > 0
