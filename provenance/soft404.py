"""Soft-404: an answer that says 200 but means "not found".

Three signals, each recorded as evidence:

- the request was redirected to the site's root or a section front (``/``, ``/ru/``,
  ``/news/``) from a deeper article URL;
- a "not found" phrase in the page title or main heading (per platform; the web list covers
  the languages of the chronicles' sources);
- the per-host probe (Bar-Yossef et al., "Sic transit gloria telae", WWW 2004): the same host
  is asked for a URL that surely does not exist; a host that answers such a URL with 200
  serves soft-404s, and a page whose answer resembles the probe's (same final URL, or main
  text fingerprints at least ``PROBE_SIMILARITY`` alike) is one of them.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

# Simhash similarity above which a page "is" the host's answer for a URL that does not exist.
# A host's not-found page is a template: its fingerprint differs from the probe's by a bit or
# two at most. Two *different* articles of one site share menus and vocabulary: measured on
# the fixture web's Russian articles, 60 pairs gave a median of 0.81 and up to 0.91, so a
# threshold of 0.9 took live articles for deleted ones now and then.
PROBE_SIMILARITY = 0.97

# Phrases that mean "not found" when they make up a page's title or main heading.
WEB_NOT_FOUND = (
    "page not found",
    "404 not found",
    "not found",
    "error 404",
    "страница не найдена",
    "страница не существует",
    "запрашиваемая страница не найдена",
    "ошибка 404",
    "материал не найден",
    "бет табылмады",
    "парақ табылмады",
)


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _segments(url: str) -> list[str]:
    return [s for s in urlsplit(url).path.split("/") if s]


def is_front_page(url: str) -> bool:
    """The site root, or a one-segment section front such as ``/ru/`` or ``/news``."""
    parts = urlsplit(url)
    segments = _segments(url)
    if parts.query:
        return False
    return len(segments) == 0 or (len(segments) == 1 and "." not in segments[0])


def redirected_to_front(requested_url: str, final_url: str | None) -> bool:
    """A deep URL that ended on the same site's root or a section front."""
    if not final_url or final_url == requested_url:
        return False
    if _host(requested_url) != _host(final_url):
        return False
    if is_front_page(requested_url):
        return False
    final_segments = _segments(final_url)
    requested = _segments(requested_url)
    if not is_front_page(final_url):
        return False
    # /ru/news/123 → /ru/ is a front; /news/123 → /news is a front; /a → /a/ is not a move.
    return final_segments != requested


def phrase_in(text: str | None, phrases: tuple[str, ...]) -> str | None:
    """The phrase that a title or heading consists of (alone or beside the site's name)."""
    if not text:
        return None
    cleaned = re.sub(r"\s+", " ", text).strip().lower()
    for phrase in phrases:
        if re.search(rf"(^|[-–—|:•»]\s*){re.escape(phrase)}\s*([-–—|:.!•«]|$)", cleaned):
            return phrase
    return None


def probe_url(url: str) -> str:
    """A URL on the same host and in the same directory that surely does not exist."""
    parts = urlsplit(url)
    segments = _segments(url)
    directory = "/".join(segments[:-1])
    name = f"sourcekeep-probe-{secrets.token_hex(8)}"
    path = "/" + (directory + "/" if directory else "") + name
    if segments and "." in segments[-1]:
        path += "." + segments[-1].rsplit(".", 1)[1]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


@dataclass(frozen=True)
class ProbeResult:
    """How a host answered a URL that does not exist."""

    host: str
    url: str
    status: int | None
    final_url: str | None
    fingerprint: str | None  # simhash hex of the answer's main text

    @property
    def answers_200(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def resembles_probe(
    probe: ProbeResult, final_url: str | None, fingerprint: str | None
) -> tuple[bool, float | None]:
    """Whether a page's answer looks like the host's answer for a URL that does not exist."""
    from trafilatura.deduplication import Simhash  # heavy: loaded on first use
    if not probe.answers_200:
        return False, None
    if probe.final_url and final_url and probe.final_url == final_url:
        return True, 1.0
    if not probe.fingerprint or not fingerprint:
        return False, None
    similarity = Simhash(existing_hash=probe.fingerprint).similarity(
        Simhash(existing_hash=fingerprint)
    )
    return similarity >= PROBE_SIMILARITY, similarity
