"""Fault injection on the running local stack: kill, hold down and restart its processes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import httpx
import pytest
from fotoai.servicekit.testing import stack_env_path


class StackControl:
    def __init__(self, env: dict[str, str]) -> None:
        self.home = stack_env_path().parent
        self.env = env

    def pids(self) -> dict[str, int]:
        return json.loads((self.home / "children.json").read_text())

    def kill(self, name: str, sig: int = signal.SIGKILL) -> int:
        pid = self.pids()[name]
        os.killpg(pid, sig)
        return pid

    def hold(self, name: str) -> None:
        (self.home / "hold").mkdir(exist_ok=True)
        (self.home / "hold" / name).touch()

    def release(self, name: str) -> None:
        (self.home / "hold" / name).unlink(missing_ok=True)

    async def wait_restarted(self, name: str, old_pid: int, timeout: float = 180) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = self.pids().get(name)
            if pid and pid != old_pid:
                return pid
            await asyncio.sleep(0.5)
        raise AssertionError(f"{name} was not restarted within {timeout} s")

    async def wait_ready(self, url: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=3) as c:
            while time.monotonic() < deadline:
                try:
                    if (await c.get(f"{url}/readyz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.5)
        raise AssertionError(f"{url} not ready within {timeout} s")


@pytest.fixture(scope="session")
def control(stack_env) -> StackControl:
    ctl = StackControl(stack_env)
    if not (ctl.home / "children.json").exists():
        pytest.fail("the stack's process list is missing: run the stack with `make up`")
    return ctl
