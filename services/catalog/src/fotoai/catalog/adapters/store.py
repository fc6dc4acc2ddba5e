"""The projections' PostgreSQL side: one transaction per batch of events over asyncpg.

`PgCatalogStore.transaction()` opens one transaction for a batch. `claim(events)` records
every event id in `processed_events` (a redelivery finds its id there and its `unit(...)`
yields None: nothing changes), takes the locks and makes sure every photo's row exists, in
three statements for the whole batch. `unit(...)` then hands the use case the photo's
`PgPhotoUnit`, its row locked `FOR UPDATE`, shared by the photo's events of the batch. The
projections change the unit in memory: its row, its renditions, its tagging runs (the only
child rows a projection reads, fetched for the whole batch in one statement). When the batch
ends the changed columns plus the derived status and stage states are written once per photo,
each kind of child row in ONE statement for every photo of the batch (arrays in, `unnest`;
deletes before inserts), duplicates are recomputed in one statement against the final rows,
and the transaction commits.

A batch commits once (one WAL flush for hundreds of events) and pays a round trip per kind of
statement, not per event: about twenty for a batch of 500, which is what lets the catalog keep
up with the topics; `PgCatalogStore.unit(...)` is the one-event batch.

Locks: events that can change duplicates (uploaded, ingest outcomes, deleted) first take an
advisory lock on their owner, all owners of a batch in sorted order, then the rows, in photo
id order. Owners before rows, always, so two transactions never wait on each other in a cycle.

Hand-written SQL over asyncpg rather than the ORM: the consumer's hot path is a fixed set of
set-based statements per batch, faster than a bare asyncpg loop writing row by row
(bench/catalog_projection.py prints both). The schema is the SQLModel models in schema.py.
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

# Every photo whose duplicate_of may have changed, for all the batch's keys at once: the photos
# of the owner that are, point at, or share bytes or (nearly) a perceptual hash with a changed
# photo. Each one's reference is recomputed from the final rows; it depends only on created_at,
# sha256, phash, status and deleted_at, never on another duplicate_of, so one statement over the
# union of the keys ends where one statement per key would.
_RECOMPUTE_DUPLICATES = f"""
WITH k AS (
    SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
        AS k (owner_id, id, sha256, phash)
), target AS (
    SELECT DISTINCT z.id, z.owner_id, z.created_at, z.sha256, z.phash FROM photos z JOIN k ON z.owner_id = k.owner_id
    WHERE z.deleted_at IS NULL
      AND (z.id = k.id OR z.duplicate_of = k.id OR z.sha256 = k.sha256
           OR (k.phash IS NOT NULL AND z.phash IS NOT NULL
               AND bit_count((z.phash # k.phash)::bit(64)) <= {NEAR_DUPLICATE_BITS}))
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


# The child rows of a batch, one statement per kind for the whole batch (arrays in, unnest).
_UPSERT_RENDITIONS = """
INSERT INTO renditions (photo_id, name, bucket, key, width, height, bytes, mime)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::bigint[], $8::text[])
ON CONFLICT (photo_id, name) DO UPDATE SET bucket = EXCLUDED.bucket, key = EXCLUDED.key,
  width = EXCLUDED.width, height = EXCLUDED.height, bytes = EXCLUDED.bytes, mime = EXCLUDED.mime
"""
_DELETE_RENDITIONS = """
DELETE FROM renditions r USING unnest($1::text[], $2::text[]) AS d (photo_id, name)
WHERE r.photo_id = d.photo_id AND r.name = d.name
"""
_CLEAR_RENDITIONS = "DELETE FROM renditions WHERE photo_id = $1 AND NOT (name = ANY($2::text[]))"
_UPSERT_TAGGING_RUNS = """
INSERT INTO tagging_runs (photo_id, model_id, model_version, event_id, occurred_at, device, duration_ms, quality, colors)
SELECT r.photo_id, r.model_id, r.model_version, r.event_id, r.occurred_at, r.device, r.duration_ms,
       r.quality::jsonb, r.colors::jsonb
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::float8[],
            $8::text[], $9::text[])
    AS r (photo_id, model_id, model_version, event_id, occurred_at, device, duration_ms, quality, colors)
ON CONFLICT (photo_id, model_id) DO UPDATE SET model_version = EXCLUDED.model_version,
  event_id = EXCLUDED.event_id, occurred_at = EXCLUDED.occurred_at, device = EXCLUDED.device,
  duration_ms = EXCLUDED.duration_ms, quality = EXCLUDED.quality, colors = EXCLUDED.colors
"""
_INSERT_TAGS = """
INSERT INTO tags (photo_id, model_id, label, source, owner_id, model_version, score)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[])
"""
_INSERT_FACES = """
INSERT INTO faces (photo_id, model_id, ordinal, x, y, w, h, score)
SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::float8[], $5::float8[], $6::float8[], $7::float8[],
                     $8::float8[])
"""
_UPSERT_EMBEDDING = """
INSERT INTO embeddings (photo_id, space_id, owner_id, embedding) VALUES ($1, $2, $3, $4)
ON CONFLICT (photo_id, space_id) DO UPDATE SET embedding = EXCLUDED.embedding
"""
_INSERT_TIMELINE = """
INSERT INTO timeline (event_id, photo_id, stage, event, at, detail)
SELECT t.event_id, t.photo_id, t.stage, t.event, t.at, t.detail::jsonb
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
    AS t (event_id, photo_id, stage, event, at, detail)
ON CONFLICT (event_id) DO NOTHING
"""
#: The tables of a photo's facts, emptied by its tombstone.
_CHILD_TABLES = ("renditions", "tags", "faces", "tagging_runs", "embeddings", "timeline")

# One statement for every photo of a batch: create each row on first sight, or lock the
# existing one, in id order so two transactions never wait on each other in a cycle. A DO
# UPDATE whose WHERE is false locks the row as SELECT … FOR UPDATE would, without writing a new
# version of it (the batch's UPDATE writes the one it needs); it returns only the new rows, the
# locked ones are read next (_LOCKED_PHOTOS).
_LOCK_PHOTOS = """
INSERT INTO photos (id, owner_id, created_at, uploaded, status, stage_ingest, stage_enhance, stage_tagging)
SELECT p.id, p.owner_id, p.created_at, false, 'processing', 'pending', 'pending', 'pending'
FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS p (id, owner_id, created_at)
ORDER BY p.id
ON CONFLICT (id) DO UPDATE SET id = photos.id WHERE false
RETURNING *
"""
_LOCKED_PHOTOS = "SELECT * FROM photos WHERE id = ANY($1::text[])"


async def _init_connection(conn: asyncpg.Connection) -> None:
    await register_vector(conn)
    # Statements are prepared once per connection; a generic plan cannot see that a tag or an
    # owner is selective, so plan with the actual values (planning is ~0.1-0.5 ms).
    await conn.execute("SET plan_cache_mode = force_custom_plan")
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(dsn: str, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, init=_init_connection)


class PgPhotoUnit:
    """One photo's locked row for a whole batch: changes to the row and to its child rows
    (renditions, tagging runs with their tags, faces and embedding, timeline) collect here and
    are written once, with every other photo's, when the batch ends (`PgTransaction.finish`).
    The only child rows a projection reads, the tagging runs, are fetched for every photo of the
    batch in one statement, then kept in memory."""

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
        #: The tombstone empties the child tables first (PgTransaction.finish).
        self.purge = False
        #: Renditions kept by a replace (None: no replace), then name → row to write, or None to delete.
        self.renditions_kept: frozenset[str] | None = None
        self.renditions: dict[str, tuple | None] = {}
        #: model_id → the recorded run (None until PgTransaction loads the batch's runs).
        self.runs: dict[str, dict[str, Any]] | None = None
        #: model_id → (run, tags, faces, embedding) to write.
        self.run_writes: dict[str, tuple[dict[str, Any], Sequence[dict[str, Any]], Sequence[dict[str, Any]],
                                         tuple[str, Sequence[float]] | None]] = {}

    @property
    def photo_id(self) -> str:
        return self.row["id"]

    def set(self, **columns: Any) -> None:
        self.changes.update(columns)
        self.row.update(columns)

    async def replace_renditions(self, renditions: Sequence[dict[str, Any]], keep: Sequence[str]) -> None:
        kept = frozenset(keep)
        self.renditions_kept = kept if self.renditions_kept is None else self.renditions_kept & kept
        # What the replace removes from the table it also removes from the batch's pending writes.
        self.renditions = {name: r for name, r in self.renditions.items() if name in kept}
        for r in renditions:
            await self.upsert_rendition(r)

    async def upsert_rendition(self, r: dict[str, Any]) -> None:
        self.renditions[r["name"]] = (
            self.photo_id, r["name"], r["bucket"], r["key"], r["width"], r["height"], r["bytes"], r["mime"]
        )

    async def remove_renditions(self, names: Sequence[str]) -> None:
        for name in names:
            self.renditions[name] = None

    async def tagging_run(self, model_id: str) -> dict[str, Any] | None:
        if self.runs is None:
            await self.tx.load_runs()
        assert self.runs is not None
        return self.runs.get(model_id)

    async def replace_tagging_run(
        self, run: dict[str, Any], tags: Sequence[dict[str, Any]], faces: Sequence[dict[str, Any]],
        embedding: tuple[str, Sequence[float]] | None,
    ) -> None:
        if self.runs is None:
            await self.tx.load_runs()
        assert self.runs is not None
        self.runs[run["model_id"]] = run
        self.run_writes[run["model_id"]] = (run, tags, faces, embedding)

    async def add_timeline(self, stage: str, event: str, at: datetime, detail: dict[str, Any] | None = None) -> None:
        self.tx.timeline.append((self.event_id, self.photo_id, stage, event, at, detail))

    async def tombstone(self, deleted_at: datetime, deleted_by: str | None, version: str) -> None:
        pid = self.photo_id
        self.recompute_duplicates(self.row.get("sha256"), self.row.get("phash"))
        self.purge = True
        self.renditions_kept, self.renditions, self.runs, self.run_writes = None, {}, {}, {}
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
            tx = PgTransaction(conn, self._spaces)
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
    memory, and at the end of the batch every changed row is written once and each kind of
    child row in one statement for all photos (arrays in, `unnest`), and duplicates are
    recomputed in one statement against the batch's final rows. A batch of hundreds of events
    costs about twenty round trips, not a few per event.
    Without `claim`, `unit(...)` does the same work for one event (still deferred to the end)."""

    def __init__(self, conn: asyncpg.Connection, spaces: dict[tuple[str, int], int] | None = None) -> None:
        self.conn = conn
        self.units: dict[str, PgPhotoUnit] = {}
        self.claimed: set[str] = set()
        self.fresh: set[str] = set()
        self.timeline: list[tuple] = []
        #: (model_id, dimension) → embedding space key, shared with the store.
        self.spaces = spaces if spaces is not None else {}

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
            rows = await conn.fetch(_LOCK_PHOTOS, ids, [first[i][0] for i in ids], [first[i][1] for i in ids])
            created = {rec["id"] for rec in rows}
            existing = [i for i in ids if i not in created]
            if existing:
                rows += await conn.fetch(_LOCKED_PHOTOS, existing)
            for rec in rows:
                self.units[rec["id"]] = PgPhotoUnit(conn, dict(rec), rec["owner_id"], "", self)

    async def load_runs(self) -> None:
        """The recorded tagging runs of every photo of the batch not loaded yet, at once."""
        pending = {pid: unit for pid, unit in self.units.items() if unit.runs is None}
        for unit in pending.values():
            unit.runs = {}
        for rec in await self.conn.fetch(
            "SELECT * FROM tagging_runs WHERE photo_id = ANY($1::text[])", list(pending)
        ):
            runs = pending[rec["photo_id"]].runs
            assert runs is not None
            runs[rec["model_id"]] = dict(rec)

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
        """Write what the batch changed: rows, the tombstones' purges, child rows, timeline, then
        duplicates over the final rows. Deletes before inserts: a purge or a replace removes
        what was there before the batch, the writes are what the batch ends with."""
        conn = self.conn
        units = list(self.units.values())
        by_columns: dict[tuple[str, ...], list[tuple]] = {}
        for unit in units:
            unit._derive()
            if unit.changes:
                cols = tuple(unit.changes)
                by_columns.setdefault(cols, []).append((unit.photo_id, *(unit.changes[c] for c in cols)))
                unit.changes = {}
        for cols, args in by_columns.items():
            assignments = ", ".join(f"{c} = ${i + 2}" for i, c in enumerate(cols))
            await conn.executemany(f"UPDATE photos SET {assignments} WHERE id = $1", args)
        purged = [u.photo_id for u in units if u.purge]
        if purged:
            for table in _CHILD_TABLES:
                await conn.execute(f"DELETE FROM {table} WHERE photo_id = ANY($1::text[])", purged)
        await self._write_renditions(units)
        await self._write_tagging_runs(units)
        if self.timeline:
            t = self.timeline
            await conn.execute(
                _INSERT_TIMELINE, [e[0] for e in t], [e[1] for e in t], [e[2] for e in t], [e[3] for e in t],
                [e[4] for e in t], [None if e[5] is None else json.dumps(e[5]) for e in t],
            )
            self.timeline = []
        recompute = list(dict.fromkeys(
            (unit.owner_id, unit.photo_id, sha, phash) for unit in units for sha, phash in unit.duplicate_keys
        ))
        for unit in units:
            unit.purge, unit.duplicate_keys = False, []
        if recompute:
            await conn.execute(_RECOMPUTE_DUPLICATES, *(list(column) for column in zip(*recompute, strict=True)))

    async def _write_renditions(self, units: Sequence[PgPhotoUnit]) -> None:
        clears = [(u.photo_id, sorted(u.renditions_kept)) for u in units if u.renditions_kept is not None]
        if clears:
            await self.conn.executemany(_CLEAR_RENDITIONS, clears)
        deletes = [(u.photo_id, name) for u in units for name, r in u.renditions.items() if r is None]
        if deletes:
            await self.conn.execute(_DELETE_RENDITIONS, *(list(c) for c in zip(*deletes, strict=True)))
        upserts = [r for u in units for r in u.renditions.values() if r is not None]
        if upserts:
            await self.conn.execute(_UPSERT_RENDITIONS, *(list(c) for c in zip(*upserts, strict=True)))
        for u in units:
            u.renditions_kept, u.renditions = None, {}

    async def _write_tagging_runs(self, units: Sequence[PgPhotoUnit]) -> None:
        """Each (photo, model) the batch retagged: its run, and its tags, faces and embedding
        replaced by the winning run's."""
        writes = [(u, w) for u in units for w in u.run_writes.values()]
        if not writes:
            return
        conn = self.conn
        runs = [(u.photo_id, r["model_id"], r["model_version"], r["event_id"], r["occurred_at"], r["device"],
                 r["duration_ms"], json.dumps(r["quality"]), json.dumps(r["colors"])) for u, (r, _, _, _) in writes]
        await conn.execute(_UPSERT_TAGGING_RUNS, *(list(c) for c in zip(*runs, strict=True)))
        pids, models = [u.photo_id for u, _ in writes], [w[0]["model_id"] for _, w in writes]
        for table in ("tags", "faces"):
            await conn.execute(
                f"""DELETE FROM {table} x USING unnest($1::text[], $2::text[]) AS d (photo_id, model_id)
                    WHERE x.photo_id = d.photo_id AND x.model_id = d.model_id""",
                pids, models,
            )
        tags = [(u.photo_id, r["model_id"], t["label"], t["source"], u.owner_id, r["model_version"], t["score"])
                for u, (r, ts, _, _) in writes for t in ts]
        if tags:
            await conn.execute(_INSERT_TAGS, *(list(c) for c in zip(*tags, strict=True)))
        faces = [(u.photo_id, r["model_id"], i, *f["box"], f["score"])
                 for u, (r, _, fs, _) in writes for i, f in enumerate(fs)]
        if faces:
            await conn.execute(_INSERT_FACES, *(list(c) for c in zip(*faces, strict=True)))
        embeddings = []
        for u, (_, _, _, embedding) in writes:
            if embedding is not None:
                model_id, vector = embedding
                embeddings.append((u.photo_id, await self._space(model_id, len(vector)), u.owner_id,
                                   np.asarray(vector, dtype=np.float32)))
        if embeddings:
            await conn.executemany(_UPSERT_EMBEDDING, embeddings)
        for u in units:
            u.run_writes = {}

    async def _space(self, model_id: str, dimension: int) -> int:
        key = self.spaces.get((model_id, dimension))
        if key is None:
            key = self.spaces[(model_id, dimension)] = await _space_id(self.conn, model_id, dimension)
        return key


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
