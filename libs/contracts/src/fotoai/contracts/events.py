"""The v1 event models of the photo pipeline (docs/topics.md): one frozen pydantic model per topic.

Each model carries its topic (`TOPIC`), its CloudEvents type (`CE_TYPE`) and the service that
produces it (`SOURCE`). Bodies repeat `event_id` and `occurred_at` so a subscriber that ignores
headers still has them. Unknown fields are ignored, so adding an optional field is compatible.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field


def _new_id() -> str:
    return str(uuid.uuid4())


def _now() -> datetime:
    return datetime.now(UTC)


E = TypeVar("E", bound="Event")


class Frozen(BaseModel):
    """Immutable value object; unknown fields are ignored for forward compatibility."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Envelope(Frozen):
    """What every event carries, whatever it is about: its topic, CloudEvents type and source,
    id, time and owner. `KEY` names the field that is the Kafka message key, so the facts of one
    photo (`Event`), one album (`library.AlbumEvent`) or one owner's people
    (`recognition.PersonEvent`) stay in order on one partition."""

    TOPIC: ClassVar[str]
    SOURCE: ClassVar[str]
    KEY: ClassVar[str]

    event_id: str = Field(default_factory=_new_id, description="unique id of this event (= ce_id)")
    occurred_at: datetime = Field(default_factory=_now, description="when the fact happened (= ce_time)")
    if TYPE_CHECKING:
        # Each envelope declares `owner_id` itself, after its own id, so the fields keep the
        # order they always had on the wire and in the schema snapshots.
        owner_id: str

    @classmethod
    def ce_type(cls) -> str:
        return f"fotoai.{cls.TOPIC}"

    @property
    def key(self) -> str:
        """The Kafka message key: the value of the `KEY` field."""
        return str(getattr(self, self.KEY))


class Event(Envelope):
    """An event about one photo (the pipeline's and the library's photo facts), keyed by it."""

    KEY: ClassVar[str] = "photo_id"

    photo_id: str
    owner_id: str


class StoredObject(Frozen):
    bucket: str
    key: str


class OriginalObject(StoredObject):
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str | None = Field(default=None, description="content type as sent by the client")
    file_name: str | None = None


#: Every rendition name, declared once: ingest writes the first three, enhance the last three
#: (the enhanced picture, and its thumbnails at the sizes of `thumb_large` and `thumb_small`).
DISPLAY, THUMB_LARGE, THUMB_SMALL, ENHANCED = "display", "thumb_large", "thumb_small", "enhanced"
ENHANCED_THUMB, ENHANCED_THUMB_SMALL = "enhanced_thumb", "enhanced_thumb_small"
RENDITION_NAMES: tuple[str, ...] = (
    DISPLAY, THUMB_LARGE, THUMB_SMALL, ENHANCED, ENHANCED_THUMB, ENHANCED_THUMB_SMALL,
)
#: What a client may ask a photo's bytes of: the original or one of its renditions.
ORIGINAL = "original"
OBJECT_NAMES: tuple[str, ...] = (ORIGINAL, *RENDITION_NAMES)
#: A working copy ingest writes for the later stages (never served to clients).
PREVIEW = "preview"
#: The renditions a later stage reads pixels from, in order of preference: the preview (about
#: 2000 px), else the 1024-px thumbnail. Ingest encoded both from pixels its sandbox decoded;
#: never `display`, which may be the uploaded bytes as they came.
WORKING_COPIES: tuple[str, ...] = (PREVIEW, THUMB_LARGE)


class Rendition(StoredObject):
    name: str = Field(
        description="display | thumb_large | thumb_small | enhanced | enhanced_thumb | enhanced_thumb_small"
    )
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    bytes: int = Field(ge=0)
    mime: str


class GpsPosition(Frozen):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    alt: float | None = None


class Place(Frozen):
    """Where a GPS position lies, by offline reverse geocoding (GeoNames populated places)."""

    city: str | None = None
    state: str | None = None
    country: str | None = None
    country_code: str | None = Field(default=None, description="ISO 3166-1 alpha-2")


