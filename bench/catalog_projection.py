"""Projection throughput of the catalog: events/s applied from Kafka into PostgreSQL.

Three runs over the same generated library (photos of many owners: uploaded, ingested,
enhanced, tagged, some deleted), each into its own fresh database on the running stack:

- kafka:  the real service path, catching up on a backlog: every event is first published to
          private topics, then the catalog's one batch subscriber starts (one group join for
          every topic; CloudEvents decode, reference checks, retry policy, a transaction per
          batch); rate = events after the first committed batch / time to the last one.
          Also prints the CPU-seconds per event of the catalog side and of PostgreSQL, and
          how long the group join took (start to a stable group).
- direct: the same projections called in a loop, one transaction per event, no Kafka.
- batched: the same projections, a transaction per batch, no Kafka (what the broker costs).
- raw:    the peers: a bare asyncpg loop inserting the same rows, no idempotency, locks,
          ordering or duplicate detection; once with a transaction per event, once with a
          transaction per batch (the fair peer of the batched projections).

The last lines print ours (from Kafka) against the raw batched peer of the same run, events/s
and ratio, with the load average: on the shared box only the ratio is comparable between runs.

    .venv/bin/python bench/catalog_projection.py [--quick] [--photos N] [--batch N] [--kafka-only] [--stack-env PATH]

Private topics and databases are deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the catalog's test scenarios

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from fotoai.catalog.adapters.migrate import asyncpg_dsn, upgrade
from fotoai.catalog.adapters.store import PgCatalogStore, create_pool
from fotoai.catalog.entrypoints.kafka import register_handlers
from fotoai.catalog.use_cases import Buckets, ProjectEvents
from fotoai.contracts import (
    PHOTO_TOPICS,
    Event,
    PhotoDeletedV1,
    PhotoEnhancedV1,
    PhotoIngestedV1,
    PhotoTaggedV1,
    PhotoUploadedV1,
)
from fotoai.servicekit.bus import EventBus
from fotoai.servicekit.settings import ServiceSettings
from fotoai.servicekit.testing import kafka_options, kafka_settings, load_stack_env

from services.catalog.tests.scenarios import photo_story


class NullRemover:
    async def delete_prefix(self, bucket: str, prefix: str) -> int:
        return 0


def library(n_photos: int) -> list[Event]:
    t0 = datetime(2026, 2, 1, tzinfo=UTC)
    events: list[Event] = []
    for i in range(n_photos):
        owner = f"bench-owner-{i % max(1, n_photos // 20)}"
        events += photo_story(owner, seed=i, t0=t0 + timedelta(seconds=i), content=str(i).encode(),
                              delete=i % 25 == 0)
    return events


async def fresh_db(server_dsn: str, names: list[str]) -> str:
    name = f"catalog_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(server_dsn)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    names.append(name)
    url = server_dsn.rsplit("/", 1)[0] + "/" + name
    await upgrade(url)
    return url


async def run_direct(url: str, events: list[Event]) -> float:
    pool = await create_pool(url, 1, 4)
    project = ProjectEvents(PgCatalogStore(pool), NullRemover(), Buckets("o", "r"))
    t = time.perf_counter()
    for e in events:
        await project(e)
    dt = time.perf_counter() - t
    await pool.close()
    return len(events) / dt


async def run_batched(url: str, events: list[Event], batch: int) -> float:
    pool = await create_pool(url, 1, 4)
    project = ProjectEvents(PgCatalogStore(pool), NullRemover(), Buckets("o", "r"))
    t = time.perf_counter()
    for i in range(0, len(events), batch):
        await project.batch(events[i : i + batch])
    dt = time.perf_counter() - t
    await pool.close()
    return len(events) / dt


async def _raw_event(conn: asyncpg.Connection, e: Event) -> None:
    """The rows of one event, written by the simplest correct-looking code."""
    await conn.execute("INSERT INTO processed_events (event_id, photo_id, topic) VALUES ($1,$2,$3)",
                       e.event_id, e.photo_id, e.TOPIC)
    if isinstance(e, PhotoUploadedV1):
        o = e.original
        await conn.execute(
            """INSERT INTO photos (id, owner_id, created_at, uploaded, status, stage_ingest, stage_enhance,
                 stage_tagging, file_name, content_type, size, sha256, original_bucket, original_key)
               VALUES ($1,$2,$3,true,'processing','pending','pending','pending',$4,$5,$6,$7,$8,$9)""",
            e.photo_id, e.owner_id, e.occurred_at, o.file_name, o.content_type, o.size, o.sha256, o.bucket, o.key)
    elif isinstance(e, PhotoIngestedV1):
        x = e.exif
        await conn.execute(
            """UPDATE photos SET format=$2, width=$3, height=$4, taken_at=$5, camera_make=$6, camera_model=$7,
                 iso=$8, stage_ingest='done' WHERE id=$1""",
            e.photo_id, e.format, e.width, e.height, x.taken_at, x.camera_make, x.camera_model, x.iso)
        for r in e.renditions:
            await conn.execute(
                "INSERT INTO renditions (photo_id, name, bucket, key, width, height, bytes, mime) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
                e.photo_id, r.name, r.bucket, r.key, r.width, r.height, r.bytes, r.mime)
    elif isinstance(e, PhotoEnhancedV1):
        await conn.execute("UPDATE photos SET stage_enhance='done' WHERE id=$1", e.photo_id)
    elif isinstance(e, PhotoTaggedV1):
        await conn.executemany(
            "INSERT INTO tags (photo_id, model_id, label, source, owner_id, model_version, score) VALUES ($1,$2,$3,$4,$5,$6,$7)",
            [(e.photo_id, e.model_id, t.label, t.source, e.owner_id, e.model_version, t.score) for t in e.tags])
        await conn.execute("UPDATE photos SET stage_tagging='done', status='ready' WHERE id=$1", e.photo_id)
    elif isinstance(e, PhotoDeletedV1):
        await conn.execute("UPDATE photos SET deleted_at=$2 WHERE id=$1", e.photo_id, e.occurred_at)
    await conn.execute("INSERT INTO timeline (event_id, photo_id, stage, event, at) VALUES ($1,$2,'x','x',$3)",
                       e.event_id, e.photo_id, e.occurred_at)


async def run_raw(url: str, events: list[Event]) -> float:
    """The peer: a bare asyncpg loop, a transaction per event, no idempotency, locks, ordering
    or duplicate detection."""
    conn = await asyncpg.connect(url)
    t = time.perf_counter()
    for e in events:
        async with conn.transaction():
            await _raw_event(conn, e)
    dt = time.perf_counter() - t
    await conn.close()
    return len(events) / dt


async def run_raw_batched(url: str, events: list[Event], batch: int) -> float:
    """The peer with the batching: the same bare statements, a transaction per batch."""
    conn = await asyncpg.connect(url)
    t = time.perf_counter()
    for i in range(0, len(events), batch):
        async with conn.transaction():
            for e in events[i : i + batch]:
                await _raw_event(conn, e)
    dt = time.perf_counter() - t
    await conn.close()
    return len(events) / dt


def _cpu_of(pids: list[int]) -> float:
    """CPU-seconds (user + system) the processes used so far, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _postgres_pids() -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "comm").read_text().strip() == "postgres":
                    pids.append(int(d.name))
            except OSError:
                continue
    return pids


