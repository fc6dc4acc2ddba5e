"""The library's v1 events: favourites, archive, trash, albums and their share links.

A person's command (star a photo, move it to the trash, add it to an album, share an album)
is a fact on a topic like every other state change, so a replay rebuilds the library exactly.

Photo facts (`photo.updated.v1`, `photo.trashed.v1`, `photo.restored.v1`) are keyed by the
photo id like the pipeline's events. `photo.deleted.v1` keeps its meaning: the photo is gone
for good and its objects are removed; moving to the trash is `photo.trashed.v1`, and purging
from the trash (by hand or after the retention period) publishes `photo.deleted.v1`.

Album facts are keyed by the album id (`AlbumEvent.key`), so one album's facts stay ordered.
A share link's token never travels: anyone allowed to read a topic would hold the link.
Events carry its SHA-256 (`token_sha256`), which is what the catalog looks a token up by.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from fotoai.contracts.events import Envelope, Event
from pydantic import Field

_GATEWAY = "/services/gateway"


class PhotoUpdatedV1(Event):
    """The owner changed a photo's flags; a field left out (null) is unchanged."""

    TOPIC: ClassVar[str] = "photo.updated.v1"
    SOURCE: ClassVar[str] = _GATEWAY

    favorite: bool | None = None
    archived: bool | None = None
    updated_by: str


class PhotoTrashedV1(Event):
    """Moved to the trash: hidden everywhere but the trash, objects kept until purged."""

    TOPIC: ClassVar[str] = "photo.trashed.v1"
    SOURCE: ClassVar[str] = _GATEWAY

    trashed_by: str


class PhotoRestoredV1(Event):
    """Brought back from the trash, intact."""

    TOPIC: ClassVar[str] = "photo.restored.v1"
    SOURCE: ClassVar[str] = _GATEWAY

    restored_by: str


class AlbumEvent(Envelope):
    """An event about one album, keyed by it."""

    SOURCE: ClassVar[str] = _GATEWAY
    KEY: ClassVar[str] = "album_id"

    album_id: str
    owner_id: str


class AlbumCreatedV1(AlbumEvent):
    TOPIC: ClassVar[str] = "album.created.v1"

    title: str = Field(min_length=1, max_length=200)


class AlbumUpdatedV1(AlbumEvent):
    """Title and/or cover changed; a field left out (null) is unchanged."""

    TOPIC: ClassVar[str] = "album.updated.v1"

    title: str | None = Field(default=None, min_length=1, max_length=200)
    cover_photo_id: str | None = None


class AlbumDeletedV1(AlbumEvent):
    """The album is gone (its photos stay in the library); its links stop working."""

    TOPIC: ClassVar[str] = "album.deleted.v1"


class AlbumPhotosAddedV1(AlbumEvent):
    TOPIC: ClassVar[str] = "album.photos-added.v1"

    photo_ids: list[str] = Field(min_length=1, max_length=1000)


class AlbumPhotosRemovedV1(AlbumEvent):
    TOPIC: ClassVar[str] = "album.photos-removed.v1"

    photo_ids: list[str] = Field(min_length=1, max_length=1000)


class AlbumLinkCreatedV1(AlbumEvent):
    """A share link: whoever holds the token sees this album's photos, nothing else."""

    TOPIC: ClassVar[str] = "album.link-created.v1"

    link_id: str
    token_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the token, hex; never the token")
    expires_at: datetime | None = None


class AlbumLinkRevokedV1(AlbumEvent):
    TOPIC: ClassVar[str] = "album.link-revoked.v1"

    link_id: str


PHOTO_LIBRARY_EVENT_TYPES: tuple[type[Event], ...] = (PhotoUpdatedV1, PhotoTrashedV1, PhotoRestoredV1)
ALBUM_EVENT_TYPES: tuple[type[AlbumEvent], ...] = (
    AlbumCreatedV1, AlbumUpdatedV1, AlbumDeletedV1, AlbumPhotosAddedV1, AlbumPhotosRemovedV1,
    AlbumLinkCreatedV1, AlbumLinkRevokedV1,
)
