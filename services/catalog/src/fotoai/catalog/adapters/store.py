"""The projections' PostgreSQL side: one transaction per batch of events over asyncpg.

`PgCatalogStore.transaction()` opens one transaction for a batch. `claim(events)` records
every event id in `processed_events` (a redelivery finds its id there and its `unit(...)`
yields None: nothing changes), takes the locks and makes sure every photo's row exists, in
three statements for the whole batch. `unit(...)` then hands the use case the photo's
`PgPhotoUnit`, its row locked `FOR UPDATE`, shared by the photo's events of the batch. When
the batch ends the changed columns plus the derived status and stage states are written once
per photo, the timeline in one pipelined statement, duplicates are recomputed against the
final rows, and the transaction commits.

A batch commits once (one WAL flush for hundreds of events) and pays its bookkeeping once,
which is what lets the catalog keep up with the topics; `PgCatalogStore.unit(...)` is the
one-event batch.

Locks: events that can change duplicates (uploaded, ingest outcomes, deleted) first take an
advisory lock on their owner, all owners of a batch in sorted order, then the rows, in photo
id order. Owners before rows, always, so two transactions never wait on each other in a cycle.

Hand-written SQL over asyncpg rather than the ORM: the consumer's hot path is a few
statements per event, and asyncpg's prepared statements and pipelined `executemany` keep it
near the raw-loop speed (bench/catalog_projection.py). The schema is the SQLModel models in
schema.py.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
import numpy as np
from fotoai.catalog.domain.duplicates import NEAR_DUPLICATE_BITS
from fotoai.catalog.domain.status import camera_label, derive_status, ingest_stage, stage_state
from pgvector.asyncpg import register_vector

#: Columns a tombstone clears: everything but identity and the deletion itself.
_CLEARED_ON_DELETE = (
    "file_name", "content_type", "size", "sha256", "original_bucket", "original_key", "format",
    "width", "height", "orientation", "decode_path", "phash", "taken_at", "camera",
    "camera_make", "camera_model", "lens", "exposure_time", "f_number", "iso", "focal_length",
    "gps_lat", "gps_lon", "gps_alt", "enhancement", "rejection_reason", "rejection_message",
    "duplicate_of", "ingest_outcome", "ingest_version", "ingest_data_version", "enhance_outcome",
    "enhance_version", "tagging_outcome", "tagging_version",
)

_RECOMPUTE_DUPLICATES = f"""
WITH target AS (
    SELECT z.id, z.owner_id, z.created_at, z.sha256, z.phash FROM photos z
    WHERE z.owner_id = $1 AND z.deleted_at IS NULL
      AND (z.id = $2 OR z.duplicate_of = $2 OR z.sha256 = $3
           OR ($4::bigint IS NOT NULL AND z.phash IS NOT NULL
               AND bit_count((z.phash # $4::bigint)::bit(64)) <= {NEAR_DUPLICATE_BITS}))
), best AS (
    SELECT t.id, (
        SELECT y.id FROM photos y
        WHERE y.owner_id = t.owner_id AND y.deleted_at IS NULL AND y.status <> 'rejected'
          AND y.id <> t.id AND (y.created_at, y.id) < (t.created_at, t.id)
          AND (y.sha256 = t.sha256
               OR (y.phash IS NOT NULL AND t.phash IS NOT NULL
                   AND bit_count((y.phash # t.phash)::bit(64)) <= {NEAR_DUPLICATE_BITS}))
        ORDER BY y.created_at, y.id LIMIT 1
    ) AS dup FROM target t
)
UPDATE photos p SET duplicate_of = b.dup FROM best b
WHERE p.id = b.id AND p.duplicate_of IS DISTINCT FROM b.dup
"""


_UPSERT_RENDITION = """
INSERT INTO renditions (photo_id, name, bucket, key, width, height, bytes, mime)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (photo_id, name) DO UPDATE SET bucket = EXCLUDED.bucket, key = EXCLUDED.key,
  width = EXCLUDED.width, height = EXCLUDED.height, bytes = EXCLUDED.bytes, mime = EXCLUDED.mime
"""

# One round-trip for every photo of a batch: create each row on first sight, or lock and
# return the existing one (the no-op DO UPDATE takes the row lock that SELECT … FOR UPDATE
# would), in id order so two transactions never wait on each other in a cycle.
_LOCK_PHOTOS = """
INSERT INTO photos (id, owner_id, created_at, uploaded, status, stage_ingest, stage_enhance, stage_tagging)
SELECT p.id, p.owner_id, p.created_at, false, 'processing', 'pending', 'pending', 'pending'
FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS p (id, owner_id, created_at)
ORDER BY p.id
ON CONFLICT (id) DO UPDATE SET id = photos.id
RETURNING *
"""


async def _init_connection(conn: asyncpg.Connection) -> None:
    await register_vector(conn)
    # Statements are prepared once per connection; a generic plan cannot see that a tag or an
    # owner is selective, so plan with the actual values (planning is ~0.1-0.5 ms).
    await conn.execute("SET plan_cache_mode = force_custom_plan")
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(dsn: str, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, init=_init_connection)


class PgPhotoUnit:
    """One photo's locked row for a whole batch: changes collect here and are written once
    when the batch ends (`PgTransaction.finish`)."""

    def __init__(
        self, conn: asyncpg.Connection, row: dict[str, Any], owner_id: str, event_id: str, tx: PgTransaction,
    ) -> None:
        self.conn = conn
        self.row = row
        self.owner_id = owner_id
        self.event_id = event_id
        self.tx = tx
        self.changes: dict[str, Any] = {}
        self.duplicate_keys: list[tuple[str | None, int | None]] = []
        self.deleted = False

    @property
    def photo_id(self) -> str:
        return self.row["id"]

    def set(self, **columns: Any) -> None:
        self.changes.update(columns)
        self.row.update(columns)

    async def replace_renditions(self, renditions: Sequence[dict[str, Any]], keep: Sequence[str]) -> None:
        await self.conn.execute(
            "DELETE FROM renditions WHERE photo_id = $1 AND NOT (name = ANY($2::text[]))",
            self.photo_id, list(keep),
        )
        if renditions:
            await self.conn.executemany(_UPSERT_RENDITION, [self._rendition_args(r) for r in renditions])

    def _rendition_args(self, r: dict[str, Any]) -> tuple:
        return (self.photo_id, r["name"], r["bucket"], r["key"], r["width"], r["height"], r["bytes"], r["mime"])

    async def upsert_rendition(self, r: dict[str, Any]) -> None:
        await self.conn.execute(_UPSERT_RENDITION, *self._rendition_args(r))

    async def remove_renditions(self, names: Sequence[str]) -> None:
        await self.conn.execute(
            "DELETE FROM renditions WHERE photo_id = $1 AND name = ANY($2::text[])", self.photo_id, list(names)
        )

    async def tagging_run(self, model_id: str) -> dict[str, Any] | None:
        rec = await self.conn.fetchrow(
            "SELECT * FROM tagging_runs WHERE photo_id = $1 AND model_id = $2", self.photo_id, model_id
        )
        return dict(rec) if rec else None

    async def replace_tagging_run(
        self, run: dict[str, Any], tags: Sequence[dict[str, Any]], faces: Sequence[dict[str, Any]],
        embedding: tuple[str, Sequence[float]] | None,
    ) -> None:
        pid, model = self.photo_id, run["model_id"]
        await self.conn.execute(
            """INSERT INTO tagging_runs (photo_id, model_id, model_version, event_id, occurred_at,
                 device, duration_ms, quality, colors)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
               ON CONFLICT (photo_id, model_id) DO UPDATE SET model_version = EXCLUDED.model_version,
                 event_id = EXCLUDED.event_id, occurred_at = EXCLUDED.occurred_at,
                 device = EXCLUDED.device, duration_ms = EXCLUDED.duration_ms,
                 quality = EXCLUDED.quality, colors = EXCLUDED.colors""",
            pid, model, run["model_version"], run["event_id"], run["occurred_at"], run["device"],
            run["duration_ms"], run["quality"], run["colors"],
        )
        await self.conn.execute("DELETE FROM tags WHERE photo_id = $1 AND model_id = $2", pid, model)
        if tags:
            await self.conn.executemany(
                """INSERT INTO tags (photo_id, model_id, label, source, owner_id, model_version, score)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                [(pid, model, t["label"], t["source"], self.owner_id, run["model_version"], t["score"]) for t in tags],
            )
        await self.conn.execute("DELETE FROM faces WHERE photo_id = $1 AND model_id = $2", pid, model)
        if faces:
            await self.conn.executemany(
                "INSERT INTO faces (photo_id, model_id, ordinal, x, y, w, h, score) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
                [(pid, model, i, *f["box"], f["score"]) for i, f in enumerate(faces)],
            )
        if embedding is not None:
            space_model, vector = embedding
            space = await _space_id(self.conn, space_model, len(vector))
            await self.conn.execute(
                """INSERT INTO embeddings (photo_id, space_id, owner_id, embedding) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (photo_id, space_id) DO UPDATE SET embedding = EXCLUDED.embedding""",
                pid, space, self.owner_id, np.asarray(vector, dtype=np.float32),
            )

    async def add_timeline(self, stage: str, event: str, at: datetime, detail: dict[str, Any] | None = None) -> None:
        self.tx.timeline.append((self.event_id, self.photo_id, stage, event, at, detail))

    async def tombstone(self, deleted_at: datetime, deleted_by: str | None, version: str) -> None:
        pid = self.photo_id
        self.recompute_duplicates(self.row.get("sha256"), self.row.get("phash"))
        for table in ("renditions", "tags", "faces", "tagging_runs", "embeddings", "timeline"):
            await self.conn.execute(f"DELETE FROM {table} WHERE photo_id = $1", pid)
        self.tx.timeline = [t for t in self.tx.timeline if t[1] != pid]
        self.set(**{c: None for c in _CLEARED_ON_DELETE})
        self.set(deleted_at=deleted_at, deleted_by=deleted_by, deleted_version=version,
                 created_at=deleted_at, uploaded=False, status="deleted",
                 stage_ingest="pending", stage_enhance="pending", stage_tagging="pending")
        self.deleted = True

    def recompute_duplicates(self, sha256: str | None, phash: int | None) -> None:
        self.duplicate_keys.append((sha256, phash))

    def _derive(self) -> None:
        if self.deleted or self.row.get("deleted_at") is not None:
            return
        r = self.row
        derived = {
            "status": derive_status(r["ingest_outcome"], r["enhance_outcome"], r["tagging_outcome"]).value,
            "stage_ingest": ingest_stage(r["ingest_outcome"]).value,
            "stage_enhance": stage_state(r["enhance_outcome"]).value,
            "stage_tagging": stage_state(r["tagging_outcome"]).value,
            "camera": camera_label(r.get("camera_make"), r.get("camera_model")),
        }
        self.set(**{k: v for k, v in derived.items() if r.get(k) != v})


async def _space_id(conn: asyncpg.Connection, model_id: str, dimension: int) -> int:
    key = await conn.fetchval(
        "SELECT id FROM embedding_spaces WHERE model_id = $1 AND dimension = $2", model_id, dimension
    )
    if key is None:
        raise LookupError(f"embedding space {model_id}/{dimension} not registered")
    return int(key)


def hnsw_index_name(space_id: int) -> str:
    return f"embeddings_hnsw_{int(space_id)}"


class PgCatalogStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._spaces: dict[tuple[str, int], int] = {}

    async def ensure_space(self, model_id: str, dimension: int) -> int:
        """Register an embedding space and build its HNSW index, once, outside any projection
        transaction (CREATE INDEX blocks writers of the table while it runs)."""
        cached = self._spaces.get((model_id, dimension))
        if cached is not None:
            return cached
        dimension = int(dimension)
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('catalog.spaces', 0))")
            key = await conn.fetchval(
                """INSERT INTO embedding_spaces (model_id, dimension) VALUES ($1, $2)
                   ON CONFLICT (model_id, dimension) DO NOTHING RETURNING id""",
                model_id, dimension,
            )
            if key is None:
                key = await _space_id(conn, model_id, dimension)
            # Only integers we own reach the DDL text: the space key and the dimension.
            await conn.execute(
                f"CREATE INDEX IF NOT EXISTS {hnsw_index_name(key)} ON embeddings USING hnsw "
                f"((embedding::vector({dimension})) vector_cosine_ops) WHERE space_id = {int(key)}"
            )
        self._spaces[(model_id, dimension)] = int(key)
        return int(key)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgTransaction]:
        """One transaction for a batch of events: everything commits together or nothing does."""
        async with self.pool.acquire() as conn, conn.transaction():
            tx = PgTransaction(conn)
            yield tx
            await tx.finish()

    @asynccontextmanager
    async def unit(
        self, *, event_id: str, photo_id: str, owner_id: str, topic: str, at: datetime, owner_lock: bool
    ) -> AsyncIterator[PgPhotoUnit | None]:
        async with self.transaction() as tx, tx.unit(
            event_id=event_id, photo_id=photo_id, owner_id=owner_id, topic=topic, at=at, owner_lock=owner_lock,
        ) as unit:
            yield unit


class PgTransaction:
    """A batch of events in one transaction, with its per-event costs paid once per batch.

    `claim(events)` does in three statements what each event would otherwise do alone: take the
    owners' advisory locks (sorted), record every event id in `processed_events` (the ones
    already there come back as not fresh) and create or lock every photo's row (sorted by id).
    Each photo then has ONE unit for the whole batch: its events see each other's changes in
    memory, and at the end of the batch every changed row is written once, the timeline in
    one pipelined statement, and duplicates are recomputed against the batch's final rows.
    Without `claim`, `unit(...)` does the same work for one event (still deferred to the end)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.units: dict[str, PgPhotoUnit] = {}
        self.claimed: set[str] = set()
        self.fresh: set[str] = set()
        self.timeline: list[tuple] = []

    async def claim(self, events: Sequence[tuple[str, str, str, str, datetime, bool]]) -> None:
        """(event_id, photo_id, owner_id, topic, at, owner_lock) of every event of the batch."""
        conn = self.conn
        owners = sorted({e[2] for e in events if e[5]})
        if owners:
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(o, 7)) FROM unnest($1::text[]) o ORDER BY o",
                owners,
            )
        rows = await conn.fetch(
            """INSERT INTO processed_events (event_id, photo_id, topic)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
               ON CONFLICT (event_id) DO NOTHING RETURNING event_id""",
            [e[0] for e in events], [e[1] for e in events], [e[3] for e in events],
        )
        fresh = {r["event_id"] for r in rows}
        self.fresh |= fresh
        self.claimed.update(e[0] for e in events)
        first: dict[str, tuple[str, datetime]] = {}
        for event_id, photo_id, owner_id, _, at, _ in events:
            if event_id in fresh and photo_id not in first and photo_id not in self.units:
                first[photo_id] = (owner_id, at)
        if first:
            ids = sorted(first)
            for rec in await conn.fetch(
                _LOCK_PHOTOS, ids, [first[i][0] for i in ids], [first[i][1] for i in ids]
            ):
                self.units[rec["id"]] = PgPhotoUnit(conn, dict(rec), rec["owner_id"], "", self)

    @asynccontextmanager
    async def unit(
        self, *, event_id: str, photo_id: str, owner_id: str, topic: str, at: datetime, owner_lock: bool
    ) -> AsyncIterator[PgPhotoUnit | None]:
        """One event inside the transaction: None when its id was already applied."""
        if event_id not in self.claimed:
            await self.claim([(event_id, photo_id, owner_id, topic, at, owner_lock)])
        if event_id not in self.fresh:
            yield None
            return
        self.fresh.discard(event_id)  # the same id twice in a batch: the second is a repeat
        unit = self.units[photo_id]
        unit.event_id = event_id
        yield unit

    async def finish(self) -> None:
        """Write what the batch changed: rows, timeline, then duplicates over the final rows."""
        conn = self.conn
        by_columns: dict[tuple[str, ...], list[tuple]] = {}
        for unit in self.units.values():
            unit._derive()
            if unit.changes:
                cols = tuple(unit.changes)
                by_columns.setdefault(cols, []).append((unit.photo_id, *(unit.changes[c] for c in cols)))
                unit.changes = {}
        for cols, args in by_columns.items():
            assignments = ", ".join(f"{c} = ${i + 2}" for i, c in enumerate(cols))
            await conn.executemany(f"UPDATE photos SET {assignments} WHERE id = $1", args)
        if self.timeline:
            await conn.executemany(
                """INSERT INTO timeline (event_id, photo_id, stage, event, at, detail)
                   VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING""",
                self.timeline,
            )
            self.timeline = []
        recompute = list(dict.fromkeys(
            (unit.owner_id, unit.photo_id, sha, phash)
            for unit in self.units.values() for sha, phash in unit.duplicate_keys
        ))
        for unit in self.units.values():
            unit.duplicate_keys = []
        if recompute:
            await conn.executemany(_RECOMPUTE_DUPLICATES, recompute)


__all__ = ["PgCatalogStore", "PgPhotoUnit", "PgTransaction", "create_pool", "hnsw_index_name", "snapshot"]


async def snapshot(pool: asyncpg.Pool, owner_id: str) -> dict[str, list[tuple]]:
    """Every catalog row of one owner, in a canonical order and without bookkeeping that
    legitimately differs between two databases (processing times, serial keys): two catalogs
    built from the same events must have equal snapshots."""
    child = "SELECT {cols} FROM {table} c JOIN photos p ON p.id = c.photo_id WHERE p.owner_id = $1 ORDER BY {order}"
    queries = {
        "photos": "SELECT * FROM photos WHERE owner_id = $1 ORDER BY id",
        "renditions": child.format(cols="c.*", table="renditions", order="c.photo_id, c.name"),
        "tagging_runs": child.format(cols="c.*", table="tagging_runs", order="c.photo_id, c.model_id"),
        "tags": child.format(cols="c.*", table="tags", order="c.photo_id, c.model_id, c.label, c.source"),
        "faces": child.format(cols="c.*", table="faces", order="c.photo_id, c.model_id, c.ordinal"),
        "timeline": child.format(cols="c.*", table="timeline", order="c.photo_id, c.event_id"),
        "embeddings": (
            "SELECT e.photo_id, s.model_id, s.dimension, e.owner_id, e.embedding::text FROM embeddings e "
            "JOIN embedding_spaces s ON s.id = e.space_id WHERE e.owner_id = $1 ORDER BY e.photo_id, s.model_id"
        ),
        "processed_events": (
            "SELECT e.event_id, e.photo_id, e.topic FROM processed_events e JOIN photos p ON p.id = e.photo_id "
            "WHERE p.owner_id = $1 ORDER BY e.event_id"
        ),
    }
    out: dict[str, list[tuple]] = {}
    async with pool.acquire() as conn:
        for name, sql in queries.items():
            out[name] = [tuple(r.values()) for r in await conn.fetch(sql, owner_id)]
    return out
