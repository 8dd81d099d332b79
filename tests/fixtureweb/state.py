"""Per-URL stages (how a page looks "now") and per-URL hit counters, shared by the server
thread and the test thread."""

from __future__ import annotations

import threading
from enum import StrEnum

from tests.fixtureweb.recorder import url_key


class Stage(StrEnum):
    """How a URL answers now. Set with ``FixtureWeb.set_stage`` or the control URL."""

    V1 = "v1"  # the original page
    V2 = "v2"  # an edited version: real changes of the main text
    BOILERPLATE = "boilerplate"  # v1's main text; menu, "most read", header date changed
    V2_BOILERPLATE = "v2+boilerplate"  # v2's main text with the changed boilerplate
    NOT_FOUND = "404"  # HTTP 404
    GONE = "410"  # HTTP 410
    HOME = "home"  # 301 to the site's home page (a deleted article, redirected)
    DELETED = "deleted"  # the platform's own "not found" (t.me embed error, Facebook
    # "content isn't available", YouTube "Video unavailable", Instagram embed 404;
    # on the soft-404 host the generic 200 page; on other news hosts a 404 page)


class State:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stages: dict[str, Stage] = {}
        self._counts: dict[str, int] = {}

    def set_stage(self, url: str, stage: Stage | str) -> Stage:
        value = Stage(stage)
        with self._lock:
            self._stages[url_key(url)] = value
        return value

    def stage(self, url: str) -> Stage:
        with self._lock:
            return self._stages.get(url_key(url), Stage.V1)

    def count(self, url: str) -> int:
        """Count one more request for ``url``; returns how many there were, this one included."""
        key = url_key(url)
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]

    def clear(self) -> None:
        with self._lock:
            self._stages.clear()
            self._counts.clear()
