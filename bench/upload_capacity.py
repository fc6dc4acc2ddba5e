"""How many uploads one gateway replica carries, how fast, and what stalled uploads cost reads.

Starts a gateway process of its own (`python -m fotoai.gateway`) against the running stack's
Kafka, object store and catalog, and measures, each against a peer from the same run:

1. memory: peak RSS growth of the gateway while N uploads of 5 MB are in flight at once
   (raw bodies with Content-Length, which stream as one PUT; and multipart forms, which hold
   up to one 5 MiB part each), against the bytes in flight;
2. throughput: MB/s of concurrent 20 MB uploads through the gateway, against direct PUTs of
   the same bytes to the same S3 server (AsyncObjectStore, same concurrency);
3. read latency: p50/p99 of an authenticated GET /v1/photos/{id} while 100 uploads stall,
   against the same requests with nothing stalled.

Needs the stack (`make up`, or FOTOAI_STACK_ENV pointing at a stack.env).

    .venv/bin/python bench/upload_capacity.py [--quick] [--uploads 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import time
import uuid

import httpx
from fotoai.servicekit.async_storage import AsyncObjectStore
from fotoai.servicekit.testing import load_stack_env, mint_token, stack_env_path
from gateway_process import JPEG_HEAD, gateway_process, status_kb

MB = 1024 * 1024
BUCKET = "fotoai-originals"
#: The gateway under test: no rate limits, room for every upload in flight, slow senders allowed.
SETTINGS = {"FOTOAI_GATEWAY__RATE_LIMITS_ENABLED": "false", "FOTOAI_GATEWAY__MAX_UPLOADS_IN_FLIGHT": "1000",
            "FOTOAI_GATEWAY__MAX_UPLOADS_PER_USER": "1000", "FOTOAI_GATEWAY__UPLOAD_IDLE_TIMEOUT_S": "300"}


async def raw_upload(port: int, token: str, size: int, pace_s: float, multipart: bool) -> int:
    """One upload over its own connection, sent in 64 KiB pieces `pace_s` apart; the status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    block = os.urandom(64 * 1024)
    boundary = uuid.uuid4().hex
    if multipart:
        pre = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
               f"Content-Type: image/jpeg\r\n\r\n").encode()
        post = f"\r\n--{boundary}--\r\n".encode()
        ctype = f"multipart/form-data; boundary={boundary}"
    else:
        pre, post, ctype = b"", b"", "image/jpeg"
    try:
        writer.write((f"POST /v1/photos HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                      f"Content-Type: {ctype}\r\nContent-Length: {len(pre) + size + len(post)}\r\n\r\n").encode()
                     + pre + JPEG_HEAD)
        sent = len(JPEG_HEAD)
        while sent < size:
            n = min(len(block), size - sent)
            writer.write(block[:n])
            await writer.drain()
            sent += n
            await asyncio.sleep(pace_s)
        writer.write(post)
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), 600)
        return int(line.split()[1]) if line else 0
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def stalled(port: int, token: str, release: asyncio.Event) -> None:
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write((f"POST /v1/photos HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                      f"Content-Type: image/jpeg\r\nContent-Length: {5 * MB}\r\n\r\n").encode() + JPEG_HEAD + bytes(1000))
        await writer.drain()
        await release.wait()
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def memory(pid: int, port: int, stack: dict[str, str], n: int, multipart: bool) -> tuple[float, float, int]:
    """(RSS growth MB, bytes in flight MB, uploads accepted)."""
    before = status_kb(pid, "VmRSS")
    peak = [before]
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            peak.append(status_kb(pid, "VmRSS"))
            await asyncio.sleep(0.1)

    sampler = asyncio.create_task(sample())
    tokens = [mint_token(stack, f"cap-{uuid.uuid4().hex[:6]}") for _ in range(max(1, n // 10))]
    # Paced so that every upload is still sending while the last one starts.
    codes = await asyncio.gather(*(raw_upload(port, tokens[i % len(tokens)], 5 * MB, 0.05, multipart)
                                   for i in range(n)))
    done.set()
    await sampler
    return (max(peak) - before) / 1024, n * 5, codes.count(202)


async def throughput(port: int, stack: dict[str, str], n: int, size: int) -> tuple[float, float]:
    """(gateway MB/s, direct MB/s) for `n` concurrent uploads of `size` bytes."""
    data = JPEG_HEAD + os.urandom(size - len(JPEG_HEAD))
    token = mint_token(stack, f"tput-{uuid.uuid4().hex[:6]}")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=600,
                                 limits=httpx.Limits(max_connections=n)) as c:
        t0 = time.perf_counter()
        rs = await asyncio.gather(*(c.post("/v1/photos", content=data, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"}) for _ in range(n)))
        gw = n * size / MB / (time.perf_counter() - t0)
    assert all(r.status_code == 202 for r in rs), [r.status_code for r in rs]

    async def chunks():
        for i in range(0, size, 256 * 1024):
            yield data[i : i + 256 * 1024]

    prefix = f"bench-direct-{uuid.uuid4().hex[:6]}"
    async with AsyncObjectStore(stack["FOTOAI_S3_ENDPOINT"], stack["FOTOAI_S3_ACCESS_KEY"],
                                stack["FOTOAI_S3_SECRET_KEY"]) as store:
        t0 = time.perf_counter()
        await asyncio.gather(*(store.put_stream(BUCKET, f"{prefix}/{i}", chunks(), "image/jpeg", size, length=size)
                               for i in range(n)))
        direct = n * size / MB / (time.perf_counter() - t0)
        await store.delete_prefix(BUCKET, f"{prefix}/")
    return gw, direct


async def read_latency(port: int, stack: dict[str, str], stalls: int, requests: int) -> list[tuple[str, float, float]]:
    owner = f"lat-{uuid.uuid4().hex[:6]}"
    token = mint_token(stack, owner)
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
        r = await c.post("/v1/photos", content=JPEG_HEAD + bytes(2000), headers={**auth, "Content-Type": "image/jpeg"})
        pid = r.json()["id"]
        deadline = time.monotonic() + 300
        while (await c.get(f"/v1/photos/{pid}", headers=auth)).status_code != 200:  # the catalog has it
            if time.monotonic() > deadline:
                sys.exit("the catalog never saw the photo")
            await asyncio.sleep(0.5)

        async def sample() -> tuple[float, float]:
            took = []
            for _ in range(requests):
                t0 = time.perf_counter()
                assert (await c.get(f"/v1/photos/{pid}", headers=auth)).status_code == 200
                took.append((time.perf_counter() - t0) * 1000)
            took.sort()
            return statistics.median(took), took[int(0.99 * (len(took) - 1))]

        rows = [("no uploads in flight", *await sample())]
        release = asyncio.Event()
        tasks = [asyncio.create_task(stalled(port, mint_token(stack, f"st-{i % 10}-{owner}"), release))
                 for i in range(stalls)]
        await asyncio.sleep(3)
        rows.append((f"{stalls} uploads stalled", *await sample()))
        release.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="50 uploads in flight, fewer samples")
    ap.add_argument("--uploads", type=int, default=200)
    args = ap.parse_args()
    n = 50 if args.quick else args.uploads
    stack = load_stack_env()
    if not stack:
        sys.exit(f"the stack is not running (no {stack_env_path()}): start it with `make up`")
    with gateway_process(stack, SETTINGS) as (proc, port):
        async def run() -> None:
            # Warm every path once so import-time allocations are not counted.
            await throughput(port, stack, 2, 2 * MB)
            print(f"\n1. Memory: {n} uploads of 5 MB in flight at once (gateway RSS before: "
                  f"{status_kb(proc.pid, 'VmRSS') / 1024:.0f} MB)")
            print(f"{'body':24} {'in flight MB':>13} {'RSS growth MB':>14} {'growth/in flight':>17} {'accepted':>9}")
            for multipart in (False, True):
                growth, inflight, ok = await memory(proc.pid, port, stack, n, multipart)
                label = "multipart/form-data" if multipart else "raw image/jpeg"
                print(f"{label:24} {inflight:13.0f} {growth:14.1f} {growth / inflight:17.3f} {ok:>5}/{n}")
            k, size = (4, 10 * MB) if args.quick else (8, 20 * MB)
            gw, direct = await throughput(port, stack, k, size)
            print(f"\n2. Throughput: {k} concurrent uploads of {size // MB} MB")
            print(f"{'path':34} {'MB/s':>7} {'vs direct':>10}")
            print(f"{'through the gateway':34} {gw:7.1f} {gw / direct:10.2f}")
            print(f"{'direct PUT to the same S3 server':34} {direct:7.1f} {1.0:10.2f}")
            rows = await read_latency(port, stack, 100, 100 if args.quick else 300)
            print("\n3. GET /v1/photos/{id} (authenticated, through the catalog)")
            print(f"{'while':24} {'p50 ms':>8} {'p99 ms':>8} {'p99 vs idle':>12}")
            for label, p50, p99 in rows:
                print(f"{label:24} {p50:8.1f} {p99:8.1f} {p99 / rows[0][2]:12.2f}")

        asyncio.run(run())


if __name__ == "__main__":
    main()
