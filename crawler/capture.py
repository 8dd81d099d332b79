"""Seeing every download as it came over the wire: a downloader middleware next to the
downloader.

Scrapy decompresses bodies (HttpCompressionMiddleware, 590), follows redirects
(RedirectMiddleware, 600) and retries (RetryMiddleware, 550) on the way back from the
downloader. :class:`CaptureMiddleware` sits at 950, closer to the downloader than all of
them, so it sees each hop of a redirect chain and each retried attempt with its raw payload
(still content-encoded). It turns each into a :class:`Hop` and appends it to the list in
``request.meta[HOPS_META]``; that list is shared by all requests derived from the first one
(redirects and retries copy the meta dict, not the list), so the spider finds the whole chain
there when it ends.

The size cap (``SOURCEKEEP_MAX_SIZE``, bytes of payload as received) is enforced here, from
the ``bytes_received`` signal: the download stops and what arrived is kept, cut at the cap,
and marked truncated (``WARC-Truncated: length``). Scrapy's own ``DOWNLOAD_MAXSIZE`` would
cancel the download and keep nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from time import monotonic
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from OpenSSL.SSL import Error as TlsError
from scrapy import Request, signals
from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
    StopDownload,
)
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import ConnectionLost, DNSLookupError
from twisted.internet.error import ConnectionRefusedError as TxConnectionRefusedError
from twisted.internet.error import TimeoutError as TxTimeoutError
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from archive.exchange import HttpRequest, HttpResponse, Truncation, latin1_headers
from crawler.heads import HeadError, parse_request_head, parse_response_head, redact
from crawler.tls import TlsInfo
from crawler.wire import STARTED_META, WIRE_META, Wire
from provenance.states import FetchOutcome, NetworkFailure

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

HOPS_META = "sourcekeep_hops"
MAX_SIZE_SETTING = "SOURCEKEEP_MAX_SIZE"
_RECEIVED = "sourcekeep_received"
_CAPPED = "sourcekeep_capped"


@dataclass
class Hop:
    """One download attempt: a hop of a redirect chain, or one try of a retried request."""

    url: str
    started_at: dt.datetime
    elapsed: float  # seconds from the start of the download to its end
    latency: float | None  # seconds to the response head
    request: HttpRequest | None  # as sent, credentials redacted; None if never sent
    response: HttpResponse | None  # None when no response came (network error, timeout)
    ip_address: str | None = None
    tls: TlsInfo | None = None
    session: bool = False  # a Cookie or Authorization header was sent
    proxy: str | None = None
    failure: FetchOutcome | None = None  # TIMEOUT or NETWORK_ERROR when there is no response
    network_failure: NetworkFailure | None = None  # why, by the exception's type
    error: str | None = None

    @property
    def status(self) -> int | None:
        return self.response.status if self.response else None

    @property
    def is_redirect(self) -> bool:
        return (
            self.response is not None
            and 300 <= self.response.status < 400
            and self.response.header("Location") is not None
        )


def _timeout(exc: BaseException) -> bool:
    return isinstance(exc, DownloadTimeoutError | TxTimeoutError | TimeoutError)


_ExcTypes = type[BaseException] | tuple[type[BaseException], ...]
_FAILURE_TYPES: tuple[tuple[_ExcTypes, NetworkFailure], ...] = (
    ((DNSLookupError, CannotResolveHostError), NetworkFailure.DNS),
    ((TxConnectionRefusedError, DownloadConnectionRefusedError), NetworkFailure.REFUSED),
    (TunnelError, NetworkFailure.PROXY),
    (TlsError, NetworkFailure.TLS),
    ((ConnectionLost, ResponseDataLossError), NetworkFailure.RESET),
)


def network_failure(exc: BaseException) -> NetworkFailure:
    """Classify a download exception by its type (and the types of the failures it wraps)."""
    if _timeout(exc):
        return NetworkFailure.TIMEOUT
    for types, kind in _FAILURE_TYPES:
        if isinstance(exc, types):
            return kind
    if isinstance(exc, ResponseFailed | ResponseNeverReceived):
        kinds = {network_failure(reason.value) for reason in exc.reasons}
        for kind in (NetworkFailure.TLS, NetworkFailure.RESET):
            if kind in kinds:
                return kind
        return kinds.pop() if len(kinds) == 1 else NetworkFailure.RESET
    cause = exc.__cause__
    if isinstance(exc, DownloadFailedError) and cause is not None:
        return network_failure(cause)
    return NetworkFailure.OTHER


def _public_proxy(proxy: str | None) -> str | None:
    """The proxy URL without credentials."""
    if not proxy:
        return None
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _scrapy_head(request: Request) -> HttpRequest:
    """The request head reconstructed from Scrapy's request (when the wire gave none)."""
    headers = []
    for name, values in request.headers.items():
        headers.extend((name, v) for v in values)
    parsed = urlparse_cached(request)
    target = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
    redacted, _ = redact(latin1_headers(headers))
    return HttpRequest(target=target, headers=redacted, method=request.method)


