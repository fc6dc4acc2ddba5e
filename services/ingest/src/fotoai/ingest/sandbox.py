"""Decode isolation: a small pool of worker processes with a per-call time limit.

Image decoders are C code fed hostile bytes. A file that segfaults LibRaw, loops forever in a
codec, or balloons memory must cost one rejected photo, not the consumer. `DecodeSandbox.run`
sends a picklable call to an idle worker process and waits at most `timeout_s`; on a timeout the
worker is killed, on a crash it is reaped, and either way a fresh one takes its slot. Workers
run with an address-space limit and are recycled after `max_tasks` calls to bound fragmentation.

Each call blocks a thread of the sandbox's own executor while it waits on its pipe, so the event
loop never waits on a decode.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import multiprocessing
import os
import signal
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Self, TypeVar

T = TypeVar("T")

_READY = "ready"


class SandboxError(Exception):
    """The call did not return normally; the worker that ran it has been replaced."""


class DecodeTimeout(SandboxError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"decode took longer than {seconds:g} s")
        self.seconds = seconds


class WorkerCrashed(SandboxError):
    def __init__(self, exitcode: int | None) -> None:
        super().__init__(f"decode worker died (exit code {exitcode})")
        self.exitcode = exitcode


def _serve(conn: Connection, memory_limit: int | None, preload: Sequence[str]) -> None:
    """Worker process main loop: run calls until told to stop or the pipe closes."""
    # Ctrl-C is for the parent; it decides when workers go.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _tune_malloc()
    if memory_limit:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    for name in preload:
        importlib.import_module(name)
    conn.send(_READY)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        fn, args = message
        try:
            args = tuple(arg.read() if isinstance(arg, _FileBytes) else arg for arg in args)
            reply = ("ok", fn(*args))
        except BaseException as exc:  # noqa: BLE001 - everything travels back to the caller
            reply = ("err", exc)
        try:
            conn.send(reply)
        except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable result or exception
            conn.send(("err", RuntimeError(f"unpicklable reply: {exc!r}")))


class _FileBytes:
    """A large bytes argument parked in a file (on tmpfs where there is one) for the worker.

    Streaming tens of MiB through the pipe costs hundreds of small hand-offs between the two
    processes, each waiting for a CPU slice on a busy host; one file write and one read do not.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    def read(self) -> bytes:
        with open(self.path, "rb") as handle:
            return handle.read()


def _spill_dir() -> str | None:
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


