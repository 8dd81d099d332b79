"""The CDXJ replay index, in the form pywb reads as is.

One line per ``response`` or ``revisit`` record (request, metadata and conversion records are
not replayable and stay out)::

    <surt> <14-digit timestamp> {"url": ..., "mime": ..., "status": ..., "digest": ...,
                                 "length": ..., "offset": ..., "filename": ...}

pywb reads every ``*.cdxj`` file in a collection's ``indexes/`` folder and merges them, so
the index is kept as sorted files per WARC file. A finished WARC has one ``NAME.cdxj``. The
WARC being written has a few sorted segments ``NAME.<n>.seg.cdxj``: the newest absorbs each
batch until it holds ``HEAD_LINES`` lines, and full segments merge like a binary counter (two
of similar size become one). So every batch is visible to replay at once, each batch costs
one small file write, each index line is rewritten O(log n) times, and no WARC is re-read.
Each file appears by an atomic rename; while segments merge, a query may briefly
see a line twice (harmless for replay), never miss one.
"""

from __future__ import annotations

import heapq
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import surt
from warcio.archiveiterator import ArchiveIterator

INDEXED_TYPES = ("response", "revisit")
REVISIT_MIME = "warc/revisit"
EXT = ".cdxj"
SEGMENT_EXT = ".seg" + EXT
HEAD_LINES = 64  # the newest segment absorbs batches until it holds this many lines


@dataclass(frozen=True)
class CdxEntry:
    """What the index says about one replayable record."""

    url: str
    timestamp: str  # 14 digits
    mime: str
    status: int | None
    digest: str | None
    filename: str
    offset: int
    length: int

    def line(self) -> str:
        fields: dict[str, str] = {"url": self.url, "mime": self.mime}
        if self.status is not None:
            fields["status"] = str(self.status)
        if self.digest:
            fields["digest"] = _index_digest(self.digest)
        fields.update(length=str(self.length), offset=str(self.offset), filename=self.filename)
        return f"{surt_key(self.url)} {self.timestamp} {json.dumps(fields, ensure_ascii=False)}"


def surt_key(url: str) -> str:
    """The SURT sort key pywb uses for a URL."""
    return surt.surt(url)


def timestamp14(warc_date: str) -> str:
    """``2024-05-01T10:00:00.123456Z`` -> ``20240501100000``."""
    digits = "".join(ch for ch in warc_date if ch.isdigit())
    return digits[:14].ljust(14, "0")


def mime_of(content_type: str | None) -> str:
    """The bare media type of a Content-Type value, as pywb's indexer records it."""
    if not content_type:
        return "unk"
    return content_type.split(";", 1)[0].split(" ", 1)[0].strip() or "unk"


def _index_digest(digest: str) -> str:
    # pywb drops the label of SHA-1 digests only; ours are written as in the record
    return digest[5:] if digest.startswith("sha1:") else digest


class CdxjIndex:
    """Per-WARC sorted CDXJ files in ``index_dir``, current after every ``add``."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self.index_dir.mkdir(parents=True, exist_ok=True)
        self._segments: dict[str, list[tuple[Path, list[str]]]] = {}
        self._serial = 0

    def add(self, warc_filename: str, entries: Iterable[CdxEntry]) -> None:
        """Make these entries of an open WARC file visible to replay."""
        merged = sorted(e.line() for e in entries)
        if not merged:
            return
        segments = self._segments.setdefault(warc_filename, [])
        absorbed = []
        while segments and (
            len(segments[-1][1]) < HEAD_LINES or len(segments[-1][1]) <= len(merged)
        ):
            path, lines = segments.pop()
            absorbed.append(path)
            merged = list(heapq.merge(lines, merged))
        segments.append((self._write(warc_filename, merged), merged))
        for path in absorbed:
            path.unlink()

    def finish(self, warc_filename: str) -> Path:
        """Merge the segments of a WARC file that is now closed into ``NAME.cdxj``."""
        segments = self._segments.pop(warc_filename, [])
        final = self.path_for(warc_filename)
        _atomic_write(final, heapq.merge(*(lines for _p, lines in segments)))
        for path, _lines in segments:
            path.unlink()
        return final

    def path_for(self, warc_filename: str) -> Path:
        return self.index_dir / (_stem(warc_filename) + EXT)

    def _write(self, warc_filename: str, lines: list[str]) -> Path:
        self._serial += 1
        path = self.index_dir / f"{_stem(warc_filename)}.{self._serial:06d}{SEGMENT_EXT}"
        _atomic_write(path, lines)
        return path


def rebuild(warc_path: Path, index_dir: Path) -> Path:
    """Index one WARC file from its records (used for files a crash left open).

    Replaces ``NAME.cdxj`` and removes any segments of that file.
    """
    entries = sorted(e.line() for e in entries_of(warc_path))
    stem = _stem(warc_path.name)
    final = Path(index_dir) / (stem + EXT)
    _atomic_write(final, entries)
    for seg in Path(index_dir).glob(f"{stem}.*{SEGMENT_EXT}"):
        seg.unlink()
    return final


def entries_of(warc_path: Path) -> Iterator[CdxEntry]:
    """The index entries of every response and revisit record in a WARC file."""
    with open(warc_path, "rb") as fh:
        records = ArchiveIterator(fh)
        for record in records:
            if record.rec_type not in INDEXED_TYPES:
                continue
            headers = record.rec_headers
            http = record.http_headers
            offset = records.get_record_offset()
            revisit = record.rec_type == "revisit"
            entry_args = dict(
                url=headers.get_header("WARC-Target-URI"),
                timestamp=timestamp14(headers.get_header("WARC-Date")),
                mime=REVISIT_MIME if revisit else mime_of(http and http.get_header("Content-Type")),
                status=None if revisit or not http else int(http.get_statuscode()),
                digest=headers.get_header("WARC-Payload-Digest"),
                filename=warc_path.name,
                offset=offset,
            )
            records.read_to_end(record)
            yield CdxEntry(length=records.get_record_length(), **entry_args)


def read_index(index_dir: Path) -> list[str]:
    """All index lines of a collection, merged in order (as pywb sees them)."""
    files = sorted(Path(index_dir).glob("*" + EXT))
    streams = [p.read_text(encoding="utf-8").splitlines() for p in files]
    return list(heapq.merge(*streams))


def _stem(warc_filename: str) -> str:
    for suffix in (".warc.gz", ".warc"):
        if warc_filename.endswith(suffix):
            return warc_filename[: -len(suffix)]
    return warc_filename


def _atomic_write(path: Path, lines: Iterable[str]) -> None:
    tmp = path.with_name("." + path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for line in lines:
            fh.write(line)
            fh.write("\n")
    os.replace(tmp, path)
