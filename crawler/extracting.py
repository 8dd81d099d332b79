"""Text extraction of several pages in one call to an extraction worker process.

Handing pages to a ``ProcessPoolExecutor`` one call each costs the crawler process a
call item, a wake-up of the pool's manager thread and a result hand-off per page, all while
holding the GIL the reactor needs. ``extract_pages`` takes a list of pages instead, so pages
that queue up while the worker is busy go over together. This module imports nothing but
``archive.text``: a spawned worker loads it (and trafilatura), not the crawler.
"""

from __future__ import annotations

from archive.text import Extracted, extract

Page = tuple[bytes, str | None, str]
"""A page to extract: decoded body, Content-Type, URL."""


def extract_pages(pages: list[Page]) -> list[Extracted | Exception]:
    """``archive.text.extract`` of each page, in order; a page whose extraction raised gets
    its exception in its place (the others' texts are kept)."""
    out: list[Extracted | Exception] = []
    for body, content_type, url in pages:
        try:
            out.append(extract(body, content_type, url))
        except Exception as exc:  # handed back and raised for this page alone
            out.append(exc)
    return out
