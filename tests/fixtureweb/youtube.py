"""www.youtube.com ``watch?v=ID`` pages and ``/oembed`` (200 JSON, 401 when embedding is
disabled, 404 when the video is gone), youtu.be short links and i.ytimg.com thumbnails."""

from __future__ import annotations

import json
import re
from html import escape
from urllib.parse import parse_qs, urlsplit

from tests.fixtureweb import catalogue as cat
from tests.fixtureweb import media, news, text
from tests.fixtureweb.protocol import Response
from tests.fixtureweb.responses import Context, html, redirect
from tests.fixtureweb.state import Stage

SERVER = "ESF"
_ID = re.compile(r"[A-Za-z0-9_-]{11}")
CHANNELS = ["Азаттык", "Vlast.kz", "Orda.kz", "Адам Медиа"]


def watch_url(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"


def _gone(ctx: Context, video_id: str) -> bool:
    return video_id in cat.YT_DELETED_IDS or ctx.stage(watch_url(video_id)) in (
        Stage.DELETED,
        Stage.NOT_FOUND,
        Stage.GONE,
    )


def _meta(video_id: str, stage: Stage) -> dict[str, str]:
    rnd = text.rng_for("yt:" + video_id)
    title = text.title("yt:" + video_id)
    if stage in (Stage.V2, Stage.V2_BOILERPLATE):
        title += " (обновлено)"
    return {
        "title": title,
        "channel": rnd.choice(CHANNELS),
        "description": text.paragraph(rnd, 3),
        "published": news.published("yt:" + video_id).isoformat(),
    }


def watch(ctx: Context, video_id: str) -> Response:
    if _gone(ctx, video_id):
        player = {"playabilityStatus": {"status": "ERROR", "reason": "Video unavailable"}}
        page = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            "<title> - YouTube</title></head><body>"
            f"<script>var ytInitialPlayerResponse = {json.dumps(player)};</script>"
            '<div id="player"><div class="ytp-error">Video unavailable</div></div>'
            "</body></html>\n"
        )
        return html(200, page, SERVER)
    meta = _meta(video_id, ctx.stage(watch_url(video_id)))
    player = {
        "playabilityStatus": {
            "status": "OK",
            "playableInEmbed": video_id not in cat.YT_NO_EMBED_IDS,
        },
        "videoDetails": {
            "videoId": video_id,
            "title": meta["title"],
            "author": meta["channel"],
            "shortDescription": meta["description"],
            "lengthSeconds": "412",
            "viewCount": str(text.rng_for("ytv:" + video_id).randint(300, 90000)),
        },
        "microformat": {"playerMicroformatRenderer": {"publishDate": meta["published"]}},
    }
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(meta['title'])} - YouTube</title>\n"
        f'<meta name="title" content="{escape(meta["title"])}">\n'
        f'<meta property="og:title" content="{escape(meta["title"])}">\n'
        f'<meta property="og:description" content="{escape(meta["description"][:160])}">\n'
        f'<meta property="og:url" content="{watch_url(video_id)}">\n'
        '<meta property="og:type" content="video.other">\n'
        f'<meta itemprop="datePublished" content="{meta["published"]}">\n'
        '<link rel="canonical" href="' + watch_url(video_id) + '">\n</head><body>\n'
        '<span itemprop="author" itemscope itemtype="http://schema.org/Person">'
        f'<link itemprop="name" content="{escape(meta["channel"])}"></span>\n'
        f"<script>var ytInitialPlayerResponse = {json.dumps(player, ensure_ascii=False)};"
        "</script>\n</body></html>\n"
    )
    return html(200, page, SERVER, extra=[("Cache-Control", "no-cache, no-store")])


def oembed(ctx: Context) -> Response:
    url = ctx.req.param("url") or ""
    ids = parse_qs(urlsplit(url).query).get("v", [])
    if not ids or not _ID.fullmatch(ids[0]):
        return html(400, "Bad Request", SERVER, content_type="text/html; charset=utf-8")
    video_id = ids[0]
    if _gone(ctx, video_id):
        return html(404, "Not Found", SERVER, content_type="text/html; charset=utf-8")
    if video_id in cat.YT_NO_EMBED_IDS:
        return html(401, "Unauthorized", SERVER, content_type="text/html; charset=utf-8")
    meta = _meta(video_id, ctx.stage(watch_url(video_id)))
    answer_ = {
        "title": meta["title"],
        "author_name": meta["channel"],
        "author_url": "https://www.youtube.com/@" + meta["channel"].replace(" ", ""),
        "type": "video",
        "height": 113,
        "width": 200,
        "version": "1.0",
        "provider_name": "YouTube",
        "provider_url": "https://www.youtube.com/",
        "thumbnail_height": 360,
        "thumbnail_width": 480,
        "thumbnail_url": f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg",
        "html": f'<iframe width="200" height="113" src="https://www.youtube.com/embed/{video_id}'
        '?feature=oembed" frameborder="0" allowfullscreen></iframe>',
    }
    return html(
        200, json.dumps(answer_, ensure_ascii=False), SERVER, content_type="application/json"
    )


def answer(ctx: Context) -> Response:
    req = ctx.req
    if req.host == "youtu.be":
        return redirect(301, watch_url(req.path.strip("/")), SERVER)
    if req.host == "i.ytimg.com":
        return html(200, media.jpeg(req.path, 480, 360), SERVER, content_type="image/jpeg")
    if req.path == "/oembed":
        return oembed(ctx)
    if req.path == "/watch" and req.param("v"):
        return watch(ctx, req.param("v") or "")
    return html(
        200,
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>YouTube</title>'
        "</head><body></body></html>\n",
        SERVER,
    )
