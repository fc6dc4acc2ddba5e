"""Tables of people and text in photos, registered on the same metadata as schema.py (which
the migrations are checked against). Places are a column of `photos` (`place`, from
`photo.ingested.v1`).

- `photo_texts`: the text read in a photo (`photo.text-recognized.v1`), last writer wins by
  version (domain/ordering.py).
- `recognized_faces`: which person each face of a photo belongs to
  (`photo.faces-recognized.v1`), with the person ids as an array (GIN-indexed) for "photos of".
- `persons`: the people service's persons (`person.updated.v1`), the highest revision wins.
No foreign key to `photos`: these facts may arrive before the photo's first event, and queries
join `photos` for ownership, deletion and the trash.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, Column, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class PhotoText(SQLModel, table=True):
    __tablename__ = "photo_texts"

    photo_id: str = Field(primary_key=True)
    owner_id: str = Field(nullable=False, index=False)
    text: str = Field(default="", nullable=False)
    engine: str = Field(nullable=False)
    gated: bool = Field(default=False, nullable=False)
    version: str = Field(nullable=False)


class RecognizedFaces(SQLModel, table=True):
    __tablename__ = "recognized_faces"
    __table_args__ = (Index("recognized_faces_persons", "person_ids", postgresql_using="gin"),)

    photo_id: str = Field(primary_key=True)
    owner_id: str = Field(nullable=False)
    faces: Any = Field(sa_column=Column(JSONB, nullable=False))
    person_ids: list[str] = Field(sa_column=Column(ARRAY(String()), nullable=False))
    version: str = Field(nullable=False)


class Person(SQLModel, table=True):
    __tablename__ = "persons"
    __table_args__ = (Index("persons_owner", "owner_id"),)

    person_id: str = Field(primary_key=True)
    owner_id: str = Field(nullable=False)
    name: str | None = None
    hidden: bool = Field(default=False, nullable=False)
    merged_into: str | None = None
    face_count: int = Field(default=0, nullable=False)
    cover: dict | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    revision: int = Field(nullable=False)
