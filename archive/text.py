"""Main text and metadata of a fetched page (trafilatura), with hashes for comparison.

``extract`` is a plain top-level function on picklable values, so a crawler can run it in a
``concurrent.futures.ProcessPoolExecutor`` off its event loop. trafilatura (with lxml) is
imported on first use, so a process that only hands pages to an extraction worker does not
load it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from archive.charset import decode

SIMHASH_BITS = 64
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_LANG_RX = re.compile(r"""<html[^>]*\slang\s*=\s*["']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)""", re.I)


@dataclass(frozen=True)
class Extracted:
    """What the page says: main text, metadata, and fingerprints of the text."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None  # publication date as trafilatura found it (ISO 8601)
    language: str | None = None
    encoding: str | None = None  # the character encoding the body was decoded with
    simhash: str | None = None  # 64-bit trafilatura simhash, 16 hex digits
    sha256: str | None = None  # of the UTF-8 text

    @property
    def empty(self) -> bool:
        return not self.text


def is_html(content_type: str | None, body: bytes) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in _HTML_TYPES:
        return True
    if media:
        return False
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def simhash(text: str) -> str:
    """trafilatura's simhash of the text as 16 hex digits."""
    from trafilatura.deduplication import Simhash

    return f"{Simhash(text, length=SIMHASH_BITS).hash:016x}"


def similarity(a_hex: str, b_hex: str) -> float:
    """1.0 for identical fingerprints, down to 0.0 (Hamming distance, as trafilatura)."""
    distance = (int(a_hex, 16) ^ int(b_hex, 16)).bit_count()
    return (SIMHASH_BITS - distance) / SIMHASH_BITS


def _fingerprinted(text: str, **meta: str | None) -> Extracted:
    if not text:
        return Extracted(text="", **meta)
    return Extracted(
        text=text,
        simhash=simhash(text),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        **meta,
    )


def extract(body: bytes, content_type: str | None, url: str) -> Extracted:
    """Extract from a decoded body (content coding already undone).

    HTML goes through trafilatura with metadata; ``text/plain`` is taken as is; anything
    else (PDF, images) yields an empty result.
    """
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "text/plain":
        text, encoding = decode(body, content_type)
        return _fingerprinted(text.strip(), encoding=encoding)
    if not is_html(content_type, body):
        return Extracted(text="")
    import trafilatura

    html, encoding = decode(body, content_type)
    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    lang_match = _LANG_RX.search(html[:4096])
    if doc is None:
        return Extracted(text="", encoding=encoding)
    return _fingerprinted(
        (doc.text or "").strip(),
        title=doc.title or None,
        author=doc.author or None,
        date=doc.date or None,
        language=doc.language or (lang_match[1].lower() if lang_match else None),
        encoding=encoding,
    )
