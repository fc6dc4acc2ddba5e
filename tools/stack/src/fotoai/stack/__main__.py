"""`python -m fotoai.stack run|up|down|status`: the local stack's front door (see the Makefile)."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

import httpx
from dotenv import dotenv_values
from fotoai.stack.config import StackConfig
from fotoai.stack.launcher import run
from fotoai.stack.processes import child_env, kill_recorded, say


def _read_env(cfg: StackConfig) -> dict[str, str]:
    if not cfg.paths.env_file.exists():
        return {}
    return {k: v for k, v in dotenv_values(cfg.paths.env_file).items() if v is not None}


def _running_pid(cfg: StackConfig) -> int | None:
    try:
        pid = int(cfg.paths.pid_file.read_text())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def gateway_ready(cfg: StackConfig) -> bool:
    env = _read_env(cfg)
    url = env.get("FOTOAI_GATEWAY_URL")
    if not url:
        return False
    try:
        return httpx.get(f"{url}/readyz", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def up(cfg: StackConfig, timeout: float) -> int:
    if _running_pid(cfg) and gateway_ready(cfg):
        say(f"stack already running (pid {_running_pid(cfg)}); coordinates in {cfg.paths.env_file}")
        return 0
    cfg.paths.logs.mkdir(parents=True, exist_ok=True)
    log = cfg.paths.logs / "stack.log"
    offset = log.stat().st_size if log.exists() else 0
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "fotoai.stack", "run"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            env=child_env({"PYTHONDONTWRITEBYTECODE": None}),  # see components.service
        )
    say(f"starting the stack in the background (pid {proc.pid}, log {log}) …")
    deadline = time.monotonic() + timeout
    printed = offset
    while time.monotonic() < deadline:
        # Echo the launcher's progress so a long first start is not silent.
        with open(log, "rb") as f:
            f.seek(printed)
            chunk = f.read()
            printed += len(chunk)
        if chunk:
            sys.stderr.write(chunk.decode(errors="replace"))
            sys.stderr.flush()
        if proc.poll() is not None:
            say(f"the stack exited with {proc.returncode} while starting; see {cfg.paths.logs}")
            return 1
        if cfg.paths.env_file.exists() and gateway_ready(cfg):
            return 0
        time.sleep(1)
    say(f"the stack was not ready within {timeout:.0f} s; stopping it. Logs: {cfg.paths.logs}")
    down(cfg)
    return 1


def down(cfg: StackConfig) -> int:
    pid = _running_pid(cfg)
    if pid:
        say(f"stopping the stack (pid {pid}) …")
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.5)
        else:
            say("the launcher did not exit in 120 s: killing it and its children")
            os.kill(pid, signal.SIGKILL)
    kill_recorded(cfg.paths.children_file)
    cfg.paths.pid_file.unlink(missing_ok=True)
    cfg.paths.env_file.unlink(missing_ok=True)
    say("stack is down")
    return 0


def status(cfg: StackConfig) -> int:
    pid = _running_pid(cfg)
    env = _read_env(cfg)
    if not pid:
        print("stack: not running")
        return 3
    print(f"stack: running (pid {pid}), gateway ready: {gateway_ready(cfg)}")
    for k, v in env.items():
        if "SECRET" not in k:
            print(f"  {k}={v}")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="fotoai-stack", description="Run FotoAI's local stack.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("run", help="start everything in the foreground (Ctrl-C stops it)")
    p_up = sub.add_parser("up", help="start in the background, return once the gateway is ready")
    p_up.add_argument("--timeout", type=float, default=1500)
    sub.add_parser("down", help="stop a background stack")
    sub.add_parser("status", help="is it running, and where")
    args = parser.parse_args()
    cfg = StackConfig.from_env()
    if args.cmd == "run":
        sys.exit(run(cfg))
    if args.cmd == "up":
        sys.exit(up(cfg, args.timeout))
    if args.cmd == "down":
        sys.exit(down(cfg))
    sys.exit(status(cfg))


if __name__ == "__main__":
    main()
