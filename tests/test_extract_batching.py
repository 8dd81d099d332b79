"""Text extraction in batches: each page keeps its own result, and a batcher with several
workers runs that many batches at once, grouping what queues up behind them."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from archive.text import extract
from crawler.batching import Batcher
from crawler.extracting import extract_pages

HTML = b"<html><body><article><p>" + b"Word " * 60 + b"</p></article></body></html>"


def test_each_page_gets_its_own_text_and_a_failure_stays_with_its_page() -> None:
    pages = [
        (HTML, "text/html", "https://vlast.kz/a"),
        (None, "text/plain", "https://vlast.kz/broken"),  # not bytes: extraction raises
        (b"plain words", "text/plain", "https://vlast.kz/b"),
    ]
    out = extract_pages(pages)  # type: ignore[arg-type]
    assert out[0] == extract(HTML, "text/html", "https://vlast.kz/a")
    assert isinstance(out[1], Exception)
    assert out[2] == extract(b"plain words", "text/plain", "https://vlast.kz/b")
    assert out[2].text == "plain words"


def test_batcher_runs_one_batch_per_worker_and_groups_the_rest() -> None:
    release = threading.Event()
    lock = threading.Lock()
    batches: list[list[int]] = []
    running = {"now": 0, "most": 0}

    def square(items: list[int]) -> list[int]:
        with lock:
            batches.append(list(items))
            running["now"] += 1
            running["most"] = max(running["most"], running["now"])
        release.wait(5)
        with lock:
            running["now"] -= 1
        return [i * i for i in items]

    async def main() -> list[int]:
        with ThreadPoolExecutor(2) as pool:
            batcher: Batcher[int, int] = Batcher(pool, square, max_batch=16, parallel=2)
            tasks = [asyncio.ensure_future(batcher.submit(i)) for i in range(6)]
            await asyncio.sleep(0.2)  # the first two batches are running, the rest wait
            release.set()
            return list(await asyncio.gather(*tasks))

    assert asyncio.run(main()) == [i * i for i in range(6)]
    assert batches[:2] == [[0], [1]]
    assert sorted(i for b in batches for i in b) == list(range(6))
    assert len(batches) == 3  # what queued behind the two running batches went together
    assert running["most"] == 2


def test_a_broken_worker_pool_fails_every_page_instead_of_hanging() -> None:
    """A pool whose worker died refuses all further work: each waiting page gets the error
    (so the run can end and say so) and none waits for ever."""

    async def main() -> list[BaseException | list[int]]:
        # the worker's initializer fails, so the pool breaks as soon as it starts
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=os.nice, initargs=("not a number",)) as pool:
            batcher: Batcher[int, list[int]] = Batcher(pool, sorted, max_batch=2, parallel=1)
            tasks = [asyncio.ensure_future(batcher.submit(i)) for i in range(5)]
            return list(
                await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
            )

    results = asyncio.run(main())
    assert len(results) == 5
    assert all(isinstance(r, BrokenProcessPool) for r in results), results
