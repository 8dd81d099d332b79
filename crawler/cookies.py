"""A logged-in session from a Netscape ``cookies.txt`` (as exported by browser extensions,
curl or yt-dlp), for authenticated capture of platforms such as Facebook.

Where the file comes from: ``--cookies FILE``, else ``$SOURCEKEEP_COOKIES``, else
``cookies.txt`` in the data home when present. The crawler asks :func:`cookie_header` for
each request; the ``Cookie`` header must never reach a WARC record or an export as is —
:func:`redact_headers` replaces it, and the capture notes that a session was used.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterable
from http.cookiejar import LoadError, MozillaCookieJar
from pathlib import Path

COOKIES_ENV = "SOURCEKEEP_COOKIES"
HOME_FILE = "cookies.txt"
REDACTED = "[redacted: session cookies]"
SECRET_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})


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
        jar.load(ignore_discard=True, ignore_expires=False)
    except LoadError as exc:
        raise CookiesError(f"not a Netscape cookies.txt file: {file} ({exc})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CookiesError(f"cannot read cookies file {file}: {exc}") from exc
    return jar


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


def redact_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers safe to store: session secrets replaced by a note that they were sent."""
    return [
        (name, REDACTED if name.lower() in SECRET_HEADERS else value) for name, value in headers
    ]
