"""The catalog's tables as SQLModel models: the single source the Alembic migrations are
checked against (tests/integration/test_migrations.py).

Design notes:
- `photos` holds one row per photo id ever seen, live or tombstone (`deleted_at` set, every
  other fact cleared), so an event that arrives after `photo.deleted.v1` finds the tombstone and
  changes nothing.
- Each stage keeps the version of the fact that produced its state (`*_version`, see
  domain/ordering.py), which is what makes the projections commutative.
- Embeddings use a pgvector column without a fixed dimension. Each (model_id, dimension) is an
  *embedding space* with a small integer key; its HNSW index is a partial expression index
  `((embedding::vector(D)) vector_cosine_ops) WHERE space_id = K`, created when the space first
  appears. One index per model keeps neighbours within one model, lets models of different
  dimensions share the table, and the query text carries only our own integers (K, D), never
  user input.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import BigInteger, Column, DateTime, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

metadata = SQLModel.metadata


def _ts(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable))


def _json() -> Any:
    return Field(default=None, sa_column=Column(JSONB, nullable=True))


class Photo(SQLModel, table=True):
    __tablename__ = "photos"
    __table_args__ = (
        Index(
            "photos_owner_created", "owner_id", text("created_at DESC"), text("id DESC"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("photos_owner_sha", "owner_id", "sha256", postgresql_where=text("deleted_at IS NULL")),
        Index("photos_owner_taken", "owner_id", "taken_at", postgresql_where=text("deleted_at IS NULL")),
    )

    id: str = Field(primary_key=True)
    owner_id: str = Field(nullable=False)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    uploaded: bool = Field(default=False, nullable=False)
    status: str = Field(default="processing", nullable=False)
    stage_ingest: str = Field(default="pending", nullable=False)
    stage_enhance: str = Field(default="pending", nullable=False)
    stage_tagging: str = Field(default="pending", nullable=False)
    ingest_outcome: str | None = None
    ingest_version: str | None = None
    ingest_data_version: str | None = None
    enhance_outcome: str | None = None
    enhance_version: str | None = None
    tagging_outcome: str | None = None
    tagging_version: str | None = None

    file_name: str | None = None
    content_type: str | None = None
    size: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    sha256: str | None = None
    original_bucket: str | None = None
    original_key: str | None = None

    format: str | None = None
    width: int | None = None
    height: int | None = None
    orientation: int | None = None
    decode_path: str | None = None
    phash: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    taken_at: datetime | None = _ts()
    camera: str | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None
    exposure_time: float | None = None
    f_number: float | None = None
    iso: int | None = None
    focal_length: float | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    gps_alt: float | None = None
    #: Reverse-geocoded place (city, state, country, country_code) from photo.ingested.v1.
    place: dict | None = _json()

    enhancement: dict | None = _json()
    rejection_reason: str | None = None
    rejection_message: str | None = None
    duplicate_of: str | None = None

    deleted_at: datetime | None = _ts()
    deleted_by: str | None = None
    deleted_version: str | None = None


class PhotoRendition(SQLModel, table=True):
    __tablename__ = "renditions"

    photo_id: str = Field(primary_key=True, foreign_key="photos.id", ondelete="CASCADE")
    name: str = Field(primary_key=True)
    bucket: str
    key: str
    width: int
    height: int
    bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    mime: str


class TaggingRun(SQLModel, table=True):
    """The winning `photo.tagged.v1` of one model for one photo (DESIGN §2: keep or replace
    tags by model)."""

    __tablename__ = "tagging_runs"

    photo_id: str = Field(primary_key=True, foreign_key="photos.id", ondelete="CASCADE")
    model_id: str = Field(primary_key=True)
    model_version: str
    event_id: str
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    device: str
    duration_ms: float
    quality: dict | None = _json()
    colors: list | None = Field(default=None, sa_column=Column(JSONB, nullable=True))


class PhotoTag(SQLModel, table=True):
    __tablename__ = "tags"
    # Tag filters match labels case-insensitively: the index is on lower(label).
    __table_args__ = (Index("tags_owner_label", "owner_id", text("lower(label)"), "photo_id"),)

    photo_id: str = Field(primary_key=True, foreign_key="photos.id", ondelete="CASCADE")
    model_id: str = Field(primary_key=True)
    label: str = Field(primary_key=True)
    source: str = Field(primary_key=True)
    owner_id: str
    model_version: str
    score: float


class PhotoFace(SQLModel, table=True):
    __tablename__ = "faces"

    photo_id: str = Field(primary_key=True, foreign_key="photos.id", ondelete="CASCADE")
    model_id: str = Field(primary_key=True)
    ordinal: int = Field(primary_key=True)
    x: float
    y: float
    w: float
    h: float
    score: float


class EmbeddingSpace(SQLModel, table=True):
    __tablename__ = "embedding_spaces"
    __table_args__ = (Index("embedding_spaces_model_dim", "model_id", "dimension", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    model_id: str
    dimension: int


class PhotoEmbedding(SQLModel, table=True):
    __tablename__ = "embeddings"
    __table_args__ = (Index("embeddings_owner_space", "owner_id", "space_id"),)

    photo_id: str = Field(primary_key=True, foreign_key="photos.id", ondelete="CASCADE")
    space_id: int = Field(primary_key=True, foreign_key="embedding_spaces.id")
    owner_id: str
    embedding: Any = Field(sa_column=Column(Vector(), nullable=False))


class TimelineEntry(SQLModel, table=True):
    __tablename__ = "timeline"
    __table_args__ = (Index("timeline_photo_at", "photo_id", "at"),)

    event_id: str = Field(primary_key=True)
    photo_id: str = Field(foreign_key="photos.id", ondelete="CASCADE")
    stage: str
    event: str
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    #: What a failure report said (error type and message, attempts, the failed event).
    detail: dict | None = Field(default=None, sa_column=Column(JSONB, nullable=True))


class ProcessedEvent(SQLModel, table=True):
    """Every event id applied once: a redelivery finds its id here and changes nothing."""

    __tablename__ = "processed_events"

    event_id: str = Field(primary_key=True)
    photo_id: str
    topic: str
    processed_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )


# The library's tables (albums, trash, favourites) and those of people and text in photos
# register on the same metadata.
from fotoai.catalog.adapters import library_schema, recognition_schema  # noqa: F401
