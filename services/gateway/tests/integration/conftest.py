"""Fixtures of the gateway's integration tests: the stack's real Kafka and object store, a
private redis-server, gateway replicas as subprocesses, and a fake catalog on a real port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import httpx
import pytest
import uvicorn
from fotoai.servicekit.settings import KAFKA_AUTH_ENV
from fotoai.servicekit.testing import as_principal

from ..unit.fakes import fake_catalog, summary

REPO = Path(__file__).resolve().parents[4]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 90.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("redis-server is not installed: `apt-get install -y redis-server`")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("redis-server did not start")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


class ThreadedServer:
    """A uvicorn server for an ASGI app, in a thread of the test process."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("fake catalog did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def catalog_url() -> Iterator[str]:
    photos = {"p1": summary("p1", "alice", "2026-01-01T00:00:00+00:00", ["cat"])}
    with ThreadedServer(fake_catalog(photos)) as server:
        yield server.url


def gateway_env(stack_env: dict[str, str], **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOTOAI_")}
    keep = ("FOTOAI_KAFKA_BOOTSTRAP", "FOTOAI_S3_ENDPOINT", "FOTOAI_S3_ACCESS_KEY", "FOTOAI_S3_SECRET_KEY",
            "FOTOAI_JWT_SECRET", "FOTOAI_JWT_ISSUER", "FOTOAI_JWT_AUDIENCE")
    env.update({k: stack_env[k] for k in keep if k in stack_env})
    # The gateway publishes as its own Kafka principal (the stack's secrets), like the real one.
    gateway = as_principal(stack_env, "gateway")
    env.update({k: gateway[k] for k in KAFKA_AUTH_ENV if k in gateway})
    env.update({"FOTOAI_LOG_JSON": "false", "FOTOAI_LOG_LEVEL": "WARNING", **extra})
    return env


class GatewayProcess:
    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 — closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fotoai.gateway"], env={**env, "FOTOAI_HTTP_PORT": str(self.port)},
            stdout=self._log, stderr=subprocess.STDOUT, cwd=REPO,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self) -> None:
        try:
            wait_http(self.url + "/healthz", proc=self.proc)
        except Exception:  # noqa: BLE001 — any failure: show the log
            self.stop()
            raise RuntimeError(f"gateway did not start:\n{self.log_path.read_text()[-3000:]}") from None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()
