import asyncio
import io
import threading
import time
from typing import ClassVar

import numpy as np
import pytest
from fotoai.contracts import PhotoEnhancedV1, PhotoIngestedV1, Rendition
from fotoai.enhance import use_cases
from fotoai.enhance.config import EnhanceOptions
from fotoai.enhance.domain.codec import UndecodableImage
from fotoai.enhance.domain.cpu_pipeline import CpuPipeline
from fotoai.enhance.domain.degradations import DEGRADATIONS
from fotoai.enhance.domain.enhancer import Enhanced, Enhancer
from fotoai.enhance.domain.plan import Plan
from fotoai.enhance.ports import ObjectMissing, ObjectTooLarge
from fotoai.enhance.use_cases import EnhancePhoto, MissingSourceRendition
from PIL import Image

OWNER, PHOTO = "user-1", "photo-1"
PREVIEW_KEY = f"{OWNER}/{PHOTO}/preview.jpg"


class MemoryStore:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], tuple[bytes, str]] = {}

    async def get_bytes(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes:
        try:
            data = self.objects[(bucket, key)][0]
        except KeyError:
            raise ObjectMissing(f"{bucket}/{key}") from None
        if max_bytes is not None and len(data) > max_bytes:
            raise ObjectTooLarge(f"{bucket}/{key}")
        return data

    async def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        self.objects[(bucket, key)] = (data, content_type)


def jpeg(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=95)
    return buf.getvalue()


def ingested(photo_id: str = PHOTO, renditions: list[Rendition] | None = None) -> PhotoIngestedV1:
    if renditions is None:
        renditions = [
            Rendition(
                name="preview",
                bucket="fotoai-renditions",
                key=f"{OWNER}/{photo_id}/preview.jpg",
                width=600,
                height=400,
                bytes=1,
                mime="image/jpeg",
            ),
            Rendition(
                name="thumb_large",
                bucket="fotoai-renditions",
                key=f"{OWNER}/{photo_id}/thumb_large.jpg",
                width=300,
                height=200,
                bytes=1,
                mime="image/jpeg",
            ),
            Rendition(
                name="thumb_small",
                bucket="fotoai-renditions",
                key=f"{OWNER}/{photo_id}/thumb_small.jpg",
                width=256,
                height=171,
                bytes=1,
                mime="image/jpeg",
            ),
        ]
    return PhotoIngestedV1(
        photo_id=photo_id,
        owner_id=OWNER,
        format="jpeg",
        width=600,
        height=400,
        renditions=renditions,
    )


@pytest.fixture
def store(coffee) -> MemoryStore:
    s = MemoryStore()
    dark = DEGRADATIONS["under_exposed_-1.5EV"](coffee)
    s.objects[("fotoai-renditions", PREVIEW_KEY)] = (jpeg(dark), "image/jpeg")
    return s


def use_case(store, enhancer=None, **options) -> EnhancePhoto:
    return EnhancePhoto(
        store, enhancer or Enhancer(CpuPipeline()), EnhanceOptions(device="cpu", **options)
    )


def stored_rendition(store, r, name: str) -> bytes:
    """The bytes of rendition `r` as stored, checked against what the event says of it."""
    assert (r.name, r.bucket, r.key, r.mime) == (
        name,
        "fotoai-renditions",
        f"{OWNER}/{PHOTO}/{name}.jpg",
        "image/jpeg",
    )
    data, content_type = store.objects[("fotoai-renditions", r.key)]
    assert content_type == "image/jpeg" and r.bytes == len(data)
    return data


async def test_enhances_the_preview_rendition_and_describes_it(store, coffee):
    event = await use_case(store)(ingested())
    assert isinstance(event, PhotoEnhancedV1)
    assert (event.photo_id, event.owner_id) == (PHOTO, OWNER)
    r = event.rendition
    data = stored_rendition(store, r, "enhanced")
    out = np.asarray(Image.open(io.BytesIO(data)))
    assert (r.width, r.height) == (out.shape[1], out.shape[0]) == (600, 400)
    assert out.mean() > coffee.mean() * 0.85  # the -1.5 EV was taken back
    names = [op.name for op in event.operations]
    assert "exposure" in names
    assert event.quality_after["exposure_mean"] > event.quality_before["exposure_mean"] + 0.1
    assert set(event.quality_before) >= {
        "exposure_mean",
        "contrast",
        "colour_cast",
        "noise_sigma",
        "sharpness",
    }
    assert event.device == "cpu" and event.duration_ms >= 0
    PhotoEnhancedV1.model_validate_json(event.model_dump_json())


async def test_the_enhanced_picture_is_also_stored_at_the_size_of_thumb_large(store, monkeypatch):
    decodes = []
    real_decode = use_cases.decode_rgb
    monkeypatch.setattr(use_cases, "decode_rgb", lambda *a: decodes.append(1) or real_decode(*a))
    event = await use_case(store)(ingested())
    t = event.thumbnail
    assert t is not None
    data = stored_rendition(store, t, "enhanced_thumb")
    thumb = np.asarray(Image.open(io.BytesIO(data)), dtype=np.float64)
    # thumb_large of the ingested event is 300x200: the gallery's two thumbnails match.
    assert (t.width, t.height) == (thumb.shape[1], thumb.shape[0]) == (300, 200)
    enhanced = np.asarray(
        Image.open(io.BytesIO(store.objects[("fotoai-renditions", event.rendition.key)][0]))
        .resize((300, 200), Image.Resampling.LANCZOS),
        dtype=np.float64,
    )
    source = np.asarray(
        Image.open(io.BytesIO(store.objects[("fotoai-renditions", PREVIEW_KEY)][0]))
        .resize((300, 200), Image.Resampling.LANCZOS),
        dtype=np.float64,
    )
    # It is the enhanced picture (brightened), not the dark source, and it was shrunk from the
    # pixels in memory: the source was decoded once.
    assert abs(thumb.mean() - enhanced.mean()) < 1 and thumb.mean() > source.mean() + 20
    assert np.abs(thumb - enhanced).mean() < np.abs(thumb - source).mean() / 4
    assert decodes == [1]


async def test_the_enhanced_picture_is_also_stored_at_the_size_of_thumb_small(store):
    event = await use_case(store)(ingested())
    [small] = event.thumbnails
    data = stored_rendition(store, small, "enhanced_thumb_small")
    thumb = np.asarray(Image.open(io.BytesIO(data)), dtype=np.float64)
    # thumb_small of the ingested event is 256x171: a tile of either version costs the same.
    assert (small.width, small.height) == (thumb.shape[1], thumb.shape[0]) == (256, 171)
    large = np.asarray(
        Image.open(io.BytesIO(stored_rendition(store, event.thumbnail, "enhanced_thumb")))
        .resize((256, 171), Image.Resampling.LANCZOS),
        dtype=np.float64,
    )
    source = np.asarray(
        Image.open(io.BytesIO(store.objects[("fotoai-renditions", PREVIEW_KEY)][0]))
        .resize((256, 171), Image.Resampling.LANCZOS),
        dtype=np.float64,
    )
    # The enhanced picture, not the dark source.
    assert abs(thumb.mean() - large.mean()) < 1 and thumb.mean() > source.mean() + 20
    assert np.abs(thumb - large).mean() < np.abs(thumb - source).mean() / 4
    assert small.bytes < event.thumbnail.bytes


async def test_without_a_thumb_large_there_is_no_enhanced_thumbnail(store):
    preview = ingested().renditions[0]
    event = await use_case(store)(ingested(renditions=[preview]))
    assert event.thumbnail is None and event.thumbnails == []
    assert [k for (_, k) in store.objects if "enhanced" in k] == [event.rendition.key]


async def test_a_redelivery_changes_nothing(store):
    handle = use_case(store)
    source = ingested()
    first = await handle(source)
    stored = store.objects[("fotoai-renditions", first.rendition.key)]
    second = await handle(PhotoIngestedV1.model_validate_json(source.model_dump_json()))
    assert store.objects[("fotoai-renditions", first.rendition.key)] == stored
    assert first.event_id == second.event_id
    assert first.rendition == second.rendition
    assert first.thumbnail == second.thumbnail is not None
    assert first.thumbnails == second.thumbnails != []
    assert first.operations == second.operations
    assert first.quality_after == second.quality_after


async def test_another_event_gets_another_event_id(store):
    handle = use_case(store)
    assert (await handle(ingested())).event_id != (await handle(ingested())).event_id


async def test_no_source_rendition_is_a_permanent_error(store):
    with pytest.raises(MissingSourceRendition):
        await use_case(store)(ingested(renditions=[]))


async def test_the_display_is_never_decoded_here(store):
    """`display` may be the uploaded bytes as they came: only ingest's sandbox decodes those."""

    class Recording(MemoryStore):
        reads: ClassVar[list[str]] = []

        async def get_bytes(self, bucket, key, max_bytes=None):
            self.reads.append(key)
            return await super().get_bytes(bucket, key, max_bytes)

    recording = Recording()
    recording.objects = store.objects
    display = Rendition(
        name="display", bucket="fotoai-renditions", key=f"{OWNER}/{PHOTO}/display.jpg",
        width=4000, height=3000, bytes=1, mime="image/jpeg",
    )
    with pytest.raises(MissingSourceRendition):
        await use_case(recording)(ingested(renditions=[display]))
    preview = ingested().renditions[0]
    await use_case(recording)(ingested(renditions=[display, preview]))
    assert recording.reads == [preview.key]


async def test_missing_and_oversized_objects_surface_as_port_errors(store):
    with pytest.raises(ObjectMissing):
        await use_case(store)(ingested(photo_id="unknown"))
    with pytest.raises(ObjectTooLarge):
        await use_case(store, max_input_bytes=10)(ingested())


async def test_undecodable_bytes_raise(store):
    store.objects[("fotoai-renditions", PREVIEW_KEY)] = (b"not an image", "image/jpeg")
    with pytest.raises(UndecodableImage):
        await use_case(store)(ingested())


async def test_too_many_pixels_are_refused(store):
    with pytest.raises(UndecodableImage):
        await use_case(store, max_pixels=1000)(ingested())


class SlowEnhancer:
    """Records the threads and the peak concurrency of the work it is given."""

    device = "cpu"

    def __init__(self) -> None:
        self.active = 0
        self.peak = 0
        self.threads: set[int] = set()
        self._lock = threading.Lock()

    def enhance(self, rgb: np.ndarray) -> Enhanced:
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
            self.threads.add(threading.get_ident())
        time.sleep(0.1)
        with self._lock:
            self.active -= 1
        m = Enhancer(CpuPipeline())._measure(rgb)
        return Enhanced(rgb, Plan(), m, m, "cpu")


async def test_work_runs_off_the_loop_up_to_the_concurrency_limit(store):
    for i in range(5):
        store.objects[("fotoai-renditions", f"{OWNER}/p{i}/preview.jpg")] = store.objects[
            ("fotoai-renditions", PREVIEW_KEY)
        ]
    slow = SlowEnhancer()
    handle = use_case(store, enhancer=slow, max_concurrency=2)
    events = await asyncio.gather(*(handle(ingested(photo_id=f"p{i}")) for i in range(5)))
    assert len(events) == 5 and all(e.operations == [] for e in events)
    assert slow.peak == 2
    assert threading.get_ident() not in slow.threads


class BatchRecorder:
    """A real enhancer that records the batches it is given."""

    def __init__(self) -> None:
        self._inner = Enhancer(CpuPipeline())
        self.batches: list[int] = []
        self.device = "cpu"

    def enhance(self, rgb):
        return self._inner.enhance(rgb)

    def enhance_batch(self, images):
        self.batches.append(len(images))
        return self._inner.enhance_batch(images)


async def test_concurrent_photos_are_enhanced_as_one_batch(store):
    for i in range(4):
        store.objects[("fotoai-renditions", f"{OWNER}/b{i}/preview.jpg")] = store.objects[
            ("fotoai-renditions", PREVIEW_KEY)
        ]
    recorder = BatchRecorder()
    handle = use_case(
        store, enhancer=recorder, max_concurrency=4, batch_size=4, batch_window_ms=500
    )
    events = await asyncio.gather(*(handle(ingested(photo_id=f"b{i}")) for i in range(4)))
    assert recorder.batches == [4]
    single = await use_case(store)(ingested(photo_id="b0"))
    assert all(e.operations == single.operations for e in events)
    assert all(
        store.objects[("fotoai-renditions", e.rendition.key)]
        == store.objects[("fotoai-renditions", single.rendition.key)]
        for e in events
    )
    assert single.thumbnail is not None
    assert all(
        e.thumbnail is not None
        and (e.thumbnail.width, e.thumbnail.height, e.thumbnail.bytes)
        == (single.thumbnail.width, single.thumbnail.height, single.thumbnail.bytes)
        for e in events
    )


async def test_a_lone_photo_is_not_held_longer_than_the_window(store):
    recorder = BatchRecorder()
    handle = use_case(store, enhancer=recorder, max_concurrency=4, batch_size=4, batch_window_ms=20)
    await asyncio.wait_for(handle(ingested()), timeout=60)
    assert recorder.batches == [1]


async def test_a_failing_batch_fails_every_waiter(store):
    class Broken(BatchRecorder):
        def enhance_batch(self, images):
            raise RuntimeError("device lost")

    for i in range(2):
        store.objects[("fotoai-renditions", f"{OWNER}/f{i}/preview.jpg")] = store.objects[
            ("fotoai-renditions", PREVIEW_KEY)
        ]
    handle = use_case(
        store, enhancer=Broken(), max_concurrency=2, batch_size=2, batch_window_ms=200
    )
    results = await asyncio.gather(
        *(handle(ingested(photo_id=f"f{i}")) for i in range(2)), return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in results)
