"""A large upload is streamed, not held: the gateway process's peak RSS grows by far less
than the body. (bench/gateway_upload_rss.py reports the figures for 200 MB.)"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fotoai.servicekit.storage import ObjectStore
from fotoai.servicekit.testing import mint_token

from .conftest import GatewayProcess, gateway_env

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BODY = 160 * 1024 * 1024


def _kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _body() -> Iterator[bytes]:
    block = os.urandom(256 * 1024)
    yield b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
    for _ in range(BODY // len(block)):
        yield block


async def test_peak_rss_stays_far_below_the_body_size(
    stack_env: dict[str, str], catalog_url: str, object_store: ObjectStore, tmp_path: Path,
) -> None:
    env = gateway_env(stack_env, FOTOAI_CATALOG_URL=catalog_url,
                      FOTOAI_GATEWAY__MAX_UPLOAD_BYTES=str(BODY + 1024 * 1024))
    gw = GatewayProcess(env, tmp_path / "gw.log")
    owner = f"rss-{uuid.uuid4().hex[:8]}"
    try:
        gw.wait_ready()
        auth = {"Authorization": f"Bearer {mint_token(stack_env, owner)}", "Content-Type": "image/jpeg"}
        with httpx.Client(timeout=600) as client:
            client.post(gw.url + "/v1/photos", content=b"\xff\xd8\xff" + bytes(2048), headers=auth)  # warm-up
            before = _kb(gw.proc.pid, "VmRSS")
            r = client.post(gw.url + "/v1/photos", content=_body(), headers=auth)
        assert r.status_code == 202, r.text
        assert r.json()["size"] == BODY + 11
        growth_mb = (_kb(gw.proc.pid, "VmHWM") - before) / 1024
        # minio keeps up to three 8 MiB parts in flight, with copies: tens of MB, never the body.
        assert growth_mb < 0.6 * BODY / 1024 / 1024, f"peak RSS grew by {growth_mb:.0f} MB"
    finally:
        gw.stop()
        await object_store.delete_prefix("fotoai-originals", f"{owner}/")
