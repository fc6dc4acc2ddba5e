"""Kafka entry point of text: `photo.ingested.v1` in, `photo.text-recognized.v1` out."""

from __future__ import annotations

from fotoai.contracts import PhotoIngestedV1
from fotoai.contracts.recognition import PhotoTextRecognizedV1
from fotoai.servicekit.bus import EventBus, PermanentError
from fotoai.text.use_cases import MissingRendition, RecognizeText
from PIL import UnidentifiedImageError


def register_handlers(bus: EventBus, recognize: RecognizeText, concurrency: int) -> None:
    async def on_photo_ingested(event: PhotoIngestedV1) -> PhotoTextRecognizedV1:
        try:
            return await recognize(event)
        except (MissingRendition, UnidentifiedImageError) as exc:
            raise PermanentError(str(exc)) from exc

    bus.subscribe(PhotoIngestedV1, on_photo_ingested, concurrency=concurrency)
