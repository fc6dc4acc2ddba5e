"""The internal query API the gateway calls (never exposed publicly). Everything is scoped by
`owner_id`, which the gateway sets from the JWT `sub`; another owner's photo or a deleted one
is a 404 problem+json."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fotoai.catalog.domain.cursor import InvalidCursor
from fotoai.catalog.domain.filters import ListFilters
from fotoai.catalog.domain.status import PhotoStatus
from fotoai.catalog.ports import CatalogQueries
from fotoai.catalog.use_cases import SearchPhotos
from fotoai.contracts import OBJECT_NAMES
from fotoai.servicekit.app import ProblemError

OwnerId = Annotated[str, Query(min_length=1, max_length=200)]
Limit = Annotated[int, Query(ge=1, le=200)]
StatusFilter = Literal["processing", "ready", "degraded", "rejected"]
RenditionName = Literal[OBJECT_NAMES]  # type: ignore[valid-type]
assert set(StatusFilter.__args__) == {s.value for s in PhotoStatus}  # type: ignore[attr-defined]


def _not_found(photo_id: str) -> ProblemError:
    return ProblemError(404, "Not Found", f"no photo {photo_id}")


def build_router(queries: CatalogQueries, search: SearchPhotos) -> APIRouter:
    router = APIRouter(prefix="/internal", tags=["internal"])

    @router.get("/photos")
    async def list_photos(
        owner_id: OwnerId,
        limit: Limit = 50,
        cursor: str | None = None,
        tag: str | None = None,
        status: StatusFilter | None = None,
        taken_after: datetime | None = None,
        taken_before: datetime | None = None,
        camera: str | None = None,
        sort: Literal["uploaded", "taken"] = "uploaded",
        favorite: bool | None = None,
        archived: bool | None = None,
        person: Annotated[str | None, Query(max_length=64)] = None,
        duplicate_of: Annotated[str | None, Query(max_length=64)] = None,
    ) -> dict[str, Any]:
        filters = ListFilters(tag=tag, status=status, taken_after=taken_after,
                              taken_before=taken_before, camera=camera, sort=sort,
                              favorite=favorite, archived=archived, person=person,
                              duplicate_of=duplicate_of)
        try:
            items, next_cursor = await queries.list_photos(owner_id, limit, cursor, filters)
        except InvalidCursor as exc:
            raise ProblemError(400, "Invalid cursor", str(exc)) from exc
        return {"items": items, "next_cursor": next_cursor}

    @router.get("/photos/{photo_id}")
    async def photo_detail(photo_id: str, owner_id: OwnerId) -> dict[str, Any]:
        detail = await queries.detail(owner_id, photo_id)
        if detail is None:
            raise _not_found(photo_id)
        return detail

    @router.get("/photos/{photo_id}/objects/{rendition}")
    async def photo_object(photo_id: str, rendition: RenditionName, owner_id: OwnerId) -> dict[str, Any]:
        obj = await queries.object_of(owner_id, photo_id, rendition)
        if obj is None:
            raise ProblemError(404, "Not Found", f"photo {photo_id} has no {rendition} (yet)")
        return obj

    @router.get("/search")
    async def search_photos(
        owner_id: OwnerId, q: Annotated[str, Query(min_length=1, max_length=500)], limit: Limit = 50,
        archived: bool = False,
    ) -> dict[str, Any]:
        result = await search(owner_id, q, limit, archived)
        return {"items": result.items, "mode": result.mode}

    @router.get("/tags")
    async def tag_counts(owner_id: OwnerId) -> dict[str, Any]:
        return {"items": await queries.tag_counts(owner_id)}

    return router
