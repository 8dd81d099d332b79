"""Reading chronicles (plain text or HTML) into a ``ChronicleDocument``. No database here."""

from __future__ import annotations

from provenance.chronicle.decode import MAX_BYTES, decode, looks_like_html
from provenance.chronicle.errors import ChronicleError
from provenance.chronicle.html import parse_html
from provenance.chronicle.model import ChronicleDocument, DocumentProblem, ParsedEntry
from provenance.chronicle.text import parse_text

__all__ = [
    "MAX_BYTES",
    "ChronicleDocument",
    "ChronicleError",
    "DocumentProblem",
    "ParsedEntry",
    "parse_bytes",
    "parse_html",
    "parse_text",
]


def parse_bytes(
    data: bytes,
    name: str = "",
    year: int | None = None,
    media_type: str | None = None,
    charset: str | None = None,
) -> ChronicleDocument:
    """Parse a chronicle from bytes: HTML when declared or sniffed as such, else plain text."""
    is_html = (media_type or "").lower() in ("text/html", "application/xhtml+xml") or (
        media_type is None and (name.lower().endswith((".html", ".htm")) or looks_like_html(data))
    )
    text = decode(data, name or "the document", charset)
    if is_html:
        return parse_html(text, name, year)
    return parse_text(text, name, year)
