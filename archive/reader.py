"""Reading single records back by (file, offset, length), streaming (warcio).

Only the record's own gzip member is read; nothing loads a whole WARC file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader
from warcio.recordloader import ArcWarcRecord

from archive.exchange import Header


class RecordNotFound(Exception):
    """No WARC record starts at the given offset."""


@dataclass(frozen=True)
class StoredRecord:
    """A record's headers and payload as stored."""

    record_type: str
    warc_headers: list[Header]
    http_status: int | None
    http_headers: list[Header]
    payload: bytes  # as stored: content coding kept

    def warc_header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for n, v in self.warc_headers if n.lower() == wanted), None)

    def http_header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for n, v in self.http_headers if n.lower() == wanted), None)


@contextmanager
def open_record(path: Path, offset: int, length: int) -> Iterator[ArcWarcRecord]:
    """The warcio record at ``offset``; read its ``raw_stream``/``content_stream()`` inside."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        records = ArchiveIterator(LimitReader(fh, length))
        record = next(iter(records), None)
        if record is None:
            raise RecordNotFound(f"{Path(path).name}: no record at offset {offset}")
        yield record


def read_record(path: Path, offset: int, length: int, *, decoded: bool = False) -> StoredRecord:
    """Headers and payload of one record; ``decoded`` undoes gzip/brotli content coding."""
    with open_record(path, offset, length) as record:
        http = record.http_headers
        payload = record.content_stream().read() if decoded else record.raw_stream.read()
        has_status = http and record.rec_type in ("response", "revisit")
        status = http.get_statuscode() if has_status else None
        return StoredRecord(
            record_type=record.rec_type,
            warc_headers=list(record.rec_headers.headers),
            http_status=int(status) if status and status.isdigit() else None,
            http_headers=list(http.headers) if http else [],
            payload=payload,
        )


def read_text(path: Path, offset: int, length: int) -> str:
    """The extracted text held by a ``conversion`` record."""
    stored = read_record(path, offset, length)
    if stored.record_type != "conversion":
        raise RecordNotFound(f"{Path(path).name}@{offset} is a {stored.record_type} record")
    return stored.payload.decode("utf-8")
