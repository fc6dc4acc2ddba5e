"""The launcher's supervisor with real child processes: crashed services come back with a
doubling back-off, a held service stays down, everything stops in reverse start order (with
SIGKILL for a child that ignores SIGTERM), and the children of a supervisor killed with
`kill -9` are found and stopped from the file it left."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from fotoai.stack import processes
from fotoai.stack.processes import Child, Supervisor, kill_recorded

PY = sys.executable


class Clock:
    """Stands in for `time.monotonic` in the supervisor, so back-off is tested without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(processes.time, "monotonic", fake)
    return fake


def child(tmp_path: Path, name: str, code: str, **options: object) -> Child:
    return Child(name, [PY, "-c", textwrap.dedent(code)], tmp_path / f"{name}.log", **options)  # type: ignore[arg-type]


def gone(pid: int) -> bool:
    """The process has exited (a zombie waiting for its parent counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def wait_until(condition, what: str, timeout: float = 30.0) -> None:
    """Poll for a state change of a real process (a bound against hanging, not a timing check)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


def test_a_crashed_service_is_restarted_with_a_doubling_back_off(tmp_path: Path, clock: Clock) -> None:
    sup = Supervisor(tmp_path / "children.json")
    crashing = sup.start(child(tmp_path, "crashy", "raise SystemExit(3)", restart=True))
    delays = []
    for expected_restarts in range(1, 8):
        assert crashing.proc is not None
        crashing.proc.wait(30)
        started = crashing.started_at
        # Just before the back-off has passed: left down.
        delay = min(30.0, 2.0 ** crashing.restarts)
        clock.now = started + delay - 0.01
        sup.watch_once()
        assert crashing.restarts == expected_restarts - 1
        clock.now = started + delay
        sup.watch_once()
        assert crashing.restarts == expected_restarts
        delays.append(delay)
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert (tmp_path / "crashy.log").read_text().count("starting crashy") == 8
    sup.stop_all()


def test_restarts_give_up_after_twenty_and_a_held_service_stays_down(tmp_path: Path, clock: Clock,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    sup = Supervisor(tmp_path / "children.json")
    worn = sup.start(child(tmp_path, "worn", "raise SystemExit(1)", restart=True))
    held = sup.start(child(tmp_path, "held", "raise SystemExit(1)", restart=True))
    sup.hold_dir.mkdir()
    (sup.hold_dir / "held").touch()
    worn.restarts = 20
    for c in (worn, held):
        assert c.proc is not None
        c.proc.wait(30)
    clock.now += 3600
    sup.watch_once()
    sup.watch_once()
    assert (worn.restarts, held.restarts) == (20, 0)
    assert not worn.alive() and not held.alive()
    err = capsys.readouterr().err
    assert err.count("worn exited with 1; see") == 1, "reported once, not at every watch"
    assert "held exited" not in err


def test_stop_all_stops_in_reverse_start_order_and_kills_what_ignores_sigterm(tmp_path: Path) -> None:
    order = tmp_path / "stopped.txt"
    polite = """
        import signal, sys, time
        def stop(*_):
            with open({order!r}, "a") as f:
                f.write({name!r} + "\\n")
            sys.exit(0)
        signal.signal(signal.SIGTERM, stop)
        print("ready", flush=True)
        while True:
            time.sleep(1)
    """
    stubborn = """
        import signal, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("ready", flush=True)
        while True:
            time.sleep(1)
    """
    sup = Supervisor(tmp_path / "children.json")
    names = ["postgres", "kafka", "catalog", "gateway"]
    children = [sup.start(child(tmp_path, n, polite.format(order=str(order), name=n))) for n in names]
    deaf = sup.start(child(tmp_path, "deaf", stubborn, stop_timeout=0.5))
    for c in [*children, deaf]:
        sup.wait_ready(c, functools.partial(lambda c: "ready" in c.log.read_text(), c), timeout=30)
    assert set(json.loads(sup.children_file.read_text())) == {*names, "deaf"}

    sup.stop_all()

    assert order.read_text().split() == list(reversed(names))
    assert deaf.proc is not None and deaf.proc.returncode == -signal.SIGKILL
    assert not sup.children_file.exists()


def test_children_of_a_supervisor_killed_with_sigkill_are_stopped_from_its_file(tmp_path: Path) -> None:
    children_file = tmp_path / "children.json"
    script = f"""
        import sys, time
        from pathlib import Path
        from fotoai.stack.processes import Child, Supervisor
        sup = Supervisor(Path({str(children_file)!r}))
        for name in ("kafka", "ingest"):
            sup.start(Child(name, [sys.executable, "-c", "import time; time.sleep(600)"],
                            Path({str(tmp_path)!r}) / (name + ".log")))
        print("started", flush=True)
        time.sleep(600)
    """
    supervisor = subprocess.Popen([PY, "-c", textwrap.dedent(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert supervisor.stdout is not None and supervisor.stdout.readline().strip() == "started"
        pids = json.loads(children_file.read_text())
        assert set(pids) == {"kafka", "ingest"}
        supervisor.kill()
        supervisor.wait(30)
        # Children live in their own sessions: the supervisor's death leaves them running.
        assert not any(gone(pid) for pid in pids.values())

        assert kill_recorded(children_file) == 2

        for pid in pids.values():
            wait_until(lambda pid=pid: gone(pid), f"leftover {pid} stopped")
        assert not children_file.exists()
        assert kill_recorded(children_file) == 0, "nothing recorded any more: nothing to do"
    finally:
        supervisor.kill()
        for pid in json.loads(children_file.read_text()).values() if children_file.exists() else ():
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
