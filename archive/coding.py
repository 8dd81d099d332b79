"""Undoing the HTTP ``Content-Encoding`` of a stored payload: gzip, x-gzip, deflate, br,
identity.

Response records keep the payload as it crossed the wire, content coding included; the body
that texts are extracted from is that payload decoded. warcio's own decoding is not used:
warcio 1.8 expects brotlipy's ``Decompressor`` API and fails with Google's ``brotli``.

Like the crawler's decompression (Scrapy's), a stream cut short (a payload truncated at the
size cap) yields what it holds; whoever needs the exact body compares its hash.
"""

from __future__ import annotations

import zlib

import brotli

CODINGS = frozenset({"gzip", "x-gzip", "deflate", "br", "identity"})


class ContentCodingError(ValueError):
    """A content coding that is unknown, or a payload that does not decode."""


def codings_of(content_encoding: str | None) -> list[str]:
    """The codings a ``Content-Encoding`` value names, in the order they were applied."""
    return [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]


def decode_content(payload: bytes, content_encoding: str | None) -> bytes:
    """``payload`` with every coding of ``content_encoding`` undone, last applied first.

    Raises ``ContentCodingError`` for a coding outside ``CODINGS`` (before decoding
    anything) and for a payload that does not decode at all.
    """
    codings = codings_of(content_encoding)
    unknown = [c for c in codings if c not in CODINGS]
    if unknown:
        raise ContentCodingError(f"unknown content coding: {', '.join(unknown)}")
    data = payload
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip"):
            data = _gunzip(data)
        elif coding == "deflate":
            data = _inflate(data)
        elif coding == "br":
            data = _unbrotli(data)
    return data


def _gunzip(data: bytes) -> bytes:
    """Every gzip member in turn (a stream may hold several); a truncated one gives what
    it holds."""
    out: list[bytes] = []
    rest = data
    while rest.strip(b"\0"):  # NUL padding after the last member is no member
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out.append(inflater.decompress(rest))
        except zlib.error as exc:
            raise ContentCodingError(f"gzip payload does not decode: {exc}") from exc
        if not inflater.eof:
            break
        rest = inflater.unused_data
    return b"".join(out)


def _zlib_wrapped(data: bytes) -> bool:
    """Whether ``data`` starts with a zlib header (RFC 1950): method 8, check bits."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


def _inflate(data: bytes) -> bytes:
    """``deflate`` as specified (zlib-wrapped) or as some servers send it (raw)."""
    wbits = zlib.MAX_WBITS if _zlib_wrapped(data) else -zlib.MAX_WBITS
    try:
        return zlib.decompressobj(wbits=wbits).decompress(data)
    except zlib.error as exc:
        raise ContentCodingError(f"deflate payload does not decode: {exc}") from exc


def _unbrotli(data: bytes) -> bytes:
    try:
        return brotli.Decompressor().process(data)
    except brotli.error as exc:
        raise ContentCodingError(f"br payload does not decode: {exc}") from exc
