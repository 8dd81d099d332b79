"""The run lock: one archive or check run at a time per data home.

A file lock (``HOME/run.lock``, ``flock`` through the filelock library): the operating
system releases it when the holder dies, even by SIGKILL, so a crash never leaves a stale
lock behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_NAME = "run.lock"


class RunLocked(Exception):
    """Another run holds the lock of this home."""


@contextmanager
def run_lock(home: Path, wait: float = 0) -> Iterator[Path]:
    """Hold the home's run lock for the duration of the block (``wait`` seconds at most to
    get it; ``RunLocked`` if another process keeps it)."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / LOCK_NAME
    lock = FileLock(str(path), timeout=wait)
    try:
        lock.acquire()
    except Timeout as exc:
        raise RunLocked(f"another sourcekeep run holds {path}") from exc
    try:
        yield path
    finally:
        lock.release()
