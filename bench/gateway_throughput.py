"""Throughput of the gateway's authenticated read path, and the cost of JWT verification.

Servers, each a uvicorn process on loopback, loaded by `wrk` (a small asyncio load
generator when wrk is missing):
  - `GET /v1/photos/{id}` of the real gateway app: JWT check, per-IP and per-user token
    buckets (in-process), a catalog answer from an in-process fake, presigned URLs, JSON;
  - `GET /healthz` of the same app, unauthenticated (the peer the issue's goal refers to);
  - the same app returning the same detail JSON from a constant, with no auth and no work:
    the ceiling for a route of that response size in this framework;
  - a bare Starlette route returning a small JSON (the floor of the stack);
  - with `--stack`, a gateway process of the benchmark's own wired like production to the
    running stack (`make up`): rate limits in Redis (one Lua call), the detail read from the
    catalog over HTTP, for a photo it uploads first; and the same process's `/healthz`.
Rounds are interleaved so that a noisy neighbour hits every target alike; the table gives
medians, in requests per second and in requests per CPU-second of the server process (the
robust figure on a shared, busy machine). Then JWT verification in µs per call: PyJWT HS256 / RS256 / ES256, the gateway's
verifier (cached), against a bare HMAC-SHA256 of the same signing input.

    .venv/bin/python bench/gateway_throughput.py [--quick] [--stack]

The last lines give the issue's figure, ours / healthz, from the same run, with the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
from typing import Any

GOAL = 0.70
AUTH = "GET /v1/photos/{id} (JWT, rate limits, catalog, presign)"
HEALTH = "GET /healthz (same app, no auth)"
STACK_AUTH = "stack: GET /v1/photos/{id} (Redis, catalog over HTTP)"
STACK_HEALTH = "stack: GET /healthz (same process)"
STATIC = "same app, same detail JSON, no auth, no work (ceiling)"
BARE = "bare Starlette route"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ servers (child processes)


def detail(pid: str, owner: str) -> dict[str, Any]:
    return {
        "id": pid, "status": "ready", "file_name": "IMG_0001.jpg", "content_type": "image/jpeg", "size": 2_345_678,
        "sha256": "ab" * 32, "created_at": "2026-01-01T00:00:00+00:00", "taken_at": "2025-12-31T12:00:00+00:00",
        "width": 4000, "height": 3000, "format": "jpeg", "camera": "Canon EOS R5",
        "stages": {"ingest": "done", "enhance": "done", "tagging": "done"}, "duplicate_of": None,
        "tags": [{"label": f"tag{i}", "score": 0.9 - i / 10, "source": "clip"} for i in range(5)],
        "thumb": {"bucket": "fotoai-renditions", "key": f"{owner}/{pid}/thumb_small.jpg"}, "rejection": None,
        "metadata": {"taken_at": None, "camera_make": "Canon", "camera_model": "EOS R5", "lens": None,
                     "exposure_time": 0.004, "f_number": 2.8, "iso": 200, "focal_length": 50.0, "gps": None},
        "faces": [], "quality": {"blurry": False, "dark": False, "overexposed": False, "low_resolution": False},
        "colors": [{"hex": "#aabbcc", "fraction": 0.5}], "enhancement": None, "timeline": [],
        "renditions": [{"name": n, "bucket": "fotoai-renditions", "key": f"{owner}/{pid}/{n}.jpg", "width": 256,
                        "height": 192, "bytes": 12345, "mime": "image/jpeg"} for n in ("display", "thumb_large", "thumb_small")],
    }


class InProcessCatalog:
    async def get_photo(self, owner_id: str, photo_id: str) -> dict[str, Any]:
        return detail(photo_id, owner_id)

    async def ping(self) -> bool:
        return True


class NullBus:
    async def publish(self, event: object) -> None:
        return None


def serve(kind: str, port: int, secret: str) -> None:
    import uvicorn

    if kind == "bare":
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def ping(_: object) -> JSONResponse:
            return JSONResponse({"status": "alive", "service": "bare"})

        app: Any = Starlette(routes=[Route("/ping", ping)])
    else:
        from fotoai.gateway.adapters.keys import StaticKeys
        from fotoai.gateway.adapters.memory import MemoryRateLimiter, MemoryStore
        from fotoai.gateway.config import GatewayOptions, GatewaySettings, RateLimitOptions
        from fotoai.gateway.domain.auth import Keyring
        from fotoai.gateway.main import Adapters, build_app
        from fotoai.servicekit.async_storage import AsyncObjectStore

        rl = RateLimitOptions(reads_per_s=1e6, read_burst=10**7, ip_per_s=1e6, ip_burst=10**7)
        settings = GatewaySettings(jwt_secret=secret, gateway=GatewayOptions(rate_limits=rl))
        store = AsyncObjectStore("http://127.0.0.1:19000", "bench", "bench-secret-key")
        app = build_app(settings, Adapters(
            bus=NullBus(), store=store, inspector=object(), catalog=InProcessCatalog(),  # type: ignore[arg-type]
            limiter=MemoryRateLimiter(), records=MemoryStore(), keys=StaticKeys(Keyring.shared_secret(secret)),
        ))
        from starlette.responses import JSONResponse as StaticJSON

        body = detail("p1", "alice")

        # The ceiling: the same app answering the same ~2 KB body with no work at all.
        @app.get("/bench/static-detail", include_in_schema=False)
        async def static_detail() -> StaticJSON:
            return StaticJSON(body)

        app.router.routes.insert(0, app.router.routes.pop())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# ------------------------------------------------------------------ load generation


def cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used (robust to a busy neighbour, unlike req/s)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, seconds: int, conns: int, headers: dict[str, str]) -> tuple[float, int]:
    cmd = ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} error responses\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return rps, int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]


async def _py_load(url: str, seconds: float, conns: int, headers: dict[str, str]) -> tuple[float, int]:
    from urllib.parse import urlsplit

    u = urlsplit(url)
    req = (f"GET {u.path} HTTP/1.1\r\nHost: {u.netloc}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
           + "\r\n").encode()
    done = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(u.hostname, u.port)
        while time.perf_counter() < stop:
            writer.write(req)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"content-length: (\d+)", head.lower()).group(1))  # type: ignore[union-attr]
            body = await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 2"):
                status = head.partition(b"\r\n")[0].decode()
                raise RuntimeError(f"{url}: {status}: {body[:300].decode(errors='replace')}")
            done += 1
        writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(conns)))
    return done / (time.perf_counter() - t0), done


def load(url: str, seconds: int, conns: int, headers: dict[str, str]) -> tuple[float, int]:
    if shutil.which("wrk"):
        return wrk(url, seconds, conns, headers)
    return asyncio.run(_py_load(url, seconds, conns, headers))


def wait_up(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


# ------------------------------------------------------------------ JWT micro-benchmark


def jwt_micro(quick: bool) -> list[tuple[str, float]]:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from fotoai.gateway.domain.auth import Keyring, TokenVerifier, mint_hs256

    n = 2000 if quick else 10000
    secret = secrets.token_urlsafe(32)
    claims = {"sub": "alice", "scope": "photos:read", "exp": int(time.time()) + 3600, "iss": "i", "aud": "a"}
    hs = jwt.encode(claims, secret, "HS256")
    rk = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ek = ec.generate_private_key(ec.SECP256R1())
    rs, es = jwt.encode(claims, rk, "RS256"), jwt.encode(claims, ek, "ES256")
    signing_input, _, sig = hs.rpartition(".")
    key, msg = secret.encode(), signing_input.encode()
    expected = jwt.utils.base64url_decode(sig)
    ring = Keyring.shared_secret(secret)
    cached = TokenVerifier("fotoai-local", "fotoai")
    tok = mint_hs256(secret, "alice", "photos:read", "fotoai-local", "fotoai", 3600)
    cached.verify(tok, ring)

    def per_call(fn: Any, count: int) -> float:
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            for _ in range(count):
                fn()
            best = min(best, (time.perf_counter() - t0) / count * 1e6)
        return best

    return [
        ("bare HMAC-SHA256 + compare", per_call(lambda: hmac.compare_digest(hmac.new(key, msg, hashlib.sha256).digest(), expected), n)),
        ("PyJWT decode HS256", per_call(lambda: jwt.decode(hs, secret, ["HS256"], audience="a", issuer="i"), n)),
        ("gateway verifier HS256 (uncached)", per_call(lambda: TokenVerifier("i", "a", cache_size=0).verify(hs, ring), n)),
        ("gateway verifier HS256 (cached)", per_call(lambda: cached.verify(tok, ring), n)),
        ("PyJWT decode RS256", per_call(lambda: jwt.decode(rs, rk.public_key(), ["RS256"], audience="a", issuer="i"), n // 4)),
        ("PyJWT decode ES256", per_call(lambda: jwt.decode(es, ek.public_key(), ["ES256"], audience="a", issuer="i"), n // 4)),
    ]


# ------------------------------------------------------------------ the real stack


#: The production read path, minus the limits themselves (the load comes from one user and IP).
STACK_SETTINGS = {
    "FOTOAI_GATEWAY__RATE_LIMITS__READS_PER_S": "1000000", "FOTOAI_GATEWAY__RATE_LIMITS__READ_BURST": "10000000",
    "FOTOAI_GATEWAY__RATE_LIMITS__IP_PER_S": "1000000", "FOTOAI_GATEWAY__RATE_LIMITS__IP_BURST": "10000000",
}


def small_jpeg() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buf, "JPEG")
    return buf.getvalue()


def stack_photo(port: int, token: str, timeout_s: float = 60) -> str:
    """Upload a small JPEG through the gateway on `port`; its id once the catalog knows it."""
    import httpx

    auth = {"Authorization": f"Bearer {token}"}
    base = f"http://127.0.0.1:{port}"
    resp = httpx.post(f"{base}/v1/photos", content=small_jpeg(), headers={**auth, "Content-Type": "image/jpeg"},
                      timeout=30)
    resp.raise_for_status()
    pid = resp.json()["id"]
    deadline = time.monotonic() + timeout_s
    while httpx.get(f"{base}/v1/photos/{pid}", headers=auth, timeout=10).status_code != 200:
        if time.monotonic() > deadline:
            sys.exit(f"the catalog never showed photo {pid}")
        time.sleep(0.3)
    return pid


# ------------------------------------------------------------------ main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="short rounds (< 60 s in all)")
    ap.add_argument("--stack", action="store_true",
                    help="also measure a gateway wired to the running stack (Redis, catalog over HTTP)")
    ap.add_argument("--serve", choices=["gateway", "bare"], help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--secret", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.secret)
        return

    from fotoai.gateway.domain.auth import mint_hs256

    secret = secrets.token_urlsafe(32)
    token = mint_hs256(secret, "alice", "photos:read", "fotoai-local", "fotoai", 3600)
    seconds, rounds, conns = (2, 3, 16) if args.quick else (4, 7, 32)
    ports = {"gateway": free_port(), "bare": free_port()}
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    stack: dict[str, str] = {}
    if args.stack:
        from fotoai.servicekit.testing import load_stack_env

        stack = load_stack_env()
        if not stack:
            sys.exit("--stack needs a running stack: `make up` (FOTOAI_HOME/stack.env)")

    def stop(proc: subprocess.Popen[bytes]) -> None:
        proc.terminate()
        proc.wait(10)

    with contextlib.ExitStack() as cleanup:
        procs = {k: subprocess.Popen([sys.executable, __file__, "--serve", k, "--port", str(p), "--secret", secret],
                                     env=env) for k, p in ports.items()}
        for proc in procs.values():
            cleanup.callback(stop, proc)
        gw, bare = f"http://127.0.0.1:{ports['gateway']}", f"http://127.0.0.1:{ports['bare']}"
        wait_up(gw + "/healthz", procs["gateway"])
        wait_up(bare + "/ping", procs["bare"])
        auth = {"Authorization": f"Bearer {token}"}
        targets = {
            AUTH: (gw + "/v1/photos/p1", auth, procs["gateway"].pid),
            HEALTH: (gw + "/healthz", {}, procs["gateway"].pid),
            STATIC: (gw + "/bench/static-detail", {}, procs["gateway"].pid),
            BARE: (bare + "/ping", {}, procs["bare"].pid),
        }
        peers = {AUTH: HEALTH, HEALTH: HEALTH, STATIC: HEALTH, BARE: HEALTH}
        if args.stack:
            from gateway_process import gateway_process

            settings = {**STACK_SETTINGS, **{k: stack[k] for k in ("FOTOAI_REDIS_URL",) if k in stack}}
            stack_proc, port = cleanup.enter_context(gateway_process(stack, settings))
            stack_token = mint_hs256(stack["FOTOAI_JWT_SECRET"], "bench-throughput", "photos:read photos:write",
                                     stack.get("FOTOAI_JWT_ISSUER", "fotoai-local"),
                                     stack.get("FOTOAI_JWT_AUDIENCE", "fotoai"), 3600)
            photo = stack_photo(port, stack_token)
            sgw = f"http://127.0.0.1:{port}"
            targets[STACK_AUTH] = (f"{sgw}/v1/photos/{photo}", {"Authorization": f"Bearer {stack_token}"},
                                   stack_proc.pid)
            targets[STACK_HEALTH] = (sgw + "/healthz", {}, stack_proc.pid)
            peers.update({STACK_AUTH: STACK_HEALTH, STACK_HEALTH: STACK_HEALTH})
        for url, h, _pid in targets.values():  # warm-up
            load(url, 1, 4, h)
        rps: dict[str, list[float]] = {k: [] for k in targets}
        per_cpu: dict[str, list[float]] = {k: [] for k in targets}
        for _ in range(rounds):
            for name, (url, h, pid) in targets.items():
                c0 = cpu_s(pid)
                r, n = load(url, seconds, conns, h)
                rps[name].append(r)
                per_cpu[name].append(n / max(1e-6, cpu_s(pid) - c0))

    med = {k: statistics.median(v) for k, v in rps.items()}
    eff = {k: statistics.median(v) for k, v in per_cpu.items()}

    def ratios(ours: str, peer: str) -> tuple[float, float]:
        # Ratios per round (the targets ran back to back), then the median: a neighbour's
        # burst of load skews one round, not the result.
        return (statistics.median(a / h for a, h in zip(rps[ours], rps[peer], strict=True)),
                statistics.median(a / h for a, h in zip(per_cpu[ours], per_cpu[peer], strict=True)))

    ratio_rps, ratio_cpu = ratios(AUTH, HEALTH)
    gen = "wrk" if shutil.which("wrk") else "asyncio load generator"
    load_avg = "/".join(f"{x:.1f}" for x in os.getloadavg())
    from fotoai.gateway.adapters.json_codec import BACKEND

    print(f"\nGateway throughput: {gen}, {conns} connections, {rounds} rounds × {seconds} s per target, 1 uvicorn "
          f"worker each, medians; JSON by {BACKEND}; load average {load_avg} (1/5/15 min) on {os.cpu_count()} CPUs")
    print(f"{'target':58} {'req/s':>8} {'vs /healthz':>11} {'vs bare':>8} {'req/CPU-s':>10} {'vs /healthz':>11} {'vs bare':>8}")
    for name in targets:
        peer = peers[name]  # each gateway against its own /healthz
        print(f"{name:58} {med[name]:8.0f} {med[name] / med[peer]:11.2f} {med[name] / med[BARE]:8.2f}"
              f" {eff[name]:10.0f} {eff[name] / eff[peer]:11.2f} {eff[name] / eff[BARE]:8.2f}")
    print(f"ours / healthz (same run, load average {load_avg}), goal ≥ {GOAL:.2f}:")
    print(f"  in-process catalog: req/s {ratio_rps:.2f}, per server CPU-second {ratio_cpu:.2f} "
          f"({'MET' if min(ratio_rps, ratio_cpu) >= GOAL else 'NOT MET'})")
    if args.stack:
        s_rps, s_cpu = ratios(STACK_AUTH, STACK_HEALTH)
        print(f"  real stack (Redis, catalog over HTTP): req/s {s_rps:.2f}, per gateway CPU-second {s_cpu:.2f} "
              f"({'MET' if min(s_rps, s_cpu) >= GOAL else 'NOT MET'}; the catalog's and Redis's CPU are not the gateway's)")

    rows = jwt_micro(args.quick)
    base = rows[0][1]
    print("\nJWT verification, µs per call (best of 3), vs bare HMAC")
    print(f"{'verification':40} {'µs':>9} {'× HMAC':>9}")
    for name, us in rows:
        print(f"{name:40} {us:9.2f} {us / base:9.1f}")


if __name__ == "__main__":
    main()
