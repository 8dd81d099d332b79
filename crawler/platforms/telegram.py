"""Telegram public posts ``t.me/CHANNEL/ID``: the post page, its embed, and its media.

The embed (``?embed=1&mode=tme``) is the widget Telegram serves for websites; it carries the
post's text, date (``time[datetime]``), views, author and media, or, for a deleted post,
``tgme_widget_message_error`` ("Post not found") — while still answering HTTP 200.
Photo and video links (and the video's poster image) point to a CDN and expire, so they are
fetched at capture time: the spider asks :meth:`TelegramAdapter.media` again when the embed
arrives, and fetches each URL once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from parsel import Selector

from crawler.platforms.base import Companion
from crawler.platforms.common import answer_observation, base_evidence, is_ok, selector
from crawler.results import FetchedExchange, Role, SourceFetch
from provenance.liveness import Observation
from provenance.states import Platform, SourceState

HOSTS = ("t.me", "www.t.me", "telegram.me", "www.telegram.me")
_POST_PATH = re.compile(r"^/(?:s/)?([A-Za-z0-9_]{4,64})/(\d+)/?$")
_BREAK = "\ue000"  # a private-use character standing in for <br> while whitespace collapses
_BACKGROUND = re.compile(r"background-image:\s*url\(['\"]?([^'\")]+)['\"]?\)")


def post_key(url: str) -> tuple[str, int] | None:
    """``(channel, post id)`` of a public post URL, else None."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in HOSTS:
        return None
    match = _POST_PATH.match(parts.path)
    if not match:
        return None
    return match.group(1), int(match.group(2))


def embed_url(url: str) -> str | None:
    key = post_key(url)
    if key is None:
        return None
    channel, post = key
    return urlunsplit(("https", "t.me", f"/{channel}/{post}", "embed=1&mode=tme", ""))


def parse_views(text: str | None) -> int | None:
    """``1.2K`` → 1200, ``3M`` → 3000000, ``845`` → 845."""
    if not text:
        return None
    match = re.fullmatch(r"\s*([\d.,]+)\s*([KkMm]?)\s*", text)
    if not match:
        return None
    number = float(match.group(1).replace(",", "."))
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return int(round(number * factor))


@dataclass
class TelegramPost:
    """What a post's widget markup says."""

    found: bool
    error: str | None = None
    post: str | None = None  # "channel/id" as the widget names it
    author: str | None = None
    text: str | None = None
    datetime: str | None = None
    views: int | None = None
    views_text: str | None = None
    photos: list[str] = field(default_factory=list)
    videos: list[str] = field(default_factory=list)
    thumbnails: list[str] = field(default_factory=list)  # poster images of the videos

    @property
    def media(self) -> list[str]:
        """The post's photos and videos."""
        return [*self.photos, *self.videos]

    @property
    def downloads(self) -> list[str]:
        """Everything to fetch with the post: its media and the videos' poster images."""
        return [*self.media, *(t for t in self.thumbnails if t not in self.photos)]


def _text_of(node: Selector) -> str:
    """The post's text: markup whitespace collapsed, ``<br>`` kept as line breaks."""
    html = re.sub(r"<br\s*/?>", _BREAK, node.get() or "", flags=re.I)
    text = "".join(Selector(text=html).xpath("//text()").getall())
    lines = re.sub(r"\s+", " ", text).split(_BREAK)
    return "\n".join(line.strip() for line in lines).strip()