class CaptureMiddleware:
    """Records every download (each hop and each retry) with its raw payload."""

    def __init__(self, crawler: Crawler) -> None:
        self.max_size = crawler.settings.getint(MAX_SIZE_SETTING, 0)
        crawler.signals.connect(self._bytes_received, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        request.meta[_RECEIVED] = 0
        request.meta.pop(_CAPPED, None)
        return None

    def _bytes_received(self, data: bytes, request: Request, **_: Any) -> None:
        received = request.meta.get(_RECEIVED, 0) + len(data)
        request.meta[_RECEIVED] = received
        if self.max_size and received > self.max_size:
            request.meta[_CAPPED] = True
            raise StopDownload(fail=False)

    def process_response(self, request: Request, response: Response) -> Response:
        started = request.meta.pop(STARTED_META, None)
        wire: Wire | None = request.meta.pop(WIRE_META, None)
        if started is None:  # not downloaded by the wire handler (nothing to record)
            return response
        started_at, t0 = started
        payload = response.body
        truncated = None
        if request.meta.pop(_CAPPED, False) or (self.max_size and len(payload) > self.max_size):
            payload = payload[: self.max_size]
            truncated = Truncation.LENGTH
            response = response.replace(body=payload)
        http_response = self._http_response(response, wire, payload, truncated)
        http_request, session = self._http_request(request, wire)
        hop = Hop(
            url=response.url,
            started_at=started_at,
            elapsed=_elapsed(t0),
            latency=request.meta.get("download_latency"),
            request=http_request,
            response=http_response,
            ip_address=str(response.ip_address) if response.ip_address else None,
            tls=wire.tls if wire else None,
            session=session,
            proxy=_public_proxy(request.meta.get("proxy")),
        )
        self._append(request, hop)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        started = request.meta.pop(STARTED_META, None)
        request.meta.pop(WIRE_META, None)
        if started is None:  # refused or dropped before it reached the network
            return None
        started_at, t0 = started
        failure = FetchOutcome.TIMEOUT if _timeout(exception) else FetchOutcome.NETWORK_ERROR
        message = str(exception) or type(exception).__name__
        hop = Hop(
            url=request.url,
            started_at=started_at,
            elapsed=_elapsed(t0),
            latency=request.meta.get("download_latency"),
            request=None,
            response=None,
            proxy=_public_proxy(request.meta.get("proxy")),
            failure=failure,
            network_failure=network_failure(exception),
            error=f"{type(exception).__name__}: {message}",
        )
        self._append(request, hop)
        return None

    @staticmethod
    def _append(request: Request, hop: Hop) -> None:
        hops = request.meta.get(HOPS_META)
        if hops is not None:
            hops.append(hop)

    @staticmethod
    def _http_request(request: Request, wire: Wire | None) -> tuple[HttpRequest, bool]:
        if wire and wire.request_head:
            try:
                return parse_request_head(wire.request_head)
            except HeadError as exc:
                log.warning("unparsable request head for %s: %s", request.url, exc)
        head = _scrapy_head(request)
        session = request.headers.get(b"Cookie") is not None
        return head, session

    @staticmethod
    def _http_response(
        response: Response, wire: Wire | None, payload: bytes, truncated: Truncation | None
    ) -> HttpResponse:
        if wire and wire.response_head:
            try:
                protocol, status, reason, headers = parse_response_head(wire.response_head)
                return HttpResponse(
                    status=status,
                    reason=reason,
                    headers=headers,
                    payload=payload,
                    protocol=protocol,
                    truncated=truncated,
                )
            except HeadError as exc:
                log.warning("unparsable response head for %s: %s", response.url, exc)
        pairs = [(name, v) for name, values in response.headers.items() for v in values]
        return HttpResponse(
            status=response.status,
            reason=wire.reason if wire else "",
            headers=latin1_headers(pairs),
            payload=payload,
            protocol=response.protocol or "HTTP/1.1",
            truncated=truncated,
        )


def _elapsed(t0: float) -> float:
    return monotonic() - t0