async def run_kafka(url: str, events: list[Event], batch: int) -> tuple[float, float, float, float]:
    """Catch-up from a backlog: every event is produced first, then the catalog's consumer
    starts. Returns (events/s from the first committed batch to the last, seconds from the
    consumer's start to a stable group, catalog CPU-s per event, PostgreSQL CPU-s per event).
    The catalog side runs in this process, so its CPU is this process's during the catch-up
    (the publisher has stopped by then); PostgreSQL's is every postgres process on the box,
    so other stacks' database work inflates it."""
    prefix = f"bench.{uuid.uuid4().hex[:8]}."
    topics = {t: prefix + t for t in PHOTO_TOPICS}
    admin = AIOKafkaAdminClient(**kafka_options(load_stack_env(), "admin"))
    await admin.start()
    await admin.create_topics([NewTopic(t, 12, 1) for t in topics.values()])
    pool = await create_pool(url, 2, 4)
    group = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        settings = ServiceSettings(**kafka_settings(load_stack_env()))
        publisher = EventBus(settings, "bench-publisher")
        await publisher.start()
        await _wait_leaders(admin, list(topics.values()))
        from fotoai.contracts.cloudevents import encode

        for i in range(0, len(events), 200):
            sends = []
            for e in events[i : i + 200]:
                key, headers, body = encode(e)
                sends.append(publisher.broker.publish(body, topic=topics[e.TOPIC], key=key, headers=headers))
            await asyncio.gather(*sends)
        await publisher.stop()

        bus = EventBus(settings, "catalog")
        project = ProjectEvents(PgCatalogStore(pool), NullRemover(), Buckets("o", "r"))
        register_handlers(bus, [project], group, topics, max_records=batch)
        pg = _postgres_pids()
        t_join = time.perf_counter()
        await bus.start()
        # One subscriber for every topic: one member, one join.
        await wait_stable(admin, group, members=1)
        join_s = time.perf_counter() - t_join
        first: tuple[float, int, float, float] | None = None
        deadline = time.monotonic() + 600
        n = 0
        while time.monotonic() < deadline:
            n = await pool.fetchval("SELECT count(*) FROM processed_events")
            if n and first is None:
                first = (time.perf_counter(), n, time.process_time(), _cpu_of(pg))
            if n >= len(events):
                break
            await asyncio.sleep(0.05)
        t_last, cpu_last, pg_last = time.perf_counter(), time.process_time(), _cpu_of(pg)
        await bus.stop()
        assert first is not None
        t_first, n_first, cpu_first, pg_first = first
        done = max(n - n_first, 1)
        return (done / max(t_last - t_first, 1e-6), join_s,
                (cpu_last - cpu_first) / done, (pg_last - pg_first) / done)
    finally:
        await pool.close()
        await admin.delete_topics(list(topics.values()))
        await admin.close()


