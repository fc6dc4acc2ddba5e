"""A small process supervisor: start children with their logs in files, wait for readiness,
restart crashed services, and stop everything in reverse order on the way out.

Children run in their own sessions so a Ctrl-C in the terminal reaches only the supervisor,
which then stops them in order (services before Kafka, Kafka before nothing else depends on it).
Their PIDs are written to a file so `down` can clean up even after the supervisor was killed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def say(msg: str) -> None:
    print(f"[stack] {msg}", file=sys.stderr, flush=True)


def child_env(overrides: dict[str, str | None]) -> dict[str, str]:
    """The supervisor's environment with `overrides` applied (None removes a variable)."""
    env = {**os.environ, **overrides}
    return {k: v for k, v in env.items() if v is not None}


@dataclass
class Child:
    name: str
    argv: list[str]
    log: Path
    #: Set over the supervisor's environment; None removes a variable.
    env: dict[str, str | None] = field(default_factory=dict)
    cwd: Path | None = None
    stop_signal: int = signal.SIGTERM
    stop_timeout: float = 20.0
    restart: bool = False
    user: str | None = None
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = 0.0

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = open(self.log, "ab")  # noqa: SIM115 — handed to the child, closed right after
        out.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {self.name}\n".encode())
        out.flush()
        self.proc = subprocess.Popen(
            self.argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=child_env(self.env),
            cwd=self.cwd,
            start_new_session=True,
            user=self.user,
        )
        out.close()
        self.started_at = time.monotonic()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if not self.alive():
            return
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, self.stop_signal)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            say(f"{self.name} did not stop in {self.stop_timeout:.0f} s: killing it")
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)


class Supervisor:
    def __init__(self, children_file: Path) -> None:
        self.children: list[Child] = []
        self.children_file = children_file
        #: A file `<hold_dir>/<name>` keeps that child down (fault-injection tests, maintenance).
        self.hold_dir = children_file.parent / "hold"
        #: Set when one of the concurrent readiness waits failed: the others stop waiting.
        self.failed = threading.Event()

    def _record(self) -> None:
        pids = {c.name: c.pid for c in self.children if c.alive()}
        # Atomically: tests and `down` read it while restarts rewrite it (a reader once saw the
        # truncated, empty file mid-write and failed on JSON).
        tmp = self.children_file.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(pids))
        os.replace(tmp, self.children_file)

    def start(self, child: Child) -> Child:
        say(f"starting {child.name} (log: {child.log})")
        child.start()
        self.children.append(child)
        self._record()
        return child

    def wait_ready(
        self, child: Child, check: Callable[[], bool], timeout: float, what: str = "ready",
        interval: float = 0.1,
    ) -> None:
        """Poll `check` until it passes. Raises when the child dies, when `timeout` passes, or
        when another wait of the same start failed (`self.failed`), so a start fails fast."""
        deadline = time.monotonic() + timeout
        last_note = time.monotonic()
        while time.monotonic() < deadline:
            if self.failed.is_set():
                raise RuntimeError(f"gave up waiting for {child.name}: another piece failed to start")
            if not child.alive():
                self.failed.set()
                raise RuntimeError(
                    f"{child.name} exited while starting (code {child.proc.returncode if child.proc else '?'}).\n"
                    f"Last lines of {child.log}:\n{child.tail()}"
                )
            try:
                if check():
                    say(f"{child.name} {what} after {time.monotonic() - child.started_at:.1f} s")
                    return
            except Exception:  # noqa: BLE001, S110 — not ready yet, whatever the reason
                pass
            if time.monotonic() - last_note > 15:
                say(f"  still waiting for {child.name} ({time.monotonic() - child.started_at:.0f} s) …")
                last_note = time.monotonic()
            time.sleep(interval)
        self.failed.set()
        raise RuntimeError(
            f"{child.name} was not {what} within {timeout:.0f} s.\nLast lines of {child.log}:\n{child.tail()}"
        )

    def watch_once(self) -> None:
        """Restart crashed restartable children, with a back-off; report the others."""
        for child in self.children:
            if child.proc is None or child.alive():
                continue
            if (self.hold_dir / child.name).exists():
                continue
            if child.restart and child.restarts < 20:
                delay = min(30.0, 2.0 ** child.restarts)
                if time.monotonic() - child.started_at < delay:
                    continue
                child.restarts += 1
                say(f"{child.name} exited with {child.proc.returncode}; restart #{child.restarts}")
                child.start()
                self._record()
            elif child.restarts >= 0 and not getattr(child, "_reported", False):
                say(f"{child.name} exited with {child.proc.returncode}; see {child.log}")
                child._reported = True  # type: ignore[attr-defined]

    def stop_all(self) -> None:
        for child in reversed(self.children):
            if child.alive():
                say(f"stopping {child.name}")
                child.stop()
        self.children_file.unlink(missing_ok=True)


def kill_recorded(children_file: Path) -> int:
    """Kill children recorded by a supervisor that is gone (e.g. after kill -9)."""
    if not children_file.exists():
        return 0
    killed = 0
    for name, pid in json.loads(children_file.read_text() or "{}").items():
        if not pid:
            continue
        try:
            os.killpg(pid, signal.SIGTERM)
            killed += 1
            say(f"stopped leftover {name} (pid {pid})")
        except (ProcessLookupError, PermissionError):
            continue
    deadline = time.monotonic() + 20
    for pid in json.loads(children_file.read_text() or "{}").values():
        while pid and time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
                time.sleep(0.2)
            except ProcessLookupError:
                break
        else:
            if pid:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
    children_file.unlink(missing_ok=True)
    return killed
