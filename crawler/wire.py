"""Scrapy's HTTP/1.1 download handler, extended to keep what crossed the wire.

Scrapy keeps the status code, the headers (grouped and re-cased by Twisted) and the body.
An archive needs more: the status line with its real reason phrase, the header lines
exactly as the server sent them (order, case, repeats), the request head exactly as sent,
and what the TLS peer presented. This module subclasses the handler, its agent, the Twisted
protocol and its parser minimally to carry those along, as a :class:`Wire` in
``request.meta[WIRE_META]`` of the request that was downloaded.

Enable it with ``DOWNLOAD_HANDLERS = {"http": ..., "https": ...}`` naming
:class:`WireDownloadHandler`. The size cap is not enforced here (see ``crawler.capture``):
Scrapy's own cap would cancel a download and drop what arrived.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from time import monotonic
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _LenientHTTPClientParser,
    _ScrapyAgent,
)
from scrapy.http import Response
from scrapy.utils._download_handlers import wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.web._newclient import HEADER, STATUS

from crawler.tls import TlsInfo, TrustStore, ssl_connection_of
from provenance.models import utcnow

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.web._newclient import Request as TxRequest
    from twisted.web.client import Response as TxResponse
    from twisted.web.iweb import IResponse

WIRE_META = "sourcekeep_wire"
STARTED_META = "sourcekeep_started"  # (UTC datetime, monotonic time) the download began
CA_BUNDLE_SETTING = "SOURCEKEEP_CA_BUNDLE"


@dataclass
class Wire:
    """What one download looked like on the wire, besides the body Scrapy keeps."""

    request_head: bytes  # request line and header lines exactly as sent, ending CRLF CRLF
    response_head: bytes  # status line and header lines exactly as received
    reason: str  # the reason phrase of the status line
    tls: TlsInfo | None  # None for plain HTTP


class _TeeTransport:
    """Forwards writes to a transport and keeps a copy of the bytes."""

    def __init__(self, transport: Any, sink: bytearray) -> None:
        self._transport = transport
        self._sink = sink

    def write(self, data: bytes) -> None:
        self._sink += data
        self._transport.write(data)

    def writeSequence(self, seq: Iterable[bytes]) -> None:  # noqa: N802 (Twisted's name)
        seq = list(seq)
        for data in seq:
            self._sink += data
        self._transport.writeSequence(seq)


class _RecordingParser(_LenientHTTPClientParser):
    """The lenient parser, also keeping the raw status and header lines of the response."""

    def lineReceived(self, line: bytes) -> None:  # noqa: N802 (Twisted's name)
        if self.state in (STATUS, HEADER):
            raw = self.__dict__.setdefault("_sk_head", bytearray())
            raw += line + b"\n"  # the line arrives without its LF delimiter, CR kept
        super().lineReceived(line)

    def allHeadersReceived(self) -> None:  # noqa: N802 (Twisted's name)
        response = self.response
        response._sk_head = bytes(self.__dict__.pop("_sk_head", b""))
        super().allHeadersReceived()


class _WireProtocol(_LenientHTTP11ClientProtocol):
    """Records the request head as written and hands the raw response head along."""

    _sk_tls: TlsInfo | None = None
    _sk_tls_known = False

    def request(self, request: TxRequest) -> Deferred[IResponse]:
        sent = bytearray()
        write_headers = request._writeHeaders

        def recording_write_headers(transport: Any, te_or_cl: bytes | None) -> None:
            write_headers(_TeeTransport(transport, sent), te_or_cl)

        request._writeHeaders = recording_write_headers  # type: ignore[method-assign]
        d: Deferred[IResponse] = super().request(request)
        # the parent installed the lenient parser; ours also keeps the raw head
        assert self._parser is not None
        self._parser.__class__ = _RecordingParser

        def attach(response: IResponse) -> IResponse:
            response._sk_request_head = bytes(sent)  # type: ignore[attr-defined]
            response._sk_protocol = self  # type: ignore[attr-defined]
            return response

        d.addCallback(attach)
        return d

    def tls_info(self, trust: TrustStore, hostname: str) -> TlsInfo | None:
        """The TLS assessment of this connection, computed once."""
        if not self._sk_tls_known:
            connection = ssl_connection_of(self.transport)
            self._sk_tls = trust.assess(connection, hostname) if connection else None
            self._sk_tls_known = True
        return self._sk_tls


class _WireClientFactory(_LenientHTTP11ClientFactory):
    def buildProtocol(self, addr: Any) -> _WireProtocol:  # noqa: N802 (Twisted's name)
        return _WireProtocol(self._quiescentCallback)


class _WireAgent(_ScrapyAgent):
    def __init__(self, *, trust: TrustStore, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._trust = trust

    def _cb_bodyready(self, txresponse: TxResponse, request: Request) -> Any:
        protocol: _WireProtocol | None = getattr(txresponse, "_sk_protocol", None)
        hostname = urlparse_cached(request).hostname or ""
        tls = protocol.tls_info(self._trust, hostname) if protocol is not None else None
        request.meta[WIRE_META] = Wire(
            request_head=getattr(txresponse, "_sk_request_head", b""),
            response_head=getattr(txresponse, "_sk_head", b""),
            reason=txresponse.phrase.decode("latin-1"),
            tls=tls,
        )
        return super()._cb_bodyready(txresponse, request)


class WireDownloadHandler(HTTP11DownloadHandler):
    """HTTP/1.1 download handler that records the wire details of every download."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pool._factory = _WireClientFactory
        self._trust = TrustStore(crawler.settings.get(CA_BUNDLE_SETTING) or None)
        # the capture middleware enforces the size cap and keeps what arrived
        self._default_maxsize = 0

    async def download_request(self, request: Request) -> Response:
        request.meta.pop(WIRE_META, None)
        request.meta[STARTED_META] = (utcnow(), monotonic())
        agent = _WireAgent(
            trust=self._trust,
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        with wrap_twisted_exceptions():
            return await maybe_deferred_to_future(agent.download_request(request))
