"""www.instagram.com: ``/p/CODE/`` sends anonymous visitors to ``/accounts/login/``;
``/p/CODE/embed/captioned/`` shows the caption; cookie ``sessionid`` unlocks the post."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

from tests.fixtureweb import catalogue as cat
from tests.fixtureweb import news, text
from tests.fixtureweb.protocol import Response
from tests.fixtureweb.responses import Context, html, redirect
from tests.fixtureweb.state import Stage

SERVER = ""
_POST = re.compile(r"/(?:[A-Za-z0-9_.]+/)?(?:p|reel)/([A-Za-z0-9_-]+)/?(embed(?:/captioned)?/?)?")
_HEADERS = [
    ("Cache-Control", "private, no-cache, no-store, must-revalidate"),
    ("X-Frame-Options", "SAMEORIGIN"),
]
ACCOUNTS = ["tirek.info", "adilsoz_kz", "bureau_kz", "azattyq"]


def _caption(code: str, stage: Stage) -> tuple[str, str]:
    account = text.rng_for("igacc:" + code).choice(ACCOUNTS)
    paras = [text.paragraph(text.rng_for("igtext:" + code), 2)]
    if stage in (Stage.V2, Stage.V2_BOILERPLATE):
        paras = text.edited(code, paras)
    return account, " ".join(paras)


def _doc(title: str, body: str, head: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en" class="no-js not-logged-in">\n<head>\n'
        f'<meta charset="utf-8">\n<title>{escape(title)}</title>\n{head}</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def login_page(ctx: Context) -> Response:
    body = (
        '<main role="main"><form id="loginForm" method="post">'
        '<input aria-label="Phone number, username, or email" name="username" type="text">'
        '<input aria-label="Password" name="password" type="password">'
        '<button type="submit">Log in</button></form></main>'
    )
    return html(200, _doc("Login • Instagram", body), SERVER, extra=_HEADERS)


def not_available(ctx: Context) -> Response:
    body = (
        "<main><h2>Sorry, this page isn't available.</h2><p>The link you followed may be "
        'broken, or the page may have been removed. <a href="/">Go back to Instagram.</a></p>'
        "</main>"
    )
    return html(404, _doc("Page not found • Instagram", body), SERVER, extra=_HEADERS)


def embed(ctx: Context, code: str, stage: Stage) -> Response:
    if stage is Stage.DELETED:
        return not_available(ctx)
    account, caption = _caption(code, stage)
    post_url = f"https://www.instagram.com/p/{code}/"
    body = (
        '<div class="Embed Captioned" data-media-type="GraphImage">\n'
        f'<div class="Header"><a class="Avatar" href="https://www.instagram.com/{account}/">'
        f'</a><a class="UsernameText" href="https://www.instagram.com/{account}/">{account}</a>'
        "</div>\n"
        f'<div class="EmbeddedMedia"><img class="EmbeddedMediaImage" alt="{escape(caption[:80])}"'
        f' src="https://scontent.cdninstagram.com/v/t51.29350-15/{code}.jpg"></div>\n'
        f'<div class="Caption"><a class="CaptionUsername" href="https://www.instagram.com/'
        f'{account}/">{account}</a><br><br>{escape(caption)}'
        f'<div class="CaptionComments"><a href="{post_url}">View all 12 comments</a></div></div>\n'
        "</div>"
    )
    return html(200, _doc("Instagram", body), SERVER, extra=_HEADERS)


def post(ctx: Context, code: str, stage: Stage) -> Response:
    if stage is Stage.DELETED:
        return not_available(ctx)
    account, caption = _caption(code, stage)
    when = news.published("ig:" + code)
    head = (
        f'<meta property="og:title" content="{account} on Instagram">\n'
        f'<meta property="og:description" content="{escape(caption[:300])}">\n'
        f'<meta property="og:url" content="https://www.instagram.com/p/{code}/">\n'
    )
    body = (
        f'<article><header><a href="/{account}/">{account}</a></header>'
        f"<h1>{escape(caption)}</h1>"
        f'<time datetime="{when.isoformat()}">{when:%B %d, %Y}</time></article>'
    )
    return html(200, _doc(f"{account} on Instagram", body, head), SERVER, extra=_HEADERS)


def answer(ctx: Context) -> Response:
    req = ctx.req
    if req.path.startswith("/accounts/login"):
        return login_page(ctx)
    match = _POST.fullmatch(req.path)
    logged_in = bool(req.cookies.get(cat.IG_SESSION_COOKIE))
    if match is None:
        return login_page(ctx) if not logged_in else html(200, _doc("Instagram", ""), SERVER)
    code, is_embed = match.groups()
    stage = ctx.stage(f"https://www.instagram.com/p/{code}/")
    if is_embed:
        return embed(ctx, code, stage)
    if not logged_in:
        target = quote(f"https://www.instagram.com{req.path}", safe="")
        return redirect(302, f"{cat.IG_LOGIN_PREFIX}?next={target}&is_from_rle", SERVER)
    return post(ctx, code, stage)
