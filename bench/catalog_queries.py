"""Latency of the catalog's read side at library scale: list (keyset pages and filters),
detail, text search and semantic search, p50/p95 over repeated calls of the real query code.

One owner gets N photos (default 100,000; 10,000 with --quick), generated in bulk with COPY
into a separate database (dropped afterwards), with 3 tags, a thumbnail and a 32-d embedding
each, plus a few other owners' photos around them. Peers in the same run:
- a mid-library page of ids by keyset vs the same page by OFFSET;
- semantic search through the model's HNSW index vs an exact scan (index scans disabled).

    .venv/bin/python bench/catalog_queries.py [--quick] [--photos N] [--stack-env PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the catalog's test scenarios

import asyncpg
import numpy as np
from fotoai.catalog.adapters.migrate import asyncpg_dsn, upgrade
from fotoai.catalog.adapters.queries import PgCatalogQueries
from fotoai.catalog.adapters.store import PgCatalogStore, create_pool
from fotoai.catalog.domain.cursor import encode_cursor
from fotoai.catalog.domain.filters import ListFilters
from fotoai.servicekit.testing import load_stack_env

from services.catalog.tests.scenarios import CAMERAS, LABELS

DIM = 32
OWNER = "bench-big"


async def fill(pool: asyncpg.Pool, n: int) -> list[str]:
    rnd = random.Random(7)
    t0 = datetime(2020, 1, 1, tzinfo=UTC)
    owners = [OWNER] * n + [f"bench-other-{i % 50}" for i in range(n // 10)]
    photos, tags, rends, embs, ids = [], [], [], [], []
    space = await PgCatalogStore(pool).ensure_space("bench-clip", DIM)
    for i, owner in enumerate(owners):
        pid = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        created = t0 + timedelta(seconds=i * 17)
        make, model = CAMERAS[i % len(CAMERAS)]
        status = "ready" if i % 20 else ("processing" if i % 40 else "rejected")
        photos.append((pid, owner, created, True, status, "done", "done", "done", f"IMG_{i}.jpg", "image/jpeg",
                       2_000_000, f"{i:064x}", "fotoai-originals", f"{owner}/{pid}/original", "jpeg", 4000, 3000,
                       created - timedelta(days=rnd.randrange(2000)), model if model.startswith(make) else f"{make} {model}",
                       make, model))
        for label in rnd.sample(LABELS, 3):
            tags.append((pid, "classifier", label, "classifier", owner, "1.0", rnd.random()))
        rends.append((pid, "thumb_small", "fotoai-renditions", f"{owner}/{pid}/thumb_small.jpg", 256, 192, 20000, "image/jpeg"))
        embs.append((pid, space, owner, np.asarray([rnd.gauss(0, 1) for _ in range(DIM)], dtype=np.float32)))
        if owner == OWNER:
            ids.append(pid)
    async with pool.acquire() as conn:
        await conn.copy_records_to_table("photos", records=photos, columns=[
            "id", "owner_id", "created_at", "uploaded", "status", "stage_ingest", "stage_enhance", "stage_tagging",
            "file_name", "content_type", "size", "sha256", "original_bucket", "original_key", "format", "width",
            "height", "taken_at", "camera", "camera_make", "camera_model"])
        await conn.copy_records_to_table("tags", records=tags, columns=[
            "photo_id", "model_id", "label", "source", "owner_id", "model_version", "score"])
        await conn.copy_records_to_table("renditions", records=rends, columns=[
            "photo_id", "name", "bucket", "key", "width", "height", "bytes", "mime"])
        await conn.execute(f"DROP INDEX IF EXISTS embeddings_hnsw_{int(space)}")
        await conn.copy_records_to_table("embeddings", records=embs, columns=["photo_id", "space_id", "owner_id", "embedding"])
        # Rebuilding the HNSW index once after the bulk load is far faster than per-row upkeep.
        await conn.execute("SET maintenance_work_mem = '256MB'")
        await conn.execute(
            f"CREATE INDEX embeddings_hnsw_{space} ON embeddings USING hnsw "
            f"((embedding::vector({DIM})) vector_cosine_ops) WHERE space_id = {space}")
        await conn.execute("ANALYZE")
    return ids


async def timed(fn, reps: int) -> tuple[float, float]:
    samples = []
    for _ in range(reps):
        t = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--photos", type=int, default=None)
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument("--stack-env", default=os.environ.get("FOTOAI_STACK_ENV"))
    args = ap.parse_args()
    if args.stack_env:
        os.environ["FOTOAI_STACK_ENV"] = args.stack_env
    env = load_stack_env()
    if not env:
        sys.exit("no running stack: start it with `make up` or pass --stack-env")
    n = args.photos or (10_000 if args.quick else 100_000)
    reps = args.reps or (40 if args.quick else 200)
    server = asyncpg_dsn(env["FOTOAI_DATABASE_URL"])
    name = f"catalog_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + "/" + name
    try:
        await upgrade(url)
        pool = await create_pool(url, 1, 4)
        t = time.perf_counter()
        ids = await fill(pool, n)
        load_s = time.perf_counter() - t
        q = PgCatalogQueries(pool)
        rnd = random.Random(1)
        deep = n // 2
        async with pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT created_at, id FROM photos WHERE owner_id = $1 AND deleted_at IS NULL "
                "ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1", OWNER, deep - 1)
        cursor = encode_cursor(row["created_at"], row["id"])

        async def offset_page() -> None:
            async with pool.acquire() as conn:
                await conn.fetch(
                    "SELECT id FROM photos WHERE owner_id = $1 AND deleted_at IS NULL "
                    "ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 50", OWNER, deep)

        async def keyset_page() -> None:
            async with pool.acquire() as conn:
                await conn.fetch(
                    "SELECT id FROM photos WHERE owner_id = $1 AND deleted_at IS NULL "
                    "AND (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC LIMIT 50",
                    OWNER, row["created_at"], row["id"])

        qvec = [rnd.gauss(0, 1) for _ in range(DIM)]

        async def exact_semantic() -> None:
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute("SET LOCAL enable_indexscan = off")
                await conn.execute("SET LOCAL enable_bitmapscan = off")
                space = await conn.fetchval("SELECT id FROM embedding_spaces WHERE model_id = 'bench-clip'")
                await conn.fetch(
                    f"SELECT photo_id FROM embeddings WHERE space_id = {space} AND owner_id = $1 "
                    f"ORDER BY embedding::vector({DIM}) <=> $2::vector({DIM}) LIMIT 50",
                    OWNER, np.asarray(qvec, dtype=np.float32))

        cases = [
            ("list, first page (50)", lambda: q.list_photos(OWNER, 50, None, ListFilters()), None),
            ("list, deep page by cursor (full summaries)", lambda: q.list_photos(OWNER, 50, cursor, ListFilters()), None),
            ("page ids by keyset, mid-library", keyset_page, ("page ids by OFFSET, mid-library (peer)", offset_page)),
            ("list, tag filter", lambda: q.list_photos(OWNER, 50, None, ListFilters(tag="beach")), None),
            ("list, status=rejected filter", lambda: q.list_photos(OWNER, 50, None, ListFilters(status="rejected")), None),
            ("list, camera + taken range", lambda: q.list_photos(OWNER, 50, None, ListFilters(
                camera="nikon", taken_after=datetime(2019, 1, 1, tzinfo=UTC), taken_before=datetime(2021, 1, 1, tzinfo=UTC))), None),
            ("detail", lambda: q.detail(OWNER, rnd.choice(ids)), None),
            ("tag counts", lambda: q.tag_counts(OWNER), None),
            ("text search 'sun'", lambda: q.text_search(OWNER, "sun", 50), None),
            ("semantic search, HNSW", lambda: q.semantic_search(OWNER, "bench-clip", qvec, 50),
             ("semantic search, exact scan (peer)", exact_semantic)),
        ]
        rows = []
        for label, fn, peer in cases:
            await fn()  # warm the plan cache
            p50, p95 = await timed(fn, reps)
            if peer:
                await peer[1]()
                pp50, pp95 = await timed(peer[1], reps)
                rows.append((label, p50, p95, f"{pp95 / p95:.1f}x faster"))
                rows.append((peer[0], pp50, pp95, "1.00x"))
            else:
                rows.append((label, p50, p95, ""))
        await pool.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    print(f"\ncatalog query latency: {n} photos of one owner (+{n // 10} others), loaded in {load_s:.1f}s, "
          f"{reps} calls each, cpu count {os.cpu_count()}")
    print(f"{'query':<40}{'p50 ms':>9}{'p95 ms':>9}  vs peer (p95)")
    for label, p50, p95, ratio in rows:
        print(f"{label:<40}{p50:>9.2f}{p95:>9.2f}  {ratio}")
    print("goal: list p95 < 20 ms")


if __name__ == "__main__":
    asyncio.run(main())
