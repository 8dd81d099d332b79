"""HTTP/1.1 messages at the byte level: parsing requests, building response header blocks."""

from __future__ import annotations

import asyncio
import email.utils
import http
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

MAX_HEAD = 64 * 1024


class BadRequest(Exception):
    """The client sent something that is not an HTTP/1.x request."""


@dataclass
class Request:
    """One request as received: method, the absolute URL it was for, and headers as sent."""

    method: str
    target: str  # the request-target exactly as on the request line
    version: str  # "HTTP/1.1"
    headers: list[tuple[str, str]]
    body: bytes = b""
    url: str = ""  # absolute URL (scheme://host[:port]/path?query), filled by the server
    tunnel: str | None = None  # "host:port" of the CONNECT tunnel it came through
    received_at: float = 0.0

    def header(self, name: str, default: str | None = None) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return default

    def header_all(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self.headers if k.lower() == lname]

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    @property
    def target_path(self) -> str:
        """Path and query of the URL (origin-form)."""
        parts = urlsplit(self.url)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.url).query, keep_blank_values=True)

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def cookies(self) -> dict[str, str]:
        jar: dict[str, str] = {}
        for line in self.header_all("Cookie"):
            for part in line.split(";"):
                name, sep, value = part.strip().partition("=")
                if sep:
                    jar[name] = value
        return jar

    @property
    def keep_alive(self) -> bool:
        tokens = {t.strip().lower() for t in (self.header("Connection") or "").split(",")}
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens


@dataclass
class Response:
    """What to send. The server adds Date, Content-Length or chunking, and Connection.

    Behaviours beyond a plain answer: ``chunks`` sends the body with chunked transfer coding in
    pieces of these sizes; ``reset_after`` sends that many body bytes and then resets the TCP
    connection; ``drip`` sends ``(n_bytes, pause_seconds)`` at a time; ``stall`` waits that many
    seconds before sending anything and then closes; ``close`` ends the connection after it.
    """

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    reason: str | None = None
    chunks: list[int] | None = None
    reset_after: int | None = None
    drip: tuple[int, float] | None = None
    stall: float | None = None
    close: bool = False

    @property
    def reason_phrase(self) -> str:
        if self.reason is not None:
            return self.reason
        try:
            return http.HTTPStatus(self.status).phrase
        except ValueError:
            return "Unknown"

    def has_header(self, name: str) -> bool:
        lname = name.lower()
        return any(k.lower() == lname for k, _ in self.headers)


def http_date(timestamp: float | None = None) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)


def head_block(version: str, status: int, reason: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"{version} {status} {reason}"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def chunk_frames(body: bytes, sizes: list[int]) -> list[bytes]:
    """Chunked transfer coding of ``body`` cut in ``sizes`` (the last size repeats)."""
    frames: list[bytes] = []
    pos, i = 0, 0
    while pos < len(body):
        size = sizes[min(i, len(sizes) - 1)]
        piece = body[pos : pos + size]
        frames.append(b"%x\r\n" % len(piece) + piece + b"\r\n")
        pos += len(piece)
        i += 1
    frames.append(b"0\r\n\r\n")
    return frames


async def read_head(reader: asyncio.StreamReader) -> tuple[str, str, str, list[tuple[str, str]]]:
    """Read a request line and header block; raises EOFError on a clean end of connection."""
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            raise EOFError from exc
        raise BadRequest("incomplete request head") from exc
    except asyncio.LimitOverrunError as exc:
        raise BadRequest("request head too large") from exc
    text = raw.decode("latin-1")
    lines = text.split("\r\n")
    while lines and not lines[0]:
        lines.pop(0)  # tolerate stray CRLF between requests (RFC 9112 section 2.2)
    if not lines:
        raise EOFError
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(f"bad request line {lines[0]!r}")
    method, target, version = parts
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(f"bad header line {line!r}")
        headers.append((name, value.strip()))
    return method, target, version, headers


async def read_body(reader: asyncio.StreamReader, headers: list[tuple[str, str]]) -> bytes:
    """The request body (Content-Length or chunked); empty when there is none."""
    values = {k.lower(): v for k, v in headers}
    if "chunked" in values.get("transfer-encoding", "").lower():
        out = bytearray()
        while True:
            size_line = await reader.readuntil(b"\r\n")
            try:
                size = int(size_line.split(b";")[0].strip(), 16)
            except ValueError as exc:
                raise BadRequest("bad chunk size") from exc
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass  # trailer fields
                return bytes(out)
            out += await reader.readexactly(size)
            await reader.readexactly(2)
    length = values.get("content-length")
    if length is None:
        return b""
    try:
        n = int(length)
    except ValueError as exc:
        raise BadRequest("bad Content-Length") from exc
    return await reader.readexactly(n)
