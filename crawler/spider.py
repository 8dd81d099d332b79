"""The spider: fetch each source's cited URL and the companions its platform adapter asks for.

For every source the spider requests the page and ``adapter_for(url).companions(url)``;
when the page or an embed has arrived it asks ``adapter.media(exchange, fetch)`` for media to
download too (the embed usually carries the post's photos and video, and may arrive after the
page). A URL is requested at most once per source.
Each request ends (callback or errback) as one :class:`FetchResult` holding every hop and
retry the capture middleware saw. When the last request of a source has ended, the spider
emits one :class:`SourceItem` with all of them; the pipeline stores it and hands the
``SourceFetch`` to the per-source hook.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.cookiejar import MozillaCookieJar
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.breaker import HostDown
from crawler.capture import HOPS_META, Hop
from crawler.cookies import SESSION_META
from crawler.platforms import adapter_for
from crawler.platforms.base import Adapter, Companion
from crawler.policy import RefusedURL, static_refusal
from crawler.results import FetchedExchange, Role, SourceFetch
from provenance.models import utcnow
from provenance.states import FetchOutcome

log = logging.getLogger(__name__)

_SOURCE = "sourcekeep_source"
_ROLE = "sourcekeep_role"
_ARCHIVE = "sourcekeep_archive"
_REQUESTED = "sourcekeep_requested"
_MEDIA_FROM = (Role.PAGE, Role.EMBED)  # answers that may name the post's media


@dataclass(frozen=True)
class Target:
    """A source to capture."""

    source_id: int
    url: str


@dataclass
class FetchResult:
    """One URL fetched for a source: its hops in order, and the crawler's summary."""

    role: Role
    archive: bool  # False: fetched as evidence only (a probe); not stored as a capture
    hops: list[Hop]
    exchange: FetchedExchange

    @property
    def final_hop(self) -> Hop | None:
        return self.hops[-1] if self.hops else None


@dataclass
class SourceItem:
    """Everything fetched for one source in this run."""

    target: Target
    results: list[FetchResult] = field(default_factory=list)

    def source_fetch(self) -> SourceFetch:
        return SourceFetch(
            source_id=self.target.source_id,
            url=self.target.url,
            exchanges=[r.exchange for r in self.results],
        )


@dataclass
class _Pending:
    item: SourceItem
    adapter: Adapter
    open: int = 0
    requested: set[str] = field(default_factory=set)  # URLs asked for (each fetched once)


def outcome_of(hop: Hop | None) -> FetchOutcome:
    """The outcome a final hop stands for (before revisit detection)."""
    if hop is None:
        return FetchOutcome.NETWORK_ERROR
    if hop.response is None:
        return hop.failure or FetchOutcome.NETWORK_ERROR
    if hop.response.status >= 400:
        return FetchOutcome.HTTP_ERROR
    if hop.response.truncated is not None:
        return FetchOutcome.TRUNCATED
    return FetchOutcome.CAPTURED


def redirect_chain(hops: list[Hop]) -> list[str]:
    """URLs of the redirect hops before the final one (retried attempts left out)."""
    return [h.url for h in hops[:-1] if h.is_redirect]


