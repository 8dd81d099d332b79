"""The failure modes at fixed URLs (see ``catalogue``), keyed by URL without scheme."""

from __future__ import annotations

from collections.abc import Callable

from tests.fixtureweb import catalogue as cat
from tests.fixtureweb import media, news, text
from tests.fixtureweb.protocol import Response
from tests.fixtureweb.recorder import url_key
from tests.fixtureweb.responses import Context, encode, html, redirect
from tests.fixtureweb.sites import SITES

Handler = Callable[[Context], Response]


def _article(ctx: Context, size: int = 12000, charset: str | None = "utf-8") -> str:
    site = SITES[ctx.req.host]
    seed = site.host + ctx.req.path
    return news.article(site, ctx.absolute(ctx.req.path), seed, 1, False, size, ctx.today, charset)


def _status(status: int) -> Handler:
    def handler(ctx: Context) -> Response:
        site = SITES[ctx.req.host]
        return html(
            status, news.not_found(site, ctx.today).replace("404", str(status)), site.server
        )

    return handler


def _then_200(status: int, extra: list[tuple[str, str]]) -> Handler:
    def handler(ctx: Context) -> Response:
        if ctx.state.count(ctx.req.url) == 1:
            resp = _status(status)(ctx)
            resp.headers += extra
            return resp
        return html(200, _article(ctx), SITES[ctx.req.host].server)

    return handler


def _redirect_chain_1(ctx: Context) -> Response:
    return redirect(301, cat.REDIRECT_CHAIN_HOPS[1], "Apache")


def _redirect_chain_2(ctx: Context) -> Response:
    return redirect(302, cat.REDIRECT_CHAIN_HOPS[2], "Apache")


def _loop_to(target: str) -> Handler:
    return lambda ctx: redirect(302, target)


def _reset(ctx: Context) -> Response:
    body = _article(ctx, size=cat.RESET_BODY_LENGTH * 2).encode()[: cat.RESET_BODY_LENGTH]
    resp = html(200, body)
    resp.reset_after = cat.RESET_SENT_BYTES
    return resp


def _drip(ctx: Context) -> Response:
    step = 256
    body = _article(ctx, size=step * cat.DRIP_TOTAL_SECONDS * 2).encode()
    resp = html(200, body[: step * int(cat.DRIP_TOTAL_SECONDS / cat.DRIP_PAUSE)])
    resp.drip = (step, cat.DRIP_PAUSE)
    return resp


def _stall(ctx: Context) -> Response:
    resp = html(200, _article(ctx))
    resp.stall = 60.0
    return resp


def _coded(coding: str, chunked: bool = False) -> Handler:
    def handler(ctx: Context) -> Response:
        resp = encode(html(200, _article(ctx, size=20000), SITES[ctx.req.host].server), coding)
        if chunked:
            resp.chunks = [1000, 4096]
        return resp

    return handler


def _chunked(ctx: Context) -> Response:
    resp = html(200, _article(ctx, size=20000), "nginx/1.24.0")
    resp.chunks = [123, 4096, 8000]  # uneven sizes, the last repeats
    return resp


def _oversized(chunked: bool) -> Handler:
    def handler(ctx: Context) -> Response:
        seed = text.rng_for("oversized")
        body = bytearray(
            b'<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            b"<title>\xd0\x90\xd1\x80\xd1\x85\xd0\xb8\xd0\xb2</title></head><body>\n"
        )
        tail = b"</body></html>\n"
        while len(body) < cat.OVERSIZED_BYTES - len(tail):
            body += f"<p>{text.paragraph(seed)}</p>\n".encode()
        body = body[: cat.OVERSIZED_BYTES - len(tail)] + tail
        resp = html(200, bytes(body))
        if chunked:
            resp.chunks = [65536]
        return resp

    return handler


# Characters a legacy Cyrillic code page lacks, spelled the way such sites spelled them.
_LEGACY = str.maketrans(
    {
        "Ә": "А",
        "ә": "а",
        "і": "и",
        "І": "И",
        "ө": "о",
        "Ө": "О",
        "ұ": "у",
        "ү": "у",
        "қ": "к",
        "ғ": "г",
        "ң": "н",
        "һ": "х",
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "·": "-",
        "©": "(c)",
    }
)


def _legacy(codec: str, meta: str | None) -> Handler:
    def handler(ctx: Context) -> Response:
        page = _article(ctx, size=9000, charset=None).translate(_LEGACY)
        if meta:
            page = page.replace("<head>\n", f"<head>\n{meta}\n", 1)
        return html(200, page.encode(codec), "Apache/2.2.22", content_type="text/html")

    return handler


def _pdf(ctx: Context) -> Response:
    return html(
        200,
        media.pdf("Monitoring of freedom of speech, November 2023"),
        "nginx",
        content_type="application/pdf",
        extra=[("Accept-Ranges", "bytes"), ("Last-Modified", "Fri, 01 Dec 2023 09:00:00 GMT")],
    )


def _jpeg(ctx: Context) -> Response:
    return html(
        200,
        media.jpeg(ctx.req.path),
        "nginx",
        content_type="image/jpeg",
        extra=[("Accept-Ranges", "bytes")],
    )


def _two_cookies(ctx: Context) -> Response:
    return html(
        200,
        _article(ctx, size=6000),
        "Apache",
        extra=[
            ("Set-Cookie", "PHPSESSID=3f2a9c1b7d; path=/; HttpOnly"),
            ("Set-Cookie", "region=almaty; expires=Fri, 31 Dec 2027 23:59:59 GMT; path=/"),
        ],
        reason=cat.TWO_COOKIES_REASON,
    )


def _home_redirect(ctx: Context) -> Response:
    return redirect(301, cat.HOME_REDIRECT_TARGET, "nginx/1.24.0")


FAILURES: dict[str, Handler] = {
    url_key(url): handler
    for url, handler in [
        (cat.STATUS_404, _status(404)),
        (cat.STATUS_410, _status(410)),
        (cat.STATUS_403, _status(403)),
        (cat.STATUS_451, _status(451)),
        (cat.ERROR_500_THEN_200, _then_200(500, [])),
        (cat.RETRY_429_THEN_200, _then_200(429, [("Retry-After", "1")])),
        (cat.REDIRECT_CHAIN_HOPS[0], _redirect_chain_1),
        (cat.REDIRECT_CHAIN_HOPS[1], _redirect_chain_2),
        (cat.REDIRECT_LOOP, _loop_to(cat.REDIRECT_LOOP_OTHER)),
        (cat.REDIRECT_LOOP_OTHER, _loop_to(cat.REDIRECT_LOOP)),
        (cat.CONNECTION_RESET, _reset),
        (cat.SLOW_DRIP, _drip),
        (cat.STALL, _stall),
        (cat.GZIP, _coded("gzip")),
        (cat.BROTLI, _coded("br")),
        (cat.GZIP_CHUNKED, _coded("gzip", chunked=True)),
        (cat.CHUNKED, _chunked),
        (cat.OVERSIZED, _oversized(chunked=False)),
        (cat.OVERSIZED_CHUNKED, _oversized(chunked=True)),
        (cat.WINDOWS_1251, _legacy("cp1251", None)),
        (
            cat.KOI8_R,
            _legacy(
                "koi8_r", '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
            ),
        ),
        (cat.PDF, _pdf),
        (cat.JPEG, _jpeg),
        (cat.TWO_COOKIES, _two_cookies),
        (cat.HOME_REDIRECT, _home_redirect),
    ]
}


def failure_for(ctx: Context) -> Handler | None:
    return FAILURES.get(url_key(ctx.req.url))
