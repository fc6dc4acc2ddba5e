"""The catalog's internal library routes over the same HTTP client as the photo queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fotoai.gateway.adapters.catalog_http import HttpCatalog


class HttpLibraryCatalog:
    def __init__(self, catalog: HttpCatalog) -> None:
        self._get = catalog._get

    async def timeline(self, owner_id: str, archived: bool) -> dict[str, Any]:
        return await self._get("/internal/timeline", {"owner_id": owner_id, "archived": str(archived).lower()})

    async def trash(self, owner_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
        return await self._get("/internal/trash", {"owner_id": owner_id, "limit": limit, "cursor": cursor})

    async def in_trash(self, owner_id: str, photo_id: str) -> None:
        await self._get(f"/internal/trash/{photo_id}", {"owner_id": owner_id})

    async def trash_ids(self, owner_id: str, limit: int) -> list[str]:
        return (await self._get("/internal/trash/ids", {"owner_id": owner_id, "limit": limit}))["ids"]

    async def expired_trash(self, before: datetime, limit: int) -> list[dict[str, str]]:
        return (await self._get("/internal/trash/expired", {"before": before.isoformat(), "limit": limit}))["items"]

    async def by_sha256(self, owner_id: str, hashes: list[str]) -> dict[str, str]:
        return (await self._get("/internal/sha256", {"owner_id": owner_id, "sha256": hashes}))["found"]

    async def albums(self, owner_id: str) -> dict[str, Any]:
        return await self._get("/internal/albums", {"owner_id": owner_id})

    async def album(self, owner_id: str, album_id: str, limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
        return await self._get(f"/internal/albums/{album_id}", {"owner_id": owner_id, "limit": limit, "cursor": cursor})

    async def link(self, owner_id: str, album_id: str, link_id: str) -> dict[str, Any]:
        return await self._get(f"/internal/albums/{album_id}/links/{link_id}", {"owner_id": owner_id})

    async def shared(self, token_sha256: str, limit: int, cursor: str | None) -> dict[str, Any]:
        return await self._get(f"/internal/shared/{token_sha256}", {"limit": limit, "cursor": cursor})

    async def shared_object(self, token_sha256: str, photo_id: str, rendition: str) -> dict[str, Any]:
        return await self._get(f"/internal/shared/{token_sha256}/photos/{photo_id}/objects/{rendition}", {})
