"""Kafka entry point of tagging: `photo.ingested.v1` in, `photo.tagged.v1` out.

Several partitions are consumed concurrently so the dynamic batcher has company to batch.
"""

from __future__ import annotations

from fotoai.contracts import PhotoIngestedV1, PhotoTaggedV1
from fotoai.servicekit import metrics
from fotoai.servicekit.bus import EventBus, PermanentError
from fotoai.tagging.use_cases import NothingToTag, TagPhoto


def register_handlers(bus: EventBus, tag_photo: TagPhoto, concurrency: int, group: str = "tagging") -> None:
    async def on_photo_ingested(event: PhotoIngestedV1) -> PhotoTaggedV1:
        try:
            result = await tag_photo(event)
        except NothingToTag as exc:
            raise PermanentError(str(exc)) from exc
        metrics.STAGE_DURATION.labels("tagging", "tagging", result.device).observe(result.duration_ms / 1000)
        return result

    bus.subscribe(PhotoIngestedV1, on_photo_ingested, concurrency=concurrency, group=group)
