"""Fetching a chronicle page given by URL, through the proxy settings the crawler uses.

``http_proxy``/``https_proxy``/``no_proxy`` from the environment are honoured (loopback and
hosts listed in ``no_proxy`` are reached directly); ``proxy`` overrides the environment's
proxies for both schemes.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from importlib.metadata import PackageNotFoundError, version

TIMEOUT_SECONDS = 60


class FetchError(Exception):
    """The chronicle page could not be fetched (one-line message)."""


@dataclass(frozen=True)
class FetchedPage:
    url: str  # as requested
    final_url: str  # after redirects
    body: bytes
    media_type: str | None
    charset: str | None


def user_agent() -> str:
    try:
        return f"sourcekeep/{version('sourcekeep')}"
    except PackageNotFoundError:
        return "sourcekeep"


def _opener(proxy: str | None) -> urllib.request.OpenerDirector:
    proxies = {"http": proxy, "https": proxy} if proxy else None
    return urllib.request.build_opener(urllib.request.ProxyHandler(proxies))


def fetch_page(url: str, max_bytes: int, proxy: str | None = None) -> FetchedPage:
    """GET ``url``; refuses bodies over ``max_bytes`` and answers other than 2xx."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent()})
    try:
        with _opener(proxy).open(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(max_bytes + 1)
            headers: Message = response.headers
            final_url = response.geturl()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise FetchError(f"cannot fetch {url}: {exc.reason}") from exc
    except (TimeoutError, ConnectionError, ValueError) as exc:
        raise FetchError(f"cannot fetch {url}: {exc}") from exc
    if len(body) > max_bytes:
        raise FetchError(f"{url} is larger than {max_bytes // 1024 // 1024} MB; refused")
    media_type = headers.get_content_type() if headers.get("Content-Type") else None
    return FetchedPage(url, final_url, body, media_type, headers.get_content_charset())
