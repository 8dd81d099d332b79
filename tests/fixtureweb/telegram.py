"""t.me post pages and their embeds (``?embed=1&mode=tme``), channel pages, and the
cdn*.telesco.pe media host, shaped like Telegram's own markup."""

from __future__ import annotations

import hashlib
import re
from html import escape

from tests.fixtureweb import catalogue as cat
from tests.fixtureweb import media, news, text
from tests.fixtureweb.protocol import Response
from tests.fixtureweb.responses import Context, html
from tests.fixtureweb.state import Stage

SERVER = "nginx/1.18.0"
CHANNELS = {
    "adalsotkz": "Адал Сот",
    "info1612": "INFO 1612",
    "radioazattyq": "Азаттық радиосы",
    "babayagaprotiv03": "Баба Яга против",
}
_POST = re.compile(r"/(?:s/)?([A-Za-z0-9_]{3,64})/(\d+)/?")
_KINDS = ("photo", "photo", "text", "text", "video")
_NO_STORE = [
    ("Cache-Control", "no-store"),
    ("X-Frame-Options", "ALLOW-FROM https://web.telegram.org"),
]


def _title(channel: str) -> str:
    return CHANNELS.get(channel.lower(), channel)


def kind(post_url: str) -> str:
    """text, photo, video or deleted: fixed in the catalogue, else seeded by the URL."""
    key = post_url.replace("http://", "https://", 1)
    return cat.TELEGRAM_KINDS.get(key) or text.rng_for("tg:" + key).choice(_KINDS)


def media_url(post_url: str, extension: str) -> str:
    digest = hashlib.sha256(post_url.encode()).hexdigest()
    return f"https://{cat.TELEGRAM_CDN_HOST}/file/{digest[:48]}.{extension}"


def _views(post_url: str, later: bool) -> str:
    n = text.rng_for("views:" + post_url).randint(800, 40000) + (1311 if later else 0)
    return f"{n / 1000:.1f}K" if n >= 1000 else str(n)


def _post_text(post_url: str, stage: Stage) -> str:
    paras = [text.paragraph(text.rng_for("tgtext:" + post_url), 3)]
    if stage in (Stage.V2, Stage.V2_BOILERPLATE):
        paras = text.edited(post_url, paras)
    return "<br/><br/>".join(escape(p) for p in paras)


def _media_html(post_url: str, what: str) -> str:
    if what == "photo":
        return (
            f'<a class="tgme_widget_message_photo_wrap blured" href="{post_url}" '
            "style=\"width:800px;background-image:url('" + media_url(post_url, "jpg") + "')\">"
            '<div class="tgme_widget_message_photo" style="padding-top:75%"></div></a>\n'
        )
    if what == "video":
        return (
            f'<a class="tgme_widget_message_video_player" href="{post_url}">'
            '<i class="tgme_widget_message_video_thumb" style="background-image:url(\''
            + media_url(post_url, "jpg")
            + "')\"></i>"
            '<div class="tgme_widget_message_video_wrap"><video src="'
            + media_url(post_url, "mp4")
            + '" class="tgme_widget_message_video js-message_video" '
            'width="100%" height="100%" preload muted></video></div>'
            '<time class="message_video_duration js-message_video_duration">0:42</time></a>\n'
        )
    return ""


def embed(ctx: Context, channel: str, post_id: str, post_url: str) -> Response:
    stage = ctx.stage(post_url)
    what = "deleted" if stage is Stage.DELETED else kind(post_url)
    head = (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(_title(channel))} – Telegram</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        '<link href="//telegram.org/css/widget-frame.css?71" rel="stylesheet">\n</head>\n'
        '<body class="widget_frame_base tgme_widget body_widget_post emoji_image nodark">\n'
    )
    if what == "deleted":
        body = (
            '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
            f'<div class="tgme_widget_message js-widget_message" data-post="{channel}/{post_id}">'
            '<div class="tgme_widget_message_error">Post not found</div></div></div>\n'
        )
        return html(200, head + body + "</body>\n</html>\n", SERVER, extra=_NO_STORE)
    when = news.published("tg:" + post_url)
    later = stage in (Stage.BOILERPLATE, Stage.V2_BOILERPLATE)
    body = (
        '<div class="tgme_widget_message_wrap js-widget_message_wrap">\n'
        f'<div class="tgme_widget_message text_not_supported_wrap js-widget_message" '
        f'data-post="{channel}/{post_id}" data-view="eyJjIjotMTAwMX0">\n'
        '<div class="tgme_widget_message_user"><a href="https://t.me/' + channel + '">'
        '<i class="tgme_widget_message_user_photo bgcolor0"></i></a></div>\n'
        '<div class="tgme_widget_message_bubble">\n'
        '<div class="tgme_widget_message_author accent_color">'
        f'<a class="tgme_widget_message_owner_name" href="https://t.me/{channel}">'
        f'<span dir="auto">{escape(_title(channel))}</span></a></div>\n'
        + _media_html(post_url, what)
        + f'<div class="tgme_widget_message_text js-message_text" dir="auto">'
        f"{_post_text(post_url, stage)}</div>\n"
        '<div class="tgme_widget_message_footer compact js-message_footer">'
        '<div class="tgme_widget_message_info short js-message_info">'
        f'<span class="tgme_widget_message_views">{_views(post_url, later)}</span>'
        '<span class="copyonly"> views</span>'
        '<span class="tgme_widget_message_meta">'
        f'<a class="tgme_widget_message_date" href="{post_url}">'
        f'<time datetime="{when.isoformat()}" class="time">{when:%H:%M}</time></a></span>'
        "</div></div>\n</div>\n</div>\n</div>\n"
    )
    return html(200, head + body + "</body>\n</html>\n", SERVER, extra=_NO_STORE)


