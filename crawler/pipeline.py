"""The item pipeline: store each source off the reactor, extract text in a process pool,
then hand the source's ``SourceFetch`` to the per-source hook.

Fetching never waits on storage or extraction: ``process_item`` only waits for the WARC
records and rows of the source to be committed (in the storage thread; sources and extracted
texts that arrive while it is busy share one fsync and one commit), then returns while
text extraction (``archive.text.extract`` in a ``ProcessPoolExecutor``; pages that queue
up are handed over in batches, see ``crawler.extracting``) continues in the background. When
a source's texts are stored (conversion records written), the hook runs — in the storage
thread, so it may use the database. ``close_spider`` waits for all of it.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from archive.text import Extracted
from crawler.batching import Batcher
from crawler.extracting import Page, extract_pages
from crawler.results import SourceFetch
from crawler.spider import SourceItem
from crawler.store import CaptureStore, StoredSource, Work

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

T = TypeVar("T")

EXTRACT_NICENESS = 10  # added to an extraction worker's nice value


class SourceHook(Protocol):
    """Called once per source, after its captures and texts are stored (storage thread)."""

    def __call__(self, fetch: SourceFetch, stored: StoredSource) -> None: ...


@dataclass
class Sink:
    """Where the pipeline puts things: the store, the hook, and the workers."""

    store: CaptureStore
    hook: SourceHook | None = None
    extract_workers: int = 0  # 0: one per CPU but one
    on_progress: Callable[[StoredSource], None] | None = None
    failures: list[BaseException] = field(default_factory=list)  # what could not be stored


class StorePipeline:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self._storage: Executor = ThreadPoolExecutor(1, thread_name_prefix="sourcekeep-store")
        # one core stays with the crawler itself
        workers = sink.extract_workers or max(1, (os.cpu_count() or 1) - 1)
        # extraction runs below the crawler's priority: while fetching, the reactor thread
        # gets the CPU first and the texts catch up behind it (os.nice itself is the
        # initializer, so a worker imports nothing of ours to start)
        self._extractors: Executor = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=os.nice,
            initargs=(EXTRACT_NICENESS,),
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self.failures = sink.failures
        store = sink.store
        # sources and texts go through one queue, so a text's conversion record rides with
        # the next batch of sources (one fsync, one commit for both)
        self._work: Batcher[Work, StoredSource | None] = Batcher(self._storage, store.store_batch)
        # pages go to the extraction workers in batches: what queues up while the workers
        # are busy goes over in one call (one call item and one result hand-off, not one
        # per page)
        self._texts: Batcher[Page, Extracted | Exception] = Batcher(
            self._extractors, extract_pages, max_batch=16, parallel=workers
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        # settings are deep-copied by Scrapy; the sink travels with the spider instead
        sink = getattr(crawler.spider, "sink", None)
        if not isinstance(sink, Sink):
            raise TypeError("the spider must carry a crawler.pipeline.Sink as .sink")
        return cls(sink)

    async def _in(self, executor: Executor, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.wrap_future(executor.submit(fn, *args))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, SourceItem):
            return item
        try:
            stored = await self._work.submit(item)
            assert stored is not None
        except Exception as exc:
            self.failures.append(exc)
            raise
        task = asyncio.ensure_future(self._finish(stored))
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return item

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            assert exc is not None
            log.error("finishing a source failed: %r", exc, exc_info=exc)
            self.failures.append(exc)

    async def _finish(self, stored: StoredSource) -> None:
        for job in stored.text_jobs:
            extracted = await self._texts.submit((job.body, job.content_type, job.url))
            if isinstance(extracted, Exception):
                raise extracted
            await self._work.submit((job, extracted))
        if self.sink.hook is not None:
            await self._in(self._storage, self.sink.hook, stored.item.source_fetch(), stored)
        if self.sink.on_progress is not None:
            self.sink.on_progress(stored)

    async def close_spider(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        self._extractors.shutdown(wait=True)
        await self._in(self._storage, self.sink.store.close)
        self._storage.shutdown(wait=True)
