"""Domain operations for storing captures: runs, capture rows and where their records lie.

The crawler writes WARC records first (flushed and fsync'd), then calls these to commit the
rows pointing at them; a row therefore never points at bytes that are not on disk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from provenance.evidence import sources_with_evidence
from provenance.lookup import latest_version
from provenance.models import (
    Capture,
    CaptureRecord,
    Chronicle,
    Citation,
    Footnote,
    Run,
    Source,
    WarcFile,
    utcnow,
)
from provenance.states import FetchOutcome, RunKind, RunStatus


@dataclass(frozen=True)
class RecordLocation:
    """One WARC record of a capture, as written."""

    record_type: str
    record_id: str
    target_uri: str
    warc_filename: str
    offset: int
    length: int
    payload_digest: str | None = None


@dataclass(frozen=True)
class PriorResponse:
    """A stored response record with a given payload digest (what a revisit refers to)."""

    record_id: str
    target_uri: str
    warc_date: dt.datetime
    payload_digest: str


# -- runs ---------------------------------------------------------------------------------


def start_run(session: Session, kind: RunKind, software: str) -> Run:
    run = Run(kind=kind, status=RunStatus.RUNNING, software=software, counts={})
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def finish_run(
    session: Session, run_id: int, status: RunStatus, counts: dict[str, int]
) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise LookupError(f"no run {run_id}")
    run.status = status
    run.counts = dict(counts)
    run.finished_at = utcnow()
    session.add(run)
    session.commit()
    return run


def interrupt_stale_runs(session: Session, kind: RunKind) -> list[int]:
    """Mark runs still ``running`` as ``interrupted``. Call it holding the run lock: no
    other process is running one, so those runs died (killed, crashed)."""
    stale = session.exec(
        select(Run).where(Run.kind == kind, Run.status == RunStatus.RUNNING)
    ).all()
    for run in stale:
        run.status = RunStatus.INTERRUPTED
        run.finished_at = utcnow()
        session.add(run)
    session.commit()
    return [r.id for r in stale if r.id is not None]


# -- what to fetch ------------------------------------------------------------------------


def sources_of_chronicles(session: Session, chronicles: Sequence[Chronicle]) -> list[int]:
    """Ids of the sources the latest version of each chronicle cites, by a marker or by a
    footnote definition alone (a footnote nobody points to still names a source)."""
    versions = []
    for chronicle in chronicles:
        assert chronicle.id is not None
        version = latest_version(session, chronicle.id)
        if version is not None and version.id is not None:
            versions.append(version.id)
    ids: set[int] = set()
    for model in (Citation, Footnote):
        rows = session.exec(
            select(model.source_id).where(
                col(model.version_id).in_(versions), col(model.source_id).is_not(None)
            )
        ).all()
        ids.update(r for r in rows if r is not None)
    return sorted(ids)


def sources_without_good_capture(
    session: Session, source_ids: Iterable[int] | None = None, limit: int | None = None
) -> list[Source]:
    """Sources (all, or the given ones) that have no good capture yet, in id order."""
    query = select(Source).order_by(col(Source.id))
    ids = None if source_ids is None else list(source_ids)
    if ids is not None:
        query = query.where(col(Source.id).in_(ids))
    sources = list(session.exec(query).all())
    good = sources_with_evidence(session, [s.id for s in sources if s.id is not None])
    todo = [s for s in sources if s.id not in good]
    return todo[:limit] if limit is not None else todo


def sources_cut_at(session: Session, size: int, source_ids: Iterable[int]) -> set[int]:
    """The sources (of those given) with a capture cut at ``size`` payload bytes or more
    (``truncated``): under a size cap of ``size``, another fetch would store the same cut
    bytes again."""
    ids = list(source_ids)
    if not ids:
        return set()
    query = select(Capture.source_id).where(
        col(Capture.source_id).in_(ids),
        Capture.outcome == FetchOutcome.TRUNCATED,
        col(Capture.payload_size) >= size,
    )
    return set(session.exec(query.distinct()).all())


# -- captures -----------------------------------------------------------------------------


def prior_response(session: Session, url: str, payload_digest: str) -> PriorResponse | None:
    """The earliest stored response of ``url`` with this payload digest, if any.

    Only the final responses of captures qualify (their WARC-Date is the capture's
    ``warc_date``); sourcekeep writes revisits for the same URL only, so that every
    source's evidence stays self-contained.
    """
    row = session.exec(
        select(CaptureRecord.record_id, Capture.warc_date)
        .join(Capture, col(Capture.id) == col(CaptureRecord.capture_id))
        .where(
            CaptureRecord.record_type == "response",
            CaptureRecord.target_uri == url,
            CaptureRecord.payload_digest == payload_digest,
            Capture.final_url == url,
        )
        .order_by(col(Capture.warc_date))
        .limit(1)
    ).first()
    if row is None:
        return None
    record_id, warc_date = row
    if warc_date.tzinfo is None:
        warc_date = warc_date.replace(tzinfo=dt.UTC)
    return PriorResponse(record_id, url, warc_date, payload_digest)


def record_captures(
    session: Session, batch: Sequence[tuple[Capture, Sequence[RecordLocation]]]
) -> list[int]:
    """Add many captures and the locations of their records (already durable on disk) in
    bulk: one ``INSERT … RETURNING`` for the captures, one multi-row insert for the records.
    Sets each capture's ``id`` and returns the ids in order; the caller commits."""
    if not batch:
        return []
    table = Capture.__table__  # type: ignore[attr-defined]
    names = [c.name for c in table.columns if c.name != "id"]
    rows = [{n: getattr(capture, n) for n in names} for capture, _ in batch]
    ids = _insert_returning_ids(session, table, rows)
    locations = []
    for (capture, records), capture_id in zip(batch, ids, strict=True):
        capture.id = capture_id
        locations.extend(_record_values(capture_id, rec) for rec in records)
    if locations:
        session.execute(sa.insert(CaptureRecord.__table__), locations)  # type: ignore[attr-defined]
    return ids


