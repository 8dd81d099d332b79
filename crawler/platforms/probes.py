"""The per-host soft-404 probe, asked once per host per run and remembered for the run.

The first source of a host checked in a run carries a probe companion (``Role.PROBE``,
not archived): a URL in the same directory that surely does not exist. Its answer is kept
here, keyed by host, for every later source of that host. A caller that must not judge a
source before its host's probe answered asks :meth:`HostProbes.pending` and waits (the
check run defers such sources until the probe's source has been observed).
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

from crawler.platforms.base import Companion
from crawler.platforms.common import selector, visible_text
from crawler.results import FetchedExchange, Role
from provenance.soft404 import ProbeResult, probe_url


def host_key(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def fingerprint(exchange: FetchedExchange) -> str | None:
    """Simhash of the page's visible text (menus included: the probe compares whole pages)."""
    from trafilatura.deduplication import Simhash  # heavy: loaded on first use
    text = visible_text(selector(exchange))
    return Simhash(text).to_hex() if text else None


class HostProbes:
    def __init__(self) -> None:
        self.enabled = False
        self._lock = threading.Lock()
        self._requested: set[str] = set()
        self._results: dict[str, ProbeResult] = {}

    def start_run(self, enabled: bool = True) -> None:
        """Forget the previous run's probes; ``enabled`` False sends none (archive runs)."""
        with self._lock:
            self.enabled = enabled
            self._requested.clear()
            self._results.clear()

    def companion_for(self, url: str) -> Companion | None:
        host = host_key(url)
        if not self.enabled or not host:
            return None
        with self._lock:
            if host in self._requested:
                return None
            self._requested.add(host)
        return Companion(probe_url(url), Role.PROBE, archive=False)

    def record(self, exchange: FetchedExchange) -> ProbeResult:
        result = ProbeResult(
            host=host_key(exchange.requested_url),
            url=exchange.requested_url,
            status=exchange.status,
            final_url=exchange.final_url,
            fingerprint=fingerprint(exchange) if exchange.body else None,
        )
        with self._lock:
            self._results[result.host] = result
        return result

    def pending(self, url: str) -> bool:
        """Whether the host's probe was asked for in this run and has not been answered."""
        host = host_key(url)
        with self._lock:
            return host in self._requested and host not in self._results

    def result(self, url: str) -> ProbeResult | None:
        with self._lock:
            return self._results.get(host_key(url))


PROBES = HostProbes()
