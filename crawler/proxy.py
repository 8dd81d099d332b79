"""Proxies from the environment (``http_proxy``, ``https_proxy``, ``no_proxy``), decided once
per host.

Scrapy's ``HttpProxyMiddleware`` asks ``urllib.request.proxy_bypass`` for every request,
which re-reads and decodes the whole process environment each time; on a large crawl that was
~3% of the reactor thread. The environment does not change during a crawl, so
:class:`EnvProxyMiddleware` remembers the answer per host name. Everything else (a proxy in
``request.meta["proxy"]``, credentials in the proxy URL, the scheme-proxy marker that redirects
look at) is Scrapy's own behaviour, unchanged.
"""

from __future__ import annotations

from urllib.request import proxy_bypass

from scrapy import Request
from scrapy.downloadermiddlewares.httpproxy import HttpProxyMiddleware
from scrapy.utils.httpobj import urlparse_cached


class EnvProxyMiddleware(HttpProxyMiddleware):
    """``HttpProxyMiddleware`` with the ``no_proxy`` decision cached per host name."""

    def __init__(self, auth_encoding: str | None = "latin-1") -> None:
        super().__init__(auth_encoding)
        self._bypass: dict[str, bool] = {}

    def bypassed(self, hostname: str) -> bool:
        """Whether ``no_proxy`` exempts the host (asked once per host name)."""
        known = self._bypass.get(hostname)
        if known is None:
            known = self._bypass[hostname] = bool(proxy_bypass(hostname))
        return known

    def process_request(self, request: Request) -> None:  # type: ignore[override]
        if "proxy" in request.meta or not self.proxies:
            return super().process_request(request)
        creds, proxy_url, scheme = None, None, None
        parsed = urlparse_cached(request)
        if (
            parsed.scheme not in {"http", "https"}
            or (parsed.hostname and not self.bypassed(parsed.hostname))
        ) and parsed.scheme in self.proxies:
            scheme = parsed.scheme
            creds, proxy_url = self.proxies[scheme]
        self._set_proxy_and_creds(request, proxy_url, creds, scheme)
        return None
