"""Issue 14 item 5: every component killed with SIGKILL under load, one at a time.

For each component (gateway, ingest, enhance, tagging, catalog, PostgreSQL, Redis/Valkey,
S3Proxy, Kafka) a batch of full-size photos (12 MP JPEGs by default) is uploaded with several in
flight; half-way through, the component's whole process group is killed with SIGKILL and the
launcher's supervisor restarts it. Then every accepted upload (202) must settle `ready` with
every stage `done`, the owner's list must name each exactly once, and the catalog must hold no
duplicated tag or face (full rows compared, not counts a primary key keeps right).

Size is a setting, so CI can afford it and a long run can load the box:
  FOTOAI_KILL_MATRIX_COMPONENTS  comma list (default: all nine)
  FOTOAI_KILL_MATRIX_PHOTOS      photos per component (default 6)
  FOTOAI_KILL_MATRIX_INFLIGHT    concurrent uploads (default 3)
  FOTOAI_KILL_MATRIX_MEGAPIXELS  photo size (default 12)
The table (component, accepted, settled, seconds to settle, restart seconds) is printed and
written to $FOTOAI_HOME/logs/kill-matrix.txt.
"""

from __future__ import annotations

import asyncio
import io
import os
import time
import uuid

import asyncpg
import httpx
import numpy as np
import pytest
from fotoai.servicekit.testing import mint_token, stack_env_path
from PIL import Image

from tests.support import wait_until_settled

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(3600)]

ALL = ("gateway", "ingest", "enhance", "tagging", "catalog", "postgres", "redis", "s3proxy", "kafka")
COMPONENTS = tuple(c for c in os.environ.get("FOTOAI_KILL_MATRIX_COMPONENTS", ",".join(ALL)).split(",") if c)
PHOTOS = int(os.environ.get("FOTOAI_KILL_MATRIX_PHOTOS", "6"))
INFLIGHT = int(os.environ.get("FOTOAI_KILL_MATRIX_INFLIGHT", "3"))
MEGAPIXELS = float(os.environ.get("FOTOAI_KILL_MATRIX_MEGAPIXELS", "12"))
RESULTS: list[tuple[str, int, int, float, float]] = []


