"""Peak memory of the gateway while it streams a large upload to the object store.

Starts the real gateway (`python -m fotoai.gateway`) against the running stack's Kafka and
object store, uploads one large body as a raw `image/*` stream and one as `multipart/form-data`,
and reads the process's peak RSS (`VmHWM` in /proc) before and after each. The peer is the
body size: a gateway that buffered the file would grow by at least that much. Throughput is
compared with a direct `AsyncObjectStore.put_stream` of the same bytes from this process.

Needs the stack (`make up`, or FOTOAI_STACK_ENV pointing at a stack.env).

    .venv/bin/python bench/gateway_upload_rss.py [--quick] [--mb 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
from fotoai.servicekit.async_storage import AsyncObjectStore
from fotoai.servicekit.testing import load_stack_env, mint_token, stack_env_path
from gateway_process import JPEG_HEAD, gateway_process, status_kb

CHUNK = 256 * 1024


def body_chunks(total: int) -> Iterator[bytes]:
    block = os.urandom(CHUNK)  # incompressible, and cheap to repeat
    yield JPEG_HEAD
    sent = len(JPEG_HEAD)
    while sent < total:
        n = min(CHUNK, total - sent)
        yield block[:n]
        sent += n


def multipart_chunks(total: int, boundary: str) -> Iterator[bytes]:
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jpg\"\r\n"
           f"Content-Type: image/jpeg\r\n\r\n").encode()
    yield from body_chunks(total)
    yield f"\r\n--{boundary}--\r\n".encode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="32 MB instead of 200 MB")
    ap.add_argument("--mb", type=int, default=200)
    args = ap.parse_args()
    size = (32 if args.quick else args.mb) * 1024 * 1024
    env_file = load_stack_env()
    if not env_file:
        sys.exit(f"the stack is not running (no {stack_env_path()}): start it with `make up`")

    # No catalog: uploads never ask it; the gateway only has to be up (/healthz).
    settings = {"FOTOAI_CATALOG_URL": "http://127.0.0.1:9", "FOTOAI_GATEWAY__MAX_UPLOAD_BYTES": str(size + 1024 * 1024)}
    owner = f"bench-{uuid.uuid4().hex[:8]}"
    token = mint_token(env_file, owner)
    rows = []
    s3 = (env_file["FOTOAI_S3_ENDPOINT"], env_file["FOTOAI_S3_ACCESS_KEY"], env_file["FOTOAI_S3_SECRET_KEY"])

    async def clean() -> None:
        async with AsyncObjectStore(*s3) as store:
            await store.delete_prefix("fotoai-originals", f"{owner}/")

    try:
        with gateway_process(env_file, settings, ready="/healthz", timeout_s=90) as (proc, port):
            url = f"http://127.0.0.1:{port}"
            # Warm up every code path once so that import-time allocations are not counted.
            httpx.post(url + "/v1/photos", content=JPEG_HEAD + bytes(4096),
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"}, timeout=60)
            with httpx.Client(timeout=600) as client:
                for mode in ("raw image/jpeg", "multipart/form-data"):
                    rss_before = status_kb(proc.pid, "VmRSS")
                    hwm_before = status_kb(proc.pid, "VmHWM")
                    boundary = uuid.uuid4().hex
                    if mode.startswith("raw"):
                        content, ctype = body_chunks(size), "image/jpeg"
                    else:
                        content, ctype = multipart_chunks(size, boundary), f"multipart/form-data; boundary={boundary}"
                    t0 = time.perf_counter()
                    r = client.post(url + "/v1/photos", content=content,
                                    headers={"Authorization": f"Bearer {token}", "Content-Type": ctype})
                    took = time.perf_counter() - t0
                    if r.status_code != 202:
                        sys.exit(f"{mode}: {r.status_code} {r.text}")
                    hwm_after = status_kb(proc.pid, "VmHWM")
                    rows.append((mode, rss_before / 1024, max(hwm_before, hwm_after) / 1024,
                                 (hwm_after - rss_before) / 1024, size / 1024 / 1024 / took))

            async def direct() -> float:
                async def gen() -> AsyncIterator[bytes]:
                    for c in body_chunks(size):
                        yield c

                async with AsyncObjectStore(*s3) as store:
                    t0 = time.perf_counter()
                    await store.put_stream("fotoai-originals", f"{owner}/direct/original", gen(), "image/jpeg", size + 1)
                    return size / 1024 / 1024 / (time.perf_counter() - t0)

            direct_mbs = asyncio.run(direct())
    finally:
        asyncio.run(clean())

    mb = size / 1024 / 1024
    print(f"\nGateway upload memory: {mb:.0f} MB body, {CHUNK // 1024} KiB client chunks, S3 part size 5 MiB (unknown length)")
    print(f"{'upload':22} {'RSS before MB':>14} {'peak RSS MB':>12} {'growth MB':>10} {'growth/body':>12} {'MB/s':>7} {'vs direct':>10}")
    for mode, before, peak, growth, mbs in rows:
        print(f"{mode:22} {before:14.1f} {peak:12.1f} {growth:10.1f} {max(0.0, growth) / mb:12.3f} {mbs:7.1f} {mbs / direct_mbs:10.2f}")
    print(f"{'direct put_stream':22} {'':>14} {'':>12} {'':>10} {'':>12} {direct_mbs:7.1f} {1.0:10.2f}")


if __name__ == "__main__":
    main()
