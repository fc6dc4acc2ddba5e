"""TagPhoto and EmbedQuery end to end on real runners, with an in-memory object store."""

from __future__ import annotations

import asyncio

import cv2
import numpy as np
import pytest
from fotoai.contracts import PhotoIngestedV1, PhotoTaggedV1, Rendition
from fotoai.tagging.config import TaggingOptions
from fotoai.tagging.models.runner import load_runner
from fotoai.tagging.ports import TextEmbeddingUnavailable
from fotoai.tagging.use_cases import EmbedQuery, NothingToTag, TagPhoto

from .conftest import MemoryStore, jpeg_bytes, upscale

RENDITIONS = "fotoai-renditions"


def ingested(
    photo_id: str,
    width: int,
    height: int,
    names=("thumb_large", "preview"),
    owner_id: str = "owner-1",
) -> PhotoIngestedV1:
    return PhotoIngestedV1(
        photo_id=photo_id,
        owner_id=owner_id,
        format="jpeg",
        width=width,
        height=height,
        renditions=[
            Rendition(
                name=name,
                bucket=RENDITIONS,
                key=f"{owner_id}/{photo_id}/{name}.jpg",
                width=1024,
                height=768,
                bytes=1,
                mime="image/jpeg",
            )
            for name in names
        ],
    )


def put_thumb(
    store: MemoryStore, event: PhotoIngestedV1, rgb: np.ndarray, name: str = "thumb_large"
) -> None:
    store.put(
        RENDITIONS, f"{event.owner_id}/{event.photo_id}/{name}.jpg", jpeg_bytes(upscale(rgb, 1024))
    )


@pytest.fixture(scope="module")
def efficientnet_runner():
    return load_runner(TaggingOptions(device="cpu", batch_size=8, batch_timeout_ms=50))


@pytest.fixture(scope="module")
def clip_runner(tiny_clip_dir):
    return load_runner(
        TaggingOptions(
            clip_path=tiny_clip_dir,
            device="cpu",
            batch_size=8,
            batch_timeout_ms=50,
            threshold=0.0,
            top_k=5,
        )
    )


async def test_astronaut_gets_tags_a_face_quality_colours_and_an_embedding(
    store, efficientnet_runner, astronaut
) -> None:
    options = TaggingOptions(device="cpu", model_version="2026.11-test")
    event = ingested("p-astro", 4096, 4096)
    put_thumb(store, event, astronaut)
    tagged = await TagPhoto(store, efficientnet_runner, options)(event)

    assert isinstance(tagged, PhotoTaggedV1)
    assert (tagged.photo_id, tagged.owner_id) == ("p-astro", "owner-1")
    assert store.reads == [(RENDITIONS, "owner-1/p-astro/thumb_large.jpg")]
    assert len(tagged.faces) == 1 and tagged.faces[0].score > 0.5
    labels = {t.label: t for t in tagged.tags}
    assert labels["people"].source == "faces"
    assert labels["portrait"].source == "faces"
    assert labels["square"].source == "orientation"
    assert any(t.source == "efficientnet" for t in tagged.tags)
    assert len(labels) == len(tagged.tags)  # one tag per label
    assert not (tagged.quality.blurry or tagged.quality.dark or tagged.quality.overexposed)
    assert tagged.quality.measures["megapixels"] == pytest.approx(16.777, abs=1e-3)
    assert 1 <= len(tagged.colors) <= 5
    assert tagged.embedding is not None
    assert tagged.embedding.model_id == "efficientnet-lite0" == tagged.model_id
    assert tagged.embedding.dimension == 1280 == len(tagged.embedding.vector)
    assert np.linalg.norm(tagged.embedding.vector) == pytest.approx(1.0, abs=1e-5)
    assert tagged.model_version == "2026.11-test"
    assert tagged.device == "cpu" and tagged.duration_ms > 0
    # The event survives the wire format.
    assert PhotoTaggedV1.model_validate_json(tagged.model_dump_json()) == tagged


async def test_coffee_has_no_face_and_real_labels(store, efficientnet_runner, coffee) -> None:
    event = ingested("p-coffee", 3000, 2000)
    put_thumb(store, event, coffee)
    tagged = await TagPhoto(store, efficientnet_runner, TaggingOptions())(event)
    labels = {t.label for t in tagged.tags}
    assert tagged.faces == []
    assert {"espresso", "coffee", "horizontal"} <= labels
    assert "people" not in labels


async def test_dark_and_blurry_photos_are_flagged_and_tagged(
    store, efficientnet_runner, chelsea
) -> None:
    dark_event, blurry_event = ingested("p-dark", 3000, 2000), ingested("p-blur", 3000, 2000)
    put_thumb(store, dark_event, (chelsea.astype(np.float32) * 0.12).astype(np.uint8))
    put_thumb(store, blurry_event, cv2.GaussianBlur(chelsea, (0, 0), 3))
    use_case = TagPhoto(store, efficientnet_runner, TaggingOptions())
    dark, blurry = await asyncio.gather(use_case(dark_event), use_case(blurry_event))
    assert dark.quality.dark and not dark.quality.blurry
    assert "dark" in {t.label for t in dark.tags if t.source == "quality"}
    assert blurry.quality.blurry and not blurry.quality.dark
    assert "blurry" in {t.label for t in blurry.tags if t.source == "quality"}


