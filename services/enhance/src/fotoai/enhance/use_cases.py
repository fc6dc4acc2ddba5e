"""`EnhancePhoto`: fetch the working copy ingest encoded (the `preview` rendition), enhance it off
the event loop, store it as the display-size `enhanced` rendition and, shrunk from the same
pixels, as `enhanced_thumb` and `enhanced_thumb_small` at the sizes of the photo's `thumb_large`
and `thumb_small` (what a gallery shows: a tile of an enhanced photo costs the bytes of the
original's), and describe what was done as a `PhotoEnhancedV1`; servicekit's `Batcher` groups concurrent photos
into batches for the GPU.

Why not the full-resolution `display`: it can be the user's own uploaded bytes (ingest reuses an
upright JPEG as is), which must only be decoded inside ingest's sandbox, and a 12 MP photo costs
~10x the CPU of a 2048 px one. The event carries every operation with its parameters, so a
full-resolution rendering is the same plan applied to the original, on demand (see README).

Idempotent: the same input gives the same pixels, the same object key and the same event id
(derived from the input event's id), so a redelivery overwrites with identical content.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from fotoai.contracts import (
    ENHANCED,
    ENHANCED_THUMB,
    ENHANCED_THUMB_SMALL,
    THUMB_LARGE,
    THUMB_SMALL,
    WORKING_COPIES,
    Operation,
    PhotoEnhancedV1,
    PhotoIngestedV1,
    Rendition,
    derived_event_id,
)
from fotoai.enhance.config import EnhanceOptions
from fotoai.enhance.domain.codec import decode_rgb, encode_jpeg
from fotoai.enhance.domain.enhancer import Enhanced
from fotoai.enhance.domain.thumbnail import shrink, thumbnail_size
from fotoai.enhance.ports import BatchEnhancer, ObjectStore, PhotoEnhancer
from fotoai.servicekit.mlruntime import Batcher

RENDITION_NAME = ENHANCED
# Ingest's working copies, best first. Never `display`: it may be the uploaded bytes.
SOURCE_RENDITIONS = WORKING_COPIES
#: The enhanced thumbnails, largest first, each at the size of the original's thumbnail it pairs
#: with; the first is the event's `thumbnail`, the others its `thumbnails`.
THUMBNAILS = ((ENHANCED_THUMB, THUMB_LARGE), (ENHANCED_THUMB_SMALL, THUMB_SMALL))


class MissingSourceRendition(Exception):
    """The ingested event lists no rendition to enhance from (a permanent error)."""


# The old name, kept for callers written before the preview rendition existed.
MissingDisplayRendition = MissingSourceRendition


def source_rendition(renditions: list[Rendition]) -> Rendition | None:
    by_name = {r.name: r for r in renditions}
    return next((by_name[n] for n in SOURCE_RENDITIONS if n in by_name), None)


def rendition_key(owner_id: str, photo_id: str, name: str) -> str:
    """Where enhance stores a rendition of the photo: `{owner}/{photo}/{name}.jpg`."""
    return f"{owner_id}/{photo_id}/{name}.jpg"


def thumbnail_like(renditions: list[Rendition], name: str = THUMB_LARGE) -> tuple[int, int] | None:
    """(width, height) of the photo's thumbnail `name`, the size its enhanced counterpart takes;
    None when ingest listed none (then that enhanced thumbnail is not made)."""
    thumb = next((r for r in renditions if r.name == name), None)
    return (thumb.width, thumb.height) if thumb else None


#: (enhanced thumbnail name, (width, height)) for each thumbnail to make, largest first.
Likes = list[tuple[str, tuple[int, int]]]


def thumbnail_likes(renditions: list[Rendition]) -> Likes:
    return [(name, size) for name, of in THUMBNAILS if (size := thumbnail_like(renditions, of))]


@dataclass(frozen=True)
class Encoded:
    """One enhanced photo, encoded: the picture, and its thumbnails (name, JPEG, size)."""

    result: Enhanced
    jpeg: bytes
    thumbs: list[tuple[str, bytes, tuple[int, int]]]


class EnhancePhoto:
    """Handles one `photo.ingested.v1`; at most `options.max_concurrency` photos at once."""

    def __init__(
        self,
        store: ObjectStore,
        enhancer: PhotoEnhancer,
        options: EnhanceOptions,
        *,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._store = store
        self._enhancer = enhancer
        self._options = options
        self._clock = clock
        self._slots = asyncio.Semaphore(options.max_concurrency)
        self._batcher: Batcher[np.ndarray, Enhanced] | None = None
        if options.batch_window_ms > 0 and hasattr(enhancer, "enhance_batch"):
            batch_enhancer: BatchEnhancer = enhancer  # type: ignore[assignment]
            self._batcher = Batcher(
                batch_enhancer.enhance_batch,
                max_batch=min(options.batch_size, options.max_concurrency),
                max_wait_ms=options.batch_window_ms,
                thread_name="enhance-batch",
            )

    @property
    def batcher(self) -> Batcher[np.ndarray, Enhanced] | None:
        return self._batcher

    async def aclose(self) -> None:
        if self._batcher is not None:
            await self._batcher.aclose()

    async def __call__(self, event: PhotoIngestedV1) -> PhotoEnhancedV1:
        source = source_rendition(event.renditions)
        if source is None:
            raise MissingSourceRendition(
                f"photo {event.photo_id} has no {' or '.join(SOURCE_RENDITIONS)} rendition"
            )
        async with self._slots:
            started = self._clock()
            data = await self._store.get_bytes(
                source.bucket, source.key, max_bytes=self._options.max_input_bytes
            )
            like = thumbnail_likes(event.renditions)
            if self._batcher is None:
                out = await asyncio.to_thread(self._enhance, data, like)
            else:
                rgb = await asyncio.to_thread(decode_rgb, data, self._options.max_pixels)
                out = await asyncio.to_thread(self._encode, await self._batcher.submit(rgb), like)
            h, w = out.result.image.shape[:2]
            rendition, *thumbs = await asyncio.gather(
                self._store_jpeg(event, RENDITION_NAME, out.jpeg, (w, h)),
                *(self._store_jpeg(event, *t) for t in out.thumbs),
            )
            thumbnail = next((t for t in thumbs if t.name == ENHANCED_THUMB), None)
            duration_ms = (self._clock() - started) * 1000.0
        result = out.result
        operations = [Operation(name=n, params=p) for n, p in result.plan.operations()]
        if result.refined:
            operations.append(
                Operation(name="learned_refiner", params={"path": self._options.model_path or ""})
            )
        return PhotoEnhancedV1(
            event_id=derived_event_id(event, PhotoEnhancedV1.TOPIC),
            photo_id=event.photo_id,
            owner_id=event.owner_id,
            rendition=rendition,
            thumbnail=thumbnail,
            thumbnails=[t for t in thumbs if t is not thumbnail],
            operations=operations,
            quality_before=result.before.report(),
            quality_after=result.after.report(),
            device=result.device,
            duration_ms=round(duration_ms, 3),
        )

    async def _store_jpeg(
        self, event: PhotoIngestedV1, name: str, data: bytes, size: tuple[int, int]
    ) -> Rendition:
        """Store one JPEG rendition of the photo and describe it."""
        bucket, key = self._options.output_bucket, rendition_key(event.owner_id, event.photo_id, name)
        await self._store.put_bytes(bucket, key, data, "image/jpeg")
        return Rendition(name=name, bucket=bucket, key=key, width=size[0], height=size[1],
                         bytes=len(data), mime="image/jpeg")

    def _enhance(self, data: bytes, likes: Likes) -> Encoded:
        rgb = decode_rgb(data, self._options.max_pixels)
        return self._encode(self._enhancer.enhance(rgb), likes)

    def _encode(self, result: Enhanced, likes: Likes) -> Encoded:
        """The enhanced JPEG, and the thumbnails shrunk from the pixels in hand (no decode),
        each from the previous one (largest first): area averaging 4x less work for the small."""
        jpeg = encode_jpeg(result.image, self._options.jpeg_quality)
        pixels, thumbs = result.image, []
        for name, like in likes:
            h, w = pixels.shape[:2]
            size = thumbnail_size((w, h), like)
            pixels = shrink(pixels, size)
            thumbs.append((name, encode_jpeg(pixels, self._options.thumb_quality, optimize=True), size))
        return Encoded(result, jpeg, thumbs)
