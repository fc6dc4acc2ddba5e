"""`create_app`: the HTTP face every service shares — /healthz, /readyz, /metrics, RFC 9457
problem details for every error, and RED metrics per route.

A service's lifespan registers its readiness checks in `app.state.readiness` (name → async
callable returning truthy when that dependency answers); /readyz runs them all.

Readiness says whether traffic should be routed here, so a dependency that is merely slow does
not take the service out of rotation: a check that times out (raises `TimeoutError`) after
having passed before is reported `degraded` (200) for up to `readiness_grace_s`; a refusal or
error, a timeout that lasts longer, or a dependency that has never answered makes /readyz
answer 503. Under a burst of full-size uploads the object store can take longer than a check's
3 s to answer one HEAD while it works fine; answering 503 then would send the load balancer away
from the one replica that is doing the work. A store that is down refuses the connection: 503
at once.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fotoai.servicekit import metrics
from fotoai.servicekit.storage import StorageError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

PROBLEM = "application/problem+json"
Check = Callable[[], Awaitable[Any]]


def problem(
    status: int, title: str, detail: str = "", type_: str = "about:blank",
    headers: dict[str, str] | None = None, **extra: Any,
) -> JSONResponse:
    """An RFC 9457 problem details response; `extra` adds extension members to the body."""
    body = {"type": type_, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


class ProblemError(Exception):
    """Raise from a route to answer with a problem+json response."""

    def __init__(
        self, status: int, title: str, detail: str = "", type_: str = "about:blank",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.type_ = status, title, detail, type_
        self.headers = headers or {}


class REDMiddleware:
    """Counts requests and their duration per route template (not per raw path)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "?")
            metrics.HTTP_REQUESTS.labels(self.service, method, template, str(status["code"])).inc()
            metrics.HTTP_DURATION.labels(self.service, method, template).observe(time.perf_counter() - t0)


#: How long a dependency that answered before may fail before /readyz answers 503.
READINESS_GRACE_S = 10.0


class CheckHistory:
    """When one readiness check last passed, and since when it has been too slow to answer."""

    def __init__(self) -> None:
        self.passed_at: float | None = None
        self.slow_since: float | None = None

    def verdict(self, outcome: CheckOutcome, now: float, grace_s: float) -> tuple[bool, str]:
        """(counts as ready, what to report) for this run of the check."""
        if outcome.passed:
            self.passed_at, self.slow_since = now, None
            return True, outcome.message
        if not outcome.slow:
            self.slow_since = None
            return False, outcome.message
        if self.slow_since is None:
            self.slow_since = now
        slow_for = now - self.slow_since
        if self.passed_at is not None and slow_for < grace_s:
            return True, f"degraded: slow for {slow_for:.1f} s (503 after {grace_s:g} s): {outcome.message}"
        return False, outcome.message


@dataclass(frozen=True)
class CheckOutcome:
    passed: bool
    message: str
    #: It did not answer in time (as opposed to refusing or failing).
    slow: bool = False


async def _run_check(check: Check, timeout: float) -> CheckOutcome:
    try:
        ok = await asyncio.wait_for(check(), timeout)
        return CheckOutcome(bool(ok) if ok is not None else True, "ok" if ok or ok is None else "not ready")
    except TimeoutError as exc:
        return CheckOutcome(False, f"no answer within {timeout:g} s {exc}".strip()[:300], slow=True)
    except Exception as exc:  # noqa: BLE001 — a failing dependency is a "no", not a crash
        return CheckOutcome(False, f"{type(exc).__name__}: {exc}"[:300])


