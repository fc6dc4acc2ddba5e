"""Property: any shuffle of a library's events (favourites, archive, trash, albums, links),
with any redeliveries, ends in exactly the library the in-order delivery gives, row for row,
on the real PostgreSQL — the same guarantee test_order_tolerance.py gives the photo events."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fotoai.catalog.adapters.library_store import PgLibraryStore, library_snapshot
from fotoai.catalog.library import ProjectLibrary
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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.integration


@st.composite
def histories(draw):
    owner = f"lib-{uuid.uuid4().hex[:12]}"
    t0 = datetime(2026, 5, 1, tzinfo=UTC)
    photos = [f"{owner}-p{i}" for i in range(3)]
    albums = [f"{owner}-a{i}" for i in range(2)]
    links = [f"{owner}-l{i}" for i in range(2)]

    def at():
        return t0 + timedelta(seconds=draw(st.integers(0, 6)))  # ties on purpose

    def flag():
        return draw(st.sampled_from([None, True, False]))

    kinds = st.sampled_from(["update", "trash", "restore", "created", "updated", "deleted", "added", "removed",
                             "link", "revoke"])
    events: list = []
    for kind in draw(st.lists(kinds, min_size=1, max_size=14)):
        p, a = draw(st.sampled_from(photos)), draw(st.sampled_from(albums))
        match kind:
            case "update":
                events.append(PhotoUpdatedV1(photo_id=p, owner_id=owner, occurred_at=at(), favorite=flag(),
                                             archived=flag(), updated_by=owner))
            case "trash":
                events.append(PhotoTrashedV1(photo_id=p, owner_id=owner, occurred_at=at(), trashed_by=owner))
            case "restore":
                events.append(PhotoRestoredV1(photo_id=p, owner_id=owner, occurred_at=at(), restored_by=owner))
            case "created":
                events.append(AlbumCreatedV1(album_id=a, owner_id=owner, occurred_at=at(),
                                             title=draw(st.sampled_from(["A", "B"]))))
            case "updated":
                events.append(AlbumUpdatedV1(album_id=a, owner_id=owner, occurred_at=at(),
                                             title=draw(st.sampled_from([None, "C"])),
                                             cover_photo_id=draw(st.sampled_from([None, *photos]))))
            case "deleted":
                events.append(AlbumDeletedV1(album_id=a, owner_id=owner, occurred_at=at()))
            case "added" | "removed":
                cls = AlbumPhotosAddedV1 if kind == "added" else AlbumPhotosRemovedV1
                ids = draw(st.lists(st.sampled_from(photos), min_size=1, max_size=3))
                events.append(cls(album_id=a, owner_id=owner, occurred_at=at(), photo_ids=ids))
            case "link":
                link = draw(st.sampled_from(links))
                events.append(AlbumLinkCreatedV1(
                    album_id=a, owner_id=owner, occurred_at=at(), link_id=link,
                    token_sha256=hashlib.sha256(link.encode()).hexdigest(),
                    expires_at=draw(st.sampled_from([None, t0 + timedelta(days=1)]))))
            case "revoke":
                events.append(AlbumLinkRevokedV1(album_id=a, owner_id=owner, occurred_at=at(),
                                                 link_id=draw(st.sampled_from(links))))
    shuffled = draw(st.permutations(events))
    redelivered = draw(st.lists(st.sampled_from(events), max_size=4))
    noisy = list(shuffled)
    for item in redelivered:
        noisy.insert(draw(st.integers(0, len(noisy))), item)
    return owner, events, noisy


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=histories())
async def test_any_order_with_redeliveries_converges_to_the_in_order_library(pool, second_pool, history) -> None:
    owner, in_order, noisy = history
    first, second = ProjectLibrary(PgLibraryStore(pool)), ProjectLibrary(PgLibraryStore(second_pool))
    for event in in_order:
        await first(event)
    for event in noisy:
        await second(event)
    expected = await library_snapshot(pool, owner)
    assert any(expected.values()), "the history projected nothing"
    assert await library_snapshot(second_pool, owner) == expected
