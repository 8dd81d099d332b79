"""News sites and everything without a platform of its own."""

from __future__ import annotations

from crawler.platforms.base import Companion
from crawler.results import FetchedExchange, SourceFetch
from provenance.states import Platform


class GenericAdapter:
    platform = Platform.WEB

    def handles(self, url: str) -> bool:
        return True

    def companions(self, url: str) -> list[Companion]:
        return []

    def media(self, page: FetchedExchange, fetch: SourceFetch) -> list[Companion]:
        return []
