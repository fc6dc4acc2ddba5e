"""The decode sandbox: results, errors, timeouts and crashes, and that it keeps serving after."""

from __future__ import annotations

import asyncio
import ctypes
import os
import time

import pytest
from fotoai.ingest.sandbox import DecodeSandbox, DecodeTimeout, WorkerCrashed

# Calls must be importable by reference in the worker, so they are stdlib functions.
_NO_PRELOAD: tuple[str, ...] = ()


@pytest.fixture(scope="module")
async def sandbox():
    box = DecodeSandbox(workers=2, timeout_s=2.0, memory_limit_bytes=1024**3, preload=_NO_PRELOAD)
    await box.start()
    yield box
    await box.aclose()


async def test_returns_results_from_another_process(sandbox):
    assert await sandbox.run(os.getpid) != os.getpid()
    assert await sandbox.run(divmod, 17, 5) == (3, 2)


async def test_exceptions_travel_back(sandbox):
    with pytest.raises(ValueError, match="invalid literal"):
        await sandbox.run(int, "not a number")
    assert await sandbox.run(abs, -3) == 3


async def test_hang_is_cut_at_the_timeout_and_the_worker_replaced(sandbox):
    restarts = sandbox.restarts
    started = time.monotonic()
    with pytest.raises(DecodeTimeout):
        await sandbox.run(time.sleep, 30)
    assert time.monotonic() - started < 10
    assert sandbox.restarts == restarts + 1
    assert await sandbox.run(abs, -1) == 1


async def test_segfault_is_a_crash_and_the_pool_recovers(sandbox):
    with pytest.raises(WorkerCrashed) as crashed:
        await sandbox.run(ctypes.string_at, 0)
    assert crashed.value.exitcode == -11  # SIGSEGV
    with pytest.raises(WorkerCrashed):
        await sandbox.run(os._exit, 3)
    assert await sandbox.run(divmod, 9, 4) == (2, 1)


async def test_memory_limit_turns_a_huge_allocation_into_memory_error(sandbox):
    with pytest.raises(MemoryError):
        await sandbox.run(bytearray, 4 * 1024**3)
    assert await sandbox.run(abs, -2) == 2


async def test_one_hang_does_not_block_the_other_worker(sandbox):
    hang = asyncio.ensure_future(sandbox.run(time.sleep, 30))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    assert await sandbox.run(abs, -5) == 5
    assert time.monotonic() - started < 1.5  # served by the second worker meanwhile
    with pytest.raises(DecodeTimeout):
        await hang


async def test_cancelled_call_kills_its_worker(sandbox):
    restarts = sandbox.restarts
    call = asyncio.ensure_future(sandbox.run(time.sleep, 30))
    await asyncio.sleep(0.3)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert sandbox.restarts == restarts + 1
    assert await sandbox.run(abs, -4) == 4


async def test_workers_are_recycled_after_max_tasks():
    async with DecodeSandbox(workers=1, timeout_s=10, max_tasks=2, preload=_NO_PRELOAD) as box:
        pids = [await box.run(os.getpid) for _ in range(5)]
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]


async def test_closed_sandbox_refuses_work():
    box = DecodeSandbox(workers=1, preload=_NO_PRELOAD)
    await box.aclose()
    with pytest.raises(RuntimeError):
        await box.run(abs, 1)


async def test_large_bytes_travel_through_a_file_that_is_removed_after(sandbox):
    import glob
    import zlib

    payload = os.urandom(3 * 1024 * 1024)
    before = set(glob.glob("/dev/shm/fotoai-decode-*"))
    assert await sandbox.run(len, payload) == len(payload)
    assert await sandbox.run(zlib.crc32, payload) == zlib.crc32(payload)
    with pytest.raises(ValueError):
        await sandbox.run(int, payload)
    assert set(glob.glob("/dev/shm/fotoai-decode-*")) == before  # nothing left behind


async def test_unpicklable_results_are_reported(sandbox):
    import hashlib

    with pytest.raises(RuntimeError, match="unpicklable"):
        await sandbox.run(hashlib.sha256, b"x")
    assert await sandbox.run(abs, -6) == 6
