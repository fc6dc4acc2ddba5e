"""The library's projections: favourites, archive, trash and albums with their share links.

Each fact is kept per field when its version (domain/ordering.py) beats the recorded one, so
replays, redeliveries and any interleaving converge; an album's deletion and a link's
revocation are tombstones that nothing after them undoes. An event whose owner differs from
the owner already on record is not trusted: `OwnerMismatch`, parked by the bus (ids never
change owner), the same rule as the photo projections.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol, TypeVar

from fotoai.catalog.domain.ordering import RANK_EVENT, newer, outcome_version
from fotoai.contracts import Event, OwnerMismatch
from fotoai.contracts.library import (
    AlbumCreatedV1,
    AlbumDeletedV1,
    AlbumEvent,
    AlbumLinkCreatedV1,
    AlbumLinkRevokedV1,
    AlbumPhotosAddedV1,
    AlbumPhotosRemovedV1,
    AlbumUpdatedV1,
    PhotoRestoredV1,
    PhotoTrashedV1,
    PhotoUpdatedV1,
)


class Row(Protocol):
    row: dict[str, Any]

    def set(self, **columns: Any) -> None: ...


class AlbumRow(Row, Protocol):
    async def set_members(self, photo_ids: Sequence[str], member: bool, at: datetime, version: str) -> None: ...
    async def link_created(
        self, link_id: str, token_sha256: str, expires_at: datetime | None, at: datetime, version: str,
    ) -> None: ...
    async def link_revoked(self, link_id: str, at: datetime) -> None: ...


class LibraryStore(Protocol):
    def photo(self, *, event_id: str, photo_id: str, owner_id: str, topic: str) -> AbstractAsyncContextManager[Row | None]: ...
    def album(self, *, event_id: str, album_id: str, owner_id: str, topic: str) -> AbstractAsyncContextManager[AlbumRow | None]: ...


class ProjectLibrary:
    """Apply one library event; returns False when it was already applied.

    Raises OwnerMismatch (nothing is committed) for an event whose photo or album belongs to
    someone else, like the photo projections (use_cases.py): the bus parks it with the reason.
    """

    def __init__(self, store: LibraryStore) -> None:
        self.store = store

    async def __call__(self, event: Event | AlbumEvent) -> bool:
        if isinstance(event, AlbumEvent):
            album = self.store.album(event_id=event.event_id, album_id=event.album_id, owner_id=event.owner_id,
                                     topic=event.TOPIC)
            return await _apply(event, f"album {event.album_id}", album, _album)
        photo = self.store.photo(event_id=event.event_id, photo_id=event.photo_id, owner_id=event.owner_id,
                                 topic=event.TOPIC)
        return await _apply(event, f"photo {event.photo_id}", photo, _photo)


R = TypeVar("R", bound=Row)
Ev = TypeVar("Ev", Event, AlbumEvent)


async def _apply(
    e: Ev, subject: str, unit_of: AbstractAsyncContextManager[R | None],
    project: Callable[[Ev, R, str], Awaitable[None]],
) -> bool:
    """The one skeleton of every library projection: claim the event (False: seen before), check
    the owner on record, then let `project` set what the event's version wins."""
    async with unit_of as unit:
        if unit is None:
            return False
        if unit.row["owner_id"] != e.owner_id:
            # Ids never change owner: an event that says otherwise is not trusted.
            raise OwnerMismatch(f"{e.TOPIC} {e.event_id}: {subject} belongs to another owner "
                                f"than the event's {e.owner_id!r}")
        await project(e, unit, outcome_version(RANK_EVENT, e.occurred_at, e.event_id))
    return True


async def _photo(e: Event, unit: Row, version: str) -> None:
    r = unit.row
    match e:
        case PhotoUpdatedV1():
            if e.favorite is not None and newer(version, r["favorite_version"]):
                unit.set(favorite=e.favorite, favorite_version=version)
            if e.archived is not None and newer(version, r["archived_version"]):
                unit.set(archived=e.archived, archived_version=version)
        case PhotoTrashedV1() if newer(version, r["trash_version"]):
            unit.set(trashed_at=e.occurred_at, trashed_by=e.trashed_by, trash_version=version)
        case PhotoRestoredV1() if newer(version, r["trash_version"]):
            unit.set(trashed_at=None, trashed_by=None, trash_version=version)


async def _album(e: AlbumEvent, unit: AlbumRow, version: str) -> None:
    r = unit.row
    match e:
        case AlbumCreatedV1():
            if r["created_at"] is None or e.occurred_at < r["created_at"]:
                unit.set(created_at=e.occurred_at)
            if newer(version, r["title_version"]):
                unit.set(title=e.title, title_version=version)
        case AlbumUpdatedV1():
            if e.title is not None and newer(version, r["title_version"]):
                unit.set(title=e.title, title_version=version)
            if e.cover_photo_id is not None and newer(version, r["cover_version"]):
                unit.set(cover_photo_id=e.cover_photo_id, cover_version=version)
        case AlbumDeletedV1():
            if r["deleted_at"] is None or e.occurred_at < r["deleted_at"]:
                unit.set(deleted_at=e.occurred_at)
        case AlbumPhotosAddedV1():
            await unit.set_members(e.photo_ids, True, e.occurred_at, version)
        case AlbumPhotosRemovedV1():
            await unit.set_members(e.photo_ids, False, e.occurred_at, version)
        case AlbumLinkCreatedV1():
            await unit.link_created(e.link_id, e.token_sha256, e.expires_at, e.occurred_at, version)
        case AlbumLinkRevokedV1():
            await unit.link_revoked(e.link_id, e.occurred_at)
