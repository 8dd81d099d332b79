"""Group work for a single-threaded executor: what arrives while a batch runs goes together.

``await batcher.submit(x)`` returns ``fn([..., x, ...])``'s result for ``x``. The first
submission starts a batch at once; submissions made while it runs wait and form the next
batch. One worker thread with group commits keeps latency low when idle and throughput high
under load. ``parallel`` batches may run at once (one per worker of a pool).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


class Batcher(Generic[In, Out]):
    def __init__(
        self,
        executor: Executor,
        fn: Callable[[list[In]], Sequence[Out]],
        max_batch: int = 64,
        parallel: int = 1,
    ) -> None:
        self._executor = executor
        self._fn = fn
        self._max = max_batch
        self._parallel = parallel
        self._queue: list[tuple[In, asyncio.Future[Out]]] = []
        self._running = 0

    async def submit(self, item: In) -> Out:
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._running < self._parallel:
            self._start()
        return await future

    def _start(self) -> None:
        batch, self._queue = self._queue[: self._max], self._queue[self._max :]
        self._running += 1
        done = asyncio.wrap_future(self._executor.submit(self._fn, [i for i, _ in batch]))
        done.add_done_callback(lambda f: self._finished(f, batch))

    def _finished(
        self, result: asyncio.Future[Sequence[Out]], batch: list[tuple[In, asyncio.Future[Out]]]
    ) -> None:
        self._running -= 1
        exc = result.exception()
        outputs = None if exc is not None else result.result()
        for index, (_item, future) in enumerate(batch):
            if future.cancelled():
                continue
            if exc is not None:
                future.set_exception(exc)
            else:
                assert outputs is not None
                future.set_result(outputs[index])
        if self._queue:
            self._start()
