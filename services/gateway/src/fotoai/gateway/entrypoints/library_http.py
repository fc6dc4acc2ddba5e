"""Routes of the library (docs/architecture.md): favourites and archive, timeline buckets, the trash,
albums and their share links, the public shared-album routes, and the SHA-256 lookup that
bulk imports skip duplicates with.

Authenticated routes use the gateway's `Reader`/`Writer` dependencies (auth, scopes, per-user
read or write budgets and per-IP budgets) and its problem-details translation. Shared routes have no account: the
token is the credential, and each client IP has its own budget, which failed lookups spend
too, so tokens cannot be guessed at speed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fotoai.gateway.adapters.catalog_http import HttpCatalog
from fotoai.gateway.adapters.library_catalog import HttpLibraryCatalog
from fotoai.gateway.config import GatewaySettings
from fotoai.gateway.entrypoints import schemas
from fotoai.gateway.entrypoints.http import (
    BEARER,
    Gateway,
    PhotoId,
    Reader,
    Writer,
    client_ip_of,
    errors,
    gateway_of,
    or_not_found,
    spend,
)
from fotoai.gateway.library import Library
from fotoai.servicekit.app import ProblemError
from pydantic import BaseModel, Field

AlbumId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Token = Annotated[str, Path(min_length=20, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=512)]
_ID = r"^[A-Za-z0-9_-]{1,64}$"


class PhotoPatch(BaseModel):
    favorite: bool | None = None
    archived: bool | None = None


class AlbumIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class AlbumPatch(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    cover_photo_id: str | None = Field(default=None, pattern=_ID)


class PhotoIds(BaseModel):
    photo_ids: list[Annotated[str, Field(pattern=_ID)]] = Field(min_length=1, max_length=1000)


class LinkIn(BaseModel):
    expires_in: int | None = Field(default=None, ge=60, description="seconds; none: until revoked")


class Lookup(BaseModel):
    sha256: list[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]] = Field(min_length=1, max_length=200)


def build_library(gw: Gateway) -> Library:
    """The library over the gateway's own adapters (catalog client, bus, records, presigner)."""
    photos = gw.queries.catalog
    # Over HTTP the library routes share the photo queries' client; a test's fake catalog
    # object answers both.
    catalog: Any = HttpLibraryCatalog(photos) if isinstance(photos, HttpCatalog) else photos
    return Library(photos, catalog, gw.delete.bus, gw.records, gw.queries.presigner.url, gw.settings.gateway.library)


def _lib(request: Request) -> Library:
    state = request.app.state
    if getattr(state, "library", None) is None:
        state.library = build_library(state.gateway)
    return state.library


async def _shared_budget(request: Request) -> None:
    await spend(request, gateway_of(request).budget.shared(client_ip_of(request)))


