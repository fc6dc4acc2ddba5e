"""Kafka entry point of enhance: `photo.ingested.v1` in, `photo.enhanced.v1` out."""

from __future__ import annotations

from fotoai.contracts import PhotoEnhancedV1, PhotoIngestedV1
from fotoai.enhance.domain.codec import UndecodableImage
from fotoai.enhance.ports import ObjectMissing, ObjectTooLarge
from fotoai.enhance.use_cases import EnhancePhoto, MissingSourceRendition
from fotoai.servicekit import metrics
from fotoai.servicekit.bus import EventBus, PermanentError


def register_handlers(bus: EventBus, enhance_photo: EnhancePhoto, concurrency: int) -> None:
    async def on_photo_ingested(event: PhotoIngestedV1) -> PhotoEnhancedV1:
        try:
            result = await enhance_photo(event)
        except (MissingSourceRendition, ObjectMissing, ObjectTooLarge, UndecodableImage) as exc:
            raise PermanentError(str(exc)) from exc
        metrics.STAGE_DURATION.labels("enhance", "enhance", result.device).observe(
            result.duration_ms / 1000
        )
        return result

    # Partitions are processed concurrently; the use case's semaphore bounds the CPU work.
    bus.subscribe(PhotoIngestedV1, on_photo_ingested, concurrency=concurrency)
