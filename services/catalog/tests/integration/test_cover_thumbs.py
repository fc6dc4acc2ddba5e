"""Thumbnails of listings and covers on the real PostgreSQL: a photo whose enhancement changed
the picture shows FotoAI's version everywhere (gallery, album cover, place, person), at the
original's sizes (`enhanced_thumb_small` ~256 px, `enhanced_thumb` 1024 px); a photo the
enhancer left alone, or one enhanced before `enhanced_thumb_small` existed, never mixes
versions."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fotoai.catalog.adapters.library_queries import PgLibraryQueries
from fotoai.catalog.adapters.library_store import PgLibraryStore
from fotoai.catalog.adapters.recognition_queries import PgRecognitionQueries
from fotoai.catalog.domain.filters import ListFilters
from fotoai.catalog.library import ProjectLibrary
from fotoai.catalog.recognition import ProjectRecognition
from fotoai.contracts import (
    ExifSubset,
    GpsPosition,
    Operation,
    OriginalObject,
    PhotoEnhancedV1,
    PhotoIngestedV1,
    PhotoUploadedV1,
    Rendition,
)
from fotoai.contracts.events import Place
from fotoai.contracts.library import AlbumCreatedV1, AlbumPhotosAddedV1, AlbumUpdatedV1
from fotoai.contracts.recognition import (
    FaceRef,
    PersonUpdatedV1,
    PhotoFacesRecognizedV1,
    RecognizedFace,
)

pytestmark = pytest.mark.integration

T0 = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
SIZES = {"thumb_large": (1024, 768), "thumb_small": (256, 192), "enhanced_thumb": (1024, 768),
         "enhanced_thumb_small": (256, 192), "enhanced": (2048, 1536)}


def _r(owner: str, pid: str, name: str) -> Rendition:
    w, h = SIZES[name]
    return Rendition(name=name, bucket="fotoai-renditions", key=f"{owner}/{pid}/{name}.jpg", width=w,
                     height=h, bytes=w * h // 10, mime="image/jpeg")


async def _photo(project, owner: str, *, changed: bool, small: bool = True, city: str = "Lisbon") -> str:
    """A photo with both thumbnails of the original and FotoAI's; `changed`: the enhancer applied
    operations; `small`: its event carried enhanced_thumb_small (a producer that predates it did not)."""
    pid = str(uuid.uuid4())
    content = pid.encode()
    sha = hashlib.sha256(content).hexdigest()
    await project(PhotoUploadedV1(photo_id=pid, owner_id=owner, occurred_at=T0, original=OriginalObject(
        bucket="fotoai-originals", key=f"{owner}/{pid}/original", size=len(content), sha256=sha,
        content_type="image/jpeg", file_name=f"{pid}.jpg")))
    await project(PhotoIngestedV1(
        photo_id=pid, owner_id=owner, occurred_at=T0 + timedelta(seconds=1), format="jpeg", width=4000,
        height=3000, exif=ExifSubset(gps=GpsPosition(lat=38.7, lon=-9.1)), sha256=sha,
        place=Place(city=city, country="Portugal", country_code="PT"),
        renditions=[_r(owner, pid, "thumb_large"), _r(owner, pid, "thumb_small")]))
    await project(PhotoEnhancedV1(
        photo_id=pid, owner_id=owner, occurred_at=T0 + timedelta(seconds=2), duration_ms=5.0,
        rendition=_r(owner, pid, "enhanced"), thumbnail=_r(owner, pid, "enhanced_thumb"),
        thumbnails=[_r(owner, pid, "enhanced_thumb_small")] if small else [],
        operations=[Operation(name="exposure", params={"ev": 0.8})] if changed else []))
    return pid


def _key(thumb: dict | None) -> str | None:
    return thumb["key"].rsplit("/", 1)[1] if thumb else None


async def test_listings_show_the_enhanced_version_at_the_originals_sizes(project, queries, owner) -> None:
    changed = await _photo(project, owner, changed=True)
    same = await _photo(project, owner, changed=False)
    older = await _photo(project, owner, changed=True, small=False)
    items = {i["id"]: i for i in (await queries.list_photos(owner, 10, None, ListFilters()))[0]}
    got = {pid: {k: _key(items[pid][k]) for k in ("thumb", "thumb_large", "original_thumb", "enhanced_thumb")}
           for pid in (changed, same, older)}
    assert got[changed] == {"thumb": "enhanced_thumb_small.jpg", "thumb_large": "enhanced_thumb.jpg",
                            "original_thumb": "thumb_small.jpg", "enhanced_thumb": "enhanced_thumb.jpg"}
    assert got[same] == {"thumb": "thumb_small.jpg", "thumb_large": "thumb_large.jpg",
                         "original_thumb": "thumb_small.jpg", "enhanced_thumb": None}
    # Enhanced before the small thumbnail existed: FotoAI's version in both sizes, not a mix.
    assert got[older] == {"thumb": "enhanced_thumb.jpg", "thumb_large": "enhanced_thumb.jpg",
                          "original_thumb": "thumb_small.jpg", "enhanced_thumb": "enhanced_thumb.jpg"}
    detail = await queries.detail(owner, changed)
    assert _key(detail["thumb"]) == "enhanced_thumb_small.jpg"
    assert "enhanced_thumb_small" in {r["name"] for r in detail["renditions"]}


async def test_a_newer_enhancement_without_the_small_thumbnail_removes_the_older_one(project, queries, owner) -> None:
    pid = await _photo(project, owner, changed=True)
    await project(PhotoEnhancedV1(
        photo_id=pid, owner_id=owner, occurred_at=T0 + timedelta(seconds=9), duration_ms=5.0,
        rendition=_r(owner, pid, "enhanced"), thumbnail=_r(owner, pid, "enhanced_thumb"),
        operations=[Operation(name="exposure", params={"ev": 0.5})]))
    detail = await queries.detail(owner, pid)
    assert "enhanced_thumb_small" not in {r["name"] for r in detail["renditions"]}
    assert _key(detail["thumb"]) == "enhanced_thumb.jpg"


async def test_album_place_and_person_covers_show_the_enhanced_version(project, pool, owner) -> None:
    changed = await _photo(project, owner, changed=True, city="Porto")
    same = await _photo(project, owner, changed=False, city="Faro")
    library, lq = ProjectLibrary(PgLibraryStore(pool)), PgLibraryQueries(pool)
    album = str(uuid.uuid4())
    await library(AlbumCreatedV1(album_id=album, owner_id=owner, title="Trip", occurred_at=T0))
    await library(AlbumPhotosAddedV1(album_id=album, owner_id=owner, photo_ids=[changed, same],
                                     occurred_at=T0 + timedelta(seconds=1)))
    await library(AlbumUpdatedV1(album_id=album, owner_id=owner, cover_photo_id=changed,
                                 occurred_at=T0 + timedelta(seconds=2)))
    [a] = await lq.albums(owner)
    assert (_key(a["thumb"]), _key(a["thumb_large"])) == ("enhanced_thumb_small.jpg", "enhanced_thumb.jpg")
    await library(AlbumUpdatedV1(album_id=album, owner_id=owner, cover_photo_id=same,
                                 occurred_at=T0 + timedelta(seconds=3)))
    got = await lq.album(owner, album, 10, None)
    assert got is not None
    assert (_key(got["thumb"]), _key(got["thumb_large"])) == ("thumb_small.jpg", "thumb_large.jpg")

    rq = PgRecognitionQueries(pool)
    places = {p["city"]: p for p in await rq.places(owner)}
    assert (_key(places["Porto"]["thumb"]), _key(places["Porto"]["thumb_large"])) == (
        "enhanced_thumb_small.jpg", "enhanced_thumb.jpg")
    assert _key(places["Faro"]["thumb"]) == "thumb_small.jpg"

    recognition = ProjectRecognition(pool)
    people = {}
    for pid in (changed, same):
        person = str(uuid.uuid4())
        people[pid] = person
        await recognition(PhotoFacesRecognizedV1(
            photo_id=pid, owner_id=owner, model_id="m", tagging_event_id=str(uuid.uuid4()),
            faces=[RecognizedFace(ordinal=0, box=(0.1, 0.1, 0.2, 0.2), person_id=person)]))
        await recognition(PersonUpdatedV1(owner_id=owner, person_id=person, revision=1, face_count=1,
                                          cover=FaceRef(photo_id=pid, box=(0.1, 0.1, 0.2, 0.2))))
    # A face is cropped out of the cover's 1024 px thumbnail, FotoAI's version where it changed.
    changed_person = await rq.person(owner, people[changed])
    same_person = await rq.person(owner, people[same])
    assert changed_person is not None and same_person is not None
    assert _key(changed_person["thumb"]) == "enhanced_thumb.jpg"
    assert _key(same_person["thumb"]) == "thumb_large.jpg"
    listed = {p["id"]: _key(p["thumb"]) for p in await rq.people(owner)}
    assert listed == {people[changed]: "enhanced_thumb.jpg", people[same]: "thumb_large.jpg"}
