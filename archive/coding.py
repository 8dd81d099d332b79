"""Undoing the HTTP ``Content-Encoding`` of a stored payload: gzip, x-gzip, deflate, br,
zstd, identity (the codings the crawler accepts).

Response records keep the payload as it crossed the wire, content coding included; the body
that texts are extracted from is that payload decoded. warcio's own decoding is not used:
warcio 1.8 expects brotlipy's ``Decompressor`` API and fails with Google's ``brotli``.

Like the crawler's decompression (Scrapy's), a stream cut short (a payload truncated at the
size cap) yields what it holds; whoever needs the exact body compares its hash. A body that
would decode to more than ``limit`` bytes (a decompression bomb) is an error, as it is for the
crawler (``DOWNLOAD_MAXSIZE``).
"""

from __future__ import annotations

import zlib

import brotli

try:
    from compression import zstd  # type: ignore[import-not-found]  # Python 3.14
except ImportError:
    from backports import zstd

CODINGS = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd", "identity"})
LIMIT = 1024 * 1024 * 1024
"""Decoded bytes allowed by default (the crawler's default ``DOWNLOAD_MAXSIZE``)."""


class ContentCodingError(ValueError):
    """A content coding that is unknown, or a payload that does not decode."""


def codings_of(content_encoding: str | None) -> list[str]:
    """The codings a ``Content-Encoding`` value names, in the order they were applied."""
    return [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]


def decode_content(payload: bytes, content_encoding: str | None, limit: int = LIMIT) -> bytes:
    """``payload`` with every coding of ``content_encoding`` undone, last applied first.

    Raises ``ContentCodingError`` for a coding outside ``CODINGS`` (before decoding
    anything), for a payload that does not decode at all, and for one that decodes to more
    than ``limit`` bytes.
    """
    codings = codings_of(content_encoding)
    unknown = [c for c in codings if c not in CODINGS]
    if unknown:
        raise ContentCodingError(f"unknown content coding: {', '.join(unknown)}")
    data = payload
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip"):
            data = _gunzip(data, limit)
        elif coding == "deflate":
            data = _inflate(data, limit)
        elif coding == "br":
            data = _unbrotli(data, limit)
        elif coding == "zstd":
            data = _unzstd(data, limit)
        if len(data) > limit:
            raise ContentCodingError(f"{coding} payload decodes to more than {limit} bytes")
    return data


def _gunzip(data: bytes, limit: int) -> bytes:
    """Every gzip member in turn (a stream may hold several); a truncated one gives what
    it holds."""
    out: list[bytes] = []
    size = 0
    rest = data
    while rest.strip(b"\0") and size <= limit:  # NUL padding after the last member is no member
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            piece = inflater.decompress(rest, limit + 1 - size)
        except zlib.error as exc:
            raise ContentCodingError(f"gzip payload does not decode: {exc}") from exc
        out.append(piece)
        size += len(piece)
        if not inflater.eof:
            break
        rest = inflater.unused_data
    return b"".join(out)


def _zlib_wrapped(data: bytes) -> bool:
    """Whether ``data`` starts with a zlib header (RFC 1950): method 8, check bits."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


def _inflate(data: bytes, limit: int) -> bytes:
    """``deflate`` as specified (zlib-wrapped) or as some servers send it (raw)."""
    wbits = zlib.MAX_WBITS if _zlib_wrapped(data) else -zlib.MAX_WBITS
    try:
        return zlib.decompressobj(wbits=wbits).decompress(data, limit + 1)
    except zlib.error as exc:
        raise ContentCodingError(f"deflate payload does not decode: {exc}") from exc


def _unbrotli(data: bytes, limit: int) -> bytes:
    try:
        return brotli.Decompressor().process(data, output_buffer_limit=limit + 1)
    except brotli.error as exc:
        raise ContentCodingError(f"br payload does not decode: {exc}") from exc


def _unzstd(data: bytes, limit: int) -> bytes:
    try:
        return zstd.ZstdDecompressor().decompress(data, max_length=limit + 1)
    except zstd.ZstdError as exc:
        raise ContentCodingError(f"zstd payload does not decode: {exc}") from exc
