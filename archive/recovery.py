"""Repairing WARC files a crash left open: cut the torn tail, re-index, mark closed.

A file without its ``NAME.sha256`` marker was still being written when the process ended.
Its tail may hold a partial gzip member, a member whose record is incomplete, or garbage.
``recover`` scans each such file member by member from the last byte known to be committed
(streaming, in bounded memory), truncates it after the last complete record, rebuilds that
file's CDXJ index, and writes the marker. Bytes the caller lists as committed are never cut:
if the file is shorter than they require, ``RecoveryError`` is raised and nothing changes.

Run it only while no writer is active on the directory (the caller holds the run lock).
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archive import naming
from archive.cdxj import rebuild
from archive.warc import file_sha256, mark_closed

CHUNK = 1 << 16
OUT_LIMIT = 1 << 20
HEAD_LIMIT = 1 << 16
_LENGTH_RX = re.compile(rb"^content-length:[ \t]*(\d+)[ \t]*$", re.IGNORECASE | re.MULTILINE)


class RecoveryError(Exception):
    """A file cannot be repaired without losing committed records."""


@dataclass(frozen=True)
class Repair:
    """What recovery did to one file."""

    filename: str
    old_size: int
    new_size: int  # 0: nothing complete was in it, and the file was removed
    sha256: str | None

    @property
    def cut(self) -> int:
        return self.old_size - self.new_size


@dataclass(frozen=True)
class Committed:
    """A record the database points at: it must survive recovery byte for byte."""

    filename: str
    offset: int
    length: int


class _RecordCheck:
    """Checks, while a member decompresses, that it holds one complete WARC record."""

    def __init__(self) -> None:
        self.head = b""
        self.tail = b""
        self.total = 0

    def feed(self, data: bytes) -> None:
        if len(self.head) < HEAD_LIMIT:
            self.head += data[: HEAD_LIMIT - len(self.head)]
        self.tail = (self.tail + data)[-4:]
        self.total += len(data)

    def complete(self) -> bool:
        if not self.head.startswith(b"WARC/"):
            return False
        end = self.head.find(b"\r\n\r\n")
        if end < 0:
            return False
        match = _LENGTH_RX.search(self.head[:end])
        if not match:
            return False
        return self.total == end + 4 + int(match[1]) + 4 and self.tail == b"\r\n\r\n"


def good_end(fh: BinaryIO, start: int = 0) -> int:
    """The offset after the last complete record member, scanning from ``start``.

    ``start`` must be a member boundary (0, or the end of a committed record).
    """
    fh.seek(start)
    good = start
    data, data_at = b"", start
    decomp: zlib._Decompress | None = None
    check = _RecordCheck()
    while True:
        if not data:
            data = fh.read(CHUNK)
            if not data:
                return good  # end of file: clean if no member is open, torn otherwise
        if decomp is None:
            decomp, check = zlib.decompressobj(zlib.MAX_WBITS + 16), _RecordCheck()
        try:
            check.feed(decomp.decompress(data, OUT_LIMIT))
        except zlib.error:
            return good
        if decomp.eof:
            end = data_at + len(data) - len(decomp.unused_data)
            if not check.complete():
                return good
            data, data_at = decomp.unused_data, end
            good, decomp = end, None
        elif decomp.unconsumed_tail:
            used = len(data) - len(decomp.unconsumed_tail)
            data, data_at = decomp.unconsumed_tail, data_at + used
        else:
            data_at += len(data)
            data = b""


def open_files(warc_dir: Path) -> list[Path]:
    """WARC files without a closed marker: the one being written or left by a crash."""
    return [
        p for p in sorted(Path(warc_dir).glob("*" + naming.SUFFIX)) if not naming.is_closed(p)
    ]


def recover(
    warc_dir: Path,
    index_dir: Path | None = None,
    committed: Iterable[Committed | tuple[str, int, int]] = (),
) -> list[Repair]:
    """Repair and close every open WARC file in ``warc_dir``; report each one."""
    must_keep: dict[str, int] = {}
    for item in committed:
        c = item if isinstance(item, Committed) else Committed(*item)
        must_keep[c.filename] = max(must_keep.get(c.filename, 0), c.offset + c.length)
    repairs = [_repair(p, must_keep.get(p.name, 0), index_dir) for p in open_files(warc_dir)]
    if index_dir is not None:
        for tmp in Path(index_dir).glob(".*.tmp"):  # a replacement a crash left half-written
            tmp.unlink()
    return repairs


def _repair(path: Path, keep: int, index_dir: Path | None) -> Repair:
    old_size = path.stat().st_size
    if keep > old_size:
        raise RecoveryError(
            f"{path.name}: committed records end at byte {keep} but the file has {old_size}"
        )
    with open(path, "rb") as fh:
        end = good_end(fh, keep)
    if end == 0:  # not even its warcinfo record was complete
        path.unlink()
        if index_dir is not None:
            _drop_index(path, Path(index_dir))
        return Repair(path.name, old_size, 0, None)
    if end < old_size:
        with open(path, "r+b") as fh:
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())
    digest = file_sha256(path)
    if index_dir is not None:
        Path(index_dir).mkdir(parents=True, exist_ok=True)
        rebuild(path, Path(index_dir))
    mark_closed(path, digest)
    return Repair(path.name, old_size, end, digest)


def _drop_index(warc_path: Path, index_dir: Path) -> None:
    stem = warc_path.name.removesuffix(naming.SUFFIX)
    for path in index_dir.glob(f"{stem}.*"):
        if path.name.endswith(".cdxj"):
            path.unlink()


