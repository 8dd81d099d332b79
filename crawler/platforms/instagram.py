"""Instagram posts and reels ``/p/CODE/``, ``/reel/CODE/``: the page and its captioned embed.

Anonymous visitors are usually redirected to ``/accounts/login``: that is ``walled``. The
embed (``/p/CODE/embed/captioned/``) often still shows the caption and image; when it does,
the embed's capture is evidence of the content (the state stays ``walled``), and an embed
that answers "not found" means the post is gone.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from crawler.platforms.base import Companion
from crawler.platforms.common import (
    answer_observation,
    base_evidence,
    contains_phrase,
    is_ok,
    selector,
    visible_text,
)
from crawler.results import FetchedExchange, Role, SourceFetch
from provenance.evidence import is_login_url
from provenance.liveness import Observation
from provenance.states import Platform, SourceState

DOMAINS = ("instagram.com", "instagr.am")
_POST_PATH = re.compile(r"^/(?:[A-Za-z0-9_.]+/)?(p|reel|tv)/([A-Za-z0-9_-]+)/?")
NOT_FOUND_PHRASES = (
    "Sorry, this page isn't available",
    "This page isn't available",
    "Post isn't available",
    "This post is unavailable",
)
EMBED_CONTENT = ".Caption, .EmbeddedMediaImage, .EmbeddedMedia, video, .CaptionUsername"


def post_code(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not any(host == d or host.endswith("." + d) for d in DOMAINS):
        return None
    match = _POST_PATH.match(parts.path)
    return (match.group(1), match.group(2)) if match else None


def embed_url(url: str) -> str | None:
    key = post_code(url)
    if key is None:
        return None
    kind, code = key
    return urlunsplit(("https", "www.instagram.com", f"/{kind}/{code}/embed/captioned/", "", ""))


class InstagramAdapter:
    platform = Platform.INSTAGRAM

    def handles(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in DOMAINS)

    def companions(self, url: str) -> list[Companion]:
        embed = embed_url(url)
        return [Companion(embed, Role.EMBED)] if embed else []

    def media(self, page: FetchedExchange, fetch: SourceFetch) -> list[Companion]:
        return []

    def _embed(self, fetch: SourceFetch) -> Observation | None:
        embeds = fetch.by_role(Role.EMBED)
        if not embeds:
            return None
        embed = embeds[0]
        answer = answer_observation(embed)
        evidence = {"embed_status": embed.status}
        if answer is not None:
            return answer.with_state(answer.state, role=Role.EMBED.value, **evidence)
        if is_login_url(embed.final_url):
            return Observation(SourceState.WALLED, {**base_evidence(embed), "role": "embed"})
        sel = selector(embed)
        marker = contains_phrase(visible_text(sel), NOT_FOUND_PHRASES)
        if marker:
            return Observation(
                SourceState.GONE, {**base_evidence(embed), "role": "embed", "marker": marker}
            )
        if sel.css(EMBED_CONTENT):
            caption = " ".join(t.strip() for t in sel.css(".Caption ::text").getall() if t.strip())
            return Observation(
                SourceState.LIVE,
                {**base_evidence(embed), "role": "embed", "caption_chars": len(caption)},
                content=True,
            )
        return None

    def observe(self, fetch: SourceFetch) -> Observation:
        page = fetch.page
        embed = self._embed(fetch)
        if embed is not None and page is not None:
            embed = embed.with_state(embed.state, page_status=page.status)
        if embed is not None and embed.state is SourceState.GONE:
            return embed
        if embed is not None and embed.state is SourceState.LIVE:
            if page is not None and is_login_url(page.final_url):
                # The post sits behind the login wall; the embed still shows it: walled, with
                # the embed's capture as evidence of the content.
                return embed.with_state(
                    SourceState.WALLED, marker="login redirect", page_final_url=page.final_url
                )
            return embed
        answer = answer_observation(page)
        if answer is not None:
            return answer
        assert page is not None
        evidence = base_evidence(page)
        if is_login_url(page.final_url):
            return Observation(SourceState.WALLED, {**evidence, "marker": "login redirect"})
        sel = selector(page)
        marker = contains_phrase(visible_text(sel), NOT_FOUND_PHRASES)
        if marker:
            return Observation(SourceState.GONE, {**evidence, "marker": marker})
        if sel.css("input[name='password'], form#loginForm"):
            return Observation(SourceState.WALLED, {**evidence, "marker": "login form"})
        if embed is not None:
            return embed
        return Observation(SourceState.LIVE, evidence, content=is_ok(page))
