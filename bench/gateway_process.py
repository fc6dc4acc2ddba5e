"""A gateway process of a benchmark's own against the running stack, and its memory: shared by
upload_capacity.py and gateway_upload_rss.py (run as scripts: `bench/` is on the path)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
from fotoai.servicekit.settings import KAFKA_AUTH_ENV
from fotoai.servicekit.testing import as_principal

#: The first bytes of a JPEG: enough for the gateway's sniffing to accept a synthetic body.
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
_STACK_KEYS = ("FOTOAI_KAFKA_BOOTSTRAP", "FOTOAI_S3_ENDPOINT", "FOTOAI_S3_ACCESS_KEY", "FOTOAI_S3_SECRET_KEY",
               "FOTOAI_JWT_SECRET", "FOTOAI_JWT_ISSUER", "FOTOAI_JWT_AUDIENCE", "FOTOAI_CATALOG_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid: int, field: str) -> int:
    """A `/proc/<pid>/status` figure in kB (VmRSS, VmHWM)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def gateway_env(stack: dict[str, str], port: int, settings: dict[str, str]) -> dict[str, str]:
    """The environment of a gateway on `port` using the stack's Kafka (as the gateway's own
    principal), object store, signing secret and catalog; `settings` (FOTOAI_* names) win."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOTOAI_")}
    env.update({k: stack[k] for k in _STACK_KEYS if k in stack})
    env.update({k: v for k, v in as_principal(stack, "gateway").items() if k in KAFKA_AUTH_ENV})
    env.update(FOTOAI_HTTP_PORT=str(port), FOTOAI_LOG_LEVEL="WARNING", FOTOAI_LOG_JSON="false")
    env.update(settings)
    return env


@contextlib.contextmanager
def gateway_process(
    stack: dict[str, str], settings: dict[str, str], ready: str = "/readyz", timeout_s: float = 180,
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`python -m fotoai.gateway` on a free port, once `ready` answers 200; stopped on exit."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "fotoai.gateway"], env=gateway_env(stack, port, settings))
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}{ready}", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline or proc.poll() is not None:
                sys.exit("the gateway did not become ready")
            time.sleep(0.3)
        yield proc, port
    finally:
        proc.terminate()
        proc.wait(30)