def create_app(
    service: str,
    *,
    title: str | None = None,
    version: str = "0.1.0",
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    description: str = "",
    public: bool = False,
    readiness_grace_s: float = READINESS_GRACE_S,
) -> FastAPI:
    app = FastAPI(
        title=title or f"FotoAI {service}",
        version=version,
        description=description,
        lifespan=lifespan,
        docs_url="/docs" if public else None,
        redoc_url=None,
    )
    app.state.readiness = {}
    app.state.readiness_history = {}
    app.state.service = service
    app.add_middleware(REDMiddleware, service=service)

    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError) -> JSONResponse:
        resp = problem(exc.status, exc.title, exc.detail, exc.type_)
        resp.headers.update(exc.headers)
        return resp

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not Found", 405: "Method Not Allowed", 401: "Unauthorized", 403: "Forbidden"}
        resp = problem(exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail or ""))
        if exc.headers:
            resp.headers.update(exc.headers)
        return resp

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return problem(422, "Invalid request", detail, errors=errors)

    @app.exception_handler(StorageError)
    async def _storage(_: Request, exc: StorageError) -> JSONResponse:
        resp = problem(503, "Storage Unavailable", "the object store is not answering; retry shortly")
        resp.headers["Retry-After"] = "5"
        return resp

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return problem(500, "Internal Server Error", f"unexpected {type(exc).__name__}; see the service log")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": service}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        checks: dict[str, Check] = request.app.state.readiness
        history: dict[str, CheckHistory] = request.app.state.readiness_history
        results = await asyncio.gather(*(_run_check(c, 3.0) for c in checks.values()))
        now = time.monotonic()
        verdicts = {
            name: history.setdefault(name, CheckHistory()).verdict(outcome, now, readiness_grace_s)
            for name, outcome in zip(checks, results, strict=True)
        }
        ok = bool(checks) and all(v for v, _ in verdicts.values())
        degraded = ok and not all(outcome.passed for outcome in results)
        status = "not ready" if not ok else "degraded" if degraded else "ready"
        return JSONResponse(
            {"status": status, "checks": {name: msg for name, (_, msg) in verdicts.items()}},
            status_code=200 if ok else 503,
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return app


#: Host names a service bound to the loopback interface answers to.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _host_name(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8000
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class HostAllowList:
    """Refuses requests whose `Host` is not one of `hosts` (421, problem+json).

    A service on 127.0.0.1 is reachable from any web page the user opens: DNS rebinding points
    `evil.example` at 127.0.0.1, and only the `Host` header still says who was meant.
    """

    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            if _host_name(raw) not in self.hosts:
                resp = problem(421, "Misdirected Request", "this service does not answer to that host name")
                await resp(scope, receive, send)
                return
        await self.app(scope, receive, send)


def guarded(app: ASGIApp, bind_host: str) -> ASGIApp:
    """`app`, behind the host allow-list when it listens on loopback only (the local stack)."""
    name = _host_name(bind_host) if bind_host not in ("::1", "[::1]") else "::1"
    if name in LOOPBACK_HOSTS:
        return HostAllowList(app, LOOPBACK_HOSTS)
    return app


#: A launcher may start a service before the infrastructure answers, so its imports (seconds of
#: CPU) overlap the broker's start: with this set to a path, `serve` returns to the caller only
#: once that file exists (the launcher writes it when Kafka, the store and the database answer).
START_WHEN_ENV = "FOTOAI_START_WHEN"


def wait_for_go(path: str | None, poll_s: float = 0.05) -> None:
    """Block until `path` exists (None or empty: return at once)."""
    if not path:
        return
    while not os.path.exists(path):
        time.sleep(poll_s)


def serve(app: FastAPI, host: str, port: int) -> None:
    """Run `app` with uvicorn until SIGTERM/SIGINT (graceful: the lifespan closes everything).

    On loopback (the local stack) only requests for localhost/127.0.0.1/[::1] are answered.
    With FOTOAI_START_WHEN set, the lifespan (connections to Kafka, the store, the database)
    starts only once that file exists: everything imported by then is already loaded."""
    import uvicorn

    wait_for_go(os.environ.get(START_WHEN_ENV))

    uvicorn.run(guarded(app, host), host=host, port=port, log_config=None, access_log=False,
                timeout_graceful_shutdown=15)
