"""Building answers: HTML with the right headers, redirects, compression."""

from __future__ import annotations

import datetime as dt
import gzip
from dataclasses import dataclass, field

import brotli

from tests.fixtureweb.protocol import Request, Response
from tests.fixtureweb.state import Stage, State


@dataclass
class Config:
    page_size: int | None = None  # bytes per article page; None: 5-30 KB seeded by the path
    compress: bool = False  # gzip/br article pages when the client's Accept-Encoding allows


@dataclass
class Context:
    """One request being answered, with what the handlers need to answer it."""

    req: Request
    state: State
    config: Config
    today: dt.date = field(default_factory=dt.date.today)

    def stage(self, url: str | None = None) -> Stage:
        return self.state.stage(url or self.req.url)

    @property
    def scheme(self) -> str:
        return self.req.url.split("://", 1)[0]

    def absolute(self, path: str, host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.req.host}{path}"


def html(
    status: int,
    page: str | bytes,
    server: str = "nginx",
    content_type: str = "text/html; charset=UTF-8",
    extra: list[tuple[str, str]] | None = None,
    reason: str | None = None,
) -> Response:
    body = page.encode("utf-8") if isinstance(page, str) else page
    headers = ([("Server", server)] if server else []) + [("Content-Type", content_type)]
    headers += extra or []
    return Response(status=status, headers=headers, body=body, reason=reason)


def redirect(status: int, location: str, server: str = "nginx") -> Response:
    body = (
        f"<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status}</h1></center>\r\n<hr><center>{server}</center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()
    return Response(
        status=status,
        headers=([("Server", server)] if server else [])
        + [("Content-Type", "text/html"), ("Location", location)],
        body=body,
    )


def encode(resp: Response, coding: str) -> Response:
    """Apply a content coding ("gzip" or "br") to the body; deterministic bytes."""
    if coding == "gzip":
        resp.body = gzip.compress(resp.body, compresslevel=6, mtime=0)
    elif coding == "br":
        resp.body = brotli.compress(resp.body, quality=5)
    else:
        raise ValueError(f"unknown content coding {coding!r}")
    resp.headers += [("Vary", "Accept-Encoding"), ("Content-Encoding", coding)]
    return resp


def negotiate(resp: Response, req: Request, config: Config) -> Response:
    """Compress when configured to and the client accepts it (br preferred, as nginx does)."""
    if not config.compress:
        return resp
    accepted = {
        token.split(";")[0].strip().lower()
        for token in (req.header("Accept-Encoding") or "").split(",")
    }
    for coding in ("br", "gzip"):
        if coding in accepted:
            return encode(resp, coding)
    return resp
