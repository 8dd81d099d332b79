"""Platform adapters: which companion URLs a source needs, and what a fetched page says.

``adapter_for(url)`` picks the adapter by the source's platform. Each platform lives in a
small module of its own; ``generic`` handles news sites and everything else.
"""

from __future__ import annotations

from crawler.platforms.base import Adapter, Companion
from crawler.platforms.facebook import FacebookAdapter
from crawler.platforms.generic import GenericAdapter
from crawler.platforms.instagram import InstagramAdapter
from crawler.platforms.probes import PROBES
from crawler.platforms.telegram import TelegramAdapter
from crawler.platforms.youtube import YouTubeAdapter

__all__ = ["PROBES", "Adapter", "Companion", "adapter_for", "facebook", "register"]

_ADAPTERS: list[Adapter] = []
_GENERIC = GenericAdapter()


def register(adapter: Adapter) -> None:
    _ADAPTERS.append(adapter)


def adapter_for(url: str) -> Adapter:
    for adapter in _ADAPTERS:
        if adapter.handles(url):
            return adapter
    return _GENERIC


facebook = FacebookAdapter()

register(TelegramAdapter())
register(facebook)
register(InstagramAdapter())
register(YouTubeAdapter())
