"""www./web./m.facebook.com: a login wall for anonymous visitors, "This content isn't
available right now", and the post itself when session cookies ``c_user`` and ``xs`` come."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

from tests.fixtureweb import catalogue as cat
from tests.fixtureweb import news, text
from tests.fixtureweb.protocol import Response
from tests.fixtureweb.recorder import url_key
from tests.fixtureweb.responses import Context, html
from tests.fixtureweb.state import Stage

_POSTS = re.compile(r"/(groups/[^/]+/posts/[^/]+|[^/]+/posts/[^/]+|reel/\d+|watch)/?")
_HEADERS = [
    ("Cache-Control", "private, no-cache, no-store, must-revalidate"),
    ("Pragma", "no-cache"),
    ("X-Frame-Options", "DENY"),
    ("Strict-Transport-Security", "max-age=15552000; preload"),
    (
        "Set-Cookie",
        "fr=0dGx1cmU.AWVfixture; expires=Tue, 01 Jan 2030 00:00:00 GMT; "
        "Max-Age=7776000; path=/; domain=.facebook.com; secure; httponly",
    ),
]
_UNAVAILABLE = {url_key(cat.FB_UNAVAILABLE)}
AUTHORS = ["Activists Not Extremists", "Айгерим Тлеужан", "Бахытжан Торегожина", "Марат Жыланбаев"]


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en" id="facebook">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        '<meta name="referrer" content="origin-when-crossorigin" id="meta_referrer">\n'
        '<link rel="stylesheet" href="https://static.xx.fbcdn.net/rsrc.php/v3/fixture.css">\n'
        f'</head>\n<body class="_6s5d _71pn system-fonts--body">\n{body}\n</body>\n</html>\n'
    )


def login_wall(ctx: Context) -> Response:
    next_url = quote(ctx.req.url, safe="")
    body = (
        '<div id="globalContainer"><div class="_4-u5 _30ny">'
        '<h2 class="uiHeaderTitle">You must log in to continue.</h2>\n'
        f'<form id="login_form" action="/login/?next={next_url}" method="post" novalidate>'
        '<input type="hidden" name="lsd" value="AVqfixture">'
        '<input type="text" class="inputtext" name="email" id="email" '
        'placeholder="Email or phone number" autofocus>'
        '<input type="password" class="inputtext" name="pass" id="pass" placeholder="Password">'
        '<button value="1" class="_42ft _4jy0" name="login" id="loginbutton" type="submit">'
        "Log in</button></form>\n"
        '<a href="/recover/initiate/">Forgotten account?</a> · '
        '<a href="/r.php" class="_42ft">Create new account</a>'
        "</div></div>"
    )
    return html(200, _page("Log in to Facebook", body), "", extra=_HEADERS)


def unavailable(ctx: Context) -> Response:
    body = (
        '<div role="main"><div class="x1n2onr6">'
        "<h2><span>This content isn't available right now</span></h2>\n"
        "<span>When this happens, it's usually because the owner only shared it with a small "
        "group of people, changed who can see it or it's been deleted.</span>\n"
        '<a href="/" role="link">Go to News Feed</a> <a href="/help" role="link">Visit Help '
        "Centre</a></div></div>"
    )
    return html(200, _page("Facebook", body), "", extra=_HEADERS)


def post(ctx: Context, canonical: str) -> Response:
    stage = ctx.stage(canonical)
    who = text.rng_for("fbauthor:" + canonical).choice(AUTHORS)
    paras = [text.paragraph(text.rng_for("fbtext:" + canonical))]
    if stage in (Stage.V2, Stage.V2_BOILERPLATE):
        paras = text.edited(canonical, paras)
    when = news.published("fb:" + canonical)
    message = "".join(f'<div dir="auto">{escape(p)}</div>' for p in paras)
    body = (
        '<div role="main"><div role="article" aria-posinset="1">\n'
        f'<h2 class="html-h2"><strong><a href="https://www.facebook.com/{quote(who)}" '
        f'role="link">{escape(who)}</a></strong></h2>\n'
        f'<a href="{canonical}" role="link"><abbr data-utime="{int(when.timestamp())}" '
        f'title="{when:%d.%m.%Y %H:%M}">{news.ru_date(when.date())}</abbr></a>\n'
        f'<div data-ad-comet-preview="message" data-ad-preview="message">{message}</div>\n'
        '<div class="reactions"><span aria-label="Like: 214 people">214</span> · '
        "37 comments · 58 shares</div>\n</div></div>"
    )
    page = _page(f"{who} | Facebook", body).replace(
        "</head>",
        f'<meta property="og:title" content="{escape(who)}">\n'
        f'<meta property="og:description" content="{escape(paras[0][:300])}">\n'
        f'<meta property="og:url" content="{canonical}">\n</head>',
        1,
    )
    return html(200, page, "", extra=_HEADERS)


def answer(ctx: Context) -> Response:
    req = ctx.req
    canonical = "https://www.facebook.com" + req.path
    if req.path.rstrip("/") == "/watch" and req.param("v"):
        canonical += f"?v={req.param('v')}"
    if not _POSTS.fullmatch(req.path):
        return login_wall(ctx)
    stage = ctx.stage(canonical)
    if url_key(canonical) in _UNAVAILABLE or stage is Stage.DELETED:
        return unavailable(ctx)
    jar = req.cookies
    if all(jar.get(name) for name in cat.FB_SESSION_COOKIES):
        return post(ctx, canonical)
    return login_wall(ctx)
