"""The dynamic batcher: concurrent submissions share batches, the timeout bounds the wait,
failures reach every caller, and closing releases waiters."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from fotoai.servicekit.mlruntime import Batcher, BatcherClosed


def doubling(calls: list[list[int]], threads: set[str] | None = None, delay: float = 0.0):
    def fn(batch: list[int]) -> list[int]:
        calls.append(list(batch))
        if threads is not None:
            threads.add(threading.current_thread().name)
        if delay:
            time.sleep(delay)
        return [2 * x for x in batch]

    return fn


async def test_concurrent_submissions_share_batches() -> None:
    calls: list[list[int]] = []
    batcher = Batcher(doubling(calls), max_batch=8, max_wait_ms=200)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(20)))
    await batcher.aclose()
    assert results == [2 * i for i in range(20)]
    assert [len(c) for c in calls] == [8, 8, 4]
    assert list(batcher.batch_sizes) == [8, 8, 4]
    assert sorted(x for c in calls for x in c) == list(range(20))


async def test_a_lone_item_waits_at_most_the_timeout() -> None:
    calls: list[list[int]] = []
    batcher = Batcher(doubling(calls), max_batch=32, max_wait_ms=50)
    started = time.perf_counter()
    assert await batcher.submit(21) == 42
    elapsed = time.perf_counter() - started
    await batcher.aclose()
    assert calls == [[21]]
    # It waited for company (about 50 ms), and not for a full batch that never comes.
    assert 0.04 <= elapsed < 2.0


async def test_items_arriving_after_the_timeout_go_in_the_next_batch() -> None:
    calls: list[list[int]] = []
    batcher = Batcher(doubling(calls), max_batch=32, max_wait_ms=30)
    first = asyncio.ensure_future(batcher.submit(1))
    await asyncio.sleep(0.3)
    second = asyncio.ensure_future(batcher.submit(2))
    assert await first == 2 and await second == 4
    await batcher.aclose()
    assert calls == [[1], [2]]


async def test_zero_timeout_still_takes_what_is_already_queued() -> None:
    calls: list[list[int]] = []
    batcher = Batcher(doubling(calls), max_batch=4, max_wait_ms=0)
    await asyncio.gather(*(batcher.submit(i) for i in range(8)))
    await batcher.aclose()
    assert [len(c) for c in calls] == [4, 4]


async def test_inference_runs_on_one_dedicated_thread_off_the_loop() -> None:
    calls: list[list[int]] = []
    threads: set[str] = set()
    batcher = Batcher(
        doubling(calls, threads, delay=0.05), max_batch=2, max_wait_ms=5, thread_name="infer-test"
    )
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.ensure_future(ticker())
    await asyncio.gather(*(batcher.submit(i) for i in range(6)))
    task.cancel()
    await batcher.aclose()
    assert len(threads) == 1 and next(iter(threads)).startswith("infer-test")
    # The loop kept running while three 50 ms batches slept on the worker thread.
    assert ticks >= 5


async def test_a_failing_batch_fails_its_callers_and_the_worker_lives_on() -> None:
    def fn(batch: list[int]) -> list[int]:
        if 13 in batch:
            raise ValueError("unlucky batch")
        return batch

    batcher = Batcher(fn, max_batch=4, max_wait_ms=20)
    outcomes = await asyncio.gather(
        *(batcher.submit(i) for i in (11, 12, 13)), return_exceptions=True
    )
    assert all(isinstance(o, ValueError) for o in outcomes)
    assert await batcher.submit(5) == 5
    await batcher.aclose()


async def test_a_wrong_number_of_results_is_an_error_not_a_mixup() -> None:
    batcher: Batcher[int, int] = Batcher(lambda batch: batch[:-1], max_batch=4, max_wait_ms=20)
    outcomes = await asyncio.gather(batcher.submit(1), batcher.submit(2), return_exceptions=True)
    await batcher.aclose()
    assert all(isinstance(o, RuntimeError) for o in outcomes)


async def test_close_fails_queued_and_later_submissions() -> None:
    calls: list[list[int]] = []
    batcher = Batcher(doubling(calls, delay=0.2), max_batch=1, max_wait_ms=0)
    futures = [asyncio.ensure_future(batcher.submit(i)) for i in range(3)]
    await asyncio.sleep(0.05)
    await batcher.aclose()
    outcomes = await asyncio.gather(*futures, return_exceptions=True)
    assert all(isinstance(o, BatcherClosed) for o in outcomes)
    with pytest.raises(BatcherClosed):
        await batcher.submit(9)


async def test_observer_sees_every_batch() -> None:
    seen: list[tuple[int, float]] = []
    batcher: Batcher[int, int] = Batcher(
        lambda b: b,
        max_batch=3,
        max_wait_ms=50,
        on_batch=lambda size, seconds: seen.append((size, seconds)),
    )
    await asyncio.gather(*(batcher.submit(i) for i in range(5)))
    await batcher.aclose()
    assert [size for size, _ in seen] == [3, 2]
    assert all(seconds >= 0 for _, seconds in seen)


# --- device resolution and load errors, shared by enhance and tagging ---------------------------

from fotoai.servicekit.mlruntime import ModelLoadError, resolve_device


def test_device_resolution_without_a_gpu():
    assert resolve_device("cpu", cuda=lambda: True) == "cpu"
    assert resolve_device("auto", cuda=lambda: False) == "cpu"
    assert resolve_device("auto", cuda=lambda: True) == "cuda"
    with pytest.raises(ModelLoadError, match="CUDA"):
        resolve_device("cuda", cuda=lambda: False)
    with pytest.raises(ModelLoadError, match="unknown device"):
        resolve_device("tpu")


def test_importing_the_runtime_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, fotoai.servicekit.mlruntime; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