def build_library_router() -> APIRouter:
    router = APIRouter(prefix="/v1")

    # ------------------------------------------------------------ photos

    @router.patch("/photos/{photo_id}", status_code=202, tags=["photos"], summary="Star or archive a photo",
                  responses=errors(403, 404, 503), openapi_extra=BEARER)
    async def patch_photo(request: Request, photo_id: PhotoId, body: PhotoPatch, principal: Writer) -> JSONResponse:
        if body.favorite is None and body.archived is None:
            raise ProblemError(422, "Unprocessable Content", "give `favorite` and/or `archived`")
        out = await or_not_found(_lib(request).update_photo(principal.sub, photo_id, body.favorite, body.archived))
        return JSONResponse(out, status_code=202)

    @router.post("/photos/lookup", tags=["photos"], summary="Which of these SHA-256 digests are in my library",
                 responses=errors(403, 503), openapi_extra=BEARER)
    async def lookup(request: Request, body: Lookup, principal: Reader) -> dict[str, Any]:
        return {"found": await or_not_found(_lib(request).lookup(principal.sub, body.sha256))}

    @router.get("/timeline", tags=["photos"], summary="How many photos per month of capture (for a scrubber)",
                responses=errors(403, 503), openapi_extra=BEARER)
    async def timeline(request: Request, principal: Reader, archived: bool = False) -> dict[str, Any]:
        return await or_not_found(_lib(request).timeline(principal.sub, archived))

    # ------------------------------------------------------------ trash

    @router.get("/trash", tags=["trash"], summary="My photos in the trash, most recently trashed first",
                responses=errors(400, 403, 503), openapi_extra=BEARER)
    async def trash(request: Request, principal: Reader, limit: Limit = 50, cursor: Cursor = None) -> dict[str, Any]:
        return await or_not_found(_lib(request).trash(principal.sub, limit, cursor))

    @router.post("/trash/empty", status_code=202, tags=["trash"], summary="Purge everything in my trash",
                 responses=errors(403, 503), openapi_extra=BEARER)
    async def empty_trash(request: Request, principal: Writer) -> JSONResponse:
        purged = await or_not_found(_lib(request).empty_trash(principal.sub))
        return JSONResponse({"purged": purged}, status_code=202)

    @router.post("/trash/{photo_id}/restore", status_code=202, tags=["trash"], summary="Bring a photo back",
                 responses=errors(403, 404, 503), openapi_extra=BEARER)
    async def restore(request: Request, photo_id: PhotoId, principal: Writer) -> JSONResponse:
        await or_not_found(_lib(request).restore(principal.sub, photo_id), "no such photo in the trash")
        return JSONResponse({"id": photo_id, "status": "restoring"}, status_code=202)

    @router.delete("/trash/{photo_id}", status_code=202, tags=["trash"],
                   summary="Delete a photo in the trash for good, with its objects",
                   responses=errors(403, 404, 503), openapi_extra=BEARER)
    async def purge(request: Request, photo_id: PhotoId, principal: Writer) -> JSONResponse:
        await or_not_found(_lib(request).purge(principal.sub, photo_id, principal.sub), "no such photo in the trash")
        return JSONResponse({"id": photo_id, "status": "purging"}, status_code=202)

    # ------------------------------------------------------------ albums

    @router.get("/albums", tags=["albums"], summary="My albums", responses=errors(403, 503), openapi_extra=BEARER)
    async def albums(request: Request, principal: Reader) -> dict[str, Any]:
        return await or_not_found(_lib(request).albums(principal.sub))

    @router.post("/albums", status_code=201, tags=["albums"], summary="Create an album",
                 responses=errors(403, 503), openapi_extra=BEARER)
    async def create_album(request: Request, body: AlbumIn, principal: Writer) -> JSONResponse:
        out = await or_not_found(_lib(request).create_album(principal.sub, body.title))
        return JSONResponse(out, status_code=201, headers={"Location": f"/v1/albums/{out['id']}"})

    @router.get("/albums/{album_id}", tags=["albums"], summary="An album and a page of its photos",
                responses=errors(400, 403, 404, 503), openapi_extra=BEARER)
    async def album(request: Request, album_id: AlbumId, principal: Reader, limit: Limit = 50,
                    cursor: Cursor = None) -> dict[str, Any]:
        return await or_not_found(_lib(request).album(principal.sub, album_id, limit, cursor), "no such album")

    @router.patch("/albums/{album_id}", status_code=202, tags=["albums"], summary="Rename an album or set its cover",
                  responses=errors(403, 404, 503), openapi_extra=BEARER)
    async def patch_album(request: Request, album_id: AlbumId, body: AlbumPatch, principal: Writer) -> JSONResponse:
        if body.title is None and body.cover_photo_id is None:
            raise ProblemError(422, "Unprocessable Content", "give `title` and/or `cover_photo_id`")
        await or_not_found(_lib(request).update_album(principal.sub, album_id, body.title, body.cover_photo_id), "no such album")
        return JSONResponse({"id": album_id, **body.model_dump(exclude_none=True)}, status_code=202)

    @router.delete("/albums/{album_id}", status_code=202, tags=["albums"], summary="Delete an album (its photos stay)",
                   responses=errors(403, 404, 503), openapi_extra=BEARER)
    async def delete_album(request: Request, album_id: AlbumId, principal: Writer) -> JSONResponse:
        await or_not_found(_lib(request).delete_album(principal.sub, album_id), "no such album")
        return JSONResponse({"id": album_id, "status": "deleting"}, status_code=202)

    @router.post("/albums/{album_id}/photos", status_code=202, tags=["albums"], summary="Add photos to an album",
                 responses=errors(403, 404, 503), openapi_extra=BEARER)
    async def add_photos(request: Request, album_id: AlbumId, body: PhotoIds, principal: Writer) -> JSONResponse:
        await or_not_found(_lib(request).add_photos(principal.sub, album_id, body.photo_ids), "no such album")
        return JSONResponse({"id": album_id, "added": len(set(body.photo_ids))}, status_code=202)

    @router.delete("/albums/{album_id}/photos/{photo_id}", status_code=202, tags=["albums"],
                   summary="Take a photo out of an album", responses=errors(403, 404, 503), openapi_extra=BEARER)
    async def remove_photo(request: Request, album_id: AlbumId, photo_id: PhotoId, principal: Writer) -> JSONResponse:
        await or_not_found(_lib(request).remove_photo(principal.sub, album_id, photo_id), "no such album")
        return JSONResponse({"id": album_id, "removed": photo_id}, status_code=202)

    @router.post("/albums/{album_id}/links", status_code=201, tags=["albums"],
                 summary="Share an album: a link anyone holding it can open, until revoked or expired",
                 responses=errors(403, 404, 503), openapi_extra=BEARER)
    async def create_link(request: Request, album_id: AlbumId, principal: Writer, body: LinkIn | None = None) -> JSONResponse:
        lib = _lib(request)
        expires_in = body.expires_in if body else None
        if expires_in is not None and expires_in > lib.options.max_link_ttl_s:
            raise ProblemError(422, "Unprocessable Content", f"links last at most {lib.options.max_link_ttl_s} s")
        out = await or_not_found(lib.create_link(principal.sub, album_id, expires_in, str(request.base_url)), "no such album")
        return JSONResponse(out, status_code=201, headers={"Cache-Control": "no-store"})

    @router.delete("/albums/{album_id}/links/{link_id}", status_code=204, tags=["albums"],
                   summary="Revoke a share link (it stops working at once)",
                   responses=errors(403, 404, 503), openapi_extra=BEARER)
    async def revoke_link(request: Request, album_id: AlbumId, link_id: AlbumId, principal: Writer) -> Response:
        await or_not_found(_lib(request).revoke_link(principal.sub, album_id, link_id), "no such link")
        return Response(status_code=204)

    # ------------------------------------------------------------ shared: the token is the credential

    @router.get("/shared/{token}", tags=["shared"], summary="A shared album and its photos (no account needed)",
                responses=errors(400, 404, 503))
    async def shared(request: Request, token: Token, limit: Limit = 50, cursor: Cursor = None) -> JSONResponse:
        await _shared_budget(request)
        out = await or_not_found(_lib(request).shared(token, limit, cursor), "no such link")
        return JSONResponse(out, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

    @router.get("/shared/{token}/photos/{photo_id}/content", status_code=307, tags=["shared"],
                summary="The bytes of a photo of a shared album", response_class=RedirectResponse,
                responses=errors(404, 503))
    async def shared_content(request: Request, token: Token, photo_id: PhotoId,
                             rendition: schemas.RenditionName = "display") -> RedirectResponse:
        await _shared_budget(request)
        url = await or_not_found(_lib(request).shared_content(token, photo_id, rendition), "no such photo in this album")
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

    return router


@asynccontextmanager
async def library_lifespan(app: FastAPI, settings: GatewaySettings) -> AsyncIterator[None]:
    """Wire the library onto the running gateway (`app.state.gateway`) and run the purger."""
    opts = settings.gateway.library
    app.state.library = library = build_library(app.state.gateway)
    task = asyncio.create_task(library.run_purger()) if opts.purge_interval_s > 0 else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
