"""The people service's own PostgreSQL database (asyncpg, raw SQL).

Why it looks like this:
- Every write that touches persons takes the owner's transaction-scoped advisory lock first, so
  two photos of one owner processed at once cannot both start a person for the same face, and
  an owner's edits (rename, merge) serialise with the faces arriving.
- `processed` records every applied event id in the same transaction as its effects: a
  redelivered event changes nothing (and the use case republishes the facts from the state).
- Person ids are derived from the face that started them, so replaying the topics into an
  empty database rebuilds the same ids.
- The schema is small and created at start (`CREATE … IF NOT EXISTS`); the database itself too,
  when the server lets us.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import numpy as np
from fotoai.people.domain.clustering import carry_names, nearest_person, recluster

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    photo_id text PRIMARY KEY, owner_id text NOT NULL, bucket text NOT NULL, key text NOT NULL);
CREATE TABLE IF NOT EXISTS pending (
    photo_id text PRIMARY KEY, owner_id text NOT NULL, body text NOT NULL);
CREATE TABLE IF NOT EXISTS deleted (photo_id text PRIMARY KEY);
CREATE TABLE IF NOT EXISTS persons (
    person_id text PRIMARY KEY, owner_id text NOT NULL, name text, hidden boolean NOT NULL DEFAULT false,
    merged_into text, revision integer NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS persons_owner ON persons (owner_id);
CREATE TABLE IF NOT EXISTS faces (
    photo_id text NOT NULL, ordinal integer NOT NULL, owner_id text NOT NULL,
    tagging_event_id text NOT NULL, box float8[] NOT NULL, embedding float4[], person_id text,
    PRIMARY KEY (photo_id, ordinal));
CREATE INDEX IF NOT EXISTS faces_owner ON faces (owner_id);
CREATE INDEX IF NOT EXISTS faces_person ON faces (person_id);
CREATE TABLE IF NOT EXISTS processed (event_id text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
"""

_PERSON_NS = uuid.UUID("0b6f4c3e-9a57-4f3a-8f0e-5d2b7c1a9e64")


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def ensure_database(url: str) -> None:
    """Create the database named in `url` when the server has no such database yet."""
    dsn = asyncpg_dsn(url)
    try:
        conn = await asyncpg.connect(dsn)
    except asyncpg.InvalidCatalogNameError:
        parts = urlsplit(dsn)
        name = parts.path.lstrip("/")
        admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
        try:
            await admin.execute(f'CREATE DATABASE "{name.replace(chr(34), "")}"')
        except asyncpg.DuplicateDatabaseError:
            pass
        finally:
            await admin.close()
        conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(SCHEMA)
    finally:
        await conn.close()


@dataclass(frozen=True)
class NewFace:
    ordinal: int
    box: tuple[float, float, float, float]
    embedding: np.ndarray | None


@dataclass(frozen=True)
class PersonState:
    person_id: str
    owner_id: str
    name: str | None
    hidden: bool
    merged_into: str | None
    revision: int
    face_count: int
    cover_photo_id: str | None
    cover_box: tuple[float, float, float, float] | None


@dataclass(frozen=True)
class PhotoFaces:
    photo_id: str
    owner_id: str
    tagging_event_id: str
    faces: list[tuple[int, tuple[float, float, float, float], str | None]]


