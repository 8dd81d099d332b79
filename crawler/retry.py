"""Retries with backoff, honouring ``Retry-After``.

Scrapy's RetryMiddleware retries at once. This subclass waits first: the number of seconds
(or until the HTTP date) a 429 or 503 names in ``Retry-After``, otherwise an exponential
backoff (``SOURCEKEEP_RETRY_BACKOFF`` × 2^attempt). A ``Retry-After`` longer than
``SOURCEKEEP_RETRY_AFTER_MAX`` is not waited for: the response is kept as it is (the server
asked not to come back tonight). The wait runs on the event loop and holds no download slot,
so other hosts keep being fetched meanwhile.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

BACKOFF_SETTING = "SOURCEKEEP_RETRY_BACKOFF"
RETRY_AFTER_MAX_SETTING = "SOURCEKEEP_RETRY_AFTER_MAX"
WAITED_META = "sourcekeep_retry_waits"  # seconds waited before each retry, in order


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` value asks to wait (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff = settings.getfloat(BACKOFF_SETTING, 1.0)
        self.retry_after_max = settings.getfloat(RETRY_AFTER_MAX_SETTING, 120.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        mw = cls(crawler.settings)
        mw.crawler = crawler
        return mw

    def _backoff(self, request: Request) -> float:
        return self.backoff * (2 ** request.meta.get("retry_times", 0))

    async def _wait(self, request: Request, seconds: float) -> None:
        request.meta.setdefault(WAITED_META, []).append(round(seconds, 3))
        if seconds > 0:
            await asyncio.sleep(seconds)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        if request.meta.get("retry_times", 0) >= request.meta.get(
            "max_retry_times", self.max_retry_times
        ):
            return self._retry(request, response_status_message(response.status)) or response
        wait = None
        if response.status in (429, 503):
            header = response.headers.get(b"Retry-After")
            wait = retry_after_seconds(header.decode("latin-1") if header else None)
        if wait is not None and wait > self.retry_after_max:
            log.info("%s asks to retry after %.0f s: not waiting", request.url, wait)
            return response
        await self._wait(request, self._backoff(request) if wait is None else wait)
        return self._retry(request, response_status_message(response.status)) or response

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get(
            "dont_retry", False
        ):
            return None
        if request.meta.get("retry_times", 0) < request.meta.get(
            "max_retry_times", self.max_retry_times
        ):
            await self._wait(request, self._backoff(request))
        return self._retry(request, exception)