def photo(seed: int) -> bytes:
    """A photo-like JPEG of MEGAPIXELS (4:3): smooth gradients plus texture, ~1-2 MB at 12 MP."""
    w = int((MEGAPIXELS * 1e6 * 4 / 3) ** 0.5)
    h = int(w * 3 / 4)
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (h // 64 + 1, w // 64 + 1, 3), dtype=np.uint8)
    img = Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC)
    noise = rng.normal(0, 6, (h, w, 3))
    arr = np.clip(np.asarray(img, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(arr).save(out, "JPEG", quality=88)
    return out.getvalue()


async def upload(client: httpx.AsyncClient, body: bytes) -> str | None:
    """One upload, retried like a phone would (same Idempotency-Key) while the gateway is down;
    None when it was never accepted."""
    key = uuid.uuid4().hex
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            r = await client.post("/v1/photos", content=body,
                                  headers={"Content-Type": "image/jpeg", "Idempotency-Key": key})
            if r.status_code == 202:
                return r.json()["id"]
            if r.status_code not in (429, 502, 503, 504):
                raise AssertionError(f"upload answered {r.status_code}: {r.text[:300]}")
        except httpx.TransportError:
            pass
        await asyncio.sleep(1)
    return None


def every_stage_done(p: dict) -> bool:
    stages = p.get("stages") or {}
    return p["status"] == "ready" and not p.get("failed_stages") \
        and all(stages.get(s) == "done" for s in ("ingest", "enhance", "tagging"))


async def duplicated_rows(database_url: str, ids: list[str]) -> list:
    conn = await asyncpg.connect(database_url)
    try:
        faces = await conn.fetch(
            "SELECT photo_id, model_id, x, y, w, h, score, count(*) AS n FROM faces"
            " WHERE photo_id = ANY($1) GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING count(*) > 1", ids)
        tags = await conn.fetch(
            "SELECT photo_id, model_id, lower(label), count(*) AS n FROM tags"
            " WHERE photo_id = ANY($1) GROUP BY 1, 2, 3 HAVING count(*) > 1", ids)
        return [dict(r) for r in [*faces, *tags]]
    finally:
        await conn.close()


@pytest.fixture(scope="module", autouse=True)
def report(stack_env):
    yield
    lines = [f"{'component':<10} {'accepted':>8} {'all done':>8} {'settle s':>9} {'restart s':>9}"]
    lines += [f"{c:<10} {a:>8} {d:>8} {s:>9.1f} {r:>9.1f}" for c, a, d, s, r in RESULTS]
    text = "\n".join(lines)
    print("\nkill matrix:\n" + text)
    logs = stack_env_path().parent / "logs"
    if logs.is_dir():
        (logs / "kill-matrix.txt").write_text(text + "\n")


@pytest.mark.parametrize("component", COMPONENTS)
async def test_kill_9_under_load_loses_and_duplicates_nothing(stack_env, control, component) -> None:
    assert component in control.pids(), f"{component} is not running in this stack"
    owner = f"kill-{component}-{uuid.uuid4().hex[:6]}"
    bodies = [photo(hash((component, i)) & 0xFFFF) for i in range(PHOTOS)]
    token = mint_token(stack_env, owner)
    limits = httpx.Limits(max_connections=INFLIGHT)
    async with httpx.AsyncClient(base_url=stack_env["FOTOAI_GATEWAY_URL"], timeout=120, limits=limits,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        gate = asyncio.Semaphore(INFLIGHT)
        started = asyncio.Event()

        async def one(i: int) -> str | None:
            async with gate:
                if i == PHOTOS // 2:
                    started.set()
                return await upload(client, bodies[i])

        uploads = asyncio.gather(*(one(i) for i in range(PHOTOS)))
        await started.wait()
        await asyncio.sleep(1.0)  # with photos in every stage of the pipeline
        killed_at = time.monotonic()
        old = control.kill(component)
        await control.wait_restarted(component, old, timeout=240)
        if component in ("gateway", "catalog", "ingest", "enhance", "tagging"):
            await control.wait_ready(stack_env[f"FOTOAI_{component.upper()}_URL"], timeout=300)
        restart_s = time.monotonic() - killed_at
        accepted = [pid for pid in await uploads if pid]
        t0 = time.monotonic()
        settled = await asyncio.gather(*(wait_until_settled(client, pid, timeout=900) for pid in accepted))
        settle_s = time.monotonic() - t0
        done = [p for p in settled if every_stage_done(p)]
        RESULTS.append((component, len(accepted), len(done), settle_s, restart_s))
        listed: list[str] = []
        cursor = None
        while True:
            r = await client.get("/v1/photos", params={"limit": 100, **({"cursor": cursor} if cursor else {})})
            assert r.status_code == 200, r.text
            listed += [item["id"] for item in r.json()["items"]]
            cursor = r.json().get("next_cursor")
            if not cursor:
                break
    assert accepted, "no upload was accepted"
    not_done = {p["id"]: (p["status"], p["stages"]) for p in settled if not every_stage_done(p)}
    assert not not_done, f"after killing {component}: {not_done}"
    assert sorted(listed) == sorted(set(listed)), f"listed twice: {[i for i in listed if listed.count(i) > 1]}"
    assert set(listed) == set(accepted)
    for p in settled:
        assert len({repr(sorted(t.items())) for t in p.get("tags", [])}) == len(p.get("tags", [])), p["id"]
        assert len({repr(sorted(f.items())) for f in p.get("faces", [])}) == len(p.get("faces", [])), p["id"]
    assert await duplicated_rows(stack_env["FOTOAI_DATABASE_URL"], accepted) == []
