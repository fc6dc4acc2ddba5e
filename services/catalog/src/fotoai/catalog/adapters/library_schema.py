"""The library's tables (favourites, archive, trash, albums, share links) as SQLModel models,
registered on the same metadata as schema.py, which the migrations are checked against.

Every fact keeps the version (domain/ordering.py) of the event that set it, so the projections
are last-writer-wins per field and converge whatever the delivery order. Deletions of albums
and revocations of links are tombstones: the earliest wins and nothing undoes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fotoai.catalog.adapters.schema import Photo
from sqlalchemy import Column, DateTime, Index, text
from sqlmodel import Field, SQLModel


def _ts() -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


class PhotoState(SQLModel, table=True):
    """The owner's flags on a photo; no row is the default (not favourite, not archived, not
    in the trash)."""

    __tablename__ = "photo_states"
    __table_args__ = (
        Index("photo_states_trash", "owner_id", text("trashed_at DESC"), postgresql_where=text("trashed_at IS NOT NULL")),
    )

    photo_id: str = Field(primary_key=True)
    owner_id: str = Field(nullable=False)
    favorite: bool = Field(default=False, nullable=False)
    favorite_version: str | None = None
    archived: bool = Field(default=False, nullable=False)
    archived_version: str | None = None
    trashed_at: datetime | None = _ts()
    trashed_by: str | None = None
    trash_version: str | None = None


class Album(SQLModel, table=True):
    __tablename__ = "albums"
    __table_args__ = (Index("albums_owner", "owner_id", postgresql_where=text("deleted_at IS NULL")),)

    id: str = Field(primary_key=True)
    owner_id: str = Field(nullable=False)
    title: str | None = None
    title_version: str | None = None
    cover_photo_id: str | None = None
    cover_version: str | None = None
    created_at: datetime | None = _ts()
    deleted_at: datetime | None = _ts()


class AlbumPhoto(SQLModel, table=True):
    """Membership of a photo in an album, last writer wins (added, removed, added again …)."""

    __tablename__ = "album_photos"
    __table_args__ = (Index("album_photos_photo", "photo_id"),)

    album_id: str = Field(primary_key=True)
    photo_id: str = Field(primary_key=True)
    member: bool = Field(nullable=False)
    added_at: datetime | None = _ts()
    version: str = Field(nullable=False)


class AlbumLink(SQLModel, table=True):
    """A share link, by the SHA-256 of its token (the token itself is never stored). Keyed by
    album and link, so a fact naming the wrong album never touches another album's link."""

    __tablename__ = "album_links"
    __table_args__ = (Index("album_links_token", "token_sha256"),)

    album_id: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    token_sha256: str | None = None
    created_version: str | None = None
    expires_at: datetime | None = _ts()
    created_at: datetime | None = _ts()
    revoked_at: datetime | None = _ts()


# The timeline's order: capture time, else upload time, newest first (keyset pagination).
Index(
    "photos_owner_sort_taken", Photo.__table__.c.owner_id,  # type: ignore[attr-defined]
    text("coalesce(taken_at, created_at) DESC"), text("id DESC"),
    postgresql_where=text("deleted_at IS NULL"),
)
