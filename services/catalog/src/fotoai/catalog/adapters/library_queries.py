"""The library's read side: the capture-time timeline and its month buckets, the trash,
albums (owner only), albums shared by link (by token hash, only that album's photos), the
SHA-256 lookup bulk imports skip duplicates with, and the trash entries past retention.

`photo_sql.visibility()` is the one definition of what a listing shows: never a photo in the trash,
archived photos only when asked for. Every statement is parameterised and owner-scoped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
from fotoai.catalog.adapters.photo_sql import (
    IN_TRASH,
    NOT_IN_TRASH,
    SORT_KEYS,
    SUMMARY_COLUMNS,
    shown_thumbs,
    summaries,
    thumbs_sql,
    visibility,
)
from fotoai.catalog.domain.cursor import decode_cursor, encode_cursor


class PgLibraryQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def timeline(self, owner_id: str, archived: bool = False) -> list[dict[str, Any]]:
        where = " AND ".join(["p.owner_id = $1", "p.deleted_at IS NULL", *visibility(archived)])
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT to_char(date_trunc('month', {SORT_KEYS['taken']} AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
                           count(*) AS count
                    FROM photos p WHERE {where} GROUP BY 1 ORDER BY 1 DESC""", owner_id,
            )
        return [{"month": r["month"], "count": r["count"]} for r in rows]

    async def _page(
        self, conn: asyncpg.Connection, where: list[str], args: list[Any], key: str, limit: int, cursor: str | None,
    ) -> tuple[list[dict[str, Any]], str | None, list[asyncpg.Record]]:
        """A keyset page of photos ordered by the SQL expression `key`, newest first."""
        if cursor:
            at, pid = decode_cursor(cursor)
            args += [at, pid]
            where = [*where, f"({key}, p.id) < (${len(args) - 1}, ${len(args)})"]
        args.append(limit + 1)
        rows = await conn.fetch(
            f"""SELECT {SUMMARY_COLUMNS}, {key} AS sort_at FROM photos p
                WHERE {' AND '.join(where)} ORDER BY {key} DESC, p.id DESC LIMIT ${len(args)}""",
            *args,
        )
        page = rows[:limit]
        nxt = encode_cursor(page[-1]["sort_at"], page[-1]["id"]) if len(rows) > limit else None
        return summaries(page), nxt, page

    async def trash(self, owner_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
        trashed_at = "(SELECT s.trashed_at FROM photo_states s WHERE s.photo_id = p.id AND s.owner_id = p.owner_id)"
        async with self.pool.acquire() as conn:
            items, nxt, rows = await self._page(
                conn, ["p.owner_id = $1", "p.deleted_at IS NULL", IN_TRASH], [owner_id], trashed_at, limit, cursor,
            )
        for item, row in zip(items, rows, strict=True):
            item["trashed_at"] = row["sort_at"].isoformat()
        return {"items": items, "next_cursor": nxt}

    async def in_trash(self, owner_id: str, photo_id: str) -> bool:
        async with self.pool.acquire() as conn:
            return bool(await conn.fetchval(
                f"SELECT true FROM photos p WHERE p.id = $1 AND p.owner_id = $2 AND p.deleted_at IS NULL AND {IN_TRASH}",
                photo_id, owner_id,
            ))

    async def trash_ids(self, owner_id: str, limit: int) -> list[str]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT p.id FROM photos p WHERE p.owner_id = $1 AND p.deleted_at IS NULL AND {IN_TRASH}
                    ORDER BY p.id LIMIT $2""", owner_id, limit,
            )
        return [r["id"] for r in rows]

    async def expired_trash(self, before: datetime, limit: int) -> list[dict[str, str]]:
        """Photos (of every owner) in the trash since before `before`: due for purging."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                """SELECT s.photo_id, s.owner_id FROM photo_states s JOIN photos p ON p.id = s.photo_id
                   WHERE s.trashed_at < $1 AND p.deleted_at IS NULL AND p.owner_id = s.owner_id
                   ORDER BY s.trashed_at LIMIT $2""", before, limit,
            )
        return [{"photo_id": r["photo_id"], "owner_id": r["owner_id"]} for r in rows]

    async def by_sha256(self, owner_id: str, hashes: list[str]) -> dict[str, str]:
        """sha256 → id of the owner's photo with those bytes (in the trash too: the owner
        deleted it on purpose; a re-import must not bring it back)."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                """SELECT DISTINCT ON (sha256) sha256, id FROM photos
                   WHERE owner_id = $1 AND deleted_at IS NULL AND sha256 = ANY($2::text[])
                   ORDER BY sha256, created_at, id""", owner_id, hashes,
            )
        return {r["sha256"]: r["id"] for r in rows}

    # ------------------------------------------------------------ albums

    # The cover: the chosen photo while it is in the album, else the last one added; shown as
    # a gallery shows it (FotoAI's version where enhancement changed it).
    _COVER = """coalesce(
            (SELECT c.id FROM photos c JOIN album_photos cm ON cm.photo_id = c.id AND cm.album_id = a.id AND cm.member
              WHERE c.id = a.cover_photo_id AND c.owner_id = a.owner_id),
            (SELECT m.photo_id FROM album_photos m WHERE m.album_id = a.id AND m.member
              ORDER BY m.added_at DESC, m.photo_id LIMIT 1))"""
    _ALBUM = """SELECT a.id, a.title, a.created_at, a.cover_photo_id,
        (SELECT count(*) FROM album_photos m JOIN photos p ON p.id = m.photo_id
          WHERE m.album_id = a.id AND m.member AND p.owner_id = a.owner_id AND p.deleted_at IS NULL
            AND {visible}) AS photo_count,
        """ + thumbs_sql(_COVER) + """ AS thumbs
        FROM albums a"""

    @staticmethod
    def _album(r: asyncpg.Record) -> dict[str, Any]:
        shown = shown_thumbs(r["thumbs"])
        return {"id": r["id"], "title": r["title"], "created_at": r["created_at"].isoformat() if r["created_at"] else None,
                "cover_photo_id": r["cover_photo_id"], "photo_count": r["photo_count"],
                "thumb": shown["thumb"], "thumb_large": shown["thumb_large"]}

    def _album_sql(self, where: str) -> str:
        return self._ALBUM.format(visible=NOT_IN_TRASH) + f" WHERE {where}"

    async def albums(self, owner_id: str) -> list[dict[str, Any]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                self._album_sql("a.owner_id = $1 AND a.deleted_at IS NULL AND a.created_at IS NOT NULL")
                + " ORDER BY a.created_at DESC, a.id DESC", owner_id,
            )
        return [self._album(r) for r in rows]

    def _album_photos_where(self) -> list[str]:
        return [
            "p.owner_id = $1", "p.deleted_at IS NULL", NOT_IN_TRASH,
            "EXISTS (SELECT 1 FROM album_photos m WHERE m.album_id = $2 AND m.photo_id = p.id AND m.member)",
        ]

    async def album(self, owner_id: str, album_id: str, limit: int, cursor: str | None) -> dict[str, Any] | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                self._album_sql("a.id = $1 AND a.owner_id = $2 AND a.deleted_at IS NULL AND a.created_at IS NOT NULL"),
                album_id, owner_id,
            )
            if row is None:
                return None
            items, nxt, _ = await self._page(conn, self._album_photos_where(), [owner_id, album_id], SORT_KEYS["taken"], limit, cursor)
            links = await conn.fetch(
                """SELECT id, token_sha256, expires_at, created_at FROM album_links
                   WHERE album_id = $1 AND revoked_at IS NULL AND token_sha256 IS NOT NULL
                     AND (expires_at IS NULL OR expires_at > now()) ORDER BY created_at, id""", album_id,
            )
        return {
            **self._album(row), "items": items, "next_cursor": nxt,
            "links": [{"id": k["id"], "token_sha256": k["token_sha256"],
                       "expires_at": k["expires_at"].isoformat() if k["expires_at"] else None,
                       "created_at": k["created_at"].isoformat() if k["created_at"] else None} for k in links],
        }

    async def link_hash(self, owner_id: str, album_id: str, link_id: str) -> str | None:
        """The token hash of a link of the owner's album (revoked or not), for revocation."""
        async with self.pool.acquire() as conn:
            return await conn.fetchval(
                """SELECT l.token_sha256 FROM album_links l JOIN albums a ON a.id = l.album_id
                   WHERE l.id = $1 AND l.album_id = $2 AND a.owner_id = $3""", link_id, album_id, owner_id,
            )

    async def _shared_album(self, conn: asyncpg.Connection, token_sha256: str) -> asyncpg.Record | None:
        return await conn.fetchrow(
            """SELECT a.id, a.owner_id, a.title, l.expires_at FROM album_links l JOIN albums a ON a.id = l.album_id
               WHERE l.token_sha256 = $1 AND l.revoked_at IS NULL AND (l.expires_at IS NULL OR l.expires_at > now())
                 AND a.deleted_at IS NULL AND a.created_at IS NOT NULL""", token_sha256,
        )

    async def shared(self, token_sha256: str, limit: int, cursor: str | None) -> dict[str, Any] | None:
        """The album a live link opens, and a page of its photos: nothing else of the owner."""
        async with self.pool.acquire() as conn:
            a = await self._shared_album(conn, token_sha256)
            if a is None:
                return None
            items, nxt, _ = await self._page(conn, self._album_photos_where(), [a["owner_id"], a["id"]], SORT_KEYS["taken"], limit, cursor)
        public = ("id", "status", "taken_at", "created_at", "width", "height", "thumb", "thumb_large", "file_name")
        return {
            "album": {"id": a["id"], "title": a["title"],
                      "expires_at": a["expires_at"].isoformat() if a["expires_at"] else None},
            "items": [{k: i[k] for k in public} for i in items], "next_cursor": nxt,
        }

    async def shared_owner(self, token_sha256: str, photo_id: str) -> str | None:
        """The owner of `photo_id` when it is a visible photo of the album a live link opens."""
        async with self.pool.acquire() as conn:
            a = await self._shared_album(conn, token_sha256)
            if a is None:
                return None
            ok = await conn.fetchval(
                "SELECT true FROM photos p WHERE p.id = $3 AND "
                + " AND ".join(self._album_photos_where()), a["owner_id"], a["id"], photo_id,
            )
        return a["owner_id"] if ok else None
