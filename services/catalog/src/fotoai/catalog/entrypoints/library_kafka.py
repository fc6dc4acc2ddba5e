"""Kafka handlers of the library topics: favourites, archive, trash and albums."""

from __future__ import annotations

from fotoai.catalog.library import ProjectLibrary
from fotoai.contracts.library import ALBUM_EVENT_TYPES, PHOTO_LIBRARY_EVENT_TYPES
from fotoai.servicekit.bus import EventBus

LIBRARY_TOPICS = tuple(cls.TOPIC for cls in (*PHOTO_LIBRARY_EVENT_TYPES, *ALBUM_EVENT_TYPES))


def register_library_handlers(
    bus: EventBus, project: ProjectLibrary, group: str, topics: dict[str, str] | None = None,
) -> None:
    topics = topics or {}

    async def on_library_event(event) -> None:
        await project(event)

    for cls in (*PHOTO_LIBRARY_EVENT_TYPES, *ALBUM_EVENT_TYPES):
        bus.subscribe(cls, on_library_event, group=group, topic=topics.get(cls.TOPIC, cls.TOPIC))  # type: ignore[arg-type]
