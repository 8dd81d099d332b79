"""A logged-in session from a Netscape ``cookies.txt`` (as exported by browser extensions,
curl or yt-dlp), for authenticated capture of platforms such as Facebook.

Where the file comes from: ``--cookies FILE``, else ``$SOURCEKEEP_COOKIES``, else
``cookies.txt`` in the data home when present. :class:`SessionCookiesMiddleware` puts the
jar's ``Cookie`` header on every request to a host the jar covers — exactly the jar's
cookies, replacing what Scrapy's own cookie handling would merge in — and marks the request
``request.meta[SESSION_META]``. The ``Cookie`` header never reaches a WARC record or an
export as is: the recorded request head is redacted (``crawler.heads.redact``), and the
capture notes that a session was used.
"""

from __future__ import annotations

import os
import urllib.request
import warnings
from http.cookiejar import LoadError, MozillaCookieJar
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

COOKIES_ENV = "SOURCEKEEP_COOKIES"
HOME_FILE = "cookies.txt"
SESSION_META = "sourcekeep_session"  # True: the request carries the cookies.txt session


class CookiesError(Exception):
    """The cookies file cannot be used (one-line message for the user)."""


def cookies_path(explicit: str | Path | None, home: Path | None = None) -> Path | None:
    """The cookies file to use, or None when there is none."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(COOKIES_ENV)
    if from_env:
        return Path(from_env).expanduser()
    if home is not None and (home / HOME_FILE).is_file():
        return home / HOME_FILE
    return None


def load_cookies(path: str | Path) -> MozillaCookieJar:
    """Read a Netscape cookies.txt, keeping session cookies (browsers export them too)."""
    file = Path(path)
    if not file.is_file():
        raise CookiesError(f"cookies file not found: {file}")
    jar = MozillaCookieJar(str(file))
    try:
        with warnings.catch_warnings():
            # a malformed line also makes http.cookiejar print a traceback as a warning; the
            # LoadError it raises says it in one line
            warnings.filterwarnings("ignore", "http.cookiejar bug", UserWarning)
            jar.load(ignore_discard=True, ignore_expires=False)
    except LoadError as exc:
        # http.cookiejar's message quotes the offending line, which may hold a cookie value
        raise CookiesError(
            f"not a Netscape cookies.txt file: {file} (a header line '# Netscape HTTP Cookie "
            "File', then one cookie per line in 7 tab-separated fields)"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CookiesError(f"cannot read cookies file {file}: {exc}") from exc
    if not len(jar):
        raise CookiesError(f"no unexpired cookies in {file}")
    return jar


def session_from(explicit: str | Path | None, home: Path | None = None) -> MozillaCookieJar | None:
    """The session to capture with: the cookies file :func:`cookies_path` names, loaded; None
    when there is none. Raises :class:`CookiesError` when the file cannot be used."""
    path = cookies_path(explicit, home)
    return load_cookies(path) if path is not None else None


def cookie_header(jar: MozillaCookieJar, url: str) -> str | None:
    """The ``Cookie`` header value a browser would send to ``url`` (None when none apply)."""
    request = urllib.request.Request(url)
    jar.add_cookie_header(request)
    return request.get_header("Cookie")


def domains(jar: MozillaCookieJar) -> set[str]:
    return {cookie.domain.lstrip(".").lower() for cookie in jar}


def covers(jar: MozillaCookieJar, host: str) -> bool:
    """Whether the jar holds cookies for ``host`` (or a parent domain of it)."""
    host = host.lower()
    return any(host == d or host.endswith("." + d) for d in domains(jar))


class SessionCookiesMiddleware:
    """Downloader middleware (after Scrapy's CookiesMiddleware, 700) sending the session.

    For a host the jar covers, the ``Cookie`` header on the wire is exactly what the jar
    holds for the URL (none when no cookie matches its path or scheme); cookies the site set
    earlier in the crawl are not mixed in. Other hosts are left to Scrapy. Enabled only when
    the spider carries a jar as ``spider.session``.
    """

    def __init__(self, jar: MozillaCookieJar) -> None:
        self.jar = jar
        self._domains = domains(jar)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SessionCookiesMiddleware:
        jar = getattr(crawler.spider, "session", None)
        if not isinstance(jar, MozillaCookieJar):
            raise NotConfigured("no cookies.txt session")
        return cls(jar)

    def _covers(self, host: str) -> bool:
        host = host.lower()
        return any(host == d or host.endswith("." + d) for d in self._domains)

    def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        if not self._covers(host):
            request.meta[SESSION_META] = False
            return None
        header = cookie_header(self.jar, request.url)
        request.headers.pop(b"Cookie", None)
        if header:
            request.headers[b"Cookie"] = header
        request.meta[SESSION_META] = header is not None
        return None
