"""What a chronicle document says, as parsed: no database, no networking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from provenance.states import ProblemKind


@dataclass(frozen=True)
class ParsedEntry:
    """One dated entry: its date, the place when stated, its text and its markers in order."""

    position: int  # 1-based, in document order
    date: dt.date
    place: str | None
    text: str
    markers: tuple[int, ...]


@dataclass(frozen=True)
class DocumentProblem:
    """A mistake found in the document; ``candidate`` holds a repaired URL where one exists."""

    kind: ProblemKind
    footnote: int | None
    detail: str
    candidate: str | None = None


@dataclass
class ChronicleDocument:
    title: str
    year: int
    month: int
    entries: list[ParsedEntry]
    footnotes: dict[int, str]  # number -> URL as written (the href in HTML)
    problems: list[DocumentProblem] = field(default_factory=list)
    media_type: str = "text/plain"
    slug: str = ""

    @property
    def period(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def markers(self) -> list[tuple[int, int]]:
        """Every marker as (entry position, footnote number), in document order."""
        return [(e.position, n) for e in self.entries for n in e.markers]

    @property
    def citations(self) -> list[tuple[int, int, str]]:
        """Markers that have a definition: (entry position, footnote number, URL as written)."""
        return [(p, n, self.footnotes[n]) for p, n in self.markers if n in self.footnotes]
