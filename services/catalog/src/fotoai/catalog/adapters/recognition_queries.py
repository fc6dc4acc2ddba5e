"""The read side of people, places and text in photos: persons, a person's photos, places,
map markers, what a photo's detail gains, and the search hits they add (`recognition_search.py`).

Everything is scoped to the owner; photos in the trash, archived or deleted never show.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from fotoai.catalog.adapters.photo_sql import (
    NOT_HIDDEN,
    SUMMARY_COLUMNS,
    changed_sql,
    shown_thumbs,
    summaries,
    thumbs_sql,
)
from fotoai.catalog.domain.cursor import decode_cursor, encode_cursor

_PERSON = """person_id, name, hidden, merged_into, face_count, cover,
    (SELECT count(*) FROM recognized_faces r JOIN photos p ON p.id = r.photo_id
      WHERE pe.person_id = ANY(r.person_ids) AND p.deleted_at IS NULL AND {not_hidden}) AS photo_count,
    """ + thumbs_sql("(pe.cover->>'photo_id')") + " AS thumbs"


def _person(r: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": r["person_id"], "name": r["name"], "hidden": r["hidden"], "merged_into": r["merged_into"],
        "face_count": r["face_count"], "photo_count": r["photo_count"], "cover": r["cover"],
        # The face is cropped out of the cover: its 1024 px thumbnail, FotoAI's version where
        # enhancement changed the picture (as the gallery shows it).
        "thumb": shown_thumbs(r["thumbs"])["thumb_large"],
    }


class PgRecognitionQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def people(self, owner_id: str, include_hidden: bool = False) -> list[dict[str, Any]]:
        person = _PERSON.format(not_hidden=NOT_HIDDEN)
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT * FROM (SELECT {person} FROM persons pe
                      WHERE pe.owner_id = $1 AND pe.merged_into IS NULL AND ($2 OR NOT pe.hidden)) x
                    WHERE x.photo_count > 0
                    ORDER BY x.name IS NULL, x.photo_count DESC, x.name, x.person_id""",
                owner_id, include_hidden,
            )
        return [_person(r) for r in rows]

    async def person(self, owner_id: str, person_id: str) -> dict[str, Any] | None:
        person = _PERSON.format(not_hidden=NOT_HIDDEN)
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT {person} FROM persons pe WHERE pe.owner_id = $1 AND pe.person_id = $2",
                owner_id, person_id,
            )
        return _person(row) if row else None

    async def person_photos(
        self, owner_id: str, person_id: str, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        args: list[Any] = [owner_id, person_id, limit + 1]
        after = ""
        if cursor:
            at, pid = decode_cursor(cursor)
            args += [at, pid]
            after = "AND (p.created_at, p.id) < ($4, $5)"
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT {SUMMARY_COLUMNS} FROM photos p JOIN recognized_faces r ON r.photo_id = p.id
                    WHERE p.owner_id = $1 AND $2 = ANY(r.person_ids) AND p.deleted_at IS NULL
                      AND {NOT_HIDDEN} {after}
                    ORDER BY p.created_at DESC, p.id DESC LIMIT $3""",
                *args,
            )
            page = rows[:limit]
            items = summaries(page)
        next_cursor = encode_cursor(page[-1]["created_at"], page[-1]["id"]) if len(rows) > limit else None
        return items, next_cursor

    async def places(self, owner_id: str) -> list[dict[str, Any]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT p.place->>'country' AS country, p.place->>'country_code' AS country_code,
                           p.place->>'state' AS state, p.place->>'city' AS city, count(*) AS count,
                           (array_agg(p.id ORDER BY p.created_at DESC, p.id DESC))[1] AS cover_photo_id,
                           avg(p.gps_lat) AS lat, avg(p.gps_lon) AS lon
                    FROM photos p WHERE p.owner_id = $1 AND p.place IS NOT NULL AND p.deleted_at IS NULL
                      AND {NOT_HIDDEN}
                    GROUP BY 1, 2, 3, 4 ORDER BY count DESC, country, city""",
                owner_id,
            )
            thumbs = {
                r["id"]: shown_thumbs(r["thumbs"]) for r in await conn.fetch(
                    f"SELECT c.id, {thumbs_sql('c.id', changed_sql('c'))} AS thumbs FROM photos c "
                    "WHERE c.id = ANY($1::text[])",
                    [r["cover_photo_id"] for r in rows],
                )
            }
        # The cover as a gallery shows it: FotoAI's version where enhancement changed it.
        return [{**dict(r), **{k: thumbs.get(r["cover_photo_id"], {}).get(k) for k in ("thumb", "thumb_large")}}
                for r in rows]

    async def map_markers(self, owner_id: str, limit: int) -> list[dict[str, Any]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT p.id, p.gps_lat AS lat, p.gps_lon AS lon FROM photos p
                    WHERE p.owner_id = $1 AND p.gps_lat IS NOT NULL AND p.gps_lon IS NOT NULL
                      AND p.deleted_at IS NULL AND {NOT_HIDDEN}
                    ORDER BY p.created_at DESC, p.id DESC LIMIT $2""",
                owner_id, limit,
            )
        return [dict(r) for r in rows]
