"""Load run through the real stack: upload N photos (a share of them corrupt) and count how
each one ends. Every accepted upload must end `ready` or `rejected`; nothing may be lost.

    .venv/bin/python bench/pipeline_load.py --photos 2000 --concurrency 16

Needs a running stack (`make up`); prints throughput and upload-to-settled latency percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import numpy as np
from fotoai.servicekit.testing import load_stack_env, mint_token
from PIL import Image


def photo(i: int, corrupt: bool) -> bytes:
    rng = np.random.default_rng(i)
    base = rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)
    img = Image.fromarray(base).resize((320, 240), Image.BICUBIC)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    data = out.getvalue()
    return data[: len(data) // 3] if corrupt else data


async def run(n: int, concurrency: int, corrupt_every: int, timeout: float, per_user: int = 50) -> int:
    env = load_stack_env()
    if not env:
        print("pipeline_load needs the running stack: start it with `make up`, then rerun", file=sys.stderr)
        return 0
    # Many users, as in real traffic: each has its own upload budget at the gateway.
    run_id = int(time.time())
    users = [f"load-{run_id}-{u}" for u in range(max(1, -(-n // per_user)))]
    tokens = {u: mint_token(env, u, ttl=7200) for u in users}
    accepted: dict[str, float] = {}
    refused = 0
    sem = asyncio.Semaphore(concurrency)
    t0 = time.monotonic()
    async with httpx.AsyncClient(base_url=env["FOTOAI_GATEWAY_URL"], timeout=60) as c:
        async def upload(i: int) -> None:
            nonlocal refused
            auth = {"Authorization": f"Bearer {tokens[users[i // per_user]]}"}
            async with sem:
                for _ in range(20):
                    r = await c.post("/v1/photos", content=photo(i, corrupt_every and i % corrupt_every == 0),
                                     headers={"Content-Type": "image/jpeg", **auth})
                    if r.status_code == 429:
                        await asyncio.sleep(float(r.headers.get("retry-after", "1")))
                        continue
                    break
                if r.status_code == 202:
                    accepted[r.json()["id"]] = time.monotonic()
                else:
                    refused += 1

        await asyncio.gather(*(upload(i) for i in range(n)))
        upload_s = time.monotonic() - t0
        print(f"uploaded {len(accepted)} (refused {refused}) in {upload_s:.1f} s "
              f"= {len(accepted) / upload_s:.1f} uploads/s", flush=True)
        settled: dict[str, tuple[str, float]] = {}
        deadline = time.monotonic() + timeout
        while len(settled) < len(accepted) and time.monotonic() < deadline:
            for u in users:
                cursor = None
                while True:
                    params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
                    page = (await c.get("/v1/photos", params=params,
                                        headers={"Authorization": f"Bearer {tokens[u]}"})).json()
                    now = time.monotonic()
                    for item in page["items"]:
                        pid = item["id"]
                        if pid in accepted and pid not in settled and item["status"] in ("ready", "rejected"):
                            settled[pid] = (item["status"], now - accepted[pid])
                    cursor = page.get("next_cursor")
                    if not cursor:
                        break
            print(f"  settled {len(settled)}/{len(accepted)} after {time.monotonic() - t0:.0f} s", flush=True)
            await asyncio.sleep(1.0)
    total_s = time.monotonic() - t0
    statuses = [s for s, _ in settled.values()]
    lat = sorted(l for _, l in settled.values())
    print("\n| photos uploaded | ready | rejected | unsettled | wall s | photos/s | p50 s | p95 s |")
    print("|---|---|---|---|---|---|---|---|")
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")
    print(f"| {len(accepted)} | {statuses.count('ready')} | {statuses.count('rejected')} | "
          f"{len(accepted) - len(settled)} | {total_s:.0f} | {len(settled) / total_s:.1f} | "
          f"{statistics.median(lat) if lat else float('nan'):.1f} | {p(0.95):.1f} |")
    return 0 if len(settled) == len(accepted) else 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", type=int, default=300)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--corrupt-every", type=int, default=10, help="every k-th upload is truncated")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--quick", action="store_true", help="60 photos")
    a = ap.parse_args()
    sys.exit(asyncio.run(run(60 if a.quick else a.photos, a.concurrency, a.corrupt_every, a.timeout)))


if __name__ == "__main__":
    main()