def post_page(ctx: Context, channel: str, post_id: str, post_url: str) -> Response:
    """The post page itself: 200 even for a deleted post (then it shows the channel)."""
    stage = ctx.stage(post_url)
    what = "deleted" if stage is Stage.DELETED else kind(post_url)
    if what == "deleted":
        description = f"Канал {_title(channel)}. Новости и комментарии."
        image = f"https://{cat.TELEGRAM_CDN_HOST}/file/channel-{channel.lower()}.jpg"
    else:
        description = _post_text(post_url, stage).replace("<br/>", "\n")
        image = media_url(post_url, "jpg")
    return html(
        200,
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>Telegram: View @{channel}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f'<meta property="og:title" content="{escape(_title(channel))}">\n'
        f'<meta property="og:image" content="{image}">\n'
        '<meta property="og:site_name" content="Telegram">\n'
        f'<meta property="og:description" content="{description}">\n'
        f'<meta property="al:android:url" content="tg://resolve?domain={channel}&amp;post={post_id}">\n'
        f'<link rel="canonical" href="{post_url}">\n</head>\n'
        '<body class="no_transition">\n<div class="tgme_page_wrap">\n'
        '<div class="tgme_head_wrap"><div class="tgme_head">'
        '<a href="//telegram.org/" class="tgme_head_brand">Telegram</a></div></div>\n'
        '<div class="tgme_body_wrap"><div class="tgme_page tgme_page_post">\n'
        '<div class="tgme_page_widget">'
        '<script async src="https://telegram.org/js/telegram-widget.js?22" '
        f'data-telegram-post="{channel}/{post_id}" data-width="100%"></script></div>\n'
        '<div class="tgme_page_widget_actions"><a class="tgme_action_button_new" '
        f'href="tg://resolve?domain={channel}&amp;post={post_id}">View in Telegram</a></div>\n'
        "</div></div>\n</div>\n</body>\n</html>\n",
        SERVER,
        extra=_NO_STORE,
    )


def channel_page(ctx: Context, name: str) -> Response:
    return html(
        200,
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>Telegram: Contact @{escape(name)}</title>\n"
        f'<meta property="og:title" content="{escape(_title(name))}">\n</head>\n'
        '<body><div class="tgme_page"><div class="tgme_page_title">'
        f'<span dir="auto">{escape(_title(name))}</span></div>'
        f'<div class="tgme_page_extra">@{escape(name)}</div></div></body>\n</html>\n',
        SERVER,
        extra=_NO_STORE,
    )


def answer(ctx: Context) -> Response:
    path = ctx.req.path
    match = _POST.fullmatch(path)
    if match is None:
        return channel_page(ctx, path.strip("/").split("/")[0] or "telegram")
    channel, post_id = match.groups()
    post_url = f"https://t.me/{channel}/{post_id}"
    if ctx.req.param("embed") == "1":
        return embed(ctx, channel, post_id, post_url)
    return post_page(ctx, channel, post_id, post_url)


def cdn(ctx: Context) -> Response:
    """Media of posts: ``*.jpg`` a JPEG, ``*.mp4`` an MP4 box sequence, else 404."""
    path = ctx.req.path
    if path.endswith(".jpg"):
        body, kind_ = media.jpeg(path, 320, 240), "image/jpeg"
    elif path.endswith(".mp4"):
        body, kind_ = media.mp4(path), "video/mp4"
    else:
        return html(404, "Not Found", SERVER, content_type="text/plain")
    return html(
        200,
        body,
        SERVER,
        content_type=kind_,
        extra=[("Cache-Control", "max-age=2592000"), ("Accept-Ranges", "bytes")],
    )
