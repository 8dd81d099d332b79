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
        # a broken executor (a process pool whose worker died) refuses work at once: the
        # batch fails, and so does each batch behind it, instead of waiting for a slot that
        # no running batch will ever give back
        while self._queue and self._running < self._parallel:
            batch, self._queue = self._queue[: self._max], self._queue[self._max :]
            try:
                submitted = self._executor.submit(self._fn, [i for i, _ in batch])
            except Exception as exc:
                _settle(batch, exc, None)
                continue
            self._running += 1
            done = asyncio.wrap_future(submitted)
            done.add_done_callback(lambda f, batch=batch: self._finished(f, batch))

    def _finished(
        self, result: asyncio.Future[Sequence[Out]], batch: list[tuple[In, asyncio.Future[Out]]]
    ) -> None:
        self._running -= 1
        exc = result.exception()
        _settle(batch, exc, None if exc is not None else result.result())
        self._start()


def _settle(
    batch: list[tuple[In, asyncio.Future[Out]]],
    exc: BaseException | None,
    outputs: Sequence[Out] | None,
) -> None:
    """Give each waiting submission of ``batch`` its output, or the batch's exception."""
    for index, (_item, future) in enumerate(batch):
        if future.cancelled():
            continue
        if exc is not None:
            future.set_exception(exc)
        else:
            assert outputs is not None
            future.set_result(outputs[index])
