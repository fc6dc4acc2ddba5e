"""The v1 events of people, places and text in photos.

- `photo.text-recognized.v1` (text service): the text read in a photo, or that its gate found
  none worth reading; keyed by the photo.
- `photo.faces-recognized.v1` (people service): which person each face of a photo belongs to;
  keyed by the photo. It refers to the faces of `photo.tagged.v1` by their position (`ordinal`).
- `person.updated.v1` (people service): a person's current state (name, hidden, merged into,
  face count, cover face), with a `revision` that only grows, so a reader keeps the highest.
- `person.edited.v1` (gateway): the owner's command (rename, hide, merge), which the people
  service applies and answers with `person.updated.v1`.

Person events are keyed by the owner (`PersonEvent.key`), so one owner's people facts stay
ordered, merges included. Places travel inside `photo.ingested.v1` (`Place`, in events.py).
"""

from __future__ import annotations

from typing import ClassVar

from fotoai.contracts.events import Envelope, Event, Frozen
from pydantic import Field


class PhotoTextRecognizedV1(Event):
    TOPIC: ClassVar[str] = "photo.text-recognized.v1"
    SOURCE: ClassVar[str] = "/services/text"

    text: str = Field(default="", description="the words read, lines joined by newlines; empty when none")
    gated: bool = Field(default=False, description="true when the cheap gate found no text and OCR did not run")
    engine: str = Field(description="e.g. tesseract 5.3.0")
    languages: str = "eng"
    duration_ms: float = Field(ge=0)


class RecognizedFace(Frozen):
    ordinal: int = Field(ge=0, description="position of the face in photo.tagged.v1's `faces`")
    box: tuple[float, float, float, float] = Field(description="x, y, w, h as fractions of the image")
    person_id: str | None = Field(default=None, description="null when no embedding could be made")


class PhotoFacesRecognizedV1(Event):
    TOPIC: ClassVar[str] = "photo.faces-recognized.v1"
    SOURCE: ClassVar[str] = "/services/people"

    faces: list[RecognizedFace] = Field(default_factory=list)
    model_id: str = Field(description="the face embedding model, e.g. dlib-resnet-v1")
    tagging_event_id: str = Field(description="the photo.tagged.v1 whose faces these are")


class PersonEvent(Envelope):
    """An event about one of an owner's people, keyed by the owner (a merge names two people)."""

    KEY: ClassVar[str] = "owner_id"

    owner_id: str
    person_id: str


class FaceRef(Frozen):
    photo_id: str
    box: tuple[float, float, float, float]


class PersonUpdatedV1(PersonEvent):
    TOPIC: ClassVar[str] = "person.updated.v1"
    SOURCE: ClassVar[str] = "/services/people"

    revision: int = Field(ge=1, description="grows with every change of this person; keep the highest")
    name: str | None = None
    hidden: bool = False
    merged_into: str | None = Field(default=None, description="set when merged: the person it became")
    face_count: int = Field(ge=0)
    cover: FaceRef | None = None


class PersonEditedV1(PersonEvent):
    """The owner's command; a field left out (null) is unchanged, an empty name clears it."""

    TOPIC: ClassVar[str] = "person.edited.v1"
    SOURCE: ClassVar[str] = "/services/gateway"

    name: str | None = Field(default=None, max_length=200)
    hidden: bool | None = None
    merge_into: str | None = Field(default=None, description="merge this person into that one")
    recluster: bool = Field(
        default=False,
        description="regroup all the owner's faces from scratch, keeping names, hidden flags and "
                    "merges (person_id is then `*`)",
    )
    edited_by: str


PHOTO_RECOGNITION_EVENT_TYPES: tuple[type[Event], ...] = (PhotoTextRecognizedV1, PhotoFacesRecognizedV1)
PERSON_EVENT_TYPES: tuple[type[PersonEvent], ...] = (PersonUpdatedV1, PersonEditedV1)
