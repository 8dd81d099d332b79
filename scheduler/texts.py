"""Finishing the texts a run left unfinished, from the stored response records.

A capture commits before its text is extracted; a crash (kill -9, power loss), a broken
extraction pool or an extraction that raised leaves it ``text_pending``. Such a capture is
still good evidence and is never fetched again, so at the start of every run (after torn WARC
tails are repaired, before crawling) each owed text is computed again from what is stored:
the payload of the capture's final response record (for a revisit, of the response it refers
to), its Content-Encoding undone, its SHA-256 checked against the capture's ``body_sha256``,
then extracted in this process and stored like a live text (``CaptureStore.store_batch``: the
conversion records of a batch in one WARC group, the text columns in one commit).

A text that cannot be finished (the stored body does not match the capture's hash, an unknown
content coding, a missing record, an extraction that raises) is reported in one line and
stays owed: the next run tries again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from archive.coding import ContentCodingError, decode_content
from archive.reader import RecordNotFound, StoredRecord, read_record
from archive.text import Extracted, extract
from archive.warc import RecordRef
from crawler.store import CaptureStore, TextJob
from provenance import captures

BATCH = 64


class TextNotFinished(Exception):
    """Why an owed text could not be computed from the stored records (one line)."""


@dataclass
class TextsFinished:
    finished: int = 0  # texts stored from the records
    problems: list[str] = field(default_factory=list)  # one line per text left owed


def finish_texts(
    engine: Engine, warc_dir: Path, store: CaptureStore, batch: int = BATCH
) -> TextsFinished:
    """Compute and store every owed text, ``batch`` captures per WARC group and commit."""
    done = TextsFinished()
    after = 0
    while True:
        work: list[tuple[TextJob, Extracted]] = []
        with Session(engine) as session:
            owed = captures.owed_texts(session, after=after, limit=batch)
            for text in owed:
                try:
                    work.append(_recompute(session, warc_dir, text))
                except TextNotFinished as exc:
                    done.problems.append(
                        f"text of capture {text.capture_id} ({text.url}) not finished: {exc}"
                    )
        if not owed:
            return done
        after = owed[-1].capture_id
        if work:
            store.store_batch(list(work))
            done.finished += len(work)


def _recompute(
    session: Session, warc_dir: Path, owed: captures.OwedText
) -> tuple[TextJob, Extracted]:
    final = owed.record
    if final is None:
        raise TextNotFinished("no response record of it is stored")
    stored = _read(warc_dir, final)
    if final.record_type == "revisit":
        # the payload lives in the earlier response; as for a live text of a revisit, no
        # conversion record is written (the text columns are set)
        refers_to = stored.warc_header("WARC-Refers-To")
        original = captures.record_location(session, refers_to) if refers_to else None
        if original is None:
            raise TextNotFinished(
                f"the response its revisit record {final.record_id} refers to is not stored"
            )
        payload = _read(warc_dir, original).payload
        conversion_of = None
    else:
        payload = stored.payload
        conversion_of = RecordRef(
            record_type=final.record_type,
            record_id=final.record_id,
            target_uri=final.target_uri,
            filename=final.warc_filename,
            offset=final.offset,
            length=final.length,
            payload_digest=final.payload_digest,
            warc_date=owed.warc_date,
        )
    body = _body(payload, stored.http_header("Content-Encoding"), owed.body_sha256)
    try:
        extracted = extract(body, owed.content_type, owed.url)
    except Exception as exc:  # any page may break the extractor: reported, the text stays owed
        raise TextNotFinished(f"extraction failed: {type(exc).__name__}: {exc}") from exc
    return TextJob(owed.capture_id, owed.url, body, owed.content_type, conversion_of), extracted


def _read(warc_dir: Path, rec: captures.RecordLocation) -> StoredRecord:
    try:
        stored = read_record(warc_dir / rec.warc_filename, rec.offset, rec.length)
    except (RecordNotFound, OSError) as exc:
        raise TextNotFinished(f"cannot read its {rec.record_type} record: {exc}") from exc
    if stored.record_type != rec.record_type:
        raise TextNotFinished(
            f"{rec.warc_filename}@{rec.offset} holds a {stored.record_type} record, "
            f"not the {rec.record_type} record the database names"
        )
    return stored


def _body(payload: bytes, content_encoding: str | None, expected: str | None) -> bytes:
    """The capture's body from its stored payload, checked against its ``body_sha256``."""
    if expected is None:
        raise TextNotFinished("the capture has no body_sha256 to check its stored body against")
    if hashlib.sha256(payload).hexdigest() == expected:
        return payload  # stored as it was extracted: no coding, or a fetch that kept it
    try:
        body = decode_content(payload, content_encoding)
    except ContentCodingError as exc:
        raise TextNotFinished(str(exc)) from exc
    actual = hashlib.sha256(body).hexdigest()
    if actual != expected:
        raise TextNotFinished(
            f"integrity check failed: the stored body's sha256 is {actual}, "
            f"the capture records {expected}"
        )
    return body
