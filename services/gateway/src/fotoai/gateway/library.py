"""The library's use cases: favourites and archive, the trash (restore, purge, automatic
purge after the retention period), albums, share links, and the SHA-256 lookup of imports.

Every command checks what it names against the catalog (another owner's photo or album is a
404) and publishes its fact; the catalog projects it. Two things cannot wait for that
projection and are remembered in the shared record store for a while: an album just created
(its owner may add photos at once) and a revoked link (it must stop working at once).

Share tokens are `secrets.token_urlsafe(32)` (256 bits); only their SHA-256 leaves this
process, in events and in catalog lookups.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from fotoai.contracts import PhotoDeletedV1
from fotoai.contracts.library import (
    AlbumCreatedV1,
    AlbumDeletedV1,
    AlbumLinkCreatedV1,
    AlbumLinkRevokedV1,
    AlbumPhotosAddedV1,
    AlbumPhotosRemovedV1,
    AlbumUpdatedV1,
    PhotoRestoredV1,
    PhotoTrashedV1,
    PhotoUpdatedV1,
)
from fotoai.gateway.domain.views import public_page, public_summary
from fotoai.gateway.errors import CatalogNotFound
from fotoai.gateway.library_config import LibraryOptions
from fotoai.gateway.ports import Catalog, EventPublisher, KeyValueStore
from fotoai.gateway.use_cases import _DELETE_NS
from fotoai.servicekit.log import get_logger

log = get_logger("fotoai.gateway.library")

RETENTION_PURGER = "system:trash-retention"


def purge_event_id(photo_id: str) -> str:
    """The id of a photo's one and only purge, derived as it always was: a repeated purge (two
    gateway replicas, a retried request) republishes the same event."""
    return str(uuid.uuid5(_DELETE_NS, f"{photo_id}/deleted"))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LibraryCatalog(Protocol):
    async def timeline(self, owner_id: str, archived: bool) -> dict[str, Any]: ...
    async def trash(self, owner_id: str, limit: int, cursor: str | None) -> dict[str, Any]: ...
    async def in_trash(self, owner_id: str, photo_id: str) -> None: ...
    async def trash_ids(self, owner_id: str, limit: int) -> list[str]: ...
    async def expired_trash(self, before: datetime, limit: int) -> list[dict[str, str]]: ...
    async def by_sha256(self, owner_id: str, hashes: list[str]) -> dict[str, str]: ...
    async def albums(self, owner_id: str) -> dict[str, Any]: ...
    async def album(self, owner_id: str, album_id: str, limit: int = 50, cursor: str | None = None) -> dict[str, Any]: ...
    async def link(self, owner_id: str, album_id: str, link_id: str) -> dict[str, Any]: ...
    async def shared(self, token_sha256: str, limit: int, cursor: str | None) -> dict[str, Any]: ...
    async def shared_object(self, token_sha256: str, photo_id: str, rendition: str) -> dict[str, Any]: ...


Presign = Callable[[str, str], str]


class Library:
    def __init__(
        self, photos: Catalog, catalog: LibraryCatalog, bus: EventPublisher, records: KeyValueStore,
        presign: Presign, options: LibraryOptions,
    ) -> None:
        self.photos, self.catalog, self.bus, self.records = photos, catalog, bus, records
        self.presign, self.options = presign, options

    # ------------------------------------------------------------ photos

    async def update_photo(self, owner_id: str, photo_id: str, favorite: bool | None, archived: bool | None) -> dict[str, Any]:
        detail = await self.photos.get_photo(owner_id, photo_id)  # CatalogNotFound → 404
        await self.bus.publish(PhotoUpdatedV1(photo_id=photo_id, owner_id=owner_id, favorite=favorite,
                                              archived=archived, updated_by=owner_id))
        return {
            "id": photo_id,
            "favorite": detail.get("favorite", False) if favorite is None else favorite,
            "archived": detail.get("archived", False) if archived is None else archived,
        }

    async def trash_photo(self, owner_id: str, photo_id: str, by: str) -> None:
        await self.photos.get_photo(owner_id, photo_id)
        await self.bus.publish(PhotoTrashedV1(photo_id=photo_id, owner_id=owner_id, trashed_by=by))

    async def restore(self, owner_id: str, photo_id: str) -> None:
        await self.catalog.in_trash(owner_id, photo_id)
        await self.bus.publish(PhotoRestoredV1(photo_id=photo_id, owner_id=owner_id, restored_by=owner_id))

    async def purge(self, owner_id: str, photo_id: str, by: str, check: bool = True) -> None:
        """Delete for good: `photo.deleted.v1`, on which the catalog removes the objects."""
        if check:
            await self.catalog.in_trash(owner_id, photo_id)
        await self.bus.publish(PhotoDeletedV1(event_id=purge_event_id(photo_id), photo_id=photo_id,
                                              owner_id=owner_id, deleted_by=by))

    async def empty_trash(self, owner_id: str) -> int:
        ids = await self.catalog.trash_ids(owner_id, 10_000)
        for photo_id in ids:
            await self.purge(owner_id, photo_id, owner_id, check=False)
        return len(ids)

    async def purge_expired(self, now: datetime | None = None) -> int:
        before = (now or datetime.now(UTC)) - timedelta(seconds=self.options.trash_retention_s)
        due = await self.catalog.expired_trash(before, self.options.purge_batch)
        for item in due:
            await self.purge(item["owner_id"], item["photo_id"], RETENTION_PURGER, check=False)
        return len(due)

    async def run_purger(self) -> None:
        """Purge the trash past retention every `purge_interval_s`. Every replica may run it:
        a photo's purge has one event id, so replicas repeating one another change nothing."""
        # The first round waits a little: a replica that just started has more urgent work.
        await asyncio.sleep(min(self.options.purge_interval_s, 60.0))
        while True:
            try:
                purged = await self.purge_expired()
                if purged:
                    log.info("purged trash past retention", photos=purged)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — the next round retries
                log.warning("trash purge failed", error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(self.options.purge_interval_s)

    async def timeline(self, owner_id: str, archived: bool) -> dict[str, Any]:
        return await self.catalog.timeline(owner_id, archived)

    async def trash(self, owner_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
        page = await self.catalog.trash(owner_id, limit, cursor)
        retention = timedelta(seconds=self.options.trash_retention_s)
        out = public_page(page, self.presign)
        for item in out["items"]:
            if item.get("trashed_at"):
                item["purge_at"] = (datetime.fromisoformat(item["trashed_at"]) + retention).isoformat()
        return out

    async def lookup(self, owner_id: str, hashes: list[str]) -> dict[str, str]:
        return await self.catalog.by_sha256(owner_id, hashes)

    # ------------------------------------------------------------ albums

    async def _own_album(self, owner_id: str, album_id: str) -> dict[str, Any] | None:
        """The album from the catalog, or None when only this gateway knows it yet (just
        created); CatalogNotFound when it is not the owner's."""
        try:
            return await self.catalog.album(owner_id, album_id, limit=1)
        except CatalogNotFound:
            recent = await self.records.get(f"album:{album_id}")
            if recent is None or recent.get("owner") != owner_id:
                raise
            return None

    async def create_album(self, owner_id: str, title: str) -> dict[str, Any]:
        album_id = str(uuid.uuid4())
        event = AlbumCreatedV1(album_id=album_id, owner_id=owner_id, title=title)
        await self.records.put(f"album:{album_id}", {"owner": owner_id, "title": title,
                                                     "created_at": event.occurred_at.isoformat()},
                               self.options.recent_ttl_s)
        await self.bus.publish(event)
        return {"id": album_id, "title": title, "created_at": event.occurred_at.isoformat(), "photo_count": 0}

    def _public_album(self, album: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in album.items() if k not in ("thumb", "thumb_large", "links", "items")}
        # The cover as a gallery shows it (FotoAI's version where enhancement changed it), at
        # ~256 px and 1024 px for `srcset`.
        for name, field in (("thumb", "cover_url"), ("thumb_large", "cover_large_url")):
            thumb = album.get(name)
            out[field] = self.presign(thumb["bucket"], thumb["key"]) if thumb else None
        return out

    async def albums(self, owner_id: str) -> dict[str, Any]:
        answer = await self.catalog.albums(owner_id)
        return {"items": [self._public_album(a) for a in answer.get("items") or []]}

    async def album(self, owner_id: str, album_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
        try:
            album = await self.catalog.album(owner_id, album_id, limit, cursor)
        except CatalogNotFound:
            recent = await self.records.get(f"album:{album_id}")
            if recent is None or recent.get("owner") != owner_id:
                raise
            return {"id": album_id, "title": recent.get("title"), "created_at": recent.get("created_at"),
                    "photo_count": 0, "cover_url": None, "cover_large_url": None, "items": [], "next_cursor": None, "links": []}
        out = self._public_album(album)
        out["items"] = [public_summary(i, self.presign) for i in album.get("items") or []]
        out["next_cursor"] = album.get("next_cursor")
        out["links"] = [{k: v for k, v in link.items() if k != "token_sha256"} for link in album.get("links") or []]
        return out

    async def update_album(self, owner_id: str, album_id: str, title: str | None, cover_photo_id: str | None) -> None:
        await self._own_album(owner_id, album_id)
        await self.bus.publish(AlbumUpdatedV1(album_id=album_id, owner_id=owner_id, title=title,
                                              cover_photo_id=cover_photo_id))

    async def delete_album(self, owner_id: str, album_id: str) -> None:
        await self._own_album(owner_id, album_id)
        await self.bus.publish(AlbumDeletedV1(album_id=album_id, owner_id=owner_id))
        await self.records.delete(f"album:{album_id}")

    async def add_photos(self, owner_id: str, album_id: str, photo_ids: list[str]) -> None:
        # Photos are not checked one by one: the catalog shows an album only the photos its
        # owner owns, so naming someone else's photo adds nothing.
        await self._own_album(owner_id, album_id)
        await self.bus.publish(AlbumPhotosAddedV1(album_id=album_id, owner_id=owner_id, photo_ids=photo_ids))

    async def remove_photo(self, owner_id: str, album_id: str, photo_id: str) -> None:
        await self._own_album(owner_id, album_id)
        await self.bus.publish(AlbumPhotosRemovedV1(album_id=album_id, owner_id=owner_id, photo_ids=[photo_id]))

    async def create_link(self, owner_id: str, album_id: str, expires_in: int | None, base_url: str) -> dict[str, Any]:
        await self._own_album(owner_id, album_id)
        token = secrets.token_urlsafe(32)
        link_id = str(uuid.uuid4())
        now = datetime.now(UTC)
        expires_at = now + timedelta(seconds=expires_in) if expires_in else None
        await self.bus.publish(AlbumLinkCreatedV1(album_id=album_id, owner_id=owner_id, occurred_at=now,
                                                  link_id=link_id, token_sha256=token_hash(token),
                                                  expires_at=expires_at))
        base = self.options.share_base_url.rstrip("/")
        url = f"{base}/shared/{token}" if base else f"{base_url.rstrip('/')}/v1/shared/{token}"
        return {"id": link_id, "token": token, "url": url,
                "expires_at": expires_at.isoformat() if expires_at else None}

    async def revoke_link(self, owner_id: str, album_id: str, link_id: str) -> None:
        await self._own_album(owner_id, album_id)
        digest = (await self.catalog.link(owner_id, album_id, link_id))["token_sha256"]
        # The catalog stops answering once it has projected the revocation; until then this
        # record does, so the token is refused from the moment this call returns.
        if digest:
            await self.records.put(f"revoked-link:{digest}", {"album": album_id}, self.options.recent_ttl_s)
        await self.bus.publish(AlbumLinkRevokedV1(album_id=album_id, owner_id=owner_id, link_id=link_id))

    # ------------------------------------------------------------ shared (no account)

    async def _live(self, token: str) -> str:
        digest = token_hash(token)
        if await self.records.get(f"revoked-link:{digest}") is not None:
            raise CatalogNotFound("revoked")
        return digest

    async def shared(self, token: str, limit: int, cursor: str | None) -> dict[str, Any]:
        digest = await self._live(token)
        answer = await self.catalog.shared(digest, limit, cursor)
        return {
            "album": answer["album"],
            "items": [public_summary(i, self.presign) for i in answer.get("items") or []],
            "next_cursor": answer.get("next_cursor"),
        }

    async def shared_content(self, token: str, photo_id: str, rendition: str) -> str:
        digest = await self._live(token)
        obj = await self.catalog.shared_object(digest, photo_id, rendition)
        return self.presign(obj["bucket"], obj["key"])