async def _wait_leaders(admin: AIOKafkaAdminClient, topics: list[str], timeout: float = 60) -> None:
    """New topics take a moment to elect partition leaders; producing before that only fills
    the log with retries."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = await admin.describe_topics(topics)
        if len(described) == len(topics) and all(
            t.get("error_code", 0) == 0 and t.get("partitions")
            and all(p.get("leader", -1) >= 0 for p in t["partitions"]) for t in described
        ):
            return
        await asyncio.sleep(0.2)


def _field(struct, name: str, index: int):
    try:
        return getattr(struct, name)
    except AttributeError:
        return struct[index]


async def wait_stable(admin: AIOKafkaAdminClient, group: str, members: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        desc = await admin.describe_consumer_groups([group])
        info = desc[0].groups[0] if desc and desc[0].groups else None
        if info is not None and _field(info, "state", 2) == "Stable" and len(_field(info, "members", 5)) == members:
            return
        await asyncio.sleep(0.2)


async def main() -> None:
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    logging.getLogger("faststream").setLevel(logging.WARNING)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a small library (< 60 s)")
    ap.add_argument("--photos", type=int, default=None)
    ap.add_argument("--batch", type=int, default=500, help="most events per transaction (consumer poll)")
    ap.add_argument("--kafka-only", action="store_true", help="only the run from Kafka (for profiling)")
    ap.add_argument("--stack-env", default=os.environ.get("FOTOAI_STACK_ENV"))
    args = ap.parse_args()
    if args.stack_env:
        os.environ["FOTOAI_STACK_ENV"] = args.stack_env
    env = load_stack_env()
    if not env:
        sys.exit("no running stack: start it with `make up` or pass --stack-env")
    n = args.photos or (250 if args.quick else 2000)
    events = library(n)
    server = asyncpg_dsn(env["FOTOAI_DATABASE_URL"])
    dbs: list[str] = []
    load_before = os.getloadavg()
    try:
        if args.kafka_only:
            kafka, join_s, cpu_catalog, cpu_pg = await run_kafka(await fresh_db(server, dbs), events, args.batch)
            print(f"from Kafka: {kafka:.0f} events/s, catalog {cpu_catalog * 1000:.2f} ms CPU per event, "
                  f"PostgreSQL {cpu_pg * 1000:.2f} ms; load average {os.getloadavg()[0]:.1f}")
            return
        raw = await run_raw(await fresh_db(server, dbs), events)
        raw_batched = await run_raw_batched(await fresh_db(server, dbs), events, args.batch)
        direct = await run_direct(await fresh_db(server, dbs), events)
        batched = await run_batched(await fresh_db(server, dbs), events, args.batch)
        kafka, join_s, cpu_catalog, cpu_pg = await run_kafka(await fresh_db(server, dbs), events, args.batch)
    finally:
        conn = await asyncpg.connect(server)
        for name in dbs:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
    load_after = os.getloadavg()
    print(f"\ncatalog projection throughput: {n} photos, {len(events)} events, cpu count {os.cpu_count()}, "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    print(f"{'run':<48}{'events/s':>10}{'vs raw':>8}{'vs raw batched':>16}")
    for name, rate in (("raw asyncpg loop, a transaction per event (peer)", raw),
                       (f"raw asyncpg loop, batches of {args.batch} (peer)", raw_batched),
                       ("projections, a transaction per event", direct),
                       (f"projections, batches of {args.batch} (no Kafka)", batched),
                       (f"projections from Kafka (batches of {args.batch})", kafka)):
        print(f"{name:<48}{rate:>10.0f}{rate / raw:>7.2f}x{rate / raw_batched:>15.2f}x")
    print(f"CPU-seconds per event from Kafka: catalog (decode, policy, projections) {cpu_catalog * 1000:.2f} ms, "
          f"PostgreSQL {cpu_pg * 1000:.2f} ms (every postgres process on the box)")
    print(f"consumer-group join for all {len(PHOTO_TOPICS)} topics: {join_s:.1f} s (one subscriber)")
    print(f"ours vs the peer, same run: from Kafka {kafka:.0f} events/s vs raw asyncpg batches {raw_batched:.0f} "
          f"events/s = {kafka / raw_batched:.2f}x (vs a transaction per event {kafka / raw:.2f}x); "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after on {os.cpu_count()} cores")
    print("goal: from Kafka >= 1000 events/s on a quiet 2-core box, i.e. >= 1.2x the raw batched peer "
          "(851 events/s there)")


if __name__ == "__main__":
    asyncio.run(main())
