"""Kafka entry points of people: ingested (where the pixels are), tagged (the faces), deleted,
and the owner's edits in; faces-recognized and person updates out."""

from __future__ import annotations

from fotoai.contracts import PhotoDeletedV1, PhotoIngestedV1, PhotoTaggedV1
from fotoai.contracts.recognition import PersonEditedV1
from fotoai.people.use_cases import RecognizeFaces
from fotoai.servicekit.bus import EventBus, PermanentError
from PIL import UnidentifiedImageError


def register_handlers(bus: EventBus, people: RecognizeFaces, concurrency: int) -> None:
    async def on_photo_ingested(event: PhotoIngestedV1):
        return await people.ingested(event)

    async def on_photo_tagged(event: PhotoTaggedV1):
        try:
            return await people.tagged(event)
        except UnidentifiedImageError as exc:
            raise PermanentError(str(exc)) from exc

    async def on_photo_deleted(event: PhotoDeletedV1):
        return await people.deleted(event)

    async def on_person_edited(event: PersonEditedV1):
        return await people.edited(event)

    bus.subscribe(PhotoIngestedV1, on_photo_ingested)
    bus.subscribe(PhotoTaggedV1, on_photo_tagged, concurrency=concurrency)
    bus.subscribe(PhotoDeletedV1, on_photo_deleted)
    bus.subscribe(PersonEditedV1, on_person_edited)
