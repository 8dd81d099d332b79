"""The mistakes real chronicles contain, found in a parsed document. Reported, never fixed.

A footnote's URL is judged as written: a well-formed http(s) URL is cited as is (tracking
parameters and preview links are reported); a malformed URL with a plausible repair (e.g.
``mailto:https://…``) is reported with the repaired candidate, which becomes the source; a
URL with another scheme (``ftp:``, ``mailto:someone@…``) or no recognisable URL at all is
reported and gets no source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance.chronicle.model import DocumentProblem
from provenance.states import ProblemKind
from provenance.urls import (
    is_http_url,
    is_preview_link,
    normalize_url,
    repair_url,
    scheme_of,
    tracking_params,
    without_preview,
)

if TYPE_CHECKING:
    from provenance.chronicle.model import ChronicleDocument


def source_url_for(url: str) -> str | None:
    """The URL a footnote's source is made from: as written, its repair, or None."""
    if is_http_url(url):
        return url.strip()
    return repair_url(url)


def _url_problems(number: int, url: str) -> list[DocumentProblem]:
    if not is_http_url(url):
        candidate = repair_url(url)
        scheme = scheme_of(url)
        if candidate is None and scheme and scheme not in ("http", "https"):
            detail = f"footnote [{number}] uses the unsupported scheme {scheme}: {url}"
            return [DocumentProblem(ProblemKind.UNSUPPORTED_SCHEME, number, detail)]
        detail = f"footnote [{number}] has a malformed URL: {url}"
        if candidate:
            detail += f" (repaired candidate: {candidate})"
        return [DocumentProblem(ProblemKind.MALFORMED_URL, number, detail, candidate)]
    problems = []
    params = tracking_params(url)
    if params:
        detail = f"footnote [{number}] carries tracking parameters {', '.join(params)}: {url}"
        problems.append(
            DocumentProblem(ProblemKind.TRACKING_PARAMS, number, detail, normalize_url(url))
        )
    if is_preview_link(url):
        detail = f"footnote [{number}] is a WordPress preview link, not a published page: {url}"
        problems.append(
            DocumentProblem(ProblemKind.PREVIEW_LINK, number, detail, without_preview(url))
        )
    return problems


def _footnote_problems(doc: ChronicleDocument) -> list[DocumentProblem]:
    problems: list[DocumentProblem] = []
    first_with: dict[str, int] = {}
    for number in sorted(doc.footnotes):
        url = doc.footnotes[number]
        problems.extend(_url_problems(number, url))
        source = source_url_for(url)
        if source is None:
            continue
        key = normalize_url(source)
        if key in first_with:
            detail = f"footnote [{number}] cites the same URL as [{first_with[key]}]: {url}"
            problems.append(DocumentProblem(ProblemKind.DUPLICATE_URL, number, detail))
        else:
            first_with[key] = number
    return problems


def _marker_problems(doc: ChronicleDocument) -> list[DocumentProblem]:
    problems = []
    seen: set[int] = set()
    for position, number in doc.markers:
        if number not in doc.footnotes and number not in seen:
            detail = f"marker [{number}] in entry {position} has no footnote definition"
            problems.append(DocumentProblem(ProblemKind.UNRESOLVED_MARKER, number, detail))
        seen.add(number)
    for number in sorted(set(doc.footnotes) - seen):
        detail = f"footnote [{number}] is defined but no entry cites it: {doc.footnotes[number]}"
        problems.append(DocumentProblem(ProblemKind.UNUSED_FOOTNOTE, number, detail))
    return problems


def _date_problems(doc: ChronicleDocument) -> list[DocumentProblem]:
    problems = []
    for previous, entry in zip(doc.entries, doc.entries[1:], strict=False):
        if entry.date < previous.date:
            detail = (
                f"entry {entry.position} dated {entry.date.isoformat()} follows entry"
                f" {previous.position} dated {previous.date.isoformat()}"
            )
            problems.append(DocumentProblem(ProblemKind.DATE_OUT_OF_ORDER, None, detail))
    return problems


def find_problems(doc: ChronicleDocument) -> list[DocumentProblem]:
    """Every problem of the document: markers, footnotes and their URLs, entry dates."""
    return _marker_problems(doc) + _footnote_problems(doc) + _date_problems(doc)