def _insert_returning_ids(
    session: Session, table: sa.Table, rows: list[dict[str, Any]]
) -> list[int]:
    """Insert rows and return their primary keys in the order given."""
    dialect = session.get_bind().dialect
    if dialect.insert_executemany_returning_sort_by_parameter_order:
        stmt = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(i) for i in session.execute(stmt, rows).scalars().all()]
    # an old SQLite (< 3.35) has no RETURNING: one statement per row
    ids = []
    for row in rows:
        result = session.execute(sa.insert(table).values(**row))
        ids.append(int(result.inserted_primary_key[0]))
    return ids


def _record_values(capture_id: int, rec: RecordLocation) -> dict[str, Any]:
    return {
        "capture_id": capture_id,
        "record_type": rec.record_type,
        "record_id": rec.record_id,
        "target_uri": rec.target_uri,
        "warc_filename": rec.warc_filename,
        "offset": rec.offset,
        "length": rec.length,
        "payload_digest": rec.payload_digest,
    }


@dataclass(frozen=True)
class TextFacts:
    text: str
    sha256: str | None
    simhash: str | None
    title: str | None
    author: str | None
    published: str | None


@dataclass(frozen=True)
class TextUpdate:
    """The extracted text of one capture, and its conversion record if one was written."""

    capture_id: int
    facts: TextFacts
    conversion: RecordLocation | None = None


_TEXT_COLUMNS = ("text", "text_sha256", "simhash", "title", "author", "published", "text_size")


def set_texts(session: Session, updates: Sequence[TextUpdate]) -> None:
    """Store the extracted texts of many captures: one bulk UPDATE of the text columns
    (which also clears ``text_pending``, an empty text included) and one insert of the
    conversion records' locations. Raises ``LookupError`` when a capture does not exist
    (where the driver reports row counts of bulk statements); the caller commits."""
    if not updates:
        return
    table = Capture.__table__  # type: ignore[attr-defined]
    stmt = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("capture_id"))
        .values({name: sa.bindparam("new_" + name) for name in _TEXT_COLUMNS})
        .values(text_pending=sa.false())
    )
    rows = [
        {
            "capture_id": u.capture_id,
            "new_text": u.facts.text,
            "new_text_sha256": u.facts.sha256,
            "new_simhash": u.facts.simhash,
            "new_title": u.facts.title,
            "new_author": u.facts.author,
            "new_published": u.facts.published,
            "new_text_size": len(u.facts.text.encode("utf-8")),
        }
        for u in updates
    ]
    result = session.execute(stmt, rows)
    if session.get_bind().dialect.supports_sane_multi_rowcount and result.rowcount != len(rows):
        raise LookupError(f"{len(rows) - result.rowcount} of {len(rows)} captures do not exist")
    conversions = [
        _record_values(u.capture_id, u.conversion) for u in updates if u.conversion is not None
    ]
    if conversions:
        session.execute(sa.insert(CaptureRecord.__table__), conversions)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OwedText:
    """A capture whose text is owed (``text_pending``), and its final response record: the
    ``response`` or ``revisit`` record of its last hop (None when neither is stored)."""

    capture_id: int
    url: str  # the final URL, which the text is extracted for
    content_type: str | None
    body_sha256: str | None
    warc_date: dt.datetime
    record: RecordLocation | None


