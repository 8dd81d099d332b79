"""Running the validators: ``warcio check`` and a pywb ``wayback`` on a loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PYWB_VENV = REPO / ".validators" / "pywb"
WAYBACK = PYWB_VENV / "bin" / "wayback"
CDX_INDEXER = PYWB_VENV / "bin" / "cdx-indexer"
WARCIO = Path(sys.executable).parent / "warcio"


def require(tool: Path) -> None:
    """Skip when a validator is missing, unless in CI where that is a failure."""
    if tool.exists():
        return
    message = f"{tool} is missing: run tests/validators/install.sh"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def warcio_check(paths: Sequence[Path]) -> subprocess.CompletedProcess[str]:
    require(WARCIO)
    return subprocess.run(
        [str(WARCIO), "check", "-v", *map(str, paths)], capture_output=True, text=True
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Wayback:
    base: str
    collection: str

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        """GET without any proxy (the environment's http_proxy must not apply to loopback)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        req = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with opener.open(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def replay(self, timestamp: str, url: str, **headers: str) -> tuple[int, dict, bytes]:
        return self.get(f"/{self.collection}/{timestamp}id_/{url}", headers or None)


@contextmanager
def wayback(root: Path, collection: str) -> Iterator[Wayback]:
    """pywb serving ``root/collections/<collection>`` on a free loopback port."""
    require(WAYBACK)
    port = free_port()
    log = open(root / "wayback.log", "wb")
    proc = subprocess.Popen(
        [str(WAYBACK), "-p", str(port), "-b", "127.0.0.1"], cwd=root, stdout=log, stderr=log
    )
    server = Wayback(f"http://127.0.0.1:{port}", collection)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError((root / "wayback.log").read_text(errors="replace"))
            try:
                server.get("/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def pywb_cdxj(warc: Path) -> list[str]:
    """pywb's own CDXJ index of a WARC file."""
    require(CDX_INDEXER)
    out = subprocess.run(
        [str(CDX_INDEXER), "--cdxj", "--sort", warc.name],
        cwd=warc.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in out.stdout.splitlines() if line.strip()]
