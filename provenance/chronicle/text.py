"""Plain-text chronicles: one paragraph per line, footnote definitions ``[N] URL`` at the end."""

from __future__ import annotations

import re

from provenance.chronicle.document import RawChronicle, assemble
from provenance.chronicle.model import ChronicleDocument

# A definition line: the marker at the start of the line, then what it cites.
DEFINITION_RE = re.compile(r"^\s*\[(\d{1,4})\]\s*(\S.*?)\s*$")
_URLISH = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|www\.)\S")


def cited_text(rest: str) -> str:
    """What a definition cites, as written: its URL-looking word, else the whole text."""
    words = rest.split()
    urls = [w for w in words if _URLISH.match(w)]
    return urls[0] if urls else rest


def read_text(text: str, name: str = "") -> RawChronicle:
    paragraphs: list[str] = []
    definitions: list[tuple[int, str]] = []
    for line in text.splitlines():
        match = DEFINITION_RE.match(line)
        if match:
            definitions.append((int(match.group(1)), cited_text(match.group(2))))
        elif not definitions:
            paragraphs.append(line)
    return RawChronicle(
        name=name,
        media_type="text/plain",
        title=None,
        paragraphs=paragraphs,
        definitions=definitions,
    )


def parse_text(text: str, name: str = "", year: int | None = None) -> ChronicleDocument:
    """Parse a plain-text chronicle (``name``, a file name or URL, hints at title and year)."""
    return assemble(read_text(text, name), year)
