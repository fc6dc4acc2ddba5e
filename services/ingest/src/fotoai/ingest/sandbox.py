"""Decode isolation: a small pool of worker processes with a per-call time limit.

Image decoders are C code fed hostile bytes. A file that segfaults LibRaw, loops forever in a
codec, or balloons memory must cost one rejected photo, not the consumer. `DecodeSandbox.run`
sends a picklable call to an idle worker process and waits at most `timeout_s`; on a timeout the
worker is killed, on a crash it is reaped, and either way a fresh one takes its slot. Workers
run with an address-space limit and are recycled after `max_tasks` calls to bound fragmentation.

Each call blocks a thread of the sandbox's own executor while it waits on its pipe, so the event
loop never waits on a decode.

Containment, for a decoder exploit rather than a mere bug: workers are started with an
environment reduced to a short allow-list (the service's credentials never reach them), in a
network namespace of their own where the platform allows one (`unshare --net`, or an
unprivileged user namespace; `network_isolation` says which, or why none), and with resource
limits: address space, CPU seconds per call, open files, no core files. Large inputs travel
through a spill file on /dev/shm while it has room, else in the temp dir; a spill that cannot be
written anywhere raises `SpillFailed`, a transient error for the retry policy, never a verdict
on the photo.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import importlib
import multiprocessing
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
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


class SpillFailed(OSError):
    """The input could not be parked for the worker (no room on /dev/shm nor in the temp dir):
    the host's problem, not the photo's, so a transient error for the retry policy."""


# Environment variables a worker keeps; everything else (credentials, endpoints) is dropped.
ENV_ALLOWED = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "PYTHONHASHSEED")
OPEN_FILES_LIMIT = 256


def _set_limits(memory_limit: int | None, cpu_seconds_total: int | None) -> None:
    import resource

    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES_LIMIT, OPEN_FILES_LIMIT))
    if cpu_seconds_total:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds_total, cpu_seconds_total))


def _limit_cpu_for_next_call(cpu_seconds: int | None) -> None:
    """Soft CPU limit = CPU used so far + one call's budget: a runaway call gets SIGXCPU."""
    if not cpu_seconds:
        return
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(usage.ru_utime + usage.ru_stime) + cpu_seconds + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _serve(
    conn: Connection,
    memory_limit: int | None,
    preload: Sequence[str],
    cpu_total: int | None = None,
) -> None:
    """Worker process main loop: run calls until told to stop or the pipe closes."""
    # Ctrl-C is for the parent; it decides when workers go.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _tune_malloc()
    for name in preload:
        importlib.import_module(name)
    _set_limits(memory_limit, cpu_total)
    conn.send(_READY)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        fn, args, cpu_seconds = message
        try:
            args = tuple(arg.read() if isinstance(arg, _FileBytes) else arg for arg in args)
            _limit_cpu_for_next_call(cpu_seconds)
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


SHM_DIR = "/dev/shm"
# /dev/shm is used only while it keeps this much free after the file: it is shared memory of
# the whole host (or pod), and filling it breaks other programs.
SHM_HEADROOM_BYTES = 256 * 1024 * 1024


def _spill_dirs(size: int) -> list[str]:
    """Where a spill file of `size` bytes may go, best first: /dev/shm while it has room, then
    the temp dir."""
    dirs = []
    if os.path.isdir(SHM_DIR) and os.access(SHM_DIR, os.W_OK):
        with contextlib.suppress(OSError):
            free = shutil.disk_usage(SHM_DIR).free
            if free - size >= SHM_HEADROOM_BYTES:
                dirs.append(SHM_DIR)
    dirs.append(tempfile.gettempdir())
    return dirs