class SourceSpider(scrapy.Spider):
    name = "sourcekeep"

    def __init__(
        self,
        targets: list[Target],
        *,
        proxy: str | None = None,
        allow_private: bool = False,
        sink: Any = None,
        session: MozillaCookieJar | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.targets = targets
        self.sink = sink  # where the pipeline stores items (crawler.pipeline.Sink)
        # cookies.txt session, sent by crawler.cookies.SessionCookiesMiddleware
        self.session = session
        self.proxy = proxy
        self.allow_private = allow_private
        self._pending: dict[int, _Pending] = {}

    async def start(self) -> AsyncIterator[Any]:
        for target in self.targets:
            adapter = adapter_for(target.url)
            pending = _Pending(SourceItem(target), adapter)
            self._pending[target.source_id] = pending
            wanted = [Companion(target.url, Role.PAGE), *adapter.companions(target.url)]
            for output in self._fetch_all(pending, wanted):
                yield output

    # -- requests -------------------------------------------------------------------

    def _fetch_all(self, pending: _Pending, wanted: list[Companion]) -> Iterator[Any]:
        """Requests for the wanted URLs not yet asked for; refused ones end at once (and may
        end the source)."""
        fresh: list[Companion] = []
        for companion in wanted:
            if companion.url not in pending.requested:
                pending.requested.add(companion.url)
                fresh.append(companion)
        wanted = fresh
        pending.open += len(wanted)
        for companion in wanted:
            reason = static_refusal(companion.url, allow_private=self.allow_private)
            if reason is None:
                yield self._request(pending, companion)
            else:
                exchange = FetchedExchange(
                    role=companion.role,
                    requested_url=companion.url,
                    final_url=None,
                    outcome=FetchOutcome.REFUSED,
                    error=f"refused: {reason}",
                    started_at=utcnow(),
                )
                yield from self._ended(
                    pending, FetchResult(companion.role, companion.archive, [], exchange)
                )

    def _request(self, pending: _Pending, companion: Companion) -> scrapy.Request:
        meta: dict[str, Any] = {
            _SOURCE: pending.item.target.source_id,
            _ROLE: companion.role,
            _ARCHIVE: companion.archive,
            _REQUESTED: companion.url,
            HOPS_META: [],
            "cookiejar": pending.item.target.source_id,
        }
        if self.proxy:
            meta["proxy"] = self.proxy
        return scrapy.Request(
            companion.url,
            callback=self._on_response,
            errback=self._on_failure,
            meta=meta,
            dont_filter=True,
        )

    # -- ends of requests -----------------------------------------------------------

    def _on_response(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        hops: list[Hop] = meta[HOPS_META]
        final = hops[-1] if hops else None
        exchange = self._exchange(meta, hops, outcome_of(final))
        exchange.final_url = response.url
        exchange.body = response.body  # content coding undone by Scrapy
        exchange.session_used = bool(meta.get(SESSION_META))
        yield from self._ended(
            self._pending[meta[_SOURCE]], FetchResult(meta[_ROLE], meta[_ARCHIVE], hops, exchange)
        )

    def _on_failure(self, failure: Failure) -> Iterator[Any]:
        request: scrapy.Request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        hops: list[Hop] = meta[HOPS_META]
        final = hops[-1] if hops else None
        exc = failure.value
        if isinstance(exc, RefusedURL):
            outcome, error = FetchOutcome.REFUSED, f"refused: {exc}"
        elif final is not None and final.response is not None and final.is_redirect:
            outcome, error = FetchOutcome.HTTP_ERROR, f"redirects not followed to the end: {exc}"
        elif final is not None and final.response is None:
            outcome, error = outcome_of(final), final.error
        elif isinstance(exc, IgnoreRequest) and final is not None:
            outcome, error = outcome_of(final), str(exc)
        elif isinstance(exc, HostDown):
            outcome, error = FetchOutcome.NETWORK_ERROR, str(exc)
        else:
            outcome, error = FetchOutcome.NETWORK_ERROR, f"{type(exc).__name__}: {exc}"
        exchange = self._exchange(meta, hops, outcome)
        exchange.error = error
        if isinstance(exc, HostDown):
            exchange.network_failure = exc.kind
        exchange.session_used = bool(meta.get(SESSION_META))
        if final is not None and final.response is not None and not final.is_redirect:
            exchange.body = final.response.payload
        yield from self._ended(
            self._pending[meta[_SOURCE]], FetchResult(meta[_ROLE], meta[_ARCHIVE], hops, exchange)
        )

    @staticmethod
    def _exchange(meta: dict[str, Any], hops: list[Hop], outcome: FetchOutcome) -> FetchedExchange:
        final = hops[-1] if hops else None
        response = final.response if final else None
        return FetchedExchange(
            role=meta[_ROLE],
            requested_url=meta[_REQUESTED],
            final_url=final.url if final else None,
            outcome=outcome,
            status=response.status if response else None,
            reason=response.reason if response else None,
            headers=list(response.headers) if response else [],
            redirects=redirect_chain(hops),
            error=final.error if final else None,
            network_failure=final.network_failure if final else None,
            started_at=hops[0].started_at if hops else utcnow(),
        )

    def _ended(self, pending: _Pending, result: FetchResult) -> Iterator[Any]:
        pending.item.results.append(result)
        pending.open -= 1
        if result.role in _MEDIA_FROM and result.exchange.status is not None:
            media = pending.adapter.media(result.exchange, pending.item.source_fetch())
            yield from self._fetch_all(pending, media)
        if pending.open == 0:
            del self._pending[pending.item.target.source_id]
            yield pending.item
