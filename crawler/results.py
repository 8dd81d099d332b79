"""What one fetch, and one source's whole capture, produced: handed from the spider to the
pipelines (archive mode stores it; check mode also classifies it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from provenance.states import FetchOutcome, NetworkFailure


class Role(StrEnum):
    """Why a URL is fetched as part of a source's capture."""

    PAGE = "page"  # the cited URL itself
    EMBED = "embed"  # a platform's embeddable view of the same post (t.me ?embed=1)
    OEMBED = "oembed"  # a platform's oEmbed answer (YouTube)
    MEDIA = "media"  # photos/video of the post, fetched at capture time (CDN links expire)
    PROBE = "probe"  # soft-404 probe: a URL on the same host that surely does not exist


@dataclass
class FetchedExchange:
    """One HTTP exchange as seen by the crawler (after the WARC records were written)."""

    role: Role
    requested_url: str
    final_url: str | None
    outcome: FetchOutcome
    status: int | None = None
    reason: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""  # decoded body (Content-Encoding removed), possibly truncated
    redirects: list[str] = field(default_factory=list)  # every hop before final_url
    error: str | None = None
    network_failure: NetworkFailure | None = None  # why no answer came, when none came
    started_at: dt.datetime | None = None
    payload_sha256: str | None = None  # of the payload as stored (still content-encoded)
    body_sha256: str | None = None  # of the decoded body
    session_used: bool = False  # the final request carried the cookies.txt session

    @property
    def content_type(self) -> str | None:
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value
        return None


@dataclass
class SourceFetch:
    """Everything fetched for one source in one run: the page and its companions."""

    source_id: int
    url: str
    exchanges: list[FetchedExchange] = field(default_factory=list)

    def by_role(self, role: Role) -> list[FetchedExchange]:
        return [e for e in self.exchanges if e.role is role]

    @property
    def page(self) -> FetchedExchange | None:
        pages = self.by_role(Role.PAGE)
        return pages[0] if pages else None
