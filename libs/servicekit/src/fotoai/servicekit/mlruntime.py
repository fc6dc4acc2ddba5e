"""The ML runtime enhance and tagging share: where a model runs, how a load failure reads, and the
dynamic batcher that turns concurrent single-photo calls into model batches.

Importing this module never imports torch: `resolve_device` asks torch only when a GPU can be
there at all (a configured `cuda`, or an NVIDIA driver on the host), so CPU-only services start
without the seconds-long torch import.

The batcher: callers submit one item each and get their own result back, while a worker groups
whatever is waiting (up to `max_batch` items, or what arrived within `max_wait_ms` of the first)
into one call of a blocking batch function on a dedicated thread. The event loop never blocks on
inference, the model is never called from two threads at once, and while one batch runs the next
fills up.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Generic, Literal, TypeVar

T = TypeVar("T")
R = TypeVar("R")

BatchObserver = Callable[[int, float], None]
DeviceName = Literal["cpu", "cuda"]

_NVIDIA_DRIVER = Path("/proc/driver/nvidia/version")


class ModelLoadError(RuntimeError):
    """A model could not be loaded at start-up (missing path, unknown format, no GPU)."""


def cuda_available() -> bool:
    """Whether torch sees a CUDA device; without an NVIDIA driver answers False without torch."""
    if not _NVIDIA_DRIVER.exists():
        return False
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def resolve_device(preference: str, cuda: Callable[[], bool] = cuda_available) -> DeviceName:
    """`cpu`, `cuda` (must exist, else ModelLoadError) or `auto` (cuda when available)."""
    if preference == "cpu":
        return "cpu"
    if preference == "cuda":
        if not cuda():
            raise ModelLoadError("device 'cuda' was configured but torch sees no CUDA device")
        return "cuda"
    if preference == "auto":
        return "cuda" if cuda() else "cpu"
    raise ModelLoadError(f"unknown device {preference!r}: use cpu, cuda or auto")


class BatcherClosed(RuntimeError):
    """submit() after aclose()."""


class Batcher(Generic[T, R]):
    """Collects submissions into batches for `fn(list[T]) -> list[R]` (same length, same order)."""

    def __init__(
        self,
        fn: Callable[[list[T]], Sequence[R]],
        max_batch: int,
        max_wait_ms: float,
        on_batch: BatchObserver | None = None,
        thread_name: str = "batcher",
    ):
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._fn = fn
        self._max_batch = max_batch
        self._max_wait = max(0.0, max_wait_ms) / 1000.0
        self._on_batch = on_batch
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)
        self._queue: asyncio.Queue[tuple[T, asyncio.Future[R]]] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._closed = False
        # Recent batch sizes, for tests and for the metrics the entrypoints export.
        self.batch_sizes: collections.deque[int] = collections.deque(maxlen=1024)

    async def submit(self, item: T) -> R:
        """Queue `item` and wait for its result (the batch function's exception if it fails)."""
        if self._closed:
            raise BatcherClosed("the batcher is closed")
        loop = asyncio.get_running_loop()
        if self._queue is None:
            self._queue = asyncio.Queue()
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._run(), name="batcher-worker")
        future: asyncio.Future[R] = loop.create_future()
        self._queue.put_nowait((item, future))
        return await future

    async def _collect(self) -> list[tuple[T, asyncio.Future[R]]]:
        assert self._queue is not None
        batch = [await self._queue.get()]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._max_wait
        while len(batch) < self._max_batch:
            if not self._queue.empty():
                batch.append(self._queue.get_nowait())
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self._queue.get(), remaining))
            except TimeoutError:
                break
        return batch

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._collect()
            # A caller that gave up (cancelled) needs no inference.
            live = [(item, fut) for item, fut in batch if not fut.done()]
            if not live:
                continue
            started = time.perf_counter()
            try:
                results = await loop.run_in_executor(self._executor, self._fn, [i for i, _ in live])
                if len(results) != len(live):
                    raise RuntimeError(
                        f"batch function returned {len(results)} results for {len(live)} items"
                    )
            except asyncio.CancelledError:
                for _, fut in live:
                    if not fut.done():
                        fut.set_exception(BatcherClosed("the batcher was closed"))
                raise
            # Any failure goes to every caller of the batch; the worker itself lives on.
            except Exception as exc:  # noqa: BLE001
                for _, fut in live:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            finally:
                self.batch_sizes.append(len(live))
                if self._on_batch is not None:
                    self._on_batch(len(live), time.perf_counter() - started)
            for (_, fut), result in zip(live, results, strict=True):
                if not fut.done():
                    fut.set_result(result)

    async def aclose(self) -> None:
        """Stop the worker, fail what is still queued, and release the inference thread."""
        self._closed = True
        if self._worker is not None:
            self._worker.cancel()
            try:
                await self._worker
            except asyncio.CancelledError:
                pass
        pending: list[tuple[T, asyncio.Future[R]]] = []
        if self._queue is not None:
            while not self._queue.empty():
                pending.append(self._queue.get_nowait())
        for _, fut in pending:
            if not fut.done():
                fut.set_exception(BatcherClosed("the batcher was closed"))
        self._executor.shutdown(wait=True)
