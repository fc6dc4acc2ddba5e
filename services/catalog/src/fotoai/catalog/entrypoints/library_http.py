"""The library's internal query routes (gateway → catalog only): timeline buckets, trash,
albums, albums shared by link (looked up by the token's SHA-256), duplicates by SHA-256, and
the trash entries due for purging. Owner-scoped; another owner's album is a 404."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fotoai.catalog.adapters.library_queries import PgLibraryQueries
from fotoai.catalog.adapters.queries import PgCatalogQueries
from fotoai.catalog.domain.cursor import InvalidCursor
from fotoai.contracts import OBJECT_NAMES
from fotoai.servicekit.app import ProblemError

OwnerId = Annotated[str, Query(min_length=1, max_length=200)]
Limit = Annotated[int, Query(ge=1, le=200)]
Sha256 = Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")]
RenditionName = Literal[OBJECT_NAMES]  # type: ignore[valid-type]


def _bad_cursor(exc: InvalidCursor) -> ProblemError:
    return ProblemError(400, "Invalid cursor", str(exc))


def build_library_router(library: PgLibraryQueries, photos: PgCatalogQueries) -> APIRouter:
    router = APIRouter(prefix="/internal", tags=["internal"])

    @router.get("/timeline")
    async def timeline(owner_id: OwnerId, archived: bool = False) -> dict[str, Any]:
        return {"buckets": await library.timeline(owner_id, archived)}

    @router.get("/trash")
    async def trash(owner_id: OwnerId, limit: Limit = 50, cursor: str | None = None) -> dict[str, Any]:
        try:
            return await library.trash(owner_id, limit, cursor)
        except InvalidCursor as exc:
            raise _bad_cursor(exc) from exc

    @router.get("/trash/ids")
    async def trash_ids(owner_id: OwnerId, limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> dict[str, Any]:
        return {"ids": await library.trash_ids(owner_id, limit)}

    @router.get("/trash/expired")
    async def expired(before: datetime, limit: Annotated[int, Query(ge=1, le=10_000)] = 500) -> dict[str, Any]:
        return {"items": await library.expired_trash(before, limit)}

    @router.get("/trash/{photo_id}")
    async def trashed(photo_id: str, owner_id: OwnerId) -> dict[str, Any]:
        if not await library.in_trash(owner_id, photo_id):
            raise ProblemError(404, "Not Found", f"no photo {photo_id} in the trash")
        return {"id": photo_id}

    @router.get("/sha256")
    async def by_sha256(owner_id: OwnerId, sha256: Annotated[list[str], Query(max_length=1000)]) -> dict[str, Any]:
        hashes = [h for h in sha256 if len(h) == 64 and all(c in "0123456789abcdef" for c in h)]
        return {"found": await library.by_sha256(owner_id, hashes)}

    @router.get("/albums")
    async def albums(owner_id: OwnerId) -> dict[str, Any]:
        return {"items": await library.albums(owner_id)}

    @router.get("/albums/{album_id}")
    async def album(album_id: str, owner_id: OwnerId, limit: Limit = 50, cursor: str | None = None) -> dict[str, Any]:
        try:
            found = await library.album(owner_id, album_id, limit, cursor)
        except InvalidCursor as exc:
            raise _bad_cursor(exc) from exc
        if found is None:
            raise ProblemError(404, "Not Found", f"no album {album_id}")
        return found

    @router.get("/albums/{album_id}/links/{link_id}")
    async def link(album_id: str, link_id: str, owner_id: OwnerId) -> dict[str, Any]:
        digest = await library.link_hash(owner_id, album_id, link_id)
        if digest is None:
            raise ProblemError(404, "Not Found", f"no link {link_id}")
        return {"id": link_id, "token_sha256": digest}

    @router.get("/shared/{token_sha256}")
    async def shared(token_sha256: str, limit: Limit = 50, cursor: str | None = None) -> dict[str, Any]:
        try:
            found = await library.shared(token_sha256, limit, cursor)
        except InvalidCursor as exc:
            raise _bad_cursor(exc) from exc
        if found is None:
            raise ProblemError(404, "Not Found", "no such link")
        return found

    @router.get("/shared/{token_sha256}/photos/{photo_id}/objects/{rendition}")
    async def shared_object(token_sha256: str, photo_id: str, rendition: RenditionName) -> dict[str, Any]:
        owner = await library.shared_owner(token_sha256, photo_id)
        obj = await photos.object_of(owner, photo_id, rendition) if owner else None
        if obj is None:
            raise ProblemError(404, "Not Found", "no such photo in this album")
        return obj

    return router
