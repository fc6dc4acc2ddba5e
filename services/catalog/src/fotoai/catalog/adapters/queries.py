"""The read side over asyncpg: list, detail, object coordinates, tag counts, text and vector
search. Every statement is parameterised and scoped to the owner; tombstones never show.

Summaries are built with two round-trips per page (the rows, then their tags and thumbnails by
`id = ANY($1)`) rather than one row per photo, so a page costs the same at any library size.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import numpy as np
from fotoai.catalog.adapters.photo_sql import (
    ARCHIVED,
    NOT_HIDDEN,
    NOT_IN_TRASH,
    SORT_KEYS,
    SUMMARY_COLUMNS,
    iso,
    summaries,
    summary,
    visibility,
)
from fotoai.catalog.adapters.recognition_read import SEARCH_HITS, with_recognition
from fotoai.catalog.domain.cursor import decode_cursor, encode_cursor
from fotoai.catalog.domain.filters import ListFilters
from fotoai.catalog.domain.search_terms import parse_query, word_pattern
from fotoai.contracts import OBJECT_NAMES

_RENDITION_EXT = {"image/jpeg": "jpg", "image/webp": "webp", "image/png": "png", "image/avif": "avif"}
RENDITIONS = OBJECT_NAMES


def _latest_failures(timeline: list[asyncpg.Record], stages: list[str]) -> list[asyncpg.Record]:
    latest: dict[str, asyncpg.Record] = {}
    for t in timeline:
        if t["event"] == "failed" and t["stage"] in stages:
            latest[t["stage"]] = t
    return [latest[s] for s in stages if s in latest]


class PgCatalogQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def list_photos(
        self, owner_id: str, limit: int, cursor: str | None, filters: ListFilters
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first; raises domain.cursor.InvalidCursor for a cursor we did not issue."""
        where = ["p.owner_id = $1", "p.deleted_at IS NULL", *visibility(filters.archived, filters.favorite)]
        args: list[Any] = [owner_id]
        key = SORT_KEYS[filters.sort]

        def arg(value: Any) -> str:
            args.append(value)
            return f"${len(args)}"

        if cursor:
            at, pid = decode_cursor(cursor)
            where.append(f"({key}, p.id) < ({arg(at)}, {arg(pid)})")
        if filters.status:
            where.append(f"p.status = {arg(filters.status)}")
        if filters.taken_after:
            where.append(f"p.taken_at >= {arg(filters.taken_after)}")
        if filters.taken_before:
            where.append(f"p.taken_at < {arg(filters.taken_before)}")
        if filters.camera:
            where.append(f"p.camera ILIKE {arg('%' + _like_escape(filters.camera) + '%')}")
        if filters.tag:
            where.append(
                f"p.id IN (SELECT t.photo_id FROM tags t WHERE t.owner_id = $1 "
                f"AND lower(t.label) = lower({arg(filters.tag)}))"
            )
        if filters.person:
            where.append(f"p.id IN (SELECT r.photo_id FROM recognized_faces r WHERE r.owner_id = $1 "
                         f"AND {arg(filters.person)} = ANY(r.person_ids))")
        if filters.duplicate_of:
            where.append(f"p.duplicate_of = {arg(filters.duplicate_of)}")
        sql = (
            f"SELECT {SUMMARY_COLUMNS}, {key} AS sort_at FROM photos p WHERE {' AND '.join(where)} "
            f"ORDER BY {key} DESC, p.id DESC LIMIT {arg(limit + 1)}"
        )
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(sql, *args)
            page = rows[:limit]
            items = summaries(page)
        next_cursor = encode_cursor(page[-1]["sort_at"], page[-1]["id"]) if len(rows) > limit else None
        return items, next_cursor

    async def detail(self, owner_id: str, photo_id: str) -> dict[str, Any] | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT p.*, {SUMMARY_COLUMNS} FROM photos p "
                f"WHERE p.id = $1 AND p.owner_id = $2 AND p.deleted_at IS NULL AND {NOT_IN_TRASH}",
                photo_id, owner_id,
            )
            if row is None:
                return None
            head = summary(row)
            tags = await conn.fetch(
                """SELECT label, source, max(score) AS score FROM tags WHERE photo_id = $1
                   GROUP BY label, source ORDER BY score DESC, label""", photo_id,
            )
            run = await conn.fetchrow(
                """SELECT model_id, quality, colors FROM tagging_runs WHERE photo_id = $1
                   ORDER BY occurred_at DESC, event_id DESC LIMIT 1""", photo_id,
            )
            faces = await conn.fetch(
                "SELECT x, y, w, h, score FROM faces WHERE photo_id = $1 AND model_id = $2 ORDER BY ordinal",
                photo_id, run["model_id"] if run else "",
            )
            renditions = await conn.fetch(
                "SELECT name, bucket, key, width, height, bytes, mime FROM renditions WHERE photo_id = $1 ORDER BY name",
                photo_id,
            )
            timeline = await conn.fetch(
                "SELECT stage, event, at, detail FROM timeline WHERE photo_id = $1 ORDER BY at, event_id", photo_id
            )
        quality = (run["quality"] if run else None) or {}
        gps = (
            {"lat": row["gps_lat"], "lon": row["gps_lon"], "alt": row["gps_alt"]}
            if row["gps_lat"] is not None and row["gps_lon"] is not None else None
        )
        return await with_recognition(self.pool, owner_id, photo_id, {
            **head,
            "tags": [{"label": t["label"], "score": t["score"], "source": t["source"]} for t in tags],
            "metadata": {
                "taken_at": iso(row["taken_at"]), "camera_make": row["camera_make"],
                "camera_model": row["camera_model"], "lens": row["lens"],
                "exposure_time": row["exposure_time"], "f_number": row["f_number"], "iso": row["iso"],
                "focal_length": row["focal_length"], "gps": gps,
            },
            "faces": [{"box": [f["x"], f["y"], f["w"], f["h"]], "score": f["score"]} for f in faces],
            "quality": {k: bool(quality.get(k, False)) for k in ("blurry", "dark", "overexposed", "low_resolution")},
            "colors": (run["colors"] if run else None) or [],
            "enhancement": row["enhancement"],
            "renditions": [dict(r) for r in renditions],
            "timeline": [{"stage": t["stage"], "event": t["event"], "at": iso(t["at"]),
                          **({"detail": t["detail"]} if t["detail"] else {})} for t in timeline],
            # Why each failed stage gave up: the latest failure report of each (re-run with
            # `python -m fotoai.servicekit.dlq rerun --photo <id>`).
            "failures": [
                {"stage": t["stage"], "at": iso(t["at"]), **(t["detail"] or {})}
                for t in _latest_failures(timeline, head["failed_stages"])
            ],
        })

    async def object_of(self, owner_id: str, photo_id: str, rendition: str) -> dict[str, Any] | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                f"""SELECT file_name, content_type, original_bucket, original_key FROM photos p
                   WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL AND {NOT_IN_TRASH}""", photo_id, owner_id,
            )
            if row is None:
                return None
            if rendition == "original":
                if not row["original_key"]:
                    return None
                return {"bucket": row["original_bucket"], "key": row["original_key"],
                        "mime": row["content_type"] or "application/octet-stream",
                        "file_name": row["file_name"] or photo_id}
            r = await conn.fetchrow(
                "SELECT bucket, key, mime FROM renditions WHERE photo_id = $1 AND name = $2", photo_id, rendition
            )
        if r is None:
            return None
        stem = (row["file_name"] or photo_id).rsplit(".", 1)[0]
        ext = _RENDITION_EXT.get(r["mime"], r["key"].rsplit(".", 1)[-1] if "." in r["key"] else "bin")
        return {"bucket": r["bucket"], "key": r["key"], "mime": r["mime"], "file_name": f"{stem}-{rendition}.{ext}"}

    async def tag_counts(self, owner_id: str) -> list[dict[str, Any]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                # Distinct (label, photo) pairs by hashing, not by sorting text under a collation.
                """SELECT label, count(*) AS count FROM (
                       SELECT DISTINCT label COLLATE "C" AS label, photo_id FROM tags WHERE owner_id = $1) d
                   GROUP BY label ORDER BY count DESC, label""", owner_id,
            )
        return [{"label": r["label"], "count": r["count"]} for r in rows]

    async def text_search(self, owner_id: str, q: str, limit: int, archived: bool = False) -> list[dict[str, Any]]:
        """Photos matching the words of `q` as people mean them (domain/search_terms.py: base
        forms, synonyms, categories above a label) in their tags, or as typed in their file
        name or camera; those matching more of the query first, then by best tag score.
        `archived`: search the archive instead of the timeline (the trash never)."""
        terms = parse_query(q)
        if not terms:
            return []
        word_res = [word_pattern(t) for t in terms]
        raw = ["%" + _like_escape(t.word) + "%" for t in terms]
        labels = [label for t in terms for label in sorted(t.labels)]
        label_idx = [i + 1 for i, t in enumerate(terms) for _ in t.labels]
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""WITH hits AS (
                      SELECT t.photo_id AS id, w.idx, max(t.score) AS best
                      FROM tags t JOIN unnest($2::text[]) WITH ORDINALITY w(re, idx)
                        ON lower(t.label) ~ w.re
                      WHERE t.owner_id = $1 GROUP BY t.photo_id, w.idx
                      UNION ALL
                      SELECT t.photo_id, e.idx, max(t.score)
                      FROM tags t JOIN unnest($4::text[], $5::int[]) e(label, idx)
                        ON lower(t.label) = e.label
                      WHERE t.owner_id = $1 GROUP BY t.photo_id, e.idx
                      UNION ALL
                      SELECT p.id, w.idx, 0 FROM photos p
                      JOIN unnest($3::text[]) WITH ORDINALITY w(pat, idx)
                        ON lower(coalesce(p.file_name, '')) LIKE w.pat
                           OR lower(coalesce(p.camera, '')) LIKE w.pat
                      WHERE p.owner_id = $1 AND p.deleted_at IS NULL
                      UNION ALL {SEARCH_HITS}),
                    ranked AS (
                      SELECT p.id, p.created_at, count(DISTINCT h.idx) AS matched, max(h.best) AS best
                      FROM hits h JOIN photos p ON p.id = h.id
                      WHERE p.owner_id = $1 AND p.deleted_at IS NULL AND {ARCHIVED if archived else NOT_HIDDEN}
                      GROUP BY p.id, p.created_at
                      ORDER BY matched DESC, best DESC, p.created_at DESC, p.id DESC LIMIT $6)
                    -- Summaries only for the page, not for every candidate.
                    SELECT {SUMMARY_COLUMNS} FROM ranked r JOIN photos p ON p.id = r.id
                    ORDER BY r.matched DESC, r.best DESC, r.created_at DESC, r.id DESC""",
                owner_id, word_res, raw, labels, label_idx, limit,
            )
            return summaries(rows)

    async def semantic_search(
        self, owner_id: str, model_id: str, vector: list[float], limit: int, archived: bool = False
    ) -> list[dict[str, Any]] | None:
        """Nearest neighbours by cosine distance among embeddings of `model_id` with the same
        dimension, through that space's HNSW index; None when no photo has such embeddings."""
        dim = len(vector)
        async with self.pool.acquire() as conn:
            space = await conn.fetchval(
                "SELECT id FROM embedding_spaces WHERE model_id = $1 AND dimension = $2", model_id, dim
            )
            if space is None:
                return None
            async with conn.transaction():
                # Owner filtering after an HNSW scan can starve results; iterative scans keep
                # walking the graph until `limit` rows of this owner are found.
                await conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                await conn.execute(f"SET LOCAL hnsw.ef_search = {max(40, min(1000, 2 * limit))}")
                # The space id and dimension are our integers; they must be literals for the
                # planner to match the partial expression index.
                rows = await conn.fetch(
                    f"""WITH nn AS MATERIALIZED (
                          SELECT e.photo_id, e.embedding::vector({dim}) <=> $2::vector({dim}) AS distance
                          FROM embeddings e
                          WHERE e.space_id = {int(space)} AND e.owner_id = $1
                          ORDER BY e.embedding::vector({dim}) <=> $2::vector({dim}) LIMIT $3)
                        SELECT {SUMMARY_COLUMNS}, nn.distance FROM nn JOIN photos p ON p.id = nn.photo_id
                        WHERE p.deleted_at IS NULL AND {ARCHIVED if archived else NOT_HIDDEN}
                        ORDER BY nn.distance, p.id""",
                    owner_id, np.asarray(vector, dtype=np.float32), limit,
                )
            return summaries(rows)

    async def explain_semantic(self, model_id: str, dim: int) -> str:
        """The plan of a nearest-neighbour scan over one embedding space, whatever the owner.

        With an owner filter the planner chooses per query: the space's HNSW index for large
        libraries, or the (owner_id, space_id) btree and an exact sort for small ones, which is
        cheaper and exact. Tests check the HNSW path exists and is usable for the space.
        """
        async with self.pool.acquire() as conn:
            space = await conn.fetchval(
                "SELECT id FROM embedding_spaces WHERE model_id = $1 AND dimension = $2", model_id, dim
            )
            if space is None:
                return ""
            async with conn.transaction():
                await conn.execute("SET LOCAL enable_seqscan = off")
                rows = await conn.fetch(
                    f"""EXPLAIN SELECT e.photo_id FROM embeddings e WHERE e.space_id = {int(space)}
                        ORDER BY e.embedding::vector({dim}) <=> $1::vector({dim}) LIMIT 10""",
                    np.zeros(dim, dtype=np.float32),
                )
        return "\n".join(r[0] for r in rows)

    async def count_by_status(self) -> dict[str, int]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT status, count(*) AS n FROM photos WHERE deleted_at IS NULL GROUP BY status"
            )
        return {r["status"]: r["n"] for r in rows}


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
