"""enhance's `register_handlers` on the real Kafka: its error mapping. A source that cannot be
used (missing, too large, undecodable) is parked on `dlq.enhance` at the first attempt, any
other error is retried first, and a result is published on `photo.enhanced.v1`. The real use
case on the real object store publishes the enhanced rendition and its gallery thumbnail."""

from __future__ import annotations

import io

import numpy as np
import pytest
from fotoai.contracts import (
    PhotoEnhancedV1,
    PhotoIngestedV1,
    PhotoStageFailedV1,
    Rendition,
    follow,
)
from fotoai.enhance.adapters.backends import build_enhancer
from fotoai.enhance.config import EnhanceOptions
from fotoai.enhance.domain.codec import UndecodableImage
from fotoai.enhance.entrypoints.kafka import register_handlers
from fotoai.enhance.ports import ObjectMissing, ObjectTooLarge
from fotoai.enhance.use_cases import EnhancePhoto, MissingSourceRendition
from fotoai.servicekit.storage import PortStore, store_from_settings
from PIL import Image

from tests.wiring import RETRY_ATTEMPTS, Wiring, parked

pytestmark = pytest.mark.integration

PERMANENT = (MissingSourceRendition, ObjectMissing, ObjectTooLarge, UndecodableImage)


async def test_permanent_errors_are_parked_at_once_and_others_retried(stack_env) -> None:
    wiring = Wiring(stack_env, "enhance")
    ok = wiring.ingested()
    permanent = {cls: wiring.ingested() for cls in PERMANENT}
    transient = wiring.ingested()
    attempts: dict[str, int] = {}

    async def enhance_photo(event: PhotoIngestedV1) -> PhotoEnhancedV1:
        attempts[event.photo_id] = attempts.get(event.photo_id, 0) + 1
        for cls, doomed in permanent.items():
            if event.photo_id == doomed.photo_id:
                raise cls(f"stub: {cls.__name__}")
        if event.photo_id == transient.photo_id:
            raise TimeoutError("stub: the store is slow")
        return follow(event, PhotoEnhancedV1, rendition=event.renditions[0], duration_ms=1.0)

    register_handlers(wiring.private, enhance_photo, concurrency=2)  # type: ignore[arg-type]
    await wiring.start()
    try:
        for event in (ok, *permanent.values(), transient):
            await wiring.publish(event)
        got = await wiring.collect(
            ["photo.enhanced.v1", wiring.dlq, "photo.stage-failed.v1"],
            lambda rs: len(parked(rs, wiring.dlq)) == len(PERMANENT) + 1
            and any(r.topic == "photo.enhanced.v1" for r in rs)
            and len([r for r in rs if r.topic == "photo.stage-failed.v1"]) == len(PERMANENT) + 1,
        )
    finally:
        await wiring.stop()

    assert {r.key.decode() for r in got if r.topic == "photo.enhanced.v1"} == {ok.photo_id}
    dead = parked(got, wiring.dlq)
    for cls, doomed in permanent.items():
        assert dead[doomed.photo_id]["x-fotoai-error-type"] == "PermanentError", cls
        assert dead[doomed.photo_id]["x-fotoai-attempts"] == "1" and attempts[doomed.photo_id] == 1
        assert f"stub: {cls.__name__}" in dead[doomed.photo_id]["x-fotoai-error"]
    assert dead[transient.photo_id]["x-fotoai-error-type"] == "TimeoutError"
    assert dead[transient.photo_id]["x-fotoai-attempts"] == str(RETRY_ATTEMPTS) == str(attempts[transient.photo_id])
    reports = [PhotoStageFailedV1.model_validate_json(r.value) for r in got if r.topic == "photo.stage-failed.v1"]
    assert {r.photo_id for r in reports} == set(dead) and {r.stage for r in reports} == {"enhance"}


def dark_jpeg(width: int, height: int) -> bytes:
    """A dim gradient the enhancer brightens (exposure is the one correction it cannot skip)."""
    x = np.linspace(0, 1, width)[None, :, None]
    y = np.linspace(0, 1, height)[:, None, None]
    rgb = (18 + 40 * x * np.array([1.0, 0.8, 0.6]) + 20 * y).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(np.broadcast_to(rgb, (height, width, 3)).copy()).save(out, "JPEG", quality=90)
    return out.getvalue()


async def test_the_real_use_case_publishes_the_enhanced_thumbnail(stack_env) -> None:
    wiring = Wiring(stack_env, "enhance")
    store = store_from_settings(wiring.settings)
    options = EnhanceOptions(device="cpu", output_bucket=wiring.settings.renditions_bucket)
    enhance_photo = EnhancePhoto(PortStore(store, ObjectMissing, ObjectTooLarge), build_enhancer(options), options)
    base = wiring.ingested()
    bucket = wiring.settings.renditions_bucket
    preview = Rendition(bucket=bucket, key=f"{base.owner_id}/{base.photo_id}/preview.jpg", name="preview",
                        width=640, height=480, bytes=1, mime="image/jpeg")
    thumb_large = Rendition(bucket=bucket, key=f"{base.owner_id}/{base.photo_id}/thumb_large.jpg",
                            name="thumb_large", width=320, height=240, bytes=1, mime="image/jpeg")
    event = base.model_copy(update={"width": 640, "height": 480, "renditions": [preview, thumb_large]})
    await store.put_bytes(bucket, preview.key, dark_jpeg(640, 480), "image/jpeg")
    register_handlers(wiring.private, enhance_photo, concurrency=1)  # type: ignore[arg-type]
    await wiring.start()
    try:
        await wiring.publish(event)
        got = await wiring.collect(["photo.enhanced.v1"], lambda rs: len(rs) == 1)
    finally:
        await wiring.stop()
        await enhance_photo.aclose()

    enhanced = PhotoEnhancedV1.model_validate_json(got[0].value)
    assert enhanced.operations, "the dark gradient was not changed"
    thumb = enhanced.thumbnail
    assert thumb is not None and thumb.name == "enhanced_thumb"
    assert thumb.key == f"{event.owner_id}/{event.photo_id}/enhanced_thumb.jpg" and thumb.bucket == bucket
    stored = await store.get_bytes(bucket, thumb.key)
    assert len(stored) == thumb.bytes
    with Image.open(io.BytesIO(stored)) as img:
        assert img.size == (thumb.width, thumb.height) == (320, 240)
        assert np.asarray(img).mean() > np.asarray(Image.open(io.BytesIO(dark_jpeg(320, 240)))).mean() + 10
