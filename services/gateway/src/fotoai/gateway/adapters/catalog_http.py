"""The catalog's internal query API over HTTP, with timeouts and error translation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from fotoai.gateway.adapters import json_codec
from fotoai.gateway.errors import CatalogNotFound, CatalogRejected, CatalogUnavailable


class HttpCatalog:
    def __init__(self, base_url: str, timeout_s: float = 5.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 2.0)),
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _get(self, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        clean = {k: v for k, v in params.items() if v is not None}
        try:
            resp = await self._client.get(path, params=clean)
        except httpx.HTTPError as exc:
            raise CatalogUnavailable(f"the catalog did not answer: {type(exc).__name__}") from exc
        if resp.status_code == 404:
            raise CatalogNotFound(path)
        if resp.status_code in (400, 422):
            detail = ""
            try:
                detail = resp.json().get("detail", "")
            except ValueError:
                pass
            raise CatalogRejected(str(detail) or "the catalog refused the query")
        if resp.status_code >= 300:
            raise CatalogUnavailable(f"the catalog answered {resp.status_code}")
        try:
            body = json_codec.loads(resp.content)
        except ValueError as exc:
            raise CatalogUnavailable("the catalog answered something that is not JSON") from exc
        if not isinstance(body, dict):
            raise CatalogUnavailable("unexpected answer from the catalog")
        return body

    async def list_photos(self, owner_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        return await self._get("/internal/photos", {**params, "owner_id": owner_id})

    async def get_photo(self, owner_id: str, photo_id: str) -> dict[str, Any]:
        return await self._get(f"/internal/photos/{photo_id}", {"owner_id": owner_id})

    async def get_object(self, owner_id: str, photo_id: str, rendition: str) -> dict[str, Any]:
        return await self._get(f"/internal/photos/{photo_id}/objects/{rendition}", {"owner_id": owner_id})

    async def search(self, owner_id: str, q: str, limit: int, archived: bool = False) -> dict[str, Any]:
        params: dict[str, Any] = {"owner_id": owner_id, "q": q, "limit": limit}
        if archived:
            params["archived"] = "true"
        return await self._get("/internal/search", params)

    async def tags(self, owner_id: str) -> dict[str, Any]:
        return await self._get("/internal/tags", {"owner_id": owner_id})

    async def ping(self) -> bool:
        # Twice before "not ready": a pooled keep-alive connection the catalog has just closed
        # fails the first request (ReadError / RemoteProtocolError) though the catalog is fine
        # (CI saw one 503 in a load test). A catalog that is down refuses both at once.
        for _ in range(2):
            try:
                resp = await self._client.get("/healthz")
            except httpx.TimeoutException as exc:
                raise TimeoutError("the catalog is slow to answer") from exc  # "degraded"
            except httpx.HTTPError:
                continue
            return resp.status_code == 200
        return False
