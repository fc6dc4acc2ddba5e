"""The decode sandbox: results, errors, timeouts and crashes, and that it keeps serving after."""

from __future__ import annotations

import asyncio
import ctypes
import os
import sys
import time
from pathlib import Path

import pytest
from fotoai.ingest.sandbox import (
    ENV_ALLOWED,
    OPEN_FILES_LIMIT,
    SHM_DIR,
    DecodeSandbox,
    DecodeTimeout,
    SpillFailed,
    WorkerCrashed,
    _spill_dirs,
)

# The probes must be importable by name in the worker (which gets this process's sys.path).
sys.path.insert(0, str(Path(__file__).parent))
from sandbox_probes import _connect, _environment, _limits

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
    # Only this process's spill files: a running stack's ingest writes its own meanwhile.
    mine = f"/dev/shm/fotoai-decode-{os.getpid()}-*"
    before = set(glob.glob(mine))
    assert await sandbox.run(len, payload) == len(payload)
    assert await sandbox.run(zlib.crc32, payload) == zlib.crc32(payload)
    with pytest.raises(ValueError):
        await sandbox.run(int, payload)
    assert set(glob.glob(mine)) == before  # nothing left behind


async def test_unpicklable_results_are_reported(sandbox):
    import hashlib

    with pytest.raises(RuntimeError, match="unpicklable"):
        await sandbox.run(hashlib.sha256, b"x")
    assert await sandbox.run(abs, -6) == 6


# --- containment: no secrets, no network, resource limits, spill files --------------------------


async def test_workers_start_without_the_services_secrets(monkeypatch):
    monkeypatch.setenv("FOTOAI_S3__SECRET_KEY", "s3-secret")
    monkeypatch.setenv("FOTOAI_KAFKA_PASSWORD", "kafka-secret")
    async with DecodeSandbox(workers=1, timeout_s=5.0, preload=_NO_PRELOAD) as box:
        # from the kernel's copy of its start-up environment, not just os.environ
        env = await box.run(_environment)
    assert "FOTOAI_S3__SECRET_KEY" not in env and "FOTOAI_KAFKA_PASSWORD" not in env
    assert not any("secret" in value for value in env.values())
    assert set(env) <= set(ENV_ALLOWED)


async def test_workers_run_under_resource_limits(sandbox):
    import resource

    limits = await sandbox.run(_limits)
    assert limits["RLIMIT_AS"] == (1024**3, 1024**3)
    assert limits["RLIMIT_NOFILE"] == (OPEN_FILES_LIMIT, OPEN_FILES_LIMIT)
    assert limits["RLIMIT_CORE"] == (0, 0)
    soft, hard = limits["RLIMIT_CPU"]
    assert hard != resource.RLIM_INFINITY and soft <= hard


async def test_a_call_that_burns_cpu_past_its_budget_is_killed():
    async with DecodeSandbox(workers=1, timeout_s=30.0, preload=_NO_PRELOAD, cpu_limit_s=2) as box:
        # the wall clock is generous: the CPU limit must be what stops it
        with pytest.raises(WorkerCrashed) as crashed:
            await box.run(sum, range(10**12))
        assert crashed.value.exitcode == -24  # SIGXCPU
        assert await box.run(abs, -4) == 4


async def test_workers_have_no_network_where_the_platform_allows():
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    try:
        async with DecodeSandbox(workers=1, timeout_s=10.0, preload=_NO_PRELOAD) as box:
            outcome = await box.run(_connect, port)
            isolation = box.network_isolation
        if isolation.startswith("none"):
            # The platform forbids namespaces: the sandbox says so instead of pretending.
            assert "forbids" in isolation or "not installed" in isolation
            assert outcome == "connected"
        else:
            assert outcome.startswith("refused"), outcome
        assert _connect(port) == "connected"  # the parent itself still reaches the port
    finally:
        server.close()


async def test_spill_skips_a_full_dev_shm_and_a_full_disk_is_transient(monkeypatch, tmp_path):
    import fotoai.ingest.sandbox as sandbox_module

    written: list[str] = []
    real_write = sandbox_module._write_spill

    def shm_full(directory, data):
        if directory == "/full":
            raise OSError(28, "No space left on device")
        written.append(directory)
        return real_write(directory, data)

    monkeypatch.setattr(sandbox_module, "_spill_dirs", lambda size: ["/full", str(tmp_path)])
    monkeypatch.setattr(sandbox_module, "_write_spill", shm_full)
    big = b"x" * (2 * 1024 * 1024)
    async with DecodeSandbox(workers=1, timeout_s=10.0, preload=_NO_PRELOAD) as box:
        assert await box.run(len, big) == len(big)
        assert written == [str(tmp_path)] and not list(tmp_path.iterdir())  # cleaned up

        monkeypatch.setattr(sandbox_module, "_spill_dirs", lambda size: ["/full"])
        with pytest.raises(SpillFailed, match="No space left"):
            await box.run(len, big)
        assert box.restarts == 0  # nothing crashed: the photo is not to blame
        assert await box.run(len, b"small") == 5


def test_dev_shm_is_used_only_while_it_has_room(monkeypatch):
    import collections

    import fotoai.ingest.sandbox as sandbox_module

    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(sandbox_module.shutil, "disk_usage", lambda path: usage(0, 0, 300 * 1024**2))
    if os.path.isdir(SHM_DIR) and os.access(SHM_DIR, os.W_OK):
        assert _spill_dirs(1024)[0] == SHM_DIR
    assert _spill_dirs(100 * 1024**2)[0] != SHM_DIR  # would leave < SHM_HEADROOM_BYTES
