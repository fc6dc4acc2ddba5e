"""Internal routes of people, places and text (the gateway proxies them): persons, a person's
photos, places and map markers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fotoai.catalog.domain.cursor import InvalidCursor
from fotoai.servicekit.app import ProblemError

OwnerId = Annotated[str, Query(min_length=1, max_length=200)]
Limit = Annotated[int, Query(ge=1, le=200)]


def build_recognition_router(queries: Any) -> APIRouter:
    router = APIRouter(prefix="/internal", tags=["internal"])

    @router.get("/people")
    async def people(owner_id: OwnerId, hidden: bool = False) -> dict[str, Any]:
        return {"items": await queries.people(owner_id, hidden)}

    @router.get("/people/{person_id}")
    async def person(person_id: str, owner_id: OwnerId) -> dict[str, Any]:
        found = await queries.person(owner_id, person_id)
        if found is None:
            raise ProblemError(404, "Not Found", f"no person {person_id}")
        return found

    @router.get("/people/{person_id}/photos")
    async def person_photos(person_id: str, owner_id: OwnerId, limit: Limit = 50,
                            cursor: str | None = None) -> dict[str, Any]:
        try:
            items, next_cursor = await queries.person_photos(owner_id, person_id, limit, cursor)
        except InvalidCursor as exc:
            raise ProblemError(400, "Invalid cursor", str(exc)) from exc
        return {"items": items, "next_cursor": next_cursor}

    @router.get("/places")
    async def places(owner_id: OwnerId) -> dict[str, Any]:
        return {"items": await queries.places(owner_id)}

    @router.get("/map")
    async def map_markers(owner_id: OwnerId, limit: Annotated[int, Query(ge=1, le=20000)] = 5000) -> dict[str, Any]:
        return {"markers": await queries.map_markers(owner_id, limit)}

    return router
