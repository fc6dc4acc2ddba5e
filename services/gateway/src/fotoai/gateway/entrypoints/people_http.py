"""Routes of people and places (docs/architecture.md): `GET /v1/people`, `GET/PATCH /v1/people/{id}`,
`POST /v1/people/{id}/merge`, `POST /v1/people/recluster`, `GET /v1/people/{id}/photos`,
`GET /v1/places`, `GET /v1/map`.

Authenticated with the gateway's `Reader`/`Writer` dependencies and its problem-details
translation, like the library's routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from fotoai.gateway.entrypoints.http import BEARER, Reader, Writer, errors, or_not_found
from fotoai.gateway.people import People
from fotoai.servicekit.app import ProblemError
from pydantic import BaseModel, Field

PersonId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=512)]


class PersonPatch(BaseModel):
    name: str | None = Field(default=None, max_length=200, description="an empty name clears it")
    hidden: bool | None = None


class MergeIn(BaseModel):
    into: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


def _people(request: Request) -> People:
    people = getattr(request.app.state, "people", None)
    if people is None:
        gw = request.app.state.gateway
        people = request.app.state.people = People(gw.queries.catalog, gw.delete.bus, gw.queries.presigner.url)
    return people


def build_people_router() -> APIRouter:
    router = APIRouter(prefix="/v1")
    nobody = "no such person"

    @router.get("/people", tags=["people"], summary="The people recognised in my photos, named first",
                responses=errors(403, 503), openapi_extra=BEARER)
    async def people(request: Request, principal: Reader, hidden: bool = False) -> dict[str, Any]:
        return await or_not_found(_people(request).people(principal.sub, hidden))

    @router.get("/people/{person_id}", tags=["people"], summary="One person",
                responses=errors(403, 404, 503), openapi_extra=BEARER)
    async def person(request: Request, person_id: PersonId, principal: Reader) -> dict[str, Any]:
        return await or_not_found(_people(request).person(principal.sub, person_id), nobody)

    @router.get("/people/{person_id}/photos", tags=["people"], summary="A person's photos, newest first",
                responses=errors(400, 403, 404, 503), openapi_extra=BEARER)
    async def person_photos(request: Request, person_id: PersonId, principal: Reader, limit: Limit = 50,
                            cursor: Cursor = None) -> dict[str, Any]:
        return await or_not_found(_people(request).photos(principal.sub, person_id, limit, cursor), nobody)

    @router.patch("/people/{person_id}", status_code=202, tags=["people"], summary="Name or hide a person",
                  responses=errors(403, 404, 503), openapi_extra=BEARER)
    async def patch_person(request: Request, person_id: PersonId, body: PersonPatch, principal: Writer) -> JSONResponse:
        if body.name is None and body.hidden is None:
            raise ProblemError(422, "Unprocessable Content", "give `name` and/or `hidden`")
        out = await or_not_found(_people(request).edit(principal.sub, person_id, body.name, body.hidden), nobody)
        return JSONResponse(out, status_code=202)

    @router.post("/people/{person_id}/merge", status_code=202, tags=["people"],
                 summary="Merge a person into another (their faces become the other's)",
                 responses=errors(403, 404, 503), openapi_extra=BEARER)
    async def merge(request: Request, person_id: PersonId, body: MergeIn, principal: Writer) -> JSONResponse:
        if body.into == person_id:
            raise ProblemError(422, "Unprocessable Content", "a person cannot be merged into itself")
        out = await or_not_found(_people(request).merge(principal.sub, person_id, body.into), nobody)
        return JSONResponse(out, status_code=202)

    @router.post("/people/recluster", status_code=202, tags=["people"],
                 summary="Regroup all my faces from scratch (names, hidden people and merges are kept)",
                 responses=errors(403, 503), openapi_extra=BEARER)
    async def recluster(request: Request, principal: Writer) -> JSONResponse:
        return JSONResponse(await _people(request).recluster(principal.sub), status_code=202)

    @router.get("/places", tags=["places"], summary="Where my photos were taken (offline reverse geocoding)",
                responses=errors(403, 503), openapi_extra=BEARER)
    async def places(request: Request, principal: Reader) -> dict[str, Any]:
        return await or_not_found(_people(request).places(principal.sub))

    @router.get("/map", tags=["places"], summary="Map markers of my photos with a GPS position",
                responses=errors(403, 503), openapi_extra=BEARER)
    async def map_markers(request: Request, principal: Reader) -> dict[str, Any]:
        return await or_not_found(_people(request).map(principal.sub))

    return router
