"""A per-host circuit breaker: stop knocking on a host that is not there.

When a host's name does not resolve or it refuses connections several times in a row in one
run, the rest of that host's requests in the run are not sent: each ends at once as a
network error of the same kind, saying why. A site that is down then costs a few polite
attempts instead of a download delay for every one of its cited URLs. Any HTTP answer from
the host resets its count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.capture import network_failure
from provenance.states import NetworkFailure

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

THRESHOLD_SETTING = "SOURCEKEEP_HOST_FAILURES"
DEFAULT_THRESHOLD = 3
# Failures that say the host itself is absent; timeouts and resets may be one slow page.
TRIPPING = frozenset({NetworkFailure.DNS, NetworkFailure.REFUSED})


class HostDown(Exception):
    """A request not sent because its host failed too often in a row this run."""

    def __init__(self, host: str, kind: NetworkFailure, failures: int, last_error: str) -> None:
        super().__init__(
            f"not sent: {host} failed {failures} times in a row this run ({kind.value}); "
            f"last: {last_error}"
        )
        self.host = host
        self.kind = kind


@dataclass
class _HostRecord:
    failures: int = 0
    kind: NetworkFailure | None = None
    last_error: str = ""


class HostBreakerMiddleware:
    """Downloader middleware; sits just outside the capture middleware."""

    def __init__(self, threshold: int = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self.hosts: dict[str, _HostRecord] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostBreakerMiddleware:
        return cls(crawler.settings.getint(THRESHOLD_SETTING, DEFAULT_THRESHOLD))

    @staticmethod
    def _host(request: Request) -> str:
        return (urlparse_cached(request).hostname or "").lower()

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        record = self.hosts.get(self._host(request))
        if self.threshold > 0 and record and record.kind and record.failures >= self.threshold:
            raise HostDown(self._host(request), record.kind, record.failures, record.last_error)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        self.hosts.pop(self._host(request), None)
        return response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        if isinstance(exception, HostDown):
            return None
        kind = network_failure(exception)
        record = self.hosts.setdefault(self._host(request), _HostRecord())
        if kind in TRIPPING:
            record.failures += 1
            record.kind = kind
            record.last_error = f"{type(exception).__name__}: {exception}"
        else:
            record.failures = 0
            record.kind = None
        return None
