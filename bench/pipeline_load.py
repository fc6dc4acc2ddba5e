"""Load run through the real stack: upload N full-size photos (a share of them corrupt) at the
concurrency of several people dropping folders, and count how each one ends. Every accepted
upload must end `ready` or `rejected`; nothing may be lost.

Photos are what phones and cameras send: 12 MP JPEGs of 3-6 MB made from real photos
(scikit-image's astronaut, coffee and chelsea, upscaled with sensor-like noise), with a share
of HEIC (`--heic-every`) and PNG (`--png-every`); each upload is a distinct file.

    .venv/bin/python bench/pipeline_load.py --photos 300 --concurrency 32

Needs a running stack (`make up`); prints throughput and upload-to-settled latency percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
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

SOURCES = ("astronaut", "coffee", "chelsea")


def _pixels(name: str, size: tuple[int, int], seed: int) -> Image.Image:
    from skimage import data as skdata

    img = Image.fromarray(getattr(skdata, name)()).convert("RGB").resize(size, Image.Resampling.BICUBIC)
    noise = np.random.default_rng(seed).normal(0, 6, (size[1], size[0], 3))
    return Image.fromarray(np.clip(np.asarray(img, dtype=np.float32) + noise, 0, 255).astype(np.uint8))


@functools.cache
def base(kind: str, k: int) -> bytes:
    """One encoded photo per (format, source); uploads vary it so that each file is distinct."""
    out = io.BytesIO()
    if kind == "jpeg":
        _pixels(SOURCES[k], (4000, 3000), k).save(out, "JPEG", quality=92)
    elif kind == "heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
        _pixels(SOURCES[k], (4000, 3000), k).save(out, "HEIF", quality=80)
    else:  # PNG screenshots and exports: smaller, lossless
        _pixels(SOURCES[k], (1600, 1200), k).save(out, "PNG", compress_level=1)
    return out.getvalue()


def photo(i: int, corrupt: bool, heic_every: int, png_every: int) -> tuple[bytes, str]:
    if heic_every and i % heic_every == 1:
        data, ctype = base("heic", 0), "image/heic"  # one (x265 is slow to encode); repeats are duplicates
    elif png_every and i % png_every == 2:
        data, ctype = base("png", i % len(SOURCES)) + f"unique {i}".encode(), "image/png"  # after IEND
    else:
        tag = f"fotoai load {i} {time.time_ns()}".encode()
        jpeg = base("jpeg", i % len(SOURCES))
        data, ctype = jpeg[:2] + b"\xff\xfe" + (len(tag) + 2).to_bytes(2, "big") + tag + jpeg[2:], "image/jpeg"
    return (data[: len(data) // 3] if corrupt else data), ctype


async def run(n: int, concurrency: int, corrupt_every: int, timeout: float, heic_every: int, png_every: int,
              per_user: int = 50) -> int:
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
    for kind, k in [("heic", 0), *((kind, k) for kind in ("jpeg", "png") for k in range(len(SOURCES)))]:
        base(kind, k)  # encode before the clock starts
    sent_mb = 0.0
    limits = httpx.Limits(max_connections=concurrency + 8)
    async with httpx.AsyncClient(base_url=env["FOTOAI_GATEWAY_URL"], timeout=600, limits=limits) as c:
        async def upload(i: int) -> None:
            nonlocal refused, sent_mb
            auth = {"Authorization": f"Bearer {tokens[users[i // per_user]]}"}
            async with sem:
                data, ctype = photo(i, bool(corrupt_every) and i % corrupt_every == 0, heic_every, png_every)
                for _ in range(20):
                    r = await c.post("/v1/photos", content=data, headers={"Content-Type": ctype, **auth})
                    if r.status_code in (429, 503):
                        await asyncio.sleep(float(r.headers.get("retry-after", "1")))
                        continue
                    break
                if r.status_code == 202:
                    accepted[r.json()["id"]] = time.monotonic()
                    sent_mb += len(data) / 1024 / 1024
                else:
                    refused += 1

        await asyncio.gather(*(upload(i) for i in range(n)))
        upload_s = time.monotonic() - t0
        print(f"uploaded {len(accepted)} (refused {refused}) in {upload_s:.1f} s "
              f"= {len(accepted) / upload_s:.1f} uploads/s, {sent_mb / upload_s:.1f} MB/s", flush=True)
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
    ap.add_argument("--concurrency", type=int, default=32, help="uploads in flight at once")
    ap.add_argument("--corrupt-every", type=int, default=10, help="every k-th upload is truncated")
    ap.add_argument("--heic-every", type=int, default=5, help="every k-th upload is HEIC (0: none)")
    ap.add_argument("--png-every", type=int, default=10, help="every k-th upload is PNG (0: none)")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--quick", action="store_true", help="48 photos")
    a = ap.parse_args()
    sys.exit(asyncio.run(run(48 if a.quick else a.photos, a.concurrency, a.corrupt_every, a.timeout,
                             a.heic_every, a.png_every)))


if __name__ == "__main__":
    main()
