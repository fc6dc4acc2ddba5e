"""The gateway's readiness check of the catalog: a dropped keep-alive connection is not "down"."""

from __future__ import annotations

import httpx
import pytest
from fotoai.gateway.adapters.catalog_http import HttpCatalog


def catalog(*failures: type[httpx.TransportError]) -> tuple[HttpCatalog, list[str]]:
    """A catalog whose first answers fail with `failures`, in order, then say 200."""
    seen: list[str] = []
    pending = list(failures)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if pending:
            raise pending.pop(0)("boom", request=request)
        return httpx.Response(200, json={"status": "ok"})

    return HttpCatalog("http://catalog", transport=httpx.MockTransport(handler)), seen


async def test_a_connection_the_catalog_just_closed_is_retried_once():
    cat, seen = catalog(httpx.RemoteProtocolError)
    assert await cat.ping() is True
    assert seen == ["/healthz", "/healthz"]


async def test_a_catalog_that_refuses_twice_is_not_ready():
    cat, seen = catalog(httpx.ConnectError, httpx.ConnectError)
    assert await cat.ping() is False
    assert len(seen) == 2


async def test_a_slow_catalog_is_reported_as_slow_not_down():
    cat, _ = catalog(httpx.ReadTimeout)
    with pytest.raises(TimeoutError):
        await cat.ping()
