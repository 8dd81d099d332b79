"""URL handling shared by ingest, the crawler and liveness: normalization, platforms, repairs.

Pure functions, no networking. ``normalize_url`` is the key sources are deduplicated on; the
URL as written in a chronicle is always kept separately.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from provenance.states import Platform

DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that only say where a click came from; removing them never changes the page.
TRACKING_EXACT = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "igsh",
        "mibextid",
        "_ga",
        "_gl",
    }
)
TRACKING_PREFIXES = ("utm_",)
# Parameters that are tracking only on some platforms (elsewhere they may select content).
PLATFORM_TRACKING = {
    Platform.YOUTUBE: frozenset({"si"}),
    Platform.FACEBOOK: frozenset({"__tn__", "__cft__", "__cft__[0]"}),
}
# WordPress draft previews: the link works only for a logged-in editor.
PREVIEW_KEYS = frozenset({"preview_id", "preview_nonce", "_ppp"})

_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_EMBEDDED_HTTP_RE = re.compile(r"https?://", re.IGNORECASE)
_BROKEN_SCHEME_RE = re.compile(r"^(https?)(?:[:;]+/*|/+)(?=[^/\s])", re.IGNORECASE)
_HOST_RE = re.compile(r"^(localhost|\[[0-9a-fA-F:.]+\]|[^\s./:]+(\.[^\s./:]+)+)$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"


def host_of(url: str) -> str:
    """The lower-case host name of ``url`` without port or credentials ('' when none)."""
    try:
        return (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return ""


def _bare_host(url: str) -> str:
    host = host_of(url)
    return host[4:] if host.startswith("www.") else host


def _on(host: str, *domains: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def platform_of(url: str) -> Platform:
    """Which platform a URL belongs to; everything without a platform of its own is ``web``."""
    host = _bare_host(url)
    if host in ("t.me", "telegram.me"):
        return Platform.TELEGRAM
    if _on(host, "facebook.com", "fb.watch", "fb.com", "fb.me"):
        return Platform.FACEBOOK
    if _on(host, "instagram.com", "instagr.am"):
        return Platform.INSTAGRAM
    if _on(host, "youtube.com", "youtu.be", "youtube-nocookie.com"):
        return Platform.YOUTUBE
    return Platform.WEB


def _param_name(pair: str) -> str:
    return unquote(pair.split("=", 1)[0].replace("+", " "))


def _is_tracking(name: str, platform: Platform) -> bool:
    lowered = name.lower()
    return (
        lowered in TRACKING_EXACT
        or lowered.startswith(TRACKING_PREFIXES)
        or lowered in PLATFORM_TRACKING.get(platform, frozenset())
    )


def tracking_params(url: str) -> list[str]:
    """Names of the tracking parameters in ``url``'s query, in the order they appear."""
    try:
        query = urlsplit(url.strip()).query
    except ValueError:
        return []
    platform = platform_of(url)
    names = [_param_name(pair) for pair in query.split("&") if pair]
    return [name for name in names if _is_tracking(name, platform)]


def _upper_escapes(text: str) -> str:
    return re.sub(r"%[0-9a-fA-F]{2}", lambda m: m.group(0).upper(), text)


def _idna(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def normalize_url(url: str) -> str:
    """The form sources are deduplicated on.

    Scheme and host lower-case (international hosts in IDNA form), default ports dropped,
    fragment dropped, tracking parameters removed, percent-escapes upper-case and non-ASCII
    characters percent-encoded; the remaining query keeps its order and spelling. Anything
    that is not an http(s) URL comes back stripped, with only its scheme lower-cased.
    """
    text = url.strip().translate(_INVISIBLE)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        match = _SCHEME_RE.match(text)
        return scheme + text[len(match.group(1)) :] if match else text
    host = _idna(parts.hostname.rstrip("."))
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        netloc = f"{userinfo}@{netloc}"
    platform = platform_of(text)
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and not _is_tracking(_param_name(pair), platform)
    ]
    path = _upper_escapes(quote(parts.path or "/", safe=_SAFE_PATH))
    query = _upper_escapes(quote("&".join(kept), safe=_SAFE_QUERY))
    return urlunsplit((scheme, netloc, path, query, ""))


def is_http_url(url: str) -> bool:
    """Whether ``url`` is a well-formed absolute http(s) URL with a plausible host."""
    text = url.strip()
    if not text or any(c.isspace() or ord(c) in _INVISIBLE for c in text):
        return False
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    if parts.scheme.lower() not in DEFAULT_PORTS:
        return False
    host = parts.netloc.rsplit("@", 1)[-1]
    host = re.sub(r":\d*$", "", host) if not host.endswith("]") else host
    return bool(_HOST_RE.match(host))


def scheme_of(url: str) -> str | None:
    """The lower-case scheme written at the start of ``url``, if any."""
    match = _SCHEME_RE.match(url.strip())
    return match.group(1).lower() if match else None


def repair_url(url: str) -> str | None:
    """A plausible http(s) URL recovered from a malformed one, or None.

    Recovers ``mailto:https://…`` and other junk before an embedded ``http(s)://``,
    ``https//…`` and ``https:/…``, a missing scheme before ``www.``, invisible characters and
    surrounding brackets or quotes. Returns None when ``url`` is already a well-formed http(s)
    URL or nothing plausible can be recovered.
    """
    if is_http_url(url):
        return None
    text = url.translate(_INVISIBLE).strip().strip("<>\"'«»“”")
    embedded = _EMBEDDED_HTTP_RE.search(text)
    if embedded and embedded.start() > 0:
        text = text[embedded.start() :]
    else:
        text = _BROKEN_SCHEME_RE.sub(lambda m: m.group(1).lower() + "://", text, count=1)
        if text.lower().startswith("www."):
            text = "https://" + text
    return text if text != url and is_http_url(text) else None


def is_preview_link(url: str) -> bool:
    """Whether ``url`` is a WordPress draft preview (``?preview=true``, ``preview_id=…``)."""
    try:
        query = urlsplit(url.strip()).query
    except ValueError:
        return False
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        name = unquote(name).lower()
        if name in PREVIEW_KEYS or (name == "preview" and value.lower() in ("true", "1")):
            return True
    return False


def without_preview(url: str) -> str:
    """``url`` with its WordPress preview parameters removed (the likely published address)."""
    parts = urlsplit(url.strip())
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and unquote(pair.partition("=")[0]).lower() not in PREVIEW_KEYS | {"preview"}
    ]
    return urlunsplit(parts._replace(query="&".join(kept), fragment=""))
