"""The library projection's one rule for every event: claim it once, refuse another owner's
(OwnerMismatch, committed nothing), keep a field only when the event's version wins."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fotoai.catalog.library import ProjectLibrary
from fotoai.contracts import OwnerMismatch
from fotoai.contracts.library import (
    AlbumCreatedV1,
    AlbumPhotosAddedV1,
    AlbumUpdatedV1,
    PhotoUpdatedV1,
)

T0 = datetime(2026, 5, 1, tzinfo=UTC)


class FakeRow:
    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.changes: dict[str, Any] = {}
        self.members: list[tuple[list[str], bool]] = []

    def set(self, **columns: Any) -> None:
        self.changes.update(columns)

    async def set_members(self, photo_ids: Sequence[str], member: bool, at: datetime, version: str) -> None:
        self.members.append((list(photo_ids), member))

    async def link_created(self, link_id: str, token_sha256: str, expires_at: datetime | None, at: datetime,
                           version: str) -> None: ...

    async def link_revoked(self, link_id: str, at: datetime) -> None: ...


class FakeStore:
    """Rows keyed by id; an event id claimed twice answers None; changes are kept on commit only."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.seen: set[str] = set()
        self.committed: list[FakeRow] = []

    @asynccontextmanager
    async def _unit(self, event_id: str, key: str, owner_id: str, blank: dict[str, Any]) -> AsyncIterator[FakeRow | None]:
        if event_id in self.seen:
            yield None
            return
        unit = FakeRow(dict(self.rows.setdefault(key, {"owner_id": owner_id, **blank})))
        yield unit  # an exception here leaves nothing claimed, nothing changed
        self.seen.add(event_id)
        self.rows[key].update(unit.changes)
        self.committed.append(unit)

    def photo(self, *, event_id: str, photo_id: str, owner_id: str, topic: str) -> Any:
        return self._unit(event_id, photo_id, owner_id, {"favorite_version": None, "archived_version": None,
                                                         "trash_version": None})

    def album(self, *, event_id: str, album_id: str, owner_id: str, topic: str) -> Any:
        return self._unit(event_id, album_id, owner_id, {"created_at": None, "title_version": None,
                                                         "cover_version": None, "deleted_at": None})


async def test_photo_and_album_events_of_another_owner_are_refused_and_change_nothing() -> None:
    store = FakeStore()
    project = ProjectLibrary(store)
    assert await project(PhotoUpdatedV1(photo_id="p", owner_id="ann", favorite=True, updated_by="ann", occurred_at=T0))
    assert await project(AlbumCreatedV1(album_id="a", owner_id="ann", title="Trip", occurred_at=T0))
    forged_photo = PhotoUpdatedV1(photo_id="p", owner_id="bob", favorite=False, updated_by="bob",
                                  occurred_at=T0 + timedelta(hours=1))
    forged_album = AlbumUpdatedV1(album_id="a", owner_id="bob", title="Mine", occurred_at=T0 + timedelta(hours=1))
    with pytest.raises(OwnerMismatch, match="photo p belongs to another owner"):
        await project(forged_photo)
    with pytest.raises(OwnerMismatch, match="album a belongs to another owner"):
        await project(forged_album)
    assert store.rows["p"]["favorite"] is True and store.rows["a"]["title"] == "Trip"
    assert forged_photo.event_id not in store.seen and forged_album.event_id not in store.seen


async def test_an_event_applies_once_and_an_older_version_loses() -> None:
    store = FakeStore()
    project = ProjectLibrary(store)
    newer = AlbumUpdatedV1(album_id="a", owner_id="ann", title="New", occurred_at=T0 + timedelta(minutes=5))
    assert await project(newer)
    assert await project(AlbumCreatedV1(album_id="a", owner_id="ann", title="Old", occurred_at=T0))
    assert store.rows["a"]["title"] == "New" and store.rows["a"]["created_at"] == T0
    assert await project(newer) is False  # a redelivery
    added = AlbumPhotosAddedV1(album_id="a", owner_id="ann", photo_ids=["p", "q"], occurred_at=T0)
    assert await project(added)
    assert store.committed[-1].members == [(["p", "q"], True)]
