"""The catalog's internal library routes over in-memory state, added to the fake catalog app.

State is plain dicts the tests fill in (`FakeLibraryState`): albums with owner and photo ids,
photos in the trash, share links by token hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse


@dataclass
class FakeLibraryState:
    albums: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → {owner, title, photos, links}
    trash: dict[str, str] = field(default_factory=dict)  # photo id → owner
    links: dict[str, str] = field(default_factory=dict)  # token sha256 → album id


def add_fake_library(app: FastAPI, photos: dict[str, dict[str, Any]]) -> FakeLibraryState:
    state = FakeLibraryState()
    app.state.library = state

    def missing() -> JSONResponse:
        return JSONResponse({"title": "Not Found", "status": 404}, status_code=404)

    def public(p: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in p.items() if k != "owner"}

    @app.get("/internal/timeline")
    async def timeline(owner_id: str, archived: bool = False) -> Any:
        n = sum(1 for p in photos.values() if p["owner"] == owner_id and p["id"] not in state.trash)
        return {"buckets": [{"month": "2026-01", "count": n}] if n else []}

    @app.get("/internal/trash")
    async def trash(owner_id: str, limit: int = 50, cursor: str | None = None) -> Any:
        items = [{**public(photos[i]), "trashed_at": "2026-02-01T00:00:00+00:00"}
                 for i, o in state.trash.items() if o == owner_id and i in photos]
        return {"items": items[:limit], "next_cursor": None}

    @app.get("/internal/trash/ids")
    async def trash_ids(owner_id: str, limit: int = 1000) -> Any:
        return {"ids": [i for i, o in state.trash.items() if o == owner_id][:limit]}

    @app.get("/internal/trash/expired")
    async def expired(before: str, limit: int = 500) -> Any:
        return {"items": []}

    @app.get("/internal/trash/{photo_id}")
    async def in_trash(photo_id: str, owner_id: str) -> Any:
        return {"id": photo_id} if state.trash.get(photo_id) == owner_id else missing()

    @app.get("/internal/sha256")
    async def by_sha256(owner_id: str, sha256: list[str] = Query(default_factory=list)) -> Any:  # noqa: B008
        return {"found": {p["sha256"]: p["id"] for p in photos.values()
                          if p["owner"] == owner_id and p["sha256"] in sha256}}

    def album_view(aid: str, a: dict[str, Any]) -> dict[str, Any]:
        return {"id": aid, "title": a["title"], "created_at": "2026-01-01T00:00:00+00:00", "cover_photo_id": None,
                "photo_count": len(a["photos"]), "thumb": None}

    @app.get("/internal/albums")
    async def albums(owner_id: str) -> Any:
        return {"items": [album_view(i, a) for i, a in state.albums.items() if a["owner"] == owner_id]}

    @app.get("/internal/albums/{album_id}")
    async def album(album_id: str, owner_id: str, limit: int = 50, cursor: str | None = None) -> Any:
        a = state.albums.get(album_id)
        if a is None or a["owner"] != owner_id:
            return missing()
        return {**album_view(album_id, a), "items": [public(photos[p]) for p in a["photos"]][:limit],
                "next_cursor": None, "links": [{"id": lid, "token_sha256": h, "expires_at": None, "created_at": None}
                                               for lid, h in a.get("links", {}).items()]}

    @app.get("/internal/albums/{album_id}/links/{link_id}")
    async def link(album_id: str, link_id: str, owner_id: str) -> Any:
        a = state.albums.get(album_id)
        if a is None or a["owner"] != owner_id or link_id not in a.get("links", {}):
            return missing()
        return {"id": link_id, "token_sha256": a["links"][link_id]}

    @app.get("/internal/shared/{token_sha256}")
    async def shared(token_sha256: str, limit: int = 50, cursor: str | None = None) -> Any:
        aid = state.links.get(token_sha256)
        if aid is None:
            return missing()
        a = state.albums[aid]
        return {"album": {"id": aid, "title": a["title"], "expires_at": None},
                "items": [public(photos[p]) for p in a["photos"]], "next_cursor": None}

    @app.get("/internal/shared/{token_sha256}/photos/{photo_id}/objects/{rendition}")
    async def shared_object(token_sha256: str, photo_id: str, rendition: str) -> Any:
        aid = state.links.get(token_sha256)
        if aid is None or photo_id not in state.albums[aid]["photos"]:
            return missing()
        p = photos[photo_id]
        return {"bucket": "fotoai-renditions", "key": f"{p['owner']}/{photo_id}/{rendition}.jpg", "mime": "image/jpeg",
                "file_name": f"{photo_id}.jpg"}

    return state
