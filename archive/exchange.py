"""What a crawler hands to the archive: one HTTP exchange and how it was fetched.

Header names and values are ``str`` decoded as ISO-8859-1 (latin-1), so every byte a server
sent round-trips unchanged into the WARC record; ``latin1_headers`` converts the byte pairs
an HTTP client gives. Headers keep their order and repetitions (two ``Set-Cookie`` stay two).

The response payload is the body as it came over the wire *after* the transfer coding was
removed (no chunk framing) but *before* any content coding was undone: a gzip or brotli body
stays compressed, with its ``Content-Encoding`` header. Because the chunk framing is gone,
the writer leaves the ``Transfer-Encoding`` header out of the stored response (a record that
announced chunks it does not contain would mislead every reader, pywb included) and notes the
removed header in the fetch's metadata record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

Header = tuple[str, str]


class Truncation(StrEnum):
    """Why a payload is shorter than what the server offered (``WARC-Truncated`` tokens)."""

    LENGTH = "length"  # over the configured size cap
    TIME = "time"  # over the configured time limit
    DISCONNECT = "disconnect"  # the connection ended early
    UNSPECIFIED = "unspecified"


def latin1_headers(pairs: Iterable[tuple[bytes | str, bytes | str]]) -> list[Header]:
    """Header pairs as ``str``, decoding bytes as latin-1 (lossless for any byte)."""
    out: list[Header] = []
    for name, value in pairs:
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        out.append((name, value))
    return out


def header_values(headers: Iterable[Header], name: str) -> list[str]:
    """All values of a header, case-insensitively, in order."""
    wanted = name.lower()
    return [v for n, v in headers if n.lower() == wanted]


@dataclass(frozen=True)
class HttpRequest:
    """The request as sent on the wire.

    ``target`` is the request-target of the request line: ``/path?query`` for a direct
    connection or a tunnel, the absolute URI when sent in clear to a forward proxy.
    """

    target: str
    headers: list[Header] = field(default_factory=list)
    method: str = "GET"
    version: str = "HTTP/1.1"
    body: bytes = b""


@dataclass(frozen=True)
class HttpResponse:
    """The response as received: real protocol, status and reason phrase, all headers."""

    status: int
    reason: str
    headers: list[Header] = field(default_factory=list)
    payload: bytes = b""  # transfer coding removed, content coding kept
    protocol: str = "HTTP/1.1"
    truncated: Truncation | None = None

    def header(self, name: str) -> str | None:
        """The first value of a header, or None."""
        values = header_values(self.headers, name)
        return values[0] if values else None

    @property
    def content_type(self) -> str | None:
        return self.header("Content-Type")


@dataclass(frozen=True)
class FetchInfo:
    """How the exchange was obtained; written as the fetch's ``metadata`` record."""

    crawler: str  # software and version, e.g. "sourcekeep/0.1.0 Scrapy/2.13.3"
    tls_sha256: str | None = None  # SHA-256 (hex) of the peer certificate (DER)
    tls_valid: bool | None = None  # whether the certificate chain and hostname validated
    tls_error: str | None = None  # why it did not validate
    redirect_chain: list[str] = field(default_factory=list)  # URLs before this one, in order
    timings: dict[str, float] = field(default_factory=dict)  # seconds, e.g. {"total": 0.41}
    proxy: str | None = None  # proxy URL used, credentials removed
    session: bool = False  # whether cookies or a logged-in session were sent
    via: str | None = None  # the URL this one was discovered from (a citation, a page)
    extra: dict[str, str] = field(default_factory=dict)  # further fields, written as is


@dataclass(frozen=True)
class HttpExchange:
    """One request and its response for one target URI, captured at ``warc_date``."""

    target_uri: str
    warc_date: dt.datetime  # when the capture began, timezone-aware
    request: HttpRequest
    response: HttpResponse
    fetch: FetchInfo
    ip_address: str | None = None  # the peer the request went to (the proxy's, if proxied)

    def __post_init__(self) -> None:
        if self.warc_date.tzinfo is None:
            raise ValueError("warc_date must be timezone-aware")


@dataclass(frozen=True)
class PriorCapture:
    """A response record already stored whose payload a new fetch repeats."""

    record_id: str  # WARC-Record-ID, with angle brackets
    target_uri: str
    warc_date: dt.datetime
    payload_digest: str
