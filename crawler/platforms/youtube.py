"""YouTube videos: the watch page and the oEmbed answer; metadata through yt-dlp if installed.

oEmbed (``/oembed?url=…&format=json``) is YouTube's own "does this video exist" answer:
404 means the video is gone; 401/403 means embedding is disabled (or the video is private),
which is not deletion. No video is ever downloaded.
"""

from __future__ import annotations

import importlib.util
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from crawler.platforms.base import Companion
from crawler.platforms.common import (
    answer_observation,
    base_evidence,
    contains_phrase,
    is_ok,
    page_text,
)
from crawler.results import FetchedExchange, Role, SourceFetch
from provenance.liveness import Observation
from provenance.states import Platform, SourceState

DOMAINS = ("youtube.com", "youtu.be", "youtube-nocookie.com")
_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
UNAVAILABLE_MARKERS = (
    '"playabilityStatus":{"status":"ERROR"',
    "This video isn't available anymore",
    "This video has been removed",
    "Video unavailable",
)
WALL_MARKERS = (
    '"status":"LOGIN_REQUIRED"',
    "Sign in to confirm your age",
    "Private video",
)
CONSENT_HOSTS = ("consent.youtube.com", "consent.google.com")


def video_id(url: str) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not any(host == d or host.endswith("." + d) for d in DOMAINS):
        return None
    segments = [s for s in parts.path.split("/") if s]
    candidate = None
    if host.endswith("youtu.be"):
        candidate = segments[0] if segments else None
    elif segments[:1] == ["watch"]:
        candidate = (parse_qs(parts.query).get("v") or [None])[0]
    elif len(segments) >= 2 and segments[0] in ("shorts", "live", "embed", "v"):
        candidate = segments[1]
    return candidate if candidate and _ID.match(candidate) else None


def watch_url(vid: str) -> str:
    return f"https://www.youtube.com/watch?v={vid}"


def oembed_url(url: str) -> str | None:
    vid = video_id(url)
    if vid is None:
        return None
    query = urlencode({"url": watch_url(vid), "format": "json"})
    return urlunsplit(("https", "www.youtube.com", "/oembed", query, ""))


def parse_oembed(body: bytes) -> dict[str, Any]:
    """Title and channel from an oEmbed answer ({} when it is not the expected JSON)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: data[k] for k in ("title", "author_name", "author_url") if k in data}


def ytdlp_available() -> bool:
    return importlib.util.find_spec("yt_dlp") is not None


def ytdlp_metadata(url: str, proxy: str | None = None) -> dict[str, Any] | None:
    """Title, channel and upload date through yt-dlp (optional extra ``youtube``).

    Returns None when yt-dlp is not installed; ``{"error": …}`` when it could not read the
    video. Never downloads the video.
    """
    if not ytdlp_available():
        return None
    import yt_dlp

    options: dict[str, Any] = {
        "skip_download": True,
        "quiet": True,
        "no_warnings": True,
        "noplaylist": True,
    }
    if proxy:
        options["proxy"] = proxy
    try:
        with yt_dlp.YoutubeDL(options) as ydl:
            info = ydl.extract_info(url, download=False)
    except yt_dlp.utils.DownloadError as exc:
        return {"error": str(exc).splitlines()[0]}
    info = info or {}
    return {
        k: info.get(k)
        for k in ("id", "title", "channel", "channel_id", "upload_date", "duration")
        if info.get(k) is not None
    }


class YouTubeAdapter:
    platform = Platform.YOUTUBE

    def handles(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in DOMAINS)

    def companions(self, url: str) -> list[Companion]:
        oembed = oembed_url(url)
        return [Companion(oembed, Role.OEMBED)] if oembed else []

    def media(self, page: FetchedExchange, fetch: SourceFetch) -> list[Companion]:
        return []

    def observe(self, fetch: SourceFetch) -> Observation:
        page = fetch.page
        oembeds = fetch.by_role(Role.OEMBED)
        oembed = oembeds[0] if oembeds else None
        extra: dict[str, Any] = {}
        if oembed is not None:
            extra["oembed_status"] = oembed.status
            if oembed.status == 404:
                return Observation(
                    SourceState.GONE,
                    {**base_evidence(oembed), "role": Role.OEMBED.value, "marker": "oembed 404"},
                )
            if oembed.status in (401, 403):
                extra["embedding_disabled"] = True
            elif is_ok(oembed):
                extra.update(parse_oembed(oembed.body))
        answer = answer_observation(page)
        if answer is not None:
            if answer.state is SourceState.GONE and oembed is not None and is_ok(oembed):
                # The page says gone but YouTube's own oEmbed still knows the video.
                return Observation(SourceState.LIVE, {**answer.evidence, **extra})
            return answer.with_state(answer.state, **extra)
        assert page is not None
        evidence = {**base_evidence(page), **extra}
        final_host = (urlsplit(page.final_url or "").hostname or "").lower()
        if final_host in CONSENT_HOSTS:
            state = SourceState.LIVE if is_ok(oembed) else SourceState.WALLED
            return Observation(state, {**evidence, "marker": "consent wall"})
        text = page_text(page)
        gone = contains_phrase(text, UNAVAILABLE_MARKERS)
        if gone and not is_ok(oembed):
            return Observation(SourceState.GONE, {**evidence, "marker": gone})
        wall = contains_phrase(text, WALL_MARKERS)
        if wall:
            return Observation(SourceState.WALLED, {**evidence, "marker": wall})
        return Observation(SourceState.LIVE, evidence, content=True)