async def test_solid_colour_photo_gets_its_colour(store, efficientnet_runner) -> None:
    event = ingested("p-red", 600, 400)
    put_thumb(store, event, np.full((600, 800, 3), (210, 25, 30), dtype=np.uint8))
    tagged = await TagPhoto(store, efficientnet_runner, TaggingOptions())(event)
    assert [c.hex for c in tagged.colors] == ["#d2191e"]
    assert tagged.colors[0].fraction == pytest.approx(1.0)
    assert {"red", "low resolution"} <= {t.label for t in tagged.tags}
    assert tagged.quality.low_resolution


async def test_falls_back_to_the_preview_when_the_thumbnail_is_missing(
    store, efficientnet_runner, coffee
) -> None:
    event = ingested("p-fallback", 3000, 2000)
    put_thumb(store, event, coffee, name="preview")
    tagged = await TagPhoto(store, efficientnet_runner, TaggingOptions())(event)
    assert store.reads == [
        (RENDITIONS, "owner-1/p-fallback/thumb_large.jpg"),
        (RENDITIONS, "owner-1/p-fallback/preview.jpg"),
    ]
    assert "espresso" in {t.label for t in tagged.tags}


async def test_nothing_to_tag_is_a_clear_permanent_error(store, efficientnet_runner) -> None:
    use_case = TagPhoto(store, efficientnet_runner, TaggingOptions())
    with pytest.raises(NothingToTag, match="no thumb_large or preview"):
        await use_case(ingested("p-none", 100, 100, names=("thumb_small",)))
    with pytest.raises(NothingToTag, match="none of the renditions"):
        await use_case(ingested("p-gone", 100, 100))
    too_big = TagPhoto(store, efficientnet_runner, TaggingOptions(max_image_bytes=10))
    store.put(RENDITIONS, "owner-1/p-big/thumb_large.jpg", b"x" * 11)
    with pytest.raises(NothingToTag, match="none of the renditions"):
        await too_big(ingested("p-big", 100, 100, names=("thumb_large",)))
    event = ingested("p-junk", 100, 100, names=("thumb_large",))
    store.put(RENDITIONS, "owner-1/p-junk/thumb_large.jpg", b"not a picture at all")
    with pytest.raises(NothingToTag, match="not a readable picture"):
        await use_case(event)


async def test_a_replayed_event_gives_the_same_tags(store, efficientnet_runner, chelsea) -> None:
    event = ingested("p-replay", 3000, 2000)
    put_thumb(store, event, chelsea)
    use_case = TagPhoto(store, efficientnet_runner, TaggingOptions())
    first, second = await use_case(event), await use_case(event)
    assert first.event_id == second.event_id  # a redelivery is recognisable downstream
    newer = await TagPhoto(store, efficientnet_runner, TaggingOptions(model_version="2"))(event)
    assert newer.event_id != first.event_id
    assert first.tags == second.tags and first.faces == second.faces
    assert first.colors == second.colors and first.quality == second.quality
    assert first.embedding is not None and second.embedding is not None
    assert first.embedding.vector == pytest.approx(second.embedding.vector, abs=1e-5)


async def test_with_clip_concurrent_photos_are_batched(
    store, astronaut, coffee, chelsea, tiny_clip_dir
) -> None:
    # A batch of six with a generous wait: the six photos end up in one batch however slowly a
    # busy machine decodes them, and the batch runs as soon as the sixth arrives.
    options = TaggingOptions(
        clip_path=tiny_clip_dir,
        device="cpu",
        batch_size=6,
        batch_timeout_ms=20_000,
        threshold=0.0,
        top_k=5,
    )
    runner = load_runner(options)
    events = []
    for i, rgb in enumerate([astronaut, coffee, chelsea] * 2):
        event = ingested(f"p-clip-{i}", 2048, 1536)
        put_thumb(store, event, rgb)
        events.append(event)
    use_case = TagPhoto(store, runner, options)
    results = await asyncio.gather(*(use_case(e) for e in events))
    assert list(runner.batcher.batch_sizes) == [6]
    await runner.aclose()
    for tagged in results:
        assert tagged.embedding is not None
        assert tagged.model_id == tiny_clip_dir.name == tagged.embedding.model_id
        assert tagged.embedding.dimension == 24
        assert len([t for t in tagged.tags if t.source == "clip"]) == 5
    assert len(results[0].faces) == 1 and results[1].faces == []


async def test_embed_query_puts_text_in_the_image_space(clip_runner, tiny_clip_dir) -> None:
    query = await EmbedQuery(clip_runner)("  dog   on a beach ")
    assert query.model_id == tiny_clip_dir.name
    assert query.dimension == 24 == len(query.vector)
    assert np.linalg.norm(query.vector) == pytest.approx(1.0, abs=1e-5)
    assert query.vector == pytest.approx(clip_runner.embed_text(["dog on a beach"])[0], abs=1e-6)
    both = await EmbedQuery(clip_runner).many(["dog on a beach", "a red car"])
    assert both[0].vector == pytest.approx(query.vector, abs=1e-5)
    assert not np.allclose(both[0].vector, both[1].vector)
    for bad in ("", "   ", "x" * 1001):
        with pytest.raises(ValueError):
            await EmbedQuery(clip_runner)(bad)
    with pytest.raises(ValueError):
        await EmbedQuery(clip_runner).many(["x"] * 65)


async def test_embed_query_without_clip_says_so(efficientnet_runner) -> None:
    with pytest.raises(TextEmbeddingUnavailable):
        await EmbedQuery(efficientnet_runner)("beach")
