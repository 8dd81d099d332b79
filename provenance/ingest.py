"""Storing a parsed chronicle: chronicle, version, entries, footnotes, citations, sources, problems.

A chronicle is found by its page URL, else by its slug (title and period). A new version is
stored only when the document differs from the latest one (same bytes, or the same entries
and footnotes, change nothing). Nothing already stored is ever deleted or rewritten.

Sources are deduplicated on the normalized URL. A footnote whose URL is malformed but
repairable cites its repaired candidate (the problem keeps both); a footnote with an
unsupported scheme or no URL gets no source at all, only its problem. The URL as written is
always kept on the footnote and the citation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from provenance.chronicle import ChronicleDocument
from provenance.chronicle.checks import source_url_for
from provenance.lookup import latest_version
from provenance.models import (
    Chronicle,
    ChronicleVersion,
    Citation,
    Entry,
    Footnote,
    Problem,
    Source,
)
from provenance.urls import host_of, normalize_url, platform_of


@dataclass
class CitationChanges:
    """Citations of a new version compared with the previous one, keyed on footnote number."""

    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {"added": self.added, "removed": self.removed, "changed": self.changed}


@dataclass
class IngestResult:
    chronicle: Chronicle
    version: ChronicleVersion
    created: bool  # False: identical to the latest version, nothing stored
    previous: int | None  # number of the version compared against
    citations: int
    sources: int  # distinct sources of the version's footnotes
    new_sources: int
    problems: list[Problem]
    changes: CitationChanges | None  # None for a first version
    page_source: Source | None = None


def _fingerprint(entries: list[tuple[Any, ...]], footnotes: dict[int, str]) -> str:
    canonical = {"entries": entries, "footnotes": sorted(footnotes.items())}
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


def _document_fingerprint(doc: ChronicleDocument) -> str:
    entries = [(e.date.isoformat(), e.place, e.text, list(e.markers)) for e in doc.entries]
    return _fingerprint(entries, doc.footnotes)


def _stored_fingerprint(session: Session, version: ChronicleVersion) -> str:
    rows = session.exec(
        select(Entry).where(Entry.version_id == version.id).order_by(Entry.position)
    ).all()
    entries = [(e.date.isoformat(), e.place, e.text, list(e.markers)) for e in rows]
    notes = session.exec(select(Footnote).where(Footnote.version_id == version.id)).all()
    return _fingerprint(entries, {f.number: f.url for f in notes})


def _chronicle_for(session: Session, doc: ChronicleDocument, url: str | None) -> Chronicle:
    chronicle = None
    if url:
        chronicle = session.exec(select(Chronicle).where(Chronicle.url == url)).first()
    chronicle = (
        chronicle or session.exec(select(Chronicle).where(Chronicle.slug == doc.slug)).first()
    )
    if chronicle is None:
        chronicle = Chronicle(slug=doc.slug, title=doc.title, period=doc.period, url=url)
        session.add(chronicle)
        session.flush()
    elif url and chronicle.url is None:
        chronicle.url = url
    return chronicle


class _Sources:
    """Get-or-create sources on their normalized URL within one transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[str, Source] = {}
        self.created = 0

    def get(self, url: str) -> Source:
        key = normalize_url(url)
        source = self.cache.get(key)
        if source is None:
            source = self.session.exec(select(Source).where(Source.normalized_url == key)).first()
        if source is None:
            source = Source(
                url=url, normalized_url=key, platform=platform_of(key), host=host_of(key)
            )
            self.session.add(source)
            self.session.flush()
            self.created += 1
        self.cache[key] = source
        return source


def version_citations(session: Session, version_id: int) -> list[tuple[Citation, Entry]]:
    return list(
        session.exec(
            select(Citation, Entry)
            .join(Entry, Citation.entry_id == Entry.id)
            .where(Citation.version_id == version_id)
            .order_by(Entry.position, Citation.id)
        ).all()
    )


