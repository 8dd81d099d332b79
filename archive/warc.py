"""Writing fetches into rotating, gzip-per-record WARC 1.1 files (warcio).

``WarcStore.write_fetch`` writes one exchange's records (``request``, ``response`` or
``revisit``, ``metadata``, and a ``conversion`` when text is given), flushes and fsyncs the
file, updates the CDXJ index, and returns where each record lies. The caller commits its
database rows only after that, so a row never points at bytes that are not on disk.

``with store.group():`` makes the writes inside one group: they are flushed and fsync'd once,
and indexed at once, when the block ends (a group commit; commit the rows after the block).

Files are named per ``archive.naming`` and begin with a ``warcinfo`` record. One store
writes one file at a time; only one process may write to a directory at a time (the caller
holds the run lock), and after a crash ``archive.recovery`` repairs the file left open.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import BinaryIO

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import BaseWARCWriter

from archive import naming, records
from archive.cdxj import REVISIT_MIME, CdxEntry, CdxjIndex, mime_of, timestamp14
from archive.digest import Sha256Digester, labelled
from archive.exchange import HttpExchange, HttpResponse, PriorCapture

DEFAULT_MAX_SIZE = 1_000_000_000
DEFAULT_PREFIX = "sourcekeep"


def software_name() -> str:
    """``sourcekeep/<version> warcio/<version>`` for the warcinfo record."""
    names = []
    for dist in ("sourcekeep", "warcio"):
        try:
            names.append(f"{dist}/{version(dist)}")
        except PackageNotFoundError:
            names.append(dist)
    return " ".join(names)


@dataclass(frozen=True)
class RecordRef:
    """Where one written record lies: its gzip member in ``filename``."""

    record_type: str
    record_id: str
    target_uri: str
    filename: str
    offset: int
    length: int
    payload_digest: str | None
    warc_date: dt.datetime


@dataclass(frozen=True)
class WarcFileInfo:
    """A WARC file of the directory; ``sha256`` is known once the file is closed."""

    filename: str
    path: Path
    size: int
    closed: bool
    sha256: str | None = None


@dataclass(frozen=True)
class FetchRecords:
    """The records written for one fetch, and any files finished on the way."""

    request: RecordRef
    response: RecordRef  # the response, or the revisit record
    metadata: RecordRef
    conversion: RecordRef | None = None
    closed_files: list[WarcFileInfo] = field(default_factory=list)

    @property
    def records(self) -> list[RecordRef]:
        found = [self.request, self.response, self.metadata, self.conversion]
        return [r for r in found if r is not None]

    @property
    def is_revisit(self) -> bool:
        return self.response.record_type == "revisit"


def payload_digest(response: HttpResponse) -> str:
    """The ``sha256:<hex>`` digest a response record will carry for this payload."""
    return labelled(response.payload)


def revisit_allowed(
    response: HttpResponse, prior: PriorCapture | None, digest: str | None = None
) -> bool:
    """Whether a fetch may be stored as a revisit of ``prior``.

    A non-empty payload whose digest equals the stored one qualifies; the caller finds
    ``prior`` by looking the digest up among response records it holds. A payload cut at
    the size cap qualifies too: what would be stored is byte for byte what ``prior`` holds,
    and the fetch's metadata record says it was cut (otherwise every fetch of a source over
    the cap would store another copy of the same cut bytes). ``digest``: the payload's
    ``payload_digest`` if already known.
    """
    return (
        prior is not None
        and len(response.payload) > 0
        and prior.payload_digest == (digest or payload_digest(response))
    )


class _GzipMember:
    """One gzip member around one record; ``flush`` (called by warcio) ends the member.

    warcio hands the record over in pieces of 16 KB; they are collected and compressed in
    one call at the end, so zlib (which releases the GIL while it works) gets the whole
    record at once instead of many small Python-level calls.
    """

    def __init__(self, out: BinaryIO, level: int) -> None:
        self.out = out
        self.level = level
        self.parts: list[bytes] = []

    def write(self, buff: bytes) -> None:
        self.parts.append(buff)

    def flush(self) -> None:
        compressor = zlib.compressobj(self.level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        data = b"".join(self.parts)
        self.parts = []
        self.out.write(compressor.compress(data) + compressor.flush())


class _HashingFile:
    """A file opened for appending that also hashes everything written through it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh = open(path, "xb")
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.sha256.update(data)
        self.size += len(data)

    def sync(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def close(self) -> None:
        self.sync()
        self.fh.close()


class _Writer(BaseWARCWriter):
    """warcio's writer with SHA-256 (Base16) digests and no payload digest on metadata."""

    NO_PAYLOAD_DIGEST_TYPES = ("warcinfo", "revisit", "metadata")

    def __init__(self, level: int) -> None:
        super().__init__(gzip=False, warc_version=records.WARC_VERSION)
        self.level = level

    @staticmethod
    def _create_digester() -> Sha256Digester:  # type: ignore[override]
        return Sha256Digester()

    def write_member(self, out: _HashingFile, record: ArcWarcRecord) -> tuple[int, int]:
        """Write one record as one gzip member; returns (offset, length)."""
        start = out.size
        self._write_warc_record(_GzipMember(out, self.level), record)  # type: ignore[arg-type]
        return start, out.size - start


class WarcStore:
    """Rotating WARC files in one directory, with an optional CDXJ index kept current."""

    def __init__(
        self,
        warc_dir: Path,
        *,
        index_dir: Path | None = None,
        prefix: str = DEFAULT_PREFIX,
        max_size: int = DEFAULT_MAX_SIZE,
        software: str | None = None,
        info: dict[str, str] | None = None,
        host: str | None = None,
        compress_level: int = 6,
    ) -> None:
        self.warc_dir = Path(warc_dir)
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        self.index = CdxjIndex(index_dir) if index_dir is not None else None
        self.prefix = prefix
        self.max_size = max_size
        self.software = software or software_name()
        self.info = dict(info or {})
        self.host = host or naming.crawl_host()
        self._writer = _Writer(compress_level)
        self._file: _HashingFile | None = None
        self._warcinfo_id: str | None = None
        self._closed_pending: list[WarcFileInfo] = []
        self._lock = threading.RLock()
        self._grouped = 0  # depth of open ``group()`` blocks
        self._unsynced = False  # records written in a group and not yet fsync'd
        self._pending_index: list[tuple[RecordRef, HttpExchange]] = []

    # -- public API -------------------------------------------------------------------

    @contextmanager
    def group(self) -> Iterator[WarcStore]:
        """Writes inside become durable together: one flush and fsync, one index update, at
        the end of the block (not at each write). Commit rows pointing at them after it.

        The store is held by this thread for the whole block. On an error the block's writes
        to the open file are still synced (they may be orphans, like after a crash between
        fsync and commit; no row points at them) and the error propagates.
        """
        with self._lock:
            self._grouped += 1
            try:
                yield self
            finally:
                self._grouped -= 1
                if self._grouped == 0:
                    self._settle()

    def write_fetch(
        self,
        exchange: HttpExchange,
        *,
        revisit_of: PriorCapture | None = None,
        text: str | None = None,
        digest: str | None = None,
    ) -> FetchRecords:
        """Write the records of one fetch and make them durable before returning.

        With ``revisit_of`` (see ``revisit_allowed``) a ``revisit`` record replaces the
        response. With ``text`` a ``conversion`` record holding it refers to the response.
        ``digest``: the payload's ``payload_digest``, when the caller has computed it
        already (the payload is then not hashed again for it).
        """
        if digest is None:
            digest = payload_digest(exchange.response)
        if revisit_of is not None and not revisit_allowed(
            exchange.response, revisit_of, digest
        ):
            raise ValueError("payload does not match the prior capture; write a response")
        with self._lock:
            closed = self._closed_pending + self._rotate_if_full()
            self._closed_pending = []
            with self._transaction() as out:
                wid = self._warcinfo_id
                if revisit_of is None:
                    main = records.build_response(self._writer, exchange, wid, digest)
                else:
                    main = records.build_revisit(self._writer, exchange, wid, revisit_of)
                main_id = _rid(main)
                request = records.build_request(self._writer, exchange, wid, main_id)
                metadata = records.build_metadata(self._writer, exchange, wid, [main_id])
                when = exchange.warc_date
                written = [self._put(out, r, when) for r in (request, main, metadata)]
                conversion = None
                if text is not None:
                    rec = records.build_conversion(
                        self._writer, exchange.target_uri, when, wid, main_id, text
                    )
                    conversion = self._put(out, rec, when)
            self._pending_index.append((written[1], exchange))
            if not self._grouped:
                self._flush_index()
        return FetchRecords(written[0], written[1], written[2], conversion, closed)

    def write_conversion(self, of: RecordRef, text: str) -> RecordRef:
        """A ``conversion`` record with extracted text, referring to a stored record."""
        with self._lock:
            self._closed_pending.extend(self._rotate_if_full())
            with self._transaction() as out:
                rec = records.build_conversion(
                    self._writer, of.target_uri, of.warc_date, self._warcinfo_id, of.record_id,
                    text,
                )
                ref = self._put(out, rec, of.warc_date)
        return ref

    def write_resource(
        self,
        target_uri: str,
        content_type: str,
        data: bytes,
        when: dt.datetime,
        concurrent_to: list[str] | None = None,
    ) -> RecordRef:
        """A ``resource`` record (e.g. a screenshot or an artefact of the run)."""
        with self._lock:
            self._closed_pending.extend(self._rotate_if_full())
            with self._transaction() as out:
                rec = records.build_resource(
                    self._writer, target_uri, when, self._warcinfo_id, content_type, data,
                    concurrent_to,
                )
                ref = self._put(out, rec, when)
        return ref

    def take_closed(self) -> list[WarcFileInfo]:
        """Files finished by rotation and not yet reported by ``write_fetch``."""
        with self._lock:
            done, self._closed_pending = self._closed_pending, []
        return done

    def close(self) -> WarcFileInfo | None:
        """Finish the current file: fsync, index, write its ``.sha256``. Returns it."""
        with self._lock:
            return self._close_current()

    def __enter__(self) -> WarcStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def current_filename(self) -> str | None:
        return self._file.path.name if self._file else None

    def files(self) -> list[WarcFileInfo]:
        return list_files(self.warc_dir)

    # -- internals --------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[_HashingFile]:
        """Records written inside are durable at the end, or cut off again on an error."""
        out = self._current()
        start = out.size
        try:
            yield out
            if self._grouped:
                self._unsynced = True
            else:
                out.sync()
        except BaseException:
            self._abandon(out, start)
            raise

    def _settle(self) -> None:
        """End of a group: fsync what it wrote to the open file, then index it."""
        if self._unsynced and self._file is not None:
            self._file.sync()
        self._unsynced = False
        self._flush_index()

    def _flush_index(self) -> None:
        pending, self._pending_index = self._pending_index, []
        by_file: dict[str, list[tuple[RecordRef, HttpExchange]]] = {}
        for ref, exchange in pending:
            by_file.setdefault(ref.filename, []).append((ref, exchange))
        for refs in by_file.values():
            self._index(refs)

    def _abandon(self, out: _HashingFile, start: int) -> None:
        """Cut a failed write off the file and close it, so the next write starts afresh."""
        self._file = None
        self._unsynced = False
        out.fh.flush()
        out.fh.truncate(start)
        out.close()
        self._flush_index()  # a group's earlier writes to this file stay indexed
        if self.index is not None:
            self.index.finish(out.path.name)
        digest = file_sha256(out.path)
        mark_closed(out.path, digest)
        self._closed_pending.append(WarcFileInfo(out.path.name, out.path, start, True, digest))

    def _put(self, out: _HashingFile, record: ArcWarcRecord, when: dt.datetime) -> RecordRef:
        offset, length = self._writer.write_member(out, record)
        headers = record.rec_headers
        return RecordRef(
            record_type=record.rec_type,
            record_id=headers.get_header("WARC-Record-ID"),
            target_uri=headers.get_header("WARC-Target-URI") or "",
            filename=out.path.name,
            offset=offset,
            length=length,
            payload_digest=headers.get_header("WARC-Payload-Digest"),
            warc_date=when,
        )

    def _index(self, refs: list[tuple[RecordRef, HttpExchange]]) -> None:
        if self.index is None:
            return
        entries = []
        for ref, exchange in refs:
            revisit = ref.record_type == "revisit"
            entries.append(
                CdxEntry(
                    url=ref.target_uri,
                    timestamp=timestamp14(records.warc_date(ref.warc_date)),
                    mime=REVISIT_MIME if revisit else mime_of(exchange.response.content_type),
                    status=None if revisit else exchange.response.status,
                    digest=ref.payload_digest,
                    filename=ref.filename,
                    offset=ref.offset,
                    length=ref.length,
                )
            )
        self.index.add(refs[0][0].filename, entries)

    def _current(self) -> _HashingFile:
        if self._file is None:
            self._open_new()
        assert self._file is not None
        return self._file

    def _open_new(self) -> None:
        serial = naming.next_serial(self.warc_dir, self.prefix)
        name = naming.warc_name(self.prefix, dt.datetime.now(dt.UTC), serial, self.host)
        self._file = _HashingFile(self.warc_dir / name)
        _fsync_dir(self.warc_dir)
        info = {
            "software": self.software,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
            "warc-format/warc-1.1/",
            "hostname": self.host,
            **self.info,
        }
        warcinfo = records.build_warcinfo(self._writer, name, info)
        self._writer.write_member(self._file, warcinfo)
        self._warcinfo_id = _rid(warcinfo)

    def _rotate_if_full(self) -> list[WarcFileInfo]:
        if self._file is not None and self._file.size >= self.max_size:
            closed = self._close_current()
            return [closed] if closed else []
        return []

    def _close_current(self) -> WarcFileInfo | None:
        if self._file is None:
            return None
        current, self._file = self._file, None
        current.close()
        self._unsynced = False
        self._flush_index()  # entries of a group in this file, before its index is final
        digest = current.sha256.hexdigest()
        if self.index is not None:
            self.index.finish(current.path.name)
        mark_closed(current.path, digest)
        return WarcFileInfo(current.path.name, current.path, current.size, True, digest)


def mark_closed(warc_path: Path, sha256: str) -> None:
    """Record a finished file: ``NAME.sha256`` in ``sha256sum`` format, written atomically."""
    marker = naming.closed_marker(warc_path)
    tmp = marker.with_name("." + marker.name + ".tmp")
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(f"{sha256}  {warc_path.name}\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, marker)
    _fsync_dir(warc_path.parent)


def list_files(warc_dir: Path) -> list[WarcFileInfo]:
    """Every WARC file of the directory in name order, with its SHA-256 once closed."""
    out = []
    for path in sorted(Path(warc_dir).glob("*" + naming.SUFFIX)):
        marker = naming.closed_marker(path)
        sha = marker.read_text(encoding="ascii").split()[0] if marker.exists() else None
        out.append(WarcFileInfo(path.name, path, path.stat().st_size, sha is not None, sha))
    return out


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of a whole file, read in 1 MB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _rid(record: ArcWarcRecord) -> str:
    return record.rec_headers.get_header("WARC-Record-ID")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
