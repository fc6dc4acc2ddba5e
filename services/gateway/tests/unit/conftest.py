"""Fixtures for the gateway's unit tests: the real app wired to in-memory fakes."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fotoai.gateway.adapters.catalog_http import HttpCatalog
from fotoai.gateway.adapters.keys import StaticKeys
from fotoai.gateway.adapters.memory import MemoryRateLimiter, MemoryStore
from fotoai.gateway.config import GatewayOptions, GatewaySettings, RateLimitOptions
from fotoai.gateway.domain.auth import Keyring, mint_hs256
from fotoai.gateway.main import Adapters, build_app

from .fakes import FakeBus, FakeInspector, FakeStore, fake_catalog, summary
from .library_fakes import add_fake_library

ISSUER, AUDIENCE = "fotoai-test", "fotoai"


class Harness:
    def __init__(self, **options: Any) -> None:
        self.secret = secrets.token_urlsafe(32)
        rate = options.pop("rate_limits", RateLimitOptions(reads_per_s=1000, read_burst=1000, ip_per_s=1000, ip_burst=1000))
        local_mode = options.pop("local_mode", True)
        self.settings = GatewaySettings(
            jwt_secret=self.secret, jwt_issuer=ISSUER, jwt_audience=AUDIENCE, local_mode=local_mode,
            gateway=GatewayOptions(rate_limits=rate, **options),
        )
        self.bus, self.store = FakeBus(), FakeStore()
        self.photos = {
            "p1": summary("p1", "alice", "2026-01-01T00:00:00+00:00", ["cat", "sofa"]),
            "p2": summary("p2", "alice", "2026-01-02T00:00:00+00:00", ["dog"], status="processing"),
            "p3": summary("p3", "alice", "2026-01-03T00:00:00+00:00", ["cat"], enhanced=True),
            "b1": summary("b1", "bob", "2026-01-01T00:00:00+00:00", ["cat"]),
        }
        self.catalog_app = fake_catalog(self.photos)
        self.library = add_fake_library(self.catalog_app, self.photos)
        self.catalog_up = True

        harness = self

        class SwitchableTransport(httpx.AsyncBaseTransport):
            def __init__(self) -> None:
                self.inner = httpx.ASGITransport(app=harness.catalog_app, raise_app_exceptions=False)

            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                if not harness.catalog_up:
                    raise httpx.ConnectError("connection refused", request=request)
                return await self.inner.handle_async_request(request)

        self.catalog = HttpCatalog("http://catalog.test", 2.0, transport=SwitchableTransport())
        self.adapters = Adapters(
            bus=self.bus, store=self.store, inspector=FakeInspector(self.store), catalog=self.catalog,
            keys=StaticKeys(Keyring.shared_secret(self.secret)),
            limiter=MemoryRateLimiter(), records=MemoryStore(),
        )
        self.app = build_app(self.settings, self.adapters)

    def token(self, sub: str = "alice", scope: str = "photos:read photos:write", ttl: int = 600) -> str:
        return mint_hs256(self.secret, sub, scope, ISSUER, AUDIENCE, ttl)

    def auth(self, sub: str = "alice", scope: str = "photos:read photos:write") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(sub, scope)}"}


@pytest.fixture
def make_client() -> Callable[..., Any]:
    """`async with make_client(**gateway_options) as (client, harness)`."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def factory(**options: Any) -> AsyncIterator[tuple[httpx.AsyncClient, Harness]]:
        h = Harness(**options)
        async with h.app.router.lifespan_context(h.app):
            transport = httpx.ASGITransport(app=h.app, client=("203.0.113.7", 5555))
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
                yield client, h

    return factory


@pytest.fixture
async def gw(make_client: Callable[..., Any]) -> AsyncIterator[tuple[httpx.AsyncClient, Harness]]:
    async with make_client() as pair:
        yield pair
