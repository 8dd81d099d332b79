"""The adapter interface the spider and the check pipeline rely on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from crawler.results import FetchedExchange, Role, SourceFetch
from provenance.liveness import Observation
from provenance.states import Platform


@dataclass(frozen=True)
class Companion:
    """A further URL to fetch as part of the same capture."""

    url: str
    role: Role
    archive: bool = True  # False: fetched for evidence of liveness only (e.g. a probe)


class Adapter(Protocol):
    platform: Platform

    def handles(self, url: str) -> bool:
        """Whether this adapter is responsible for the URL."""
        ...

    def companions(self, url: str) -> list[Companion]:
        """URLs fetched together with the cited page (embed, oEmbed)."""
        ...

    def media(self, page: FetchedExchange, fetch: SourceFetch) -> list[Companion]:
        """Media found in the fetched page(s), downloaded at capture time."""
        ...

    def observe(self, fetch: SourceFetch) -> Observation:
        """What the fetched page and its companions say about the source's liveness."""
        ...