def _write_spill(directory: str, data: bytes | bytearray) -> str:
    # Named after the consumer's process, so what each one leaves behind can be told apart.
    handle, path = tempfile.mkstemp(prefix=f"fotoai-decode-{os.getpid()}-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    return path


# --- starting workers without secrets and without a network -----------------------------------

_spawn_lock = threading.Lock()


def _isolation_command() -> tuple[list[str], str]:
    """The command prefix that gives a process its own empty network namespace here, and a
    description; ([], reason) where the platform does not allow one."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return [], "none: util-linux `unshare` is not installed"
    for prefix in ([unshare, "--net"], [unshare, "--user", "--map-root-user", "--net"]):
        try:
            probe = subprocess.run(
                [*prefix, "true"], capture_output=True, timeout=10, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return prefix, " ".join(os.path.basename(p) if i == 0 else p for i, p in enumerate(prefix))
    return [], "none: the platform forbids new network namespaces (no CAP_SYS_ADMIN, no user namespaces)"


def _worker_launcher(directory: str, isolate: list[str], environ: dict[str, str]) -> str:
    """A tiny executable that starts the interpreter with a clean environment (and in its own
    network namespace): multiprocessing's spawn runs it in place of the interpreter."""
    path = os.path.join(directory, "fotoai-decode-worker")
    env_args = " ".join(_sh_quote(f"{k}={v}") for k, v in sorted(environ.items()))
    prefix = " ".join(_sh_quote(p) for p in isolate)
    script = (
        "#!/bin/sh\n"
        f"exec /usr/bin/env -i {env_args} {prefix} {_sh_quote(sys.executable)} \"$@\"\n"
    )
    with open(path, "w") as out:
        out.write(script)
    os.chmod(path, stat.S_IRWXU)
    return path


def _sh_quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def worker_environment() -> dict[str, str]:
    return {k: os.environ[k] for k in ENV_ALLOWED if k in os.environ}


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
        preload: Sequence[str] = ("fotoai.ingest.domain.pipeline", "rawpy", "pi_heif"),
        spill_bytes: int = 1024 * 1024,
        isolate_network: bool = True,
        clean_environment: bool = True,
        cpu_limit_s: int | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be ≥ 1")
        self.timeout_s = timeout_s
        self.spill_bytes = spill_bytes  # bytes arguments at least this big travel through a file
        self._size = workers
        self._memory_limit = memory_limit_bytes
        self._max_tasks = max_tasks
        # spawn by default: forking a process that runs an event loop and threads is unsafe.
        self._context: Any = multiprocessing.get_context(start_method)
        self._start_timeout = start_timeout_s
        self._preload = tuple(preload)
        self._idle: asyncio.Queue[_Worker | None] | None = None
        self._busy: set[_Worker] = set()
        self._threads = ThreadPoolExecutor(
            max_workers=workers + 1, thread_name_prefix="decode-sandbox"
        )
        self._closed = False
        self.restarts = 0  # workers replaced after a timeout or crash; exposed for metrics
        # CPU seconds a call may burn (SIGXCPU past it; by default the time limit but at least
        # 10 s, since a fresh worker's first call also pays lazy imports), and a lifetime cap.
        self.cpu_limit_s = cpu_limit_s or max(10, int(timeout_s) + 1)
        self._cpu_total = self.cpu_limit_s * max_tasks + 60
        self._clean_environment = clean_environment
        self._isolate_network = isolate_network
        self._launcher: str | None = None
        self._launcher_dir: str | None = None
        self.network_isolation = "off"  # how workers are cut from the network, or why not

    def _prepare_launcher(self) -> None:
        if self._launcher is not None or not (self._clean_environment or self._isolate_network):
            return
        isolate: list[str] = []
        if self._isolate_network:
            isolate, self.network_isolation = _isolation_command()
        environ = worker_environment() if self._clean_environment else dict(os.environ)
        self._launcher_dir = tempfile.mkdtemp(prefix="fotoai-sandbox-")
        self._launcher = _worker_launcher(self._launcher_dir, isolate, environ)

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
            try:
                status, value = await loop.run_in_executor(
                    self._threads, self._call, worker, fn, args
                )
            except SpillFailed:
                healthy = True  # nothing reached the worker: it stays as it was
                raise
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
            args=(child, self._memory_limit, self._preload, self._cpu_total),
            name="fotoai-decode",
            daemon=True,
        )
        with _spawn_lock:
            self._prepare_launcher()
            if self._launcher is not None and self._context.get_start_method() == "spawn":
                # spawn's interpreter path is process-wide: swap it only for this start.
                from multiprocessing import spawn

                previous = spawn.get_executable()
                spawn.set_executable(self._launcher)
                try:
                    process.start()
                finally:
                    spawn.set_executable(previous)
            else:
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
        spilled: list[str] = []
        try:
            # Outside the crash handling below: a full disk is not the photo's fault.
            shipped = tuple(self._spill(arg, spilled) for arg in args)
        except BaseException:
            _unlink_all(spilled)
            raise
        deadline = time.monotonic() + self.timeout_s
        worker.tasks += 1
        try:
            worker.conn.send((fn, shipped, self.cpu_limit_s))
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                raise DecodeTimeout(self.timeout_s)
            return worker.conn.recv()
        except (EOFError, OSError) as exc:
            worker.process.join(timeout=1)
            raise WorkerCrashed(worker.process.exitcode) from exc
        finally:
            _unlink_all(spilled)

    def _spill(self, arg: Any, spilled: list[str]) -> Any:
        if not isinstance(arg, (bytes, bytearray)) or len(arg) < self.spill_bytes:
            return arg
        failures = []
        for directory in _spill_dirs(len(arg)):
            try:
                path = _write_spill(directory, arg)
            except OSError as exc:  # ENOSPC, EDQUOT, EROFS …: try the next place
                failures.append(f"{directory}: {exc.strerror or exc}")
                continue
            spilled.append(path)
            return _FileBytes(path)
        raise SpillFailed(errno.ENOSPC, "cannot park the input for the decoder: " + "; ".join(failures))

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
        if self._launcher_dir is not None:
            shutil.rmtree(self._launcher_dir, ignore_errors=True)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def _done(value: T) -> T:
    return value


def _unlink_all(paths: list[str]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)
