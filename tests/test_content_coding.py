"""Undoing the HTTP Content-Encoding of a stored payload (``archive.coding``)."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from archive.coding import ContentCodingError, decode_content, zstd

BODY = ("<html><body><p>Суд над активистом перенесён.</p></body></html>" * 40).encode("utf-8")


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("coding", "payload"),
    [
        ("gzip", gzip.compress(BODY)),
        ("x-gzip", gzip.compress(BODY)),
        ("GZIP", gzip.compress(BODY)),
        ("deflate", zlib.compress(BODY)),  # as specified: zlib-wrapped
        ("deflate", _raw_deflate(BODY)),  # as some servers send it: raw
        ("br", brotli.compress(BODY)),
        ("zstd", zstd.compress(BODY)),
        ("identity", BODY),
        (None, BODY),
        ("", BODY),
    ],
)
def test_each_coding_is_undone(coding: str | None, payload: bytes) -> None:
    assert decode_content(payload, coding) == BODY


def test_codings_are_undone_last_applied_first() -> None:
    payload = brotli.compress(gzip.compress(BODY))
    assert decode_content(payload, "gzip, br") == BODY


def test_a_gzip_stream_of_several_members_decodes_whole() -> None:
    half = len(BODY) // 2
    payload = gzip.compress(BODY[:half]) + gzip.compress(BODY[half:])
    assert decode_content(payload, "gzip") == BODY


def test_a_truncated_stream_gives_what_it_holds() -> None:
    payload = gzip.compress(BODY, compresslevel=0)  # stored blocks: a prefix decodes
    part = decode_content(payload[: len(payload) // 2], "gzip")
    assert part and BODY.startswith(part) and len(part) < len(BODY)


@pytest.mark.parametrize("coding", ["compress", "gzip, sdch"])
def test_an_unknown_coding_is_an_error(coding: str) -> None:
    with pytest.raises(ContentCodingError, match="unknown content coding"):
        decode_content(gzip.compress(BODY), coding)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_a_payload_that_does_not_decode_is_an_error(coding: str) -> None:
    with pytest.raises(ContentCodingError, match="does not decode"):
        decode_content(b"plain bytes, not compressed at all" * 3, coding)


@pytest.mark.parametrize(
    ("coding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("br", brotli.compress),
        ("zstd", zstd.compress),
    ],
)
def test_a_body_larger_than_the_limit_is_refused_not_inflated(coding: str, compress) -> None:  # noqa: ANN001
    """A small payload that inflates past the limit (a decompression bomb) is an error."""
    bomb = compress(b"\0" * 1_000_000)
    assert len(bomb) < 10_000
    with pytest.raises(ContentCodingError, match="more than 100000 bytes"):
        decode_content(bomb, coding, limit=100_000)
    assert decode_content(bomb, coding, limit=1_000_000) == b"\0" * 1_000_000
