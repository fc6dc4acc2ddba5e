"""Which rendition the people service reads faces from: ingest's working copy, never `display`."""

from __future__ import annotations

from fotoai.contracts import PhotoIngestedV1, Rendition
from fotoai.people.config import PeopleOptions
from fotoai.people.use_cases import RecognizeFaces


class RecordingStore:
    """Only what `ingested` touches: where the pixels of a photo are remembered."""

    def __init__(self) -> None:
        self.sources: list[tuple[str, str, str, str]] = []

    async def remember_source(self, photo_id: str, owner_id: str, bucket: str, key: str) -> str | None:
        self.sources.append((photo_id, owner_id, bucket, key))
        return None  # no tagged event parked: nothing to resume


def ingested(*names: str) -> PhotoIngestedV1:
    return PhotoIngestedV1(
        photo_id="p1", owner_id="alice", format="jpeg", width=4000, height=3000,
        renditions=[Rendition(name=n, bucket="fotoai-renditions", key=f"alice/p1/{n}.jpg", width=4000,
                              height=3000, bytes=1, mime="image/jpeg") for n in names],
    )


def recognizer(store: RecordingStore) -> RecognizeFaces:
    return RecognizeFaces(store, objects=None, embedder=None, options=PeopleOptions())  # type: ignore[arg-type]


async def test_faces_are_read_from_the_preview_not_the_full_size_display() -> None:
    store = RecordingStore()
    await recognizer(store).ingested(ingested("display", "thumb_large", "preview", "thumb_small"))
    assert store.sources == [("p1", "alice", "fotoai-renditions", "alice/p1/preview.jpg")]


async def test_without_a_preview_the_large_thumbnail_is_read() -> None:
    store = RecordingStore()
    await recognizer(store).ingested(ingested("display", "thumb_large"))
    assert store.sources[0][3] == "alice/p1/thumb_large.jpg"


async def test_display_alone_is_never_read() -> None:
    """`display` may be the uploaded bytes as they came: only ingest's sandbox decodes those."""
    store = RecordingStore()
    assert await recognizer(store).ingested(ingested("display")) is None
    assert store.sources == []