class ExifSubset(Frozen):
    taken_at: datetime | None = Field(default=None, description="aware when the file had an offset")
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None
    exposure_time: float | None = Field(default=None, description="seconds")
    f_number: float | None = None
    iso: int | None = None
    focal_length: float | None = Field(default=None, description="millimetres")
    gps: GpsPosition | None = None


class RejectReason(StrEnum):
    UNSUPPORTED_FORMAT = "unsupported_format"
    CORRUPT = "corrupt"
    TOO_MANY_PIXELS = "too_many_pixels"
    TOO_LARGE = "too_large"
    EMPTY = "empty"
    DECODE_TIMEOUT = "decode_timeout"
    MISSING_OBJECT = "missing_object"


class PhotoUploadedV1(Event):
    TOPIC: ClassVar[str] = "photo.uploaded.v1"
    SOURCE: ClassVar[str] = "/services/gateway"

    original: OriginalObject


class PhotoIngestedV1(Event):
    TOPIC: ClassVar[str] = "photo.ingested.v1"
    SOURCE: ClassVar[str] = "/services/ingest"

    format: str = Field(description="detected from the bytes: jpeg, png, webp, tiff, gif, heic, avif, raw …")
    width: int = Field(ge=1, description="after orientation")
    height: int = Field(ge=1, description="after orientation")
    orientation: int = Field(default=1, ge=1, le=8, description="EXIF orientation that was applied")
    exif: ExifSubset = Field(default_factory=ExifSubset)
    sha256: str | None = Field(default=None, description="of the original bytes, for exact duplicates")
    phash: str | None = Field(default=None, description="64-bit perceptual hash, hex")
    renditions: list[Rendition] = Field(default_factory=list)
    decode_path: str | None = Field(default=None, description="how the pixels were obtained, e.g. raw_preview")
    place: Place | None = Field(default=None, description="reverse-geocoded from exif.gps, when it has one")


class PhotoRejectedV1(Event):
    TOPIC: ClassVar[str] = "photo.rejected.v1"
    SOURCE: ClassVar[str] = "/services/ingest"

    reason: RejectReason
    message: str


class Operation(Frozen):
    name: str
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)


class PhotoEnhancedV1(Event):
    TOPIC: ClassVar[str] = "photo.enhanced.v1"
    SOURCE: ClassVar[str] = "/services/enhance"

    rendition: Rendition
    thumbnail: Rendition | None = Field(
        default=None,
        description="enhanced_thumb: the enhanced picture at the size of the original's thumb_large "
        "(absent from events of producers that predate it)",
    )
    thumbnails: list[Rendition] = Field(
        default_factory=list,
        description="further thumbnails of the enhanced picture, smaller than `thumbnail`: "
        "enhanced_thumb_small at the size of the original's thumb_small, so a gallery tile of an "
        "enhanced photo costs what the original's costs (empty from producers that predate it)",
    )
    operations: list[Operation] = Field(default_factory=list)
    quality_before: dict[str, float] = Field(default_factory=dict)
    quality_after: dict[str, float] = Field(default_factory=dict)
    device: str = "cpu"
    duration_ms: float = Field(ge=0)


class Tag(Frozen):
    label: str
    score: float = Field(ge=0, le=1)
    source: str = Field(description="what produced it: clip, faces, quality, colour, …")


class Face(Frozen):
    box: tuple[float, float, float, float] = Field(description="x, y, w, h as fractions of the image")
    score: float = Field(ge=0, le=1)


class QualityFlags(Frozen):
    blurry: bool = False
    dark: bool = False
    overexposed: bool = False
    low_resolution: bool = False
    measures: dict[str, float] = Field(default_factory=dict)


class Colour(Frozen):
    hex: str = Field(pattern=r"^#[0-9a-f]{6}$")
    fraction: float = Field(ge=0, le=1)


class Embedding(Frozen):
    model_id: str
    dimension: int = Field(ge=1)
    vector: list[float]


