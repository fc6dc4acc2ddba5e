"""The library's projections and queries on the real PostgreSQL: the capture-time timeline and
its month buckets, favourites, archive, trash, albums (owner only), share links by token hash,
the SHA-256 lookup and the trash past retention."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fotoai.catalog.adapters.library_queries import PgLibraryQueries
from fotoai.catalog.adapters.library_store import PgLibraryStore
from fotoai.catalog.adapters.queries import PgCatalogQueries
from fotoai.catalog.domain.filters import ListFilters
from fotoai.catalog.library import ProjectLibrary
from fotoai.catalog.use_cases import SearchPhotos
from fotoai.contracts import (
    ExifSubset,
    OriginalObject,
    OwnerMismatch,
    PhotoIngestedV1,
    PhotoUploadedV1,
    Rendition,
)
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

pytestmark = pytest.mark.integration

T0 = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)


async def _photo(project, owner: str, at: datetime, taken: datetime | None, content: bytes) -> str:
    pid = str(uuid.uuid4())
    sha = hashlib.sha256(content).hexdigest()
    await project(PhotoUploadedV1(photo_id=pid, owner_id=owner, occurred_at=at, original=OriginalObject(
        bucket="fotoai-originals", key=f"{owner}/{pid}/original", size=len(content), sha256=sha,
        content_type="image/jpeg", file_name=f"{pid}.jpg")))
    await project(PhotoIngestedV1(
        photo_id=pid, owner_id=owner, occurred_at=at + timedelta(seconds=1), format="jpeg", width=40, height=30,
        exif=ExifSubset(taken_at=taken), sha256=sha, renditions=[Rendition(
            name="thumb_small", bucket="fotoai-renditions", key=f"{owner}/{pid}/thumb_small.jpg", width=40,
            height=30, bytes=100, mime="image/jpeg")]))
    return pid


@pytest.fixture
def library(pool) -> ProjectLibrary:
    return ProjectLibrary(PgLibraryStore(pool))


@pytest.fixture
def lq(pool) -> PgLibraryQueries:
    return PgLibraryQueries(pool)


async def _ids(queries: PgCatalogQueries, owner: str, **filters) -> list[str]:
    items, _ = await queries.list_photos(owner, 50, None, ListFilters(**filters))
    return [i["id"] for i in items]


async def test_timeline_is_capture_order_with_upload_time_fallback(project, queries, lq, owner) -> None:
    a = await _photo(project, owner, T0, datetime(2020, 5, 1, tzinfo=UTC), b"a")
    b = await _photo(project, owner, T0 + timedelta(minutes=1), None, b"b")  # no EXIF date: upload time
    c = await _photo(project, owner, T0 + timedelta(minutes=2), datetime(2019, 1, 2, tzinfo=UTC), b"c")
    assert await _ids(queries, owner) == [c, b, a]  # by upload
    first, cursor = await queries.list_photos(owner, 2, None, ListFilters(sort="taken"))
    assert [i["id"] for i in first] == [b, a] and cursor
    rest, end = await queries.list_photos(owner, 2, cursor, ListFilters(sort="taken"))
    assert [i["id"] for i in rest] == [c] and end is None
    assert await lq.timeline(owner) == [
        {"month": "2026-05", "count": 1}, {"month": "2020-05", "count": 1}, {"month": "2019-01", "count": 1}]


async def test_favourites_archive_and_trash(project, library, queries, lq, owner) -> None:
    a = await _photo(project, owner, T0, None, b"fa")
    b = await _photo(project, owner, T0 + timedelta(seconds=5), None, b"fb")
    fav = PhotoUpdatedV1(photo_id=a, owner_id=owner, favorite=True, updated_by=owner)
    assert await library(fav) is True
    assert await library(fav) is False  # a redelivery changes nothing
    assert await _ids(queries, owner, favorite=True) == [a]
    assert (await queries.detail(owner, a))["favorite"] is True

    await library(PhotoUpdatedV1(photo_id=b, owner_id=owner, archived=True, updated_by=owner))
    assert await _ids(queries, owner) == [a]
    assert await _ids(queries, owner, archived=True) == [b]
    assert await lq.timeline(owner) == [{"month": "2026-05", "count": 1}]
    assert await queries.detail(owner, b) is not None  # archived, not gone

    await library(PhotoTrashedV1(photo_id=a, owner_id=owner, trashed_by=owner, occurred_at=T0 + timedelta(hours=1)))
    assert await _ids(queries, owner) == [] and await _ids(queries, owner, favorite=True) == []
    assert await queries.detail(owner, a) is None and await queries.object_of(owner, a, "original") is None
    page = await lq.trash(owner, 10, None)
    assert [i["id"] for i in page["items"]] == [a] and page["items"][0]["trashed_at"].startswith("2026-05-10T13")
    assert await lq.in_trash(owner, a) and not await lq.in_trash("someone-else", a)
    assert await lq.expired_trash(T0 + timedelta(hours=2), 10) == [{"photo_id": a, "owner_id": owner}]
    assert a not in [i["photo_id"] for i in await lq.expired_trash(T0, 10)]

    await library(PhotoRestoredV1(photo_id=a, owner_id=owner, restored_by=owner, occurred_at=T0 + timedelta(hours=2)))
    assert await _ids(queries, owner) == [a] and (await queries.detail(owner, a))["favorite"] is True
    assert (await lq.trash(owner, 10, None))["items"] == []
    # A trash older than the restore, delivered late, does not win.
    await library(PhotoTrashedV1(photo_id=a, owner_id=owner, trashed_by=owner, occurred_at=T0 + timedelta(minutes=30)))
    assert await _ids(queries, owner) == [a]


async def test_search_leaves_the_archive_out_unless_asked_for(project, library, queries, owner) -> None:
    a = await _photo(project, owner, T0, None, b"sa")
    b = await _photo(project, owner, T0 + timedelta(seconds=5), None, b"sb")
    await library(PhotoUpdatedV1(photo_id=b, owner_id=owner, archived=True, updated_by=owner))
    search = SearchPhotos(queries, None)
    assert [i["id"] for i in (await search(owner, "jpg", 10)).items] == [a]
    assert [i["id"] for i in (await search(owner, "jpg", 10, archived=True)).items] == [b]
    # The trash stays out of both.
    await library(PhotoTrashedV1(photo_id=b, owner_id=owner, trashed_by=owner, occurred_at=T0 + timedelta(hours=1)))
    assert (await search(owner, "jpg", 10, archived=True)).items == []


async def test_sha256_lookup_sees_the_library_and_the_trash(project, library, lq, owner) -> None:
    a = await _photo(project, owner, T0, None, b"sha-a")
    b = await _photo(project, owner, T0, None, b"sha-b")
    await library(PhotoTrashedV1(photo_id=b, owner_id=owner, trashed_by=owner))
    digest = {hashlib.sha256(x).hexdigest(): x for x in (b"sha-a", b"sha-b", b"sha-c")}
    found = await lq.by_sha256(owner, list(digest))
    assert found == {hashlib.sha256(b"sha-a").hexdigest(): a, hashlib.sha256(b"sha-b").hexdigest(): b}
    assert await lq.by_sha256("someone-else", list(digest)) == {}


async def test_albums_are_the_owners_and_links_open_only_their_album(project, library, lq, owner) -> None:
    other = f"other-{uuid.uuid4().hex[:8]}"
    a = await _photo(project, owner, T0, datetime(2024, 1, 1, tzinfo=UTC), b"al-a")
    b = await _photo(project, owner, T0, datetime(2025, 1, 1, tzinfo=UTC), b"al-b")
    c = await _photo(project, owner, T0, None, b"al-c")  # not in the album
    x = await _photo(project, other, T0, None, b"al-x")  # someone else's
    album = str(uuid.uuid4())
    # Photos added before the album's creation is seen: order does not matter.
    await library(AlbumPhotosAddedV1(album_id=album, owner_id=owner, photo_ids=[a, b, x], occurred_at=T0 + timedelta(seconds=2)))
    assert await lq.album(owner, album, 10, None) is None  # not created yet
    await library(AlbumCreatedV1(album_id=album, owner_id=owner, title="Trip", occurred_at=T0 + timedelta(seconds=1)))
    got = await lq.album(owner, album, 10, None)
    assert got["title"] == "Trip" and [i["id"] for i in got["items"]] == [b, a] and got["photo_count"] == 2
    assert got["thumb"] is not None
    assert await lq.album(other, album, 10, None) is None
    assert [x["id"] for x in await lq.albums(owner)] == [album] and await lq.albums(other) == []
    # Events naming the album under another owner are not trusted: parked, nothing changes.
    with pytest.raises(OwnerMismatch):
        await library(AlbumUpdatedV1(album_id=album, owner_id=other, title="Mine now"))
    await library(AlbumUpdatedV1(album_id=album, owner_id=owner, title="Trip 2024", cover_photo_id=a))
    got = await lq.album(owner, album, 10, None)
    assert got["title"] == "Trip 2024" and got["cover_photo_id"] == a

    token_hash = hashlib.sha256(b"token").hexdigest()
    link = str(uuid.uuid4())
    await library(AlbumLinkCreatedV1(album_id=album, owner_id=owner, link_id=link, token_sha256=token_hash))
    shared = await lq.shared(token_hash, 10, None)
    assert shared["album"]["title"] == "Trip 2024" and [i["id"] for i in shared["items"]] == [b, a]
    assert "sha256" not in shared["items"][0] and "tags" not in shared["items"][0]
    assert await lq.shared_owner(token_hash, a) == owner
    assert await lq.shared_owner(token_hash, c) is None and await lq.shared_owner(token_hash, x) is None
    assert await lq.link_hash(owner, album, link) == token_hash and await lq.link_hash(other, album, link) is None
    assert [k["id"] for k in (await lq.album(owner, album, 10, None))["links"]] == [link]

    await library(AlbumPhotosRemovedV1(album_id=album, owner_id=owner, photo_ids=[b]))
    assert [i["id"] for i in (await lq.shared(token_hash, 10, None))["items"]] == [a]
    await library(PhotoTrashedV1(photo_id=a, owner_id=owner, trashed_by=owner))
    assert (await lq.shared(token_hash, 10, None))["items"] == [] and await lq.shared_owner(token_hash, a) is None

    await library(AlbumLinkRevokedV1(album_id=album, owner_id=owner, link_id=link))
    assert await lq.shared(token_hash, 10, None) is None

    expired_hash = hashlib.sha256(b"old").hexdigest()
    await library(AlbumLinkCreatedV1(album_id=album, owner_id=owner, link_id=str(uuid.uuid4()),
                                     token_sha256=expired_hash, expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert await lq.shared(expired_hash, 10, None) is None

    live_hash = hashlib.sha256(b"live").hexdigest()
    await library(AlbumLinkCreatedV1(album_id=album, owner_id=owner, link_id=str(uuid.uuid4()), token_sha256=live_hash))
    assert await lq.shared(live_hash, 10, None) is not None
    await library(AlbumDeletedV1(album_id=album, owner_id=owner))
    assert await lq.albums(owner) == [] and await lq.album(owner, album, 10, None) is None
    assert await lq.shared(live_hash, 10, None) is None