class Owner:
    """One owner's people inside one locked transaction."""

    def __init__(self, conn: asyncpg.Connection, owner_id: str) -> None:
        self.conn = conn
        self.owner_id = owner_id

    async def seen(self, event_id: str) -> bool:
        """Record `event_id`; True when it had been applied already."""
        status = await self.conn.execute(
            "INSERT INTO processed (event_id) VALUES ($1) ON CONFLICT DO NOTHING", event_id
        )
        return status.endswith(" 0")

    async def is_deleted(self, photo_id: str) -> bool:
        return bool(await self.conn.fetchval("SELECT true FROM deleted WHERE photo_id = $1", photo_id))

    async def replace_faces(
        self, photo_id: str, tagging_event_id: str, faces: list[NewFace], threshold: float
    ) -> set[str]:
        """Drop the photo's previous faces, assign each new one to a person; the persons touched."""
        touched = set(await self._clear_faces(photo_id))
        rows = await self.conn.fetch(
            "SELECT person_id, embedding FROM faces WHERE owner_id = $1 AND person_id IS NOT NULL "
            "AND embedding IS NOT NULL", self.owner_id,
        )
        owners = [r["person_id"] for r in rows]
        members = np.asarray([r["embedding"] for r in rows], dtype=np.float32)
        for face in faces:
            person = None
            if face.embedding is not None:
                match = nearest_person(face.embedding, members, owners, threshold)
                person = match.person_id
                if person is None:
                    person = str(uuid.uuid5(_PERSON_NS, f"{tagging_event_id}/{face.ordinal}"))
                    await self.conn.execute(
                        "INSERT INTO persons (person_id, owner_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        person, self.owner_id,
                    )
                members = np.vstack([members, face.embedding[None, :]]) if len(owners) else face.embedding[None, :]
                owners.append(person)
                touched.add(person)
            await self.conn.execute(
                """INSERT INTO faces (photo_id, ordinal, owner_id, tagging_event_id, box, embedding, person_id)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                photo_id, face.ordinal, self.owner_id, tagging_event_id, list(face.box),
                face.embedding.tolist() if face.embedding is not None else None, person,
            )
        await self._bump(touched)
        return touched

    async def delete_photo(self, photo_id: str) -> set[str]:
        await self.conn.execute("INSERT INTO deleted (photo_id) VALUES ($1) ON CONFLICT DO NOTHING", photo_id)
        await self.conn.execute("DELETE FROM pending WHERE photo_id = $1", photo_id)
        await self.conn.execute("DELETE FROM sources WHERE photo_id = $1", photo_id)
        touched = set(await self._clear_faces(photo_id))
        await self._bump(touched)
        return touched

    async def _clear_faces(self, photo_id: str) -> list[str]:
        rows = await self.conn.fetch(
            "DELETE FROM faces WHERE photo_id = $1 RETURNING person_id", photo_id
        )
        return [r["person_id"] for r in rows if r["person_id"]]

    async def _bump(self, persons: set[str]) -> None:
        if persons:
            await self.conn.execute(
                "UPDATE persons SET revision = revision + 1 WHERE person_id = ANY($1::text[])", list(persons)
            )

    async def person(self, person_id: str) -> PersonState | None:
        row = await self.conn.fetchrow(
            """SELECT p.*, (SELECT count(*) FROM faces f WHERE f.person_id = p.person_id) AS face_count,
                      c.photo_id AS cover_photo_id, c.box AS cover_box
               FROM persons p
               LEFT JOIN LATERAL (SELECT photo_id, box FROM faces f WHERE f.person_id = p.person_id
                                  ORDER BY f.box[3] * f.box[4] DESC, photo_id, ordinal LIMIT 1) c ON true
               WHERE p.person_id = $1 AND p.owner_id = $2""",
            person_id, self.owner_id,
        )
        if row is None:
            return None
        return PersonState(
            person_id=row["person_id"], owner_id=row["owner_id"], name=row["name"], hidden=row["hidden"],
            merged_into=row["merged_into"], revision=row["revision"], face_count=row["face_count"],
            cover_photo_id=row["cover_photo_id"],
            cover_box=tuple(row["cover_box"]) if row["cover_box"] else None,
        )

    async def edit(self, person_id: str, name: str | None, hidden: bool | None) -> bool:
        sets: list[str] = []
        args: list[Any] = [person_id, self.owner_id]
        if name is not None:
            args.append(name.strip() or None)
            sets.append(f"name = ${len(args)}")
        if hidden is not None:
            args.append(hidden)
            sets.append(f"hidden = ${len(args)}")
        if not sets:
            return False
        status = await self.conn.execute(
            f"UPDATE persons SET {', '.join(sets)}, revision = revision + 1 "
            "WHERE person_id = $1 AND owner_id = $2 AND merged_into IS NULL", *args,
        )
        return status.endswith(" 1")

    async def merge(self, source: str, target: str) -> list[str]:
        """Move `source`'s faces to `target`; the photos whose faces moved (empty: refused)."""
        if source == target:
            return []
        live = await self.conn.fetch(
            "SELECT person_id, name FROM persons WHERE person_id = ANY($1::text[]) AND owner_id = $2 "
            "AND merged_into IS NULL", [source, target], self.owner_id,
        )
        if len(live) != 2:
            return []
        names = {r["person_id"]: r["name"] for r in live}
        photos = await self.conn.fetch(
            "UPDATE faces SET person_id = $2 WHERE person_id = $1 RETURNING photo_id", source, target
        )
        await self.conn.execute(
            "UPDATE persons SET merged_into = $2, revision = revision + 1 WHERE person_id = $1", source, target
        )
        # The merged person keeps a name when only the source had one.
        await self.conn.execute(
            "UPDATE persons SET revision = revision + 1, name = coalesce(name, $2) WHERE person_id = $1",
            target, names.get(source),
        )
        return sorted({r["photo_id"] for r in photos})

    async def recluster(self, threshold: float) -> tuple[set[str], list[str]]:
        """Regroup all the owner's faces from scratch (`domain.clustering.recluster`), keeping
        what the user vouched for together (a named person, a person others were merged into)
        and each old id, name and hidden flag on the group most of its faces went to (named
        persons first). A group no old person claims becomes a person whose id derives from its
        faces, so the same faces give the same ids. Returns the persons touched and the photos
        whose faces changed person."""
        rows = await self.conn.fetch(
            "SELECT photo_id, ordinal, person_id, embedding FROM faces WHERE owner_id = $1 "
            "AND embedding IS NOT NULL ORDER BY photo_id, ordinal", self.owner_id,
        )
        if not rows:
            return set(), []
        persons = await self.conn.fetch(
            """SELECT person_id, name IS NOT NULL AS named,
                      EXISTS (SELECT 1 FROM persons m WHERE m.merged_into = p.person_id) AS merged_into_it
               FROM persons p WHERE owner_id = $1 AND merged_into IS NULL""", self.owner_id,
        )
        vouched = {r["person_id"] for r in persons if r["named"] or r["merged_into_it"]}
        named = {r["person_id"] for r in persons if r["named"]}
        previous = [r["person_id"] for r in rows]
        groups = recluster(np.asarray([r["embedding"] for r in rows], dtype=np.float32), threshold,
                           keep=[p if p in vouched else None for p in previous])
        kept = carry_names(groups, previous, named)
        members: dict[int, list[str]] = {}
        for r, g in zip(rows, groups, strict=True):
            members.setdefault(g, []).append(f"{r['photo_id']}/{r['ordinal']}")
        ids = {g: kept[g] or str(uuid.uuid5(_PERSON_NS, "recluster/" + "|".join(members[g]))) for g in members}
        touched: set[str] = set()
        moved: set[str] = set()
        for r, g in zip(rows, groups, strict=True):
            new = ids[g]
            if new == r["person_id"]:
                continue
            if kept[g] is None:
                await self.conn.execute(
                    "INSERT INTO persons (person_id, owner_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    new, self.owner_id,
                )
            await self.conn.execute(
                "UPDATE faces SET person_id = $3 WHERE photo_id = $1 AND ordinal = $2", r["photo_id"], r["ordinal"], new
            )
            touched |= {new, *([r["person_id"]] if r["person_id"] else [])}
            moved.add(r["photo_id"])
        await self._bump(touched)
        return touched, sorted(moved)

    async def everything(self) -> tuple[set[str], list[str]]:
        """Every person and every photo with faces of the owner."""
        persons = await self.conn.fetch("SELECT person_id FROM persons WHERE owner_id = $1", self.owner_id)
        photos = await self.conn.fetch("SELECT DISTINCT photo_id FROM faces WHERE owner_id = $1", self.owner_id)
        return {r["person_id"] for r in persons}, sorted(r["photo_id"] for r in photos)

    async def photo_faces(self, photo_id: str) -> PhotoFaces | None:
        rows = await self.conn.fetch(
            "SELECT ordinal, box, person_id, tagging_event_id FROM faces WHERE photo_id = $1 ORDER BY ordinal",
            photo_id,
        )
        if not rows:
            return None
        return PhotoFaces(photo_id, self.owner_id, rows[0]["tagging_event_id"],
                          [(r["ordinal"], tuple(r["box"]), r["person_id"]) for r in rows])


class PgPeopleStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @asynccontextmanager
    async def owner(self, owner_id: str) -> AsyncIterator[Owner]:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", owner_id)
            yield Owner(conn, owner_id)

    async def remember_source(self, photo_id: str, owner_id: str, bucket: str, key: str) -> str | None:
        """Record where a photo's pixels are; returns a tagged event parked for it, if any."""
        async with self.pool.acquire() as conn, conn.transaction():
            if await conn.fetchval("SELECT true FROM deleted WHERE photo_id = $1", photo_id):
                return None
            await conn.execute(
                """INSERT INTO sources (photo_id, owner_id, bucket, key) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (photo_id) DO UPDATE SET bucket = excluded.bucket, key = excluded.key""",
                photo_id, owner_id, bucket, key,
            )
            return await conn.fetchval("DELETE FROM pending WHERE photo_id = $1 RETURNING body", photo_id)

    async def source(self, photo_id: str) -> tuple[str, str] | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow("SELECT bucket, key FROM sources WHERE photo_id = $1", photo_id)
        return (row["bucket"], row["key"]) if row else None

    async def park(self, photo_id: str, owner_id: str, body: str) -> None:
        """Keep a tagged event until the photo's rendition is known (ingested seen)."""
        async with self.pool.acquire() as conn:
            await conn.execute(
                """INSERT INTO pending (photo_id, owner_id, body) VALUES ($1, $2, $3)
                   ON CONFLICT (photo_id) DO UPDATE SET body = excluded.body""",
                photo_id, owner_id, body,
            )

    async def has_faces(self, photo_id: str) -> bool:
        async with self.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT true FROM faces WHERE photo_id = $1 LIMIT 1", photo_id))

    async def list_owner_faces(self, owner_id: str) -> list[dict[str, Any]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT photo_id, ordinal, person_id, embedding FROM faces WHERE owner_id = $1 "
                "AND embedding IS NOT NULL ORDER BY photo_id, ordinal", owner_id,
            )
        return [dict(r) for r in rows]


async def create_pool(url: str, max_size: int) -> asyncpg.Pool:
    return await asyncpg.create_pool(asyncpg_dsn(url), min_size=1, max_size=max_size)
