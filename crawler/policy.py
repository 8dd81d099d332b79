"""Which URLs sourcekeep may fetch: http(s) only, and never the inside of a network (SSRF).

A chronicle is someone else's document; its URLs must not make sourcekeep fetch
``http://169.254.169.254/`` (cloud metadata), ``http://localhost:5432/`` or a router's admin
page. Refused: schemes other than http and https, hosts that are or resolve to loopback,
private, link-local, shared, reserved or otherwise non-global addresses, and obviously
internal names (``localhost``, single-label names, ``.local``, ``.internal``, ...).

Through a proxy, name resolution is the proxy's job: the host may not resolve here at all,
so only literal addresses and internal names are refused. Without a proxy the host is
resolved (asynchronously) and every address it resolves to must be global.
``SOURCEKEEP_ALLOW_PRIVATE=1`` (setting ``SOURCEKEEP_ALLOW_PRIVATE``) lifts the address rules;
the scheme rule always holds. Every request passes the check, redirect targets included.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

ALLOW_PRIVATE_SETTING = "SOURCEKEEP_ALLOW_PRIVATE"
SCHEMES = frozenset({"http", "https"})
INTERNAL_NAMES = frozenset({"localhost", "metadata", "instance-data", "metadata.google.internal"})
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa")


class RefusedURL(IgnoreRequest):
    """A URL sourcekeep will not fetch; the message says why."""


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def address_refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address may not be fetched, or None if it is a global address."""
    if ip.is_global:
        return None
    for kind in ("loopback", "link_local", "private", "multicast", "unspecified", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return f"{kind.replace('_', '-')} address {ip}"
    return f"non-global address {ip}"


def static_refusal(url: str, *, allow_private: bool = False) -> str | None:
    """Why the URL is refused without resolving its host, or None."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        return f"unsupported scheme {scheme or '(none)'!r}"
    try:
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError as exc:
        return f"malformed host: {exc}"
    if not host:
        return "no host"
    if allow_private:
        return None
    ip = _address(host)
    if ip is not None:
        return address_refusal(ip)
    if host in INTERNAL_NAMES or host.endswith(INTERNAL_SUFFIXES):
        return f"internal host name {host!r}"
    if "." not in host:
        return f"single-label host name {host!r}"
    return None


async def resolved_refusal(host: str, port: int) -> str | None:
    """Why the host is refused after resolving it here, or None. Unresolvable hosts pass:
    the download reports the DNS failure as a network error."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return None
    for info in infos:
        ip = _address(str(info[4][0]))
        if ip is not None and (reason := address_refusal(ip)):
            return f"{host} resolves to {reason}"
    return None


class PolicyMiddleware:
    """Downloader middleware (after HttpProxyMiddleware) refusing URLs by the policy above."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._resolved: dict[tuple[str, int], str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PolicyMiddleware:
        return cls(crawler.settings.getbool(ALLOW_PRIVATE_SETTING))

    async def process_request(self, request: Request) -> None:
        if reason := static_refusal(request.url, allow_private=self.allow_private):
            raise RefusedURL(reason)
        if self.allow_private or request.meta.get("proxy"):
            return None
        parsed = urlparse_cached(request)
        host = (parsed.hostname or "").lower()
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        key = (host, port)
        if key not in self._resolved:
            self._resolved[key] = await resolved_refusal(host, port)
        if reason := self._resolved[key]:
            raise RefusedURL(reason)
        return None