def _compare(
    old: list[tuple[Citation, Entry]], new: list[tuple[Citation, Entry]]
) -> CitationChanges:
    before = {c.footnote: (c, e) for c, e in old}
    after = {c.footnote: (c, e) for c, e in new}
    changes = CitationChanges()
    for number in sorted(after.keys() - before.keys()):
        c, e = after[number]
        changes.added.append({"footnote": number, "entry": e.position, "url": c.url})
    for number in sorted(before.keys() - after.keys()):
        c, e = before[number]
        changes.removed.append({"footnote": number, "entry": e.position, "url": c.url})
    for number in sorted(before.keys() & after.keys()):
        (old_c, _), (new_c, new_e) = before[number], after[number]
        if old_c.url != new_c.url:
            changes.changed.append(
                {
                    "footnote": number,
                    "entry": new_e.position,
                    "old_url": old_c.url,
                    "new_url": new_c.url,
                }
            )
    return changes


def version_problems(session: Session, version_id: int) -> list[Problem]:
    return list(
        session.exec(select(Problem).where(Problem.version_id == version_id).order_by(Problem.id))
    )


def distinct_sources(session: Session, version_id: int) -> int:
    query = select(sa.func.count(sa.distinct(Footnote.source_id))).where(
        Footnote.version_id == version_id, Footnote.source_id.is_not(None)
    )
    return int(session.exec(query).one())


def _store_version(
    session: Session,
    chronicle: Chronicle,
    doc: ChronicleDocument,
    number: int,
    content: bytes,
    origin: str,
    sources: _Sources,
) -> ChronicleVersion:
    version = ChronicleVersion(
        chronicle_id=chronicle.id,
        number=number,
        content_sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        media_type=doc.media_type,
        origin=origin,
        entries=len(doc.entries),
        markers=len(doc.markers),
        footnotes=len(doc.footnotes),
    )
    session.add(version)
    session.flush()
    footnote_sources: dict[int, int | None] = {}
    for fn_number, url in sorted(doc.footnotes.items()):
        cited = source_url_for(url)
        source_id = sources.get(cited).id if cited else None
        footnote_sources[fn_number] = source_id
        session.add(Footnote(version_id=version.id, number=fn_number, url=url, source_id=source_id))
    for parsed in doc.entries:
        entry = Entry(
            version_id=version.id,
            position=parsed.position,
            date=parsed.date,
            place=parsed.place,
            text=parsed.text,
            markers=list(parsed.markers),
        )
        session.add(entry)
        session.flush()
        for marker in parsed.markers:
            if marker in doc.footnotes:
                session.add(
                    Citation(
                        version_id=version.id,
                        entry_id=entry.id,
                        footnote=marker,
                        url=doc.footnotes[marker],
                        source_id=footnote_sources[marker],
                    )
                )
    for problem in doc.problems:
        session.add(
            Problem(
                version_id=version.id,
                kind=problem.kind,
                footnote=problem.footnote,
                detail=problem.detail,
                candidate=problem.candidate,
            )
        )
    session.flush()
    return version


def ingest_document(
    session: Session,
    doc: ChronicleDocument,
    content: bytes,
    origin: str,
    url: str | None = None,
) -> IngestResult:
    """Store ``doc`` (parsed from ``content``, read from ``origin``) in the caller's transaction.

    ``url`` is the chronicle's page when it was fetched from the web; the page is recorded as a
    source too.
    """
    chronicle = _chronicle_for(session, doc, url)
    sources = _Sources(session)
    page_source = sources.get(url) if url else None
    latest = latest_version(session, chronicle.id)
    if latest is not None and (
        latest.content_sha256 == hashlib.sha256(content).hexdigest()
        or _stored_fingerprint(session, latest) == _document_fingerprint(doc)
    ):
        return IngestResult(
            chronicle=chronicle,
            version=latest,
            created=False,
            previous=latest.number,
            citations=len(version_citations(session, latest.id)),
            sources=distinct_sources(session, latest.id),
            new_sources=sources.created,
            problems=version_problems(session, latest.id),
            changes=CitationChanges(),
            page_source=page_source,
        )
    number = latest.number + 1 if latest else 1
    version = _store_version(session, chronicle, doc, number, content, origin, sources)
    new = version_citations(session, version.id)
    changes = _compare(version_citations(session, latest.id), new) if latest else None
    return IngestResult(
        chronicle=chronicle,
        version=version,
        created=True,
        previous=latest.number if latest else None,
        citations=len(new),
        sources=distinct_sources(session, version.id),
        new_sources=sources.created,
        problems=version_problems(session, version.id),
        changes=changes,
        page_source=page_source,
    )
