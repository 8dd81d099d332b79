"""What the fixture web received and sent, kept for tests to assert on (thread-safe)."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from tests.fixtureweb.protocol import Request


def url_key(url: str) -> str:
    """The identity of a URL for stages, counters and look-ups: scheme and fragment ignored,
    host lower-cased, default port dropped, empty path as ``/``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    return urlunsplit(("", netloc, parts.path or "/", parts.query, ""))


@dataclass
class SentResponse:
    """One response exactly as sent: the raw header block and the payload (entity body as sent,
    still content-encoded, without chunk framing). ``complete`` is False when the connection was
    reset, dripped or cut before the whole body went out."""

    url: str
    status: int
    reason: str
    head: bytes
    payload: bytes
    complete: bool
    chunked: bool
    request: Request

    @property
    def headers(self) -> list[tuple[str, str]]:
        lines = self.head.decode("latin-1").split("\r\n")[1:]
        return [(k, v.strip()) for k, _, v in (line.partition(":") for line in lines if line)]

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def payload_sha256(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()


@dataclass
class Connect:
    """One CONNECT tunnel: the target asked for and the SNI name the client sent."""

    target: str
    status: int
    sni: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


class Recorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[Request] = []
        self._responses: list[SentResponse] = []
        self._connects: list[Connect] = []

    def request(self, req: Request) -> None:
        with self._lock:
            self._requests.append(req)

    def response(self, sent: SentResponse) -> None:
        with self._lock:
            self._responses.append(sent)

    def connect(self, connect: Connect) -> None:
        with self._lock:
            self._connects.append(connect)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._responses.clear()
            self._connects.clear()

    def requests(self, url: str | None = None) -> list[Request]:
        with self._lock:
            items = list(self._requests)
        if url is None:
            return items
        key = url_key(url)
        return [r for r in items if url_key(r.url) == key]

    def responses(self, url: str | None = None) -> list[SentResponse]:
        with self._lock:
            items = list(self._responses)
        if url is None:
            return items
        key = url_key(url)
        return [r for r in items if url_key(r.url) == key]

    def connects(self) -> list[Connect]:
        with self._lock:
            return list(self._connects)