def owed_texts(session: Session, after: int = 0, limit: int = 64) -> list[OwedText]:
    """Captures with ``text_pending`` set and an id above ``after``, in id order, at most
    ``limit`` of them (page on with the last id: a text that cannot be finished stays owed)."""
    rows = session.exec(
        select(Capture)
        .where(col(Capture.text_pending), col(Capture.id) > after)
        .order_by(col(Capture.id))
        .limit(limit)
    ).all()
    finals: dict[int, CaptureRecord] = {}
    if rows:
        records = session.exec(
            select(CaptureRecord)
            .where(
                col(CaptureRecord.capture_id).in_([c.id for c in rows]),
                col(CaptureRecord.record_type).in_(("response", "revisit")),
            )
            .order_by(col(CaptureRecord.id))
        ).all()
        for rec in records:  # in the order written: the last one is the final hop's
            finals[rec.capture_id] = rec
    owed = []
    for capture in rows:
        assert capture.id is not None
        rec = finals.get(capture.id)
        warc_date = capture.warc_date
        if warc_date.tzinfo is None:
            warc_date = warc_date.replace(tzinfo=dt.UTC)
        owed.append(
            OwedText(
                capture_id=capture.id,
                url=capture.final_url or capture.requested_url,
                content_type=capture.content_type,
                body_sha256=capture.body_sha256,
                warc_date=warc_date,
                record=_location(rec) if rec is not None else None,
            )
        )
    return owed


def record_location(session: Session, record_id: str) -> RecordLocation | None:
    """Where the record with this ``WARC-Record-ID`` lies, if a capture holds it."""
    rec = session.exec(select(CaptureRecord).where(CaptureRecord.record_id == record_id)).first()
    return _location(rec) if rec is not None else None


def _location(rec: CaptureRecord) -> RecordLocation:
    return RecordLocation(
        record_type=rec.record_type,
        record_id=rec.record_id,
        target_uri=rec.target_uri,
        warc_filename=rec.warc_filename,
        offset=rec.offset,
        length=rec.length,
        payload_digest=rec.payload_digest,
    )


# -- files --------------------------------------------------------------------------------


def committed_extents(session: Session) -> dict[str, int]:
    """For each WARC file, the end of the last byte a committed row points at."""
    rows = session.exec(
        select(
            CaptureRecord.warc_filename,
            sa.func.max(col(CaptureRecord.offset) + col(CaptureRecord.length)),
        ).group_by(CaptureRecord.warc_filename)
    ).all()
    return {name: int(end) for name, end in rows}


def forget_warc_file(session: Session, filename: str) -> None:
    """Drop the row of a WARC file recovery removed because nothing complete was in it.

    Refuses when any capture record points into the file: such a file is never removed.
    """
    used = session.exec(
        select(CaptureRecord.id).where(CaptureRecord.warc_filename == filename).limit(1)
    ).first()
    if used is not None:
        raise ValueError(f"{filename} holds committed records and cannot be forgotten")
    row = session.exec(select(WarcFile).where(WarcFile.filename == filename)).first()
    if row is not None:
        session.delete(row)
        session.commit()


def note_warc_file(
    session: Session,
    filename: str,
    *,
    size: int | None = None,
    sha256: str | None = None,
    closed: bool = False,
    commit: bool = True,
) -> None:
    """Create or update the row of a WARC file (its SHA-256 once it is closed)."""
    row = session.exec(select(WarcFile).where(WarcFile.filename == filename)).first()
    if row is None:
        row = WarcFile(filename=filename)
    if size is not None:
        row.size = size
    if sha256 is not None:
        row.sha256 = sha256
    if closed and row.closed_at is None:
        row.closed_at = utcnow()
    session.add(row)
    if commit:
        session.commit()