def _tune_malloc() -> None:
    """glibc malloc settings for a process that allocates and frees one photo's buffers per call.

    Arenas are capped: each threaded codec thread would otherwise reserve 64 MiB of address space,
    which on a many-core host alone can exhaust an RLIMIT_AS budget. Buffers up to 128 MiB come
    from the heap and up to 256 MiB of freed heap is kept: a fresh worker otherwise mmaps, faults
    in and unmaps every large buffer each call, measured ~15-20% slower than a warm process.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt(-8, 2)  # M_ARENA_MAX
        libc.mallopt(-3, 128 * 1024 * 1024)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 256 * 1024 * 1024)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


class _Worker:
    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.tasks = 0

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()

    def stop(self, grace_s: float) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout=grace_s)
        self.kill()


class DecodeSandbox:
    """A pool of `workers` processes running one call each at a time, with a time limit."""

    def __init__(
        self,
        workers: int = 1,
        timeout_s: float = 30.0,
        memory_limit_bytes: int | None = None,
        max_tasks: int = 500,
        start_method: str = "spawn",
        start_timeout_s: float = 120.0,
        preload: Sequence[str] = ("fotoai.ingest.domain.pipeline", "rawpy", "pillow_heif"),
        spill_bytes: int = 1024 * 1024,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be ≥ 1")
        self.timeout_s = timeout_s
        self.spill_bytes = spill_bytes  # bytes arguments at least this big travel through a file
        self._size = workers
        self._memory_limit = memory_limit_bytes
        self._max_tasks = max_tasks
        # spawn by default: forking a process that runs an event loop and threads is unsafe.
        self._context = multiprocessing.get_context(start_method)
        self._start_timeout = start_timeout_s
        self._preload = tuple(preload)
        self._idle: asyncio.Queue[_Worker | None] | None = None
        self._busy: set[_Worker] = set()
        self._threads = ThreadPoolExecutor(
            max_workers=workers + 1, thread_name_prefix="decode-sandbox"
        )
        self._closed = False
        self.restarts = 0  # workers replaced after a timeout or crash; exposed for metrics

    def _queue(self) -> asyncio.Queue[_Worker | None]:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for _ in range(self._size):
                self._idle.put_nowait(None)  # None: a slot whose worker starts on first use
        return self._idle

    async def start(self) -> None:
        """Start every worker now, so the first photos do not pay the start-up."""
        queue = self._queue()
        slots = [queue.get_nowait() for _ in range(queue.qsize())]
        loop = asyncio.get_running_loop()
        started = await asyncio.gather(
            *(
                loop.run_in_executor(self._threads, self._spawn) if s is None else _done(s)
                for s in slots
            )
        )
        for worker in started:
            queue.put_nowait(worker)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in a worker; raises what `fn` raised, `DecodeTimeout` or `WorkerCrashed`."""
        if self._closed:
            raise RuntimeError("sandbox is closed")
        queue = self._queue()
        loop = asyncio.get_running_loop()
        slot = await queue.get()
        worker: _Worker | None = None
        healthy = False
        try:
            worker = slot if slot is not None and slot.process.is_alive() else None
            if worker is None:
                if slot is not None:
                    slot.kill()
                worker = await loop.run_in_executor(self._threads, self._spawn)
            self._busy.add(worker)
            status, value = await loop.run_in_executor(self._threads, self._call, worker, fn, args)
            healthy = True
        finally:
            if worker is not None:
                self._busy.discard(worker)
            if worker is not None and healthy and worker.tasks < self._max_tasks:
                queue.put_nowait(worker)
            else:
                if worker is not None:
                    # A cancelled or failed call leaves the worker in an unknown state.
                    if not healthy:
                        self.restarts += 1
                    await loop.run_in_executor(self._threads, worker.kill)
                queue.put_nowait(None)
        if status == "err":
            raise value
        return value

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_serve,
            args=(child, self._memory_limit, self._preload),
            name="fotoai-decode",
            daemon=True,
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        if not parent.poll(self._start_timeout):
            worker.kill()
            raise RuntimeError("decode worker did not start in time")
        try:
            ready = parent.recv()
        except (EOFError, OSError) as exc:
            worker.kill()
            raise RuntimeError(
                f"decode worker failed to start (exit code {process.exitcode})"
            ) from exc
        if ready != _READY:
            worker.kill()
            raise RuntimeError(f"decode worker said {ready!r} instead of ready")
        return worker

    def _call(
        self, worker: _Worker, fn: Callable[..., Any], args: tuple[Any, ...]
    ) -> tuple[str, Any]:
        deadline = time.monotonic() + self.timeout_s
        worker.tasks += 1
        spilled: list[str] = []
        try:
            shipped = tuple(self._spill(arg, spilled) for arg in args)
            worker.conn.send((fn, shipped))
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                raise DecodeTimeout(self.timeout_s)
            return worker.conn.recv()
        except (EOFError, OSError) as exc:
            worker.process.join(timeout=1)
            raise WorkerCrashed(worker.process.exitcode) from exc
        finally:
            for path in spilled:
                with contextlib.suppress(OSError):
                    os.unlink(path)

    def _spill(self, arg: Any, spilled: list[str]) -> Any:
        if not isinstance(arg, (bytes, bytearray)) or len(arg) < self.spill_bytes:
            return arg
        handle, path = tempfile.mkstemp(prefix="fotoai-decode-", dir=_spill_dir())
        spilled.append(path)
        with os.fdopen(handle, "wb") as out:
            out.write(arg)
        return _FileBytes(path)

    async def aclose(self) -> None:
        """Stop every worker: idle ones politely, busy ones (cancelled calls) by force."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        idle = []
        if self._idle is not None:
            while not self._idle.empty():
                slot = self._idle.get_nowait()
                if slot is not None:
                    idle.append(slot)
        await asyncio.gather(*(loop.run_in_executor(self._threads, w.stop, 2.0) for w in idle))
        for worker in list(self._busy):
            worker.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def _done(value: T) -> T:
    return value
