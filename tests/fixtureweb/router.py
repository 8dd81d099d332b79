"""Which answer a request gets: control, fixed failure modes, news sites, platforms, or the
proxy's own 502 for hosts it cannot resolve."""

from __future__ import annotations

from collections.abc import Callable

from tests.fixtureweb import catalogue as cat
from tests.fixtureweb import control, facebook, instagram, news_site, telegram, youtube
from tests.fixtureweb.failures import failure_for
from tests.fixtureweb.protocol import Request, Response
from tests.fixtureweb.recorder import Recorder
from tests.fixtureweb.responses import Config, Context, html, redirect
from tests.fixtureweb.sites import site_for
from tests.fixtureweb.state import Stage, State

Handler = Callable[[Context], Response]

PLATFORMS: dict[str, Handler] = {
    "t.me": telegram.answer,
    "www.facebook.com": facebook.answer,
    "web.facebook.com": facebook.answer,
    "m.facebook.com": facebook.answer,
    "www.instagram.com": instagram.answer,
    "www.youtube.com": youtube.answer,
    "m.youtube.com": youtube.answer,
    "youtu.be": youtube.answer,
    "i.ytimg.com": youtube.answer,
    **{f"cdn{i}.telesco.pe": telegram.cdn for i in range(1, 6)},
}
# Hosts that only redirect to their canonical name.
CANONICAL = {
    "telegram.me": "t.me",
    "facebook.com": "www.facebook.com",
    "instagram.com": "www.instagram.com",
    "youtube.com": "www.youtube.com",
}
ALIASES = {cat.TLS_EXPIRED_HOST: "vlast.kz"}  # answers like the site it is a mirror of


def known_host(host: str) -> bool:
    host = host.lower()
    if host in PLATFORMS or host in CANONICAL or host in ALIASES or host == cat.CONTROL_HOST:
        return True
    return site_for(host) is not None or (
        host.startswith("www.") and site_for(host[4:]) is not None
    )


def unknown_host(host: str) -> Response:
    """What a real proxy answers when the name does not resolve."""
    body = (
        "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>"
        f"<p>DNS lookup failed for host {host}: Name or service not known</p></body></html>\n"
    )
    return Response(
        cat.UNKNOWN_HOST_STATUS,
        [("Content-Type", "text/html"), ("X-Fixture-Error", "dns")],
        body.encode(),
    )


class Router:
    def __init__(
        self,
        state: State,
        recorder: Recorder,
        config: Config,
        ca_pem: bytes,
        reset: Callable[[], None],
    ) -> None:
        self.state = state
        self.recorder = recorder
        self.config = config
        self.ca_pem = ca_pem
        self.reset = reset

    def route(self, req: Request, control: bool = False) -> Response:
        ctx = Context(req, self.state, self.config)
        host = req.host
        if control or host == cat.CONTROL_HOST:
            return control_answer(ctx, self)
        failure = failure_for(ctx)
        if failure is not None:
            return failure(ctx)
        site = site_for(ALIASES.get(host, host))
        if site is not None:
            return news_site.answer(ctx, site)
        if host.startswith("www.") and site_for(host[4:]) is not None:
            return redirect(301, f"https://{host[4:]}{req.target_path}")
        if host in CANONICAL:
            return redirect(301, f"https://{CANONICAL[host]}{req.target_path}")
        handler = PLATFORMS.get(host)
        if handler is None:
            return unknown_host(host)
        stage = ctx.stage()
        if stage is Stage.NOT_FOUND or stage is Stage.GONE:
            status = 404 if stage is Stage.NOT_FOUND else 410
            return html(status, f"<!DOCTYPE html><html><body><h1>{status}</h1></body></html>\n")
        if stage is Stage.HOME:
            return redirect(301, ctx.absolute("/"))
        return handler(ctx)


def control_answer(ctx: Context, router: Router) -> Response:
    return control.answer(ctx, router.recorder, router.ca_pem, router.reset)
