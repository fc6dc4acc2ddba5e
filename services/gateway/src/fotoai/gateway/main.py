"""Composition root of the gateway: settings in, a FastAPI app out.

`build_app(settings)` wires the real adapters (Kafka bus, object store, catalog over HTTP,
Redis when configured, JWKS or the shared secret). Tests pass `Adapters` with fakes into the
same function, so the routes they exercise are the production ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fotoai.gateway.adapters.catalog_http import HttpCatalog
from fotoai.gateway.adapters.keys import JwksFileKeys, JwksUrlKeys, StaticKeys
from fotoai.gateway.adapters.memory import MemoryRateLimiter, MemoryStore
from fotoai.gateway.budget import Budget
from fotoai.gateway.config import GatewaySettings
from fotoai.gateway.domain.admission import UploadSlots
from fotoai.gateway.domain.auth import Keyring, TokenVerifier
from fotoai.gateway.domain.client_ip import parse_networks
from fotoai.gateway.entrypoints.hot_routes import hot_routes
from fotoai.gateway.entrypoints.http import (
    Gateway,
    RateLimitHeaders,
    SecurityHeaders,
    build_router,
    gateway_of,
    reader,
    register_error_translation,
)
from fotoai.gateway.entrypoints.library_http import build_library_router, library_lifespan
from fotoai.gateway.entrypoints.openapi import problem_details_openapi
from fotoai.gateway.entrypoints.people_http import build_people_router
from fotoai.gateway.ports import (
    Catalog,
    EventPublisher,
    KeySource,
    KeyValueStore,
    ObjectInspector,
    OriginalsStore,
    RateLimiter,
)
from fotoai.gateway.use_cases import (
    DeletePhoto,
    DirectUploads,
    Idempotent,
    PhotoQueries,
    UploadPhoto,
)
from fotoai.servicekit.app import create_app, serve
from fotoai.servicekit.log import configure_logging, get_logger

log = get_logger("fotoai.gateway")

DESCRIPTION = """The public API of FotoAI. Authenticate with `Authorization: Bearer <JWT>`
(scopes `photos:read`, `photos:write`, `admin`). Errors are RFC 9457 problem details.
Answers carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`."""


@dataclass
class Adapters:
    """Everything outside the process; any left as None is built from the settings."""

    bus: EventPublisher | None = None
    store: OriginalsStore | None = None
    inspector: ObjectInspector | None = None
    catalog: Catalog | None = None
    limiter: RateLimiter | None = None
    records: KeyValueStore | None = None
    keys: KeySource | None = None
    readiness: dict[str, Callable[[], Awaitable[Any]]] = field(default_factory=dict)


def _key_source(settings: GatewaySettings) -> KeySource:
    if settings.jwt_jwks_file:
        return JwksFileKeys(settings.jwt_jwks_file)
    if settings.jwt_jwks_url:
        return JwksUrlKeys(settings.jwt_jwks_url, cache_s=settings.jwks_cache_s)
    if settings.jwt_secret is None:
        raise RuntimeError("no JWT keys: set FOTOAI_JWT_SECRET, FOTOAI_JWT_JWKS_URL or FOTOAI_JWT_JWKS_FILE")
    return StaticKeys(Keyring.shared_secret(settings.jwt_secret.get_secret_value()))


#: Connections of the gateway's Redis pool (rate limits, idempotency records); more wait.
REDIS_POOL_SIZE = 64


async def _real_adapters(settings: GatewaySettings, given: Adapters, stack: AsyncExitStack) -> Adapters:
    from fotoai.servicekit.async_storage import async_store_from_settings
    from fotoai.servicekit.bus import EventBus
    from fotoai.servicekit.telemetry import install, make_tracer_provider

    out = Adapters(**{k: v for k, v in given.__dict__.items()})
    out.readiness = dict(given.readiness)
    if out.store is None or out.inspector is None:
        # One client serves both ports: streaming uploads/presigning and reading back direct uploads.
        # Asyncio-native: no upload ever holds a thread, and readiness has its own connections.
        store = await async_store_from_settings(settings, settings.gateway.max_uploads_in_flight + 8).start()
        stack.push_async_callback(store.aclose)
        if out.store is None:
            out.store = store
            out.readiness["storage"] = lambda: store.ping(settings.originals_bucket)
        if out.inspector is None:
            out.inspector = store
    if out.bus is None:
        provider = make_tracer_provider("gateway", settings.otlp_endpoint)
        install(provider)
        bus = EventBus(settings, "gateway", provider)
        await bus.start()
        stack.push_async_callback(bus.stop)
        out.bus = bus
        out.readiness["kafka"] = bus.ping
    if out.catalog is None:
        catalog = HttpCatalog(settings.catalog_url, settings.catalog_timeout_s)
        stack.push_async_callback(catalog.aclose)
        out.catalog = catalog
        out.readiness["catalog"] = catalog.ping
    if settings.redis_url and (out.limiter is None or out.records is None):
        from fotoai.gateway.adapters.redis_store import RedisRateLimiter, RedisStore
        from redis.asyncio import BlockingConnectionPool, Redis

        redis_url = settings.redis_url
        # A burst waits up to 2 s for one of the pool's connections instead of failing: the
        # default pool (100, non-blocking) raised "Too many connections" under 100 uploads at once.
        def client(connections: int) -> Redis:
            return Redis.from_pool(BlockingConnectionPool.from_url(
                redis_url, max_connections=connections, timeout=2.0,
                socket_timeout=2.0, socket_connect_timeout=2.0,
            ))

        redis = client(REDIS_POOL_SIZE)
        stack.push_async_callback(redis.aclose)
        # Readiness has connections of its own, so a busy pool never reads as "Redis is down".
        probe = client(2)
        stack.push_async_callback(probe.aclose)
        out.limiter = out.limiter or RedisRateLimiter(redis)
        out.records = out.records or RedisStore(redis)
        out.readiness["redis"] = RedisStore.pinger(probe)
    out.limiter = out.limiter or MemoryRateLimiter()
    out.records = out.records or MemoryStore()
    if out.keys is None:
        keys = _key_source(settings)
        if isinstance(keys, JwksUrlKeys):
            stack.push_async_callback(keys.aclose)
        out.keys = keys
    return out


def build_gateway(settings: GatewaySettings, a: Adapters) -> Gateway:
    g = settings.gateway
    assert a.store and a.bus and a.catalog and a.inspector and a.limiter and a.records and a.keys
    budget = Budget(a.limiter, g.rate_limits, g.rate_limits_enabled, g.library.shared_per_s, g.library.shared_burst)
    return Gateway(
        settings=settings,
        verifier=TokenVerifier(settings.jwt_issuer, settings.jwt_audience, settings.jwt_leeway_s),
        keys=a.keys, limiter=a.limiter, records=a.records, budget=budget,
        idempotent=Idempotent(a.records, g.idempotency_ttl_s),
        upload=UploadPhoto(a.store, a.bus, settings.originals_bucket, g.max_upload_bytes),
        direct=DirectUploads(a.store, a.inspector, a.bus, a.records, budget, settings.originals_bucket,
                             g.max_upload_bytes, g.presign_put_ttl_s, g.direct_upload_grace_s),
        delete=DeletePhoto(a.catalog, a.bus),
        queries=PhotoQueries(a.catalog, a.store, g.presign_get_ttl_s),
        trusted=parse_networks(g.trusted_proxies),
        slots=UploadSlots(g.max_uploads_in_flight, g.max_uploads_per_user),
    )


async def _reap_forever(direct: DirectUploads, interval_s: float) -> None:
    """Every `interval_s`, remove direct uploads never completed (every replica may run it)."""
    while True:
        try:
            await direct.reap()
        except Exception as exc:  # noqa: BLE001 — the store may be down; next round
            log.warning("reaping direct uploads failed", error=str(exc))
        await asyncio.sleep(interval_s)


def build_app(settings: GatewaySettings, adapters: Adapters | None = None) -> FastAPI:
    given = adapters or Adapters()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            wired = await _real_adapters(settings, given, stack)
            app.state.gateway = gateway = build_gateway(settings, wired)
            app.state.readiness.update(wired.readiness)
            reaper = asyncio.create_task(_reap_forever(gateway.direct, settings.gateway.reap_interval_s))
            stack.callback(reaper.cancel)
            log.info("gateway ready", dev_login=settings.dev_login_enabled,
                     redis=bool(settings.redis_url), jwks=settings.jwks_configured)
            async with library_lifespan(app, settings):
                yield

    app = create_app("gateway", title="FotoAI", lifespan=lifespan, description=DESCRIPTION, public=True)
    app.add_middleware(RateLimitHeaders)
    app.add_middleware(SecurityHeaders)
    register_error_translation(app)
    if settings.gateway.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.gateway.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-File-Name"],
            expose_headers=["Location", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"],
            max_age=600,
        )
    app.include_router(build_router(settings.dev_login_enabled))
    app.include_router(build_library_router())
    app.include_router(build_people_router())
    # The hot reads are plain Starlette routes tried before everything else (hot_routes.py): a
    # request for them then costs one path match, not a walk through the docs and health routes
    # and the included routers. Their FastAPI declarations stay in the routers and document them.
    app.router.routes[:0] = hot_routes(reader, gateway_of)
    problem_details_openapi(app)
    return app


def main() -> None:
    settings = GatewaySettings()
    configure_logging("gateway", settings.log_level, settings.log_json)
    serve(build_app(settings), settings.http_host, settings.http_port)
