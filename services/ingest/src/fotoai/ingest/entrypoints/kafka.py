"""Kafka entry point of ingest: `photo.uploaded.v1` in, `photo.ingested.v1` or `photo.rejected.v1` out."""

from __future__ import annotations

from fotoai.contracts import PhotoIngestedV1, PhotoRejectedV1, PhotoUploadedV1
from fotoai.ingest.use_cases import IngestPhoto
from fotoai.servicekit import metrics
from fotoai.servicekit.bus import EventBus, timed


def register_handlers(bus: EventBus, ingest_photo: IngestPhoto) -> None:
    async def on_photo_uploaded(event: PhotoUploadedV1) -> PhotoIngestedV1 | PhotoRejectedV1:
        result = await timed("ingest", "ingest", "cpu", ingest_photo(event))
        if isinstance(result, PhotoRejectedV1):
            metrics.PHOTOS_REJECTED.labels(result.reason.value).inc()
        return result

    bus.subscribe(PhotoUploadedV1, on_photo_uploaded)