def parse_post(html: str) -> TelegramPost:
    """Read a post from the embed (or ``t.me/s/``) widget markup."""
    sel = Selector(text=html or "<html></html>")
    error = sel.css(".tgme_widget_message_error")
    if error:
        message = " ".join(t.strip() for t in error.css("::text").getall() if t.strip())
        return TelegramPost(found=False, error=message or "Post not found")
    message = sel.css(".tgme_widget_message")
    if not message:
        return TelegramPost(found=False)
    message = message[0]
    text_node = message.css(".tgme_widget_message_text")
    author = message.css(".tgme_widget_message_owner_name ::text").getall()
    views_text = message.css(".tgme_widget_message_views::text").get()
    photos = _backgrounds(message, ".tgme_widget_message_photo_wrap")
    thumbnails = _backgrounds(message, ".tgme_widget_message_video_thumb")
    videos = [
        src
        for src in dict.fromkeys(message.css("video.tgme_widget_message_video::attr(src)").getall())
        if src
    ]
    return TelegramPost(
        found=True,
        post=message.attrib.get("data-post"),
        author=" ".join(a.strip() for a in author if a.strip()) or None,
        text=_text_of(text_node[0]) if text_node else "",
        datetime=message.css(".tgme_widget_message_date time::attr(datetime)").get()
        or message.css("time[datetime]::attr(datetime)").get(),
        views=parse_views(views_text),
        views_text=views_text.strip() if views_text else None,
        photos=photos,
        videos=videos,
        thumbnails=thumbnails,
    )


def _backgrounds(message: Selector, css: str) -> list[str]:
    """The ``background-image`` URLs of the elements ``css`` selects, in order, once each."""
    urls: list[str] = []
    for style in message.css(f"{css}::attr(style)").getall():
        found = _BACKGROUND.search(style)
        if found and found.group(1) not in urls:
            urls.append(found.group(1))
    return urls


class TelegramAdapter:
    platform = Platform.TELEGRAM

    def handles(self, url: str) -> bool:
        return (urlsplit(url).hostname or "").lower() in HOSTS

    def companions(self, url: str) -> list[Companion]:
        embed = embed_url(url)
        return [Companion(embed, Role.EMBED)] if embed else []

    def media(self, page: FetchedExchange, fetch: SourceFetch) -> list[Companion]:
        seen = {e.requested_url for e in fetch.exchanges}
        urls: list[str] = []
        for exchange in [page, *fetch.by_role(Role.EMBED)]:
            if is_ok(exchange):
                urls.extend(parse_post(selector(exchange).get()).downloads)
        if not urls and is_ok(page):
            # The embed may not have arrived yet: the post page's og:image is the post's
            # photo (or video thumbnail).
            image = selector(page).css("meta[property='og:image']::attr(content)").get()
            urls = [image] if image else []
        found: list[Companion] = []
        for url in urls:
            if url.startswith(("http://", "https://")) and url not in seen:
                seen.add(url)
                found.append(Companion(url, Role.MEDIA))
        return found

    def observe(self, fetch: SourceFetch) -> Observation:
        page = fetch.page
        embeds = fetch.by_role(Role.EMBED)
        embed = embeds[0] if embeds else None
        if is_ok(embed):
            assert embed is not None
            post = parse_post(selector(embed).get())
            evidence = {**base_evidence(embed), "role": Role.EMBED.value}
            if page is not None:
                evidence["page_status"] = page.status
            if post.error is not None:
                return Observation(
                    SourceState.GONE,
                    {**evidence, "marker": "tgme_widget_message_error", "message": post.error},
                )
            if post.found:
                return Observation(
                    SourceState.LIVE,
                    {
                        **evidence,
                        "post": post.post,
                        "author": post.author,
                        "datetime": post.datetime,
                        "views": post.views,
                        "text_chars": len(post.text or ""),
                        "media": len(post.media),
                    },
                    content=True,
                )
        # Without a readable embed the page's own answer is all there is.
        answer = answer_observation(page)
        if answer is not None:
            return answer
        assert page is not None
        post = parse_post(selector(page).get())
        evidence = {**base_evidence(page), "role": Role.PAGE.value}
        if post.error is not None:
            return Observation(
                SourceState.GONE,
                {**evidence, "marker": "tgme_widget_message_error", "message": post.error},
            )
        if embed is not None:
            problem = answer_observation(embed)
            if problem is not None and problem.state is SourceState.GONE:
                return problem.with_state(SourceState.GONE, role=Role.EMBED.value)
        if post.found:
            return Observation(SourceState.LIVE, {**evidence, "post": post.post}, content=True)
        # The post page answers 200 for deleted posts too: without the embed the check could
        # not read the post, which says nothing either way.
        return Observation(SourceState.UNREACHABLE, {**evidence, "reason": "embed unavailable"})
