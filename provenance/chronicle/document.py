"""Turning paragraphs and footnote definitions (from text or HTML) into a chronicle document."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from provenance.chronicle.checks import find_problems
from provenance.chronicle.dates import (
    DateStart,
    explicit_year,
    match_entry_date,
    place_of,
    without_period_words,
    year_in,
)
from provenance.chronicle.errors import ChronicleError
from provenance.chronicle.model import ChronicleDocument, DocumentProblem, ParsedEntry
from provenance.states import ProblemKind

MARKER_RE = re.compile(r"\[(\d{1,4})\]")
# Site interface text that ends up in rendered pages but is never part of a chronicle.
INTERFACE_LINES = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^Нажмите\s+\W?Enter\W?\s+для\s+перехода\s+к\s+содержанию",
        r"^Поделись,?\s+чтобы\s+люди\s+узнали",
        r"^Press\s+\W?Enter\W?\s+to\s+(skip|go)\s+to\s+content",
        r"^Skip\s+to\s+(main\s+)?content$",
        r"^Перейти\s+к\s+содержимому$",
        r"^Share\s+this:?$",
    )
)
MAX_TITLE_CHARS = 300
MAX_SLUG_CHARS = 120


@dataclass
class RawChronicle:
    """What a text or HTML reader found, before dates, years and problems are worked out."""

    name: str  # file name or URL: a hint for the year and the title
    media_type: str
    title: str | None
    paragraphs: list[str]
    definitions: list[tuple[int, str]]  # (number, URL as written), in document order
    problems: list[DocumentProblem] = field(default_factory=list)


def is_interface_line(paragraph: str) -> bool:
    text = paragraph.strip()
    return any(p.search(text) for p in INTERFACE_LINES)


def _title_from_name(name: str) -> str | None:
    path = urlsplit(name).path if "://" in name else name
    stem = PurePosixPath(unquote(path.replace("\\", "/")).rstrip("/")).name
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", stem)
    stem = re.sub(r"^\d{4}-\d{2}[-_ ]*", "", stem)
    words = re.sub(r"[-_\s]+", " ", stem).strip()
    if not re.search(r"[^\W\d_]{2}", words):
        return None
    return words[0].upper() + words[1:]


def slug_for(title: str, year: int, month: int) -> str:
    words = without_period_words(title).split() or ["chronicle"]
    slug = f"{year:04d}-{month:02d}-" + "-".join(words)
    if len(slug) > MAX_SLUG_CHARS:
        slug = slug[:MAX_SLUG_CHARS].rsplit("-", 1)[0]
    return slug


def _resolve_year(
    raw: RawChronicle, title: str | None, starts: list[DateStart], year: int | None
) -> int:
    if year is not None:
        return year
    for hint in (title or "", raw.name):
        found = year_in(hint)
        if found:
            return found
    written = Counter(s.year for s in starts if s.year)
    found = written.most_common(1)[0][0] if written else explicit_year(raw.paragraphs)
    if found:
        return found
    raise ChronicleError(
        f"cannot tell the year of {raw.name or 'the chronicle'}: give it with --year YYYY"
    )


def _date(start: DateStart, year: int, position: int) -> dt.date:
    try:
        return dt.date(start.year or year, start.month, start.day)
    except ValueError as exc:
        raise ChronicleError(
            f"entry {position}: {start.day}/{start.month} is not a date in {start.year or year}"
            " (check the entry or give --year)"
        ) from exc


def assemble(raw: RawChronicle, year: int | None = None) -> ChronicleDocument:
    """Group paragraphs into dated entries, work out year and period, and find the problems."""
    title = raw.title
    blocks: list[tuple[DateStart, list[str]]] = []
    for paragraph in raw.paragraphs:
        text = " ".join(paragraph.split())  # whitespace as a browser shows it
        if not text or is_interface_line(text):
            continue
        start = match_entry_date(text)
        if start:
            blocks.append((start, [text]))
        elif blocks:
            blocks[-1][1].append(text)  # a continuation paragraph of the entry
        elif title is None and len(text) <= MAX_TITLE_CHARS:
            title = text
    if not blocks:
        raise ChronicleError(
            f"no dated entries found in {raw.name or 'the document'} (is it a chronicle?)"
        )
    year = _resolve_year(raw, title, [b[0] for b in blocks], year)
    entries = []
    for position, (start, texts) in enumerate(blocks, start=1):
        text = "\n".join(texts)
        entries.append(
            ParsedEntry(
                position=position,
                date=_date(start, year, position),
                place=place_of(start.rest),
                text=text,
                markers=tuple(int(n) for n in MARKER_RE.findall(text)),
            )
        )
    month = Counter(e.date.month for e in entries).most_common(1)[0][0]
    title = title or _title_from_name(raw.name) or "Chronicle"
    footnotes: dict[int, str] = {}
    problems = list(raw.problems)
    for number, url in raw.definitions:
        if number in footnotes:
            problems.append(
                DocumentProblem(
                    ProblemKind.UNUSED_FOOTNOTE,
                    number,
                    f"footnote [{number}] is defined twice; the second definition is not used:"
                    f" {url}",
                )
            )
        else:
            footnotes[number] = url
    doc = ChronicleDocument(
        title=title,
        year=year,
        month=month,
        entries=entries,
        footnotes=footnotes,
        media_type=raw.media_type,
        slug=slug_for(title, year, month),
    )
    doc.problems = problems + find_problems(doc)
    return doc
