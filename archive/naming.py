"""WARC file names per the WARC 1.1 Annex C / IIPC convention.

``{prefix}-{YYYYMMDDhhmmssfff}-{serial:05d}-{host}.warc.gz``: the timestamp is when the file
was begun (UTC, milliseconds), the serial increases within the directory.

A file is written under its final name from the first byte: pywb replays from the index as it
stands, and the index and the database refer to the name, so a rename on close would break
both. Whether a file is finished is recorded beside it instead: closing writes
``NAME.sha256`` (``sha256sum`` format), so a file without one is the file being written, or
one a crash left open (``archive.recovery`` repairs and closes it).
"""

from __future__ import annotations

import datetime as dt
import re
import socket
from pathlib import Path

SUFFIX = ".warc.gz"
CLOSED_SUFFIX = ".sha256"
_NAME_RX = re.compile(
    r"^(?P<prefix>.+)-(?P<ts>\d{17})-(?P<serial>\d{5,})-(?P<host>[^/]+)\.warc\.gz$"
)


def crawl_host() -> str:
    """This machine's name, made safe for a file name."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "localhost"


def file_timestamp(when: dt.datetime) -> str:
    """17 digits: YYYYMMDDhhmmss plus milliseconds, UTC."""
    utc = when.astimezone(dt.UTC)
    return utc.strftime("%Y%m%d%H%M%S") + f"{utc.microsecond // 1000:03d}"


def warc_name(prefix: str, when: dt.datetime, serial: int, host: str) -> str:
    return f"{prefix}-{file_timestamp(when)}-{serial:05d}-{host}{SUFFIX}"


def serial_of(name: str) -> int | None:
    """The serial number in a conventional WARC name, or None for other names."""
    match = _NAME_RX.match(name)
    return int(match["serial"]) if match else None


def next_serial(warc_dir: Path, prefix: str) -> int:
    """One more than the highest serial of this prefix in the directory (0 when empty)."""
    serials = [
        s
        for p in warc_dir.glob(f"{prefix}-*{SUFFIX}")
        if (s := serial_of(p.name)) is not None
    ]
    return max(serials, default=-1) + 1


def closed_marker(warc_path: Path) -> Path:
    return warc_path.with_name(warc_path.name + CLOSED_SUFFIX)


def is_closed(warc_path: Path) -> bool:
    return closed_marker(warc_path).exists()
