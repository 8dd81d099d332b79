"""Answers of a news host: home page, an article for any path (seeded by the path), stages."""

from __future__ import annotations

import re

from tests.fixtureweb import news
from tests.fixtureweb.protocol import Response
from tests.fixtureweb.responses import Context, html, negotiate, redirect
from tests.fixtureweb.sites import Site
from tests.fixtureweb.state import Stage
from tests.fixtureweb.text import rng_for

_ARTICLE_STAGES = {
    Stage.V1: (1, False),
    Stage.V2: (2, False),
    Stage.BOILERPLATE: (1, True),
    Stage.V2_BOILERPLATE: (2, True),
}


def page_size(ctx: Context, seed: str) -> int:
    if ctx.config.page_size:
        return ctx.config.page_size
    return rng_for("size:" + seed).randint(5000, 30000)


def _stage(ctx: Context) -> Stage:
    """The stage of the URL as requested, else of the URL without its query string."""
    stage = ctx.stage()
    if stage is Stage.V1 and "?" in ctx.req.url:
        stage = ctx.stage(ctx.req.url.split("?", 1)[0])
    return stage


def _is_article(site: Site, path: str) -> bool:
    if not site.soft404:
        return True
    return re.fullmatch(re.escape(site.article_prefix) + r"\d+/?", path) is not None


def answer(ctx: Context, site: Site) -> Response:
    path = ctx.req.path
    if path == site.home:
        return negotiate(
            html(200, news.home(site, ctx.absolute(path), ctx.today), site.server),
            ctx.req,
            ctx.config,
        )
    if path == "/":
        return redirect(301, ctx.absolute(site.home), site.server)
    stage = _stage(ctx)
    if stage is Stage.NOT_FOUND or (stage is Stage.DELETED and not site.soft404):
        return html(404, news.not_found(site, ctx.today), site.server)
    if stage is Stage.GONE:
        return html(410, news.not_found(site, ctx.today), site.server)
    if stage is Stage.HOME:
        return redirect(301, ctx.absolute(site.home), site.server)
    if stage is Stage.DELETED or not _is_article(site, path):
        # soft-404: the same 200 home page for every URL that is not (or no longer) an article
        page = news.home(site, ctx.absolute(site.home), ctx.today)
        return negotiate(html(200, page, site.server), ctx.req, ctx.config)
    version, boilerplate = _ARTICLE_STAGES[stage]
    seed = site.host + path
    page = news.article(
        site, ctx.absolute(path), seed, version, boilerplate, page_size(ctx, seed), ctx.today
    )
    return negotiate(
        html(200, page, site.server, extra=[("Cache-Control", "max-age=60, public")]),
        ctx.req,
        ctx.config,
    )
