"""Pydantic models of the public API, for the OpenAPI document and request validation.

Responses are passed through from the catalog, so the models accept extra fields: a catalog
that adds an optional field does not break the gateway.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fotoai.contracts import OBJECT_NAMES
from pydantic import BaseModel, ConfigDict, Field

Stage = Literal["pending", "done", "failed"]
Status = Literal["processing", "ready", "degraded", "rejected"]
#: What `?rendition=` may ask for: the original or a rendition, as the contracts name them.
RenditionName = Literal[OBJECT_NAMES]  # type: ignore[valid-type]


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Problem(Open):
    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""


class TagOut(Open):
    label: str
    score: float | None = None
    source: str | None = None


class Stages(Open):
    ingest: Stage
    enhance: Stage
    tagging: Stage


class Rejection(Open):
    reason: str
    message: str


class PhotoSummary(Open):
    id: str
    status: Status
    file_name: str | None = None
    content_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    created_at: datetime | None = None
    taken_at: datetime | None = None
    width: int | None = None
    height: int | None = None
    format: str | None = None
    camera: str | None = None
    stages: Stages | None = None
    failed_stages: list[str] = Field(
        default_factory=list, description="stages that gave up after their retries (status `degraded`)")
    duplicate_of: str | None = None
    tags: list[TagOut] = Field(default_factory=list)
    thumb_url: str | None = Field(
        default=None,
        description="short-lived presigned URL of the thumbnail to show (~256 px): enhanced_thumb_small "
        "where FotoAI's enhancement changed the picture (enhanced_thumb for photos enhanced before it "
        "existed), else the original's thumb_small")
    thumb_large_url: str | None = Field(
        default=None,
        description="short-lived presigned URL of the same version at 1024 px (enhanced_thumb or "
        "thumb_large), for a `srcset` next to thumb_url")
    original_thumb_url: str | None = Field(
        default=None, description="short-lived presigned URL of the original's thumbnail (thumb_small)")
    enhanced_thumb_url: str | None = Field(
        default=None,
        description="short-lived presigned URL of enhanced_thumb (FotoAI's version at thumb_large's size); "
        "null unless the enhancement changed the picture")
    rejection: Rejection | None = None
    favorite: bool = Field(default=False, description="starred by the owner")
    archived: bool = Field(default=False, description="archived: out of the timeline and search unless asked for")


class RenditionOut(Open):
    name: str
    width: int | None = None
    height: int | None = None
    bytes: int | None = None
    mime: str | None = None
    url: str = Field(description="short-lived presigned URL")


class FaceOut(Open):
    box: tuple[float, float, float, float] = Field(description="x, y, w, h as fractions of the image")
    score: float | None = None
    person_id: str | None = Field(default=None, description="the person face recognition put this face with")
    person_name: str | None = Field(default=None, description="the person's name; null when unnamed or hidden")


class PlaceOut(Open):
    """Where the GPS position is, by offline reverse geocoding (GeoNames cities)."""

    city: str | None = None
    state: str | None = None
    country: str | None = None
    country_code: str | None = Field(default=None, description="ISO 3166-1 alpha-2")


class PhotoDetail(PhotoSummary):
    metadata: dict | None = None
    faces: list[FaceOut] = Field(default_factory=list)
    place: PlaceOut | None = Field(default=None, description="null without a GPS position")
    text: str | None = Field(default=None, description="the words read in the picture (OCR), null when none")
    quality: dict | None = None
    colors: list[dict] = Field(default_factory=list)
    enhancement: dict | None = None
    renditions: list[RenditionOut] = Field(default_factory=list)
    timeline: list[dict] = Field(default_factory=list)
    failures: list[dict] = Field(
        default_factory=list, description="why each failed stage gave up: stage, error_type, message, attempts")


class PhotoPage(Open):
    items: list[PhotoSummary]
    next_cursor: str | None = None


class SearchResult(Open):
    items: list[PhotoSummary]
    mode: Literal["text", "semantic", "hybrid"]


class TagCount(Open):
    label: str
    count: int


class TagList(Open):
    items: list[TagCount]


class UploadAccepted(BaseModel):
    id: str
    status: Literal["processing"]
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int


class DeleteAccepted(BaseModel):
    id: str
    status: Literal["trashed"]


class DirectUploadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file_name: str | None = Field(default=None, max_length=1000)
    content_type: str = Field(min_length=3, max_length=100, examples=["image/jpeg"])
    size: int = Field(ge=1, description="bytes the client will PUT")


class DirectUploadStarted(BaseModel):
    upload_id: str
    url: str = Field(description="where to POST the form: `fields` first, then the file as the last part, `file`")
    method: Literal["POST"]
    fields: dict[str, str] = Field(description="form fields to send as they are (the signed policy)")
    max_bytes: int = Field(description="the store refuses a larger file (the declared size)")
    expires_at: float = Field(description="Unix time after which the form no longer works")


class DevTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: str = Field(pattern=r"^[A-Za-z0-9._@-]{1,64}$", examples=["alice"])


class DevToken(BaseModel):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
