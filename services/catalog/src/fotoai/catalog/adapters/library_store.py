"""The library projections' PostgreSQL side: one transaction per event, like store.py.

`PgLibraryStore.photo(...)` and `.album(...)` record the event id in `processed_events` (a
redelivery yields None), create or lock the one row the event is about (`photo_states` or
`albums`, `FOR UPDATE` through a no-op upsert) and hand the use case a unit; on exit the unit
writes its changed columns and commits. Album facts lock their album row only: membership and
link rows are children of it, so one album's events serialise and different albums never wait.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg

_BEGIN = """
INSERT INTO processed_events (event_id, photo_id, topic) VALUES ($1, $2, $3)
ON CONFLICT (event_id) DO NOTHING RETURNING true
"""

_LOCK_STATE = """
INSERT INTO photo_states (photo_id, owner_id, favorite, archived) VALUES ($1, $2, false, false)
ON CONFLICT (photo_id) DO UPDATE SET photo_id = photo_states.photo_id
RETURNING *
"""

_LOCK_ALBUM = """
INSERT INTO albums (id, owner_id) VALUES ($1, $2)
ON CONFLICT (id) DO UPDATE SET id = albums.id
RETURNING *
"""

# Membership: last writer wins per (album, photo).
_MEMBERSHIP = """
INSERT INTO album_photos (album_id, photo_id, member, added_at, version)
SELECT $1, p, $3, $4, $5 FROM unnest($2::text[]) AS p
ON CONFLICT (album_id, photo_id) DO UPDATE
  SET member = EXCLUDED.member, added_at = EXCLUDED.added_at, version = EXCLUDED.version
  WHERE album_photos.version < EXCLUDED.version
"""

# A link's creation: the newest version wins (a link is created once; a replayed or forged
# second creation still converges). A revocation is a tombstone: the earliest one is kept.
_LINK_CREATED = """
INSERT INTO album_links (album_id, id, token_sha256, created_version, expires_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (album_id, id) DO UPDATE SET token_sha256 = EXCLUDED.token_sha256,
  created_version = EXCLUDED.created_version, expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at
  WHERE album_links.created_version IS NULL OR album_links.created_version < EXCLUDED.created_version
"""

_LINK_REVOKED = """
INSERT INTO album_links (album_id, id, revoked_at) VALUES ($1, $2, $3)
ON CONFLICT (album_id, id) DO UPDATE SET revoked_at = least(album_links.revoked_at, EXCLUDED.revoked_at)
"""


class RowUnit:
    """One locked row: `row` as read, `set()` records the columns to write back."""

    def __init__(self, conn: asyncpg.Connection, table: str, key: str, row: dict[str, Any]) -> None:
        self.conn, self.table, self.key = conn, table, key
        self.row = row
        self.changes: dict[str, Any] = {}

    def set(self, **columns: Any) -> None:
        self.changes.update(columns)
        self.row.update(columns)

    async def flush(self) -> None:
        if not self.changes:
            return
        cols = list(self.changes)
        assignments = ", ".join(f"{c} = ${i + 2}" for i, c in enumerate(cols))
        await self.conn.execute(
            f"UPDATE {self.table} SET {assignments} WHERE {self.key} = $1",
            self.row[self.key], *(self.changes[c] for c in cols),
        )


class AlbumUnit(RowUnit):
    async def set_members(self, photo_ids: Sequence[str], member: bool, at: datetime, version: str) -> None:
        await self.conn.execute(_MEMBERSHIP, self.row["id"], list(dict.fromkeys(photo_ids)), member, at, version)

    async def link_created(
        self, link_id: str, token_sha256: str, expires_at: datetime | None, at: datetime, version: str,
    ) -> None:
        await self.conn.execute(_LINK_CREATED, self.row["id"], link_id, token_sha256, version, expires_at, at)

    async def link_revoked(self, link_id: str, at: datetime) -> None:
        await self.conn.execute(_LINK_REVOKED, self.row["id"], link_id, at)


class PgLibraryStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @asynccontextmanager
    async def photo(self, *, event_id: str, photo_id: str, owner_id: str, topic: str) -> AsyncIterator[RowUnit | None]:
        async with self.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval(_BEGIN, event_id, photo_id, topic):
                yield None
                return
            unit = RowUnit(conn, "photo_states", "photo_id", dict(await conn.fetchrow(_LOCK_STATE, photo_id, owner_id)))
            yield unit
            await unit.flush()

    @asynccontextmanager
    async def album(self, *, event_id: str, album_id: str, owner_id: str, topic: str) -> AsyncIterator[AlbumUnit | None]:
        async with self.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval(_BEGIN, event_id, album_id, topic):
                yield None
                return
            unit = AlbumUnit(conn, "albums", "id", dict(await conn.fetchrow(_LOCK_ALBUM, album_id, owner_id)))
            yield unit
            await unit.flush()


async def library_snapshot(pool: asyncpg.Pool, owner_id: str) -> dict[str, list[tuple]]:
    """Every library row of one owner in a canonical order (see store.snapshot)."""
    queries = {
        "photo_states": "SELECT * FROM photo_states WHERE owner_id = $1 ORDER BY photo_id",
        "albums": "SELECT * FROM albums WHERE owner_id = $1 ORDER BY id",
        "album_photos": (
            "SELECT m.* FROM album_photos m JOIN albums a ON a.id = m.album_id WHERE a.owner_id = $1 "
            "ORDER BY m.album_id, m.photo_id"
        ),
        "album_links": (
            "SELECT l.* FROM album_links l JOIN albums a ON a.id = l.album_id WHERE a.owner_id = $1 "
            "ORDER BY l.album_id, l.id"
        ),
    }
    out: dict[str, list[tuple]] = {}
    async with pool.acquire() as conn:
        for name, sql in queries.items():
            out[name] = [tuple(r.values()) for r in await conn.fetch(sql, owner_id)]
    return out
