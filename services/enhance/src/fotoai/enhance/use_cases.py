"""`EnhancePhoto`: fetch the display rendition, enhance it off the event loop, store it, and
describe what was done as a `PhotoEnhancedV1`; `MicroBatcher` groups concurrent photos into
batches for the GPU path.

Idempotent: the same input gives the same pixels, the same object key and the same event id
(derived from the input event's id), so a redelivery overwrites with identical content.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import numpy as np
from fotoai.contracts import (
    Operation,
    PhotoEnhancedV1,
    PhotoIngestedV1,
    Rendition,
    derived_event_id,
)
from fotoai.enhance.config import EnhanceOptions
from fotoai.enhance.domain.codec import decode_rgb, encode_jpeg
from fotoai.enhance.domain.enhancer import Enhanced
from fotoai.enhance.ports import BatchEnhancer, ObjectStore, PhotoEnhancer

RENDITION_NAME = "enhanced"


class MissingDisplayRendition(Exception):
    """The ingested event lists no `display` rendition to enhance (a permanent error)."""


def enhanced_key(owner_id: str, photo_id: str) -> str:
    return f"{owner_id}/{photo_id}/{RENDITION_NAME}.jpg"


class MicroBatcher:
    """Gathers photos arriving concurrently into one `enhance_batch` call.

    A GPU is used well only when it gets several images at once, but events arrive one at a
    time. Each caller awaits its own result; the first caller of a batch waits at most
    `max_wait_s` for others to join (or until `max_batch` have), then the batch runs in a worker
    thread.
    """

    def __init__(self, enhancer: BatchEnhancer, max_batch: int, max_wait_s: float = 0.02) -> None:
        self._enhancer = enhancer
        self._max_batch = max(1, max_batch)
        self._max_wait_s = max_wait_s
        self._pending: list[tuple[np.ndarray, asyncio.Future[Enhanced]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self.batch_sizes: list[int] = []  # for metrics and tests

    @property
    def device(self) -> str:
        return self._enhancer.device

    async def enhance(self, rgb: np.ndarray) -> Enhanced:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Enhanced] = loop.create_future()
        self._pending.append((rgb, future))
        if len(self._pending) >= self._max_batch:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self._max_wait_s, self._flush)
        return await future

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
        if self._pending:
            self._timer = asyncio.get_running_loop().call_later(self._max_wait_s, self._flush)
        if batch:
            self.batch_sizes.append(len(batch))
            asyncio.get_running_loop().create_task(self._run(batch))

    async def _run(self, batch: list[tuple[np.ndarray, asyncio.Future[Enhanced]]]) -> None:
        try:
            results = await asyncio.to_thread(self._enhancer.enhance_batch, [im for im, _ in batch])
        except Exception as exc:  # noqa: BLE001 - every waiter gets the failure, none hangs
            for _, fut in batch:
                if not fut.done():
                    fut.set_exception(exc)
            return
        for (_, fut), result in zip(batch, results, strict=True):
            if not fut.done():
                fut.set_result(result)


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
        self._batcher: MicroBatcher | None = None
        if options.batch_window_ms > 0 and hasattr(enhancer, "enhance_batch"):
            batch_enhancer: BatchEnhancer = enhancer  # type: ignore[assignment]
            self._batcher = MicroBatcher(
                batch_enhancer,
                max_batch=min(options.batch_size, options.max_concurrency),
                max_wait_s=options.batch_window_ms / 1000.0,
            )

    async def __call__(self, event: PhotoIngestedV1) -> PhotoEnhancedV1:
        display = next((r for r in event.renditions if r.name == "display"), None)
        if display is None:
            raise MissingDisplayRendition(f"photo {event.photo_id} has no display rendition")
        async with self._slots:
            started = self._clock()
            data = await self._store.get_bytes(
                display.bucket, display.key, max_bytes=self._options.max_input_bytes
            )
            if self._batcher is None:
                jpeg, result = await asyncio.to_thread(self._enhance, data)
            else:
                rgb = await asyncio.to_thread(decode_rgb, data, self._options.max_pixels)
                result = await self._batcher.enhance(rgb)
                jpeg = await asyncio.to_thread(
                    encode_jpeg, result.image, self._options.jpeg_quality
                )
            key = enhanced_key(event.owner_id, event.photo_id)
            await self._store.put_bytes(self._options.output_bucket, key, jpeg, "image/jpeg")
            duration_ms = (self._clock() - started) * 1000.0
        h, w = result.image.shape[:2]
        operations = [Operation(name=n, params=p) for n, p in result.plan.operations()]
        if result.refined:
            operations.append(
                Operation(name="learned_refiner", params={"path": self._options.model_path or ""})
            )
        return PhotoEnhancedV1(
            event_id=derived_event_id(event, PhotoEnhancedV1.TOPIC),
            photo_id=event.photo_id,
            owner_id=event.owner_id,
            rendition=Rendition(
                name=RENDITION_NAME,
                bucket=self._options.output_bucket,
                key=key,
                width=w,
                height=h,
                bytes=len(jpeg),
                mime="image/jpeg",
            ),
            operations=operations,
            quality_before=result.before.report(),
            quality_after=result.after.report(),
            device=result.device,
            duration_ms=round(duration_ms, 3),
        )

    def _enhance(self, data: bytes) -> tuple[bytes, Enhanced]:
        rgb = decode_rgb(data, self._options.max_pixels)
        result = self._enhancer.enhance(rgb)
        return encode_jpeg(result.image, self._options.jpeg_quality), result