class PhotoTaggedV1(Event):
    TOPIC: ClassVar[str] = "photo.tagged.v1"
    SOURCE: ClassVar[str] = "/services/tagging"

    tags: list[Tag] = Field(default_factory=list)
    faces: list[Face] = Field(default_factory=list)
    quality: QualityFlags = Field(default_factory=QualityFlags)
    colors: list[Colour] = Field(default_factory=list)
    embedding: Embedding | None = None
    model_id: str
    model_version: str
    device: str = "cpu"
    duration_ms: float = Field(ge=0)


class PhotoDeletedV1(Event):
    TOPIC: ClassVar[str] = "photo.deleted.v1"
    SOURCE: ClassVar[str] = "/services/gateway"

    deleted_by: str


class FailedEvent(Frozen):
    """The message a stage gave up on: where it was and which event it carried."""

    topic: str
    event_id: str
    ce_type: str | None = None
    partition: int | None = None
    offset: int | None = None


class PhotoStageFailedV1(Event):
    """A stage gave up on a photo after its retries: the message is parked on `dlq.<stage>`
    (for replay) and this fact says so. Published by the shared retry policy of the service
    whose stage failed, so the catalog never needs to read raw dead-letter records."""

    TOPIC: ClassVar[str] = "photo.stage-failed.v1"
    SOURCE: ClassVar[str] = "/services/servicekit"

    stage: str = Field(description="the service whose handler failed: ingest, enhance, tagging, catalog, …")
    error_type: str
    error_message: str
    attempts: int = Field(ge=0, description="handler attempts made before parking")
    failed_event: FailedEvent
    dead_letter_topic: str


# The library's events (favourites, trash, albums) live in their own module.
from fotoai.contracts.library import ALBUM_EVENT_TYPES, PHOTO_LIBRARY_EVENT_TYPES
from fotoai.contracts.recognition import (
    PERSON_EVENT_TYPES,
    PHOTO_RECOGNITION_EVENT_TYPES,
)

EVENT_TYPES: tuple[type[Envelope], ...] = (
    PhotoUploadedV1,
    PhotoIngestedV1,
    PhotoRejectedV1,
    PhotoEnhancedV1,
    PhotoTaggedV1,
    PhotoDeletedV1,
    PhotoStageFailedV1,
    *PHOTO_LIBRARY_EVENT_TYPES,
    *ALBUM_EVENT_TYPES,
    *PHOTO_RECOGNITION_EVENT_TYPES,
    *PERSON_EVENT_TYPES,
)

BY_TOPIC: dict[str, type[Envelope]] = {cls.TOPIC: cls for cls in EVENT_TYPES}
BY_CE_TYPE: dict[str, type[Envelope]] = {cls.ce_type(): cls for cls in EVENT_TYPES}


def parse_event(topic: str, body: bytes | str | dict[str, Any]) -> Envelope:
    """Decode a message body of a known topic into its model."""
    cls = BY_TOPIC[topic]
    if isinstance(body, dict):
        return cls.model_validate(body)
    return cls.model_validate_json(body)


_DERIVED_NS = uuid.UUID("6f1c2a5e-3d4b-4e8a-9b7c-0a1d2e3f4a5b")


def derived_event_id(cause: Envelope, topic: str, *qualifiers: str) -> str:
    """The id of the event that `cause` leads to on `topic`, the same on every redelivery.

    Reprocessing a redelivered event therefore republishes an identical event id, which
    consumers deduplicate: the idempotency key travels with the data. `qualifiers` tell apart
    results that are meant to differ, e.g. tags from a newer model version after a replay.
    """
    return str(uuid.uuid5(_DERIVED_NS, "/".join((cause.event_id, topic, *qualifiers))))


def follow(cause: Event, cls: type[E], *, qualifiers: tuple[str, ...] = (), **fields: Any) -> E:
    """Build the next event of `cause`'s photo, with a deterministic id."""
    return cls(
        event_id=derived_event_id(cause, cls.TOPIC, *qualifiers),
        photo_id=cause.photo_id,
        owner_id=cause.owner_id,
        **fields,
    )
