"""The whole catalog service against the real Kafka, PostgreSQL and object store: a live run
while events are published, then a replay of every topic from offset zero into an empty
database with a new consumer group must give exactly the same catalog."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from fastapi import FastAPI
from fotoai.catalog.adapters.lag import KafkaLagProbe
from fotoai.catalog.adapters.store import create_pool, snapshot
from fotoai.catalog.config import CatalogSettings
from fotoai.catalog.main import build_app
from fotoai.contracts import PHOTO_TOPICS, PhotoDeletedV1
from fotoai.contracts.cloudevents import encode
from fotoai.servicekit import metrics
from fotoai.servicekit.bus import EventBus
from fotoai.servicekit.settings import ServiceSettings
from fotoai.servicekit.testing import kafka_options, kafka_settings

from services.catalog.tests.scenarios import photo_story, stage_failed

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def settings_for(stack_env: dict[str, str], url: str, group: str) -> CatalogSettings:
    return CatalogSettings(
        database_url=url, **kafka_settings(stack_env),
        s3_endpoint=stack_env["FOTOAI_S3_ENDPOINT"], s3_access_key=stack_env["FOTOAI_S3_ACCESS_KEY"],
        s3_secret_key=stack_env["FOTOAI_S3_SECRET_KEY"], retry_backoff_s=0.1,
        catalog={"consumer_group": group, "gauges_interval_s": 0.5, "lag_groups": (group,)},
    )


async def wait_for(pool, owner: str, expected_events: int, timeout: float = 120.0, quiet_s: float = 3.0) -> int:
    """Wait until at least `expected_events` are projected and nothing new arrives for `quiet_s`.

    When the full stack runs, the real services also react to the events this test publishes
    (ingest rejects uploads whose originals do not exist, …), so more events than the test's
    own may arrive: the count has to settle, not just reach a number.
    """
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        async with pool.acquire() as conn:
            n = await conn.fetchval(
                "SELECT count(*) FROM processed_events e JOIN photos p ON p.id = e.photo_id WHERE p.owner_id = $1",
                owner,
            )
        if n != last:
            last, since = n, time.monotonic()
        elif n >= expected_events and time.monotonic() - since >= quiet_s:
            return n
        await asyncio.sleep(0.3)
    raise AssertionError(f"{last} events projected (expected at least {expected_events}, then quiet) after {timeout}s")


async def run_service(app: FastAPI):
    ctx = app.router.lifespan_context(app)
    await ctx.__aenter__()
    return ctx


async def test_live_run_then_replay_from_zero_gives_the_same_catalog(stack_env, databases, object_store) -> None:
    owner = f"replay-{uuid.uuid4().hex[:10]}"
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    stories = [photo_story(owner, seed=i, t0=t0 + timedelta(seconds=i), content=b"dup" if i < 2 else bytes([i]),
                           tag_versions=("1.0", "1.1") if i == 2 else ("1.0",), embedding_dim=8,
                           reject=i == 3, delete=i == 4) for i in range(6)]
    doomed = stories[4][0]
    failing = stories[5]  # its ingest gave up: only the upload and the failure report exist
    await object_store.put_bytes("fotoai-originals", f"{owner}/{doomed.photo_id}/original", b"x", "image/jpeg")
    await object_store.put_bytes("fotoai-renditions", f"{owner}/{doomed.photo_id}/display.jpg", b"y", "image/jpeg")
    events = [e for s in stories[:5] for e in s] + [failing[0]]

    # Private copies of the topics: the real services of a running stack must not react to
    # these synthetic events (their originals do not exist) and add facts of their own.
    prefix = f"test.{uuid.uuid4().hex[:8]}."
    topics = {t: prefix + t for t in PHOTO_TOPICS}
    admin = AIOKafkaAdminClient(**kafka_options(stack_env, "admin"))
    await admin.start()
    await admin.create_topics([NewTopic(t, 12, 1) for t in topics.values()])

    url_live = await databases.create()
    live_group = f"catalog-live-{uuid.uuid4().hex[:8]}"
    app = build_app(settings_for(stack_env, url_live, live_group), topics)
    ctx = await run_service(app)
    publisher = EventBus(ServiceSettings(**kafka_settings(stack_env)), "catalog-test")
    await publisher.start()
    pool_live = await create_pool(url_live, 1, 2)
    try:
        # Out of causal order on purpose: the topics interleave however the consumers go.
        async def publish(e) -> None:
            key, headers, body = encode(e)
            await publisher.broker.publish(body, topic=topics[e.TOPIC], key=key, headers=headers)

        for e in sorted(events, key=lambda e: (e.TOPIC != "photo.tagged.v1", e.event_id)):
            await publish(e)
        await publish(stage_failed(failing[0], "ingest", t0 + timedelta(minutes=1), "MemoryError: decode"))
        # The same delete twice (a client retry): still one tombstone.
        await publish(PhotoDeletedV1(event_id=str(uuid.uuid4()), photo_id=doomed.photo_id,
                                     owner_id=owner, deleted_by=owner,
                                     occurred_at=t0 + timedelta(minutes=5)))
        live_count = await wait_for(pool_live, owner, len(events) + 2)
        live = await snapshot(pool_live, owner)

        photos = {r[0]: r for r in live["photos"]}
        assert "degraded" in photos[failing[0].photo_id]  # the ingest that gave up
        assert len(photos) == 6 and live["tags"] and live["embeddings"]
        assert not await object_store.exists("fotoai-originals", f"{owner}/{doomed.photo_id}/original")
        assert not await object_store.exists("fotoai-renditions", f"{owner}/{doomed.photo_id}/display.jpg")

        # The gauges task exported this group's lag and the status counts.
        await asyncio.sleep(1.5)
        lag_samples = [s for m in metrics.CONSUMER_LAG.collect() for s in m.samples if s.labels["group"] == live_group]
        assert lag_samples and {s.labels["topic"] for s in lag_samples} >= {topics["photo.uploaded.v1"]}
        status_samples = {s.labels["status"]: s.value for m in metrics.PHOTOS_BY_STATUS.collect() for s in m.samples}
        assert status_samples.get("ready", 0) >= 1

        # Replay from offset zero into an empty database while the live consumer keeps running,
        # so both have seen every event (the real services may still be adding some).
        url_replay = await databases.create()
        replay_app = build_app(settings_for(stack_env, url_replay, f"catalog-replay-{uuid.uuid4().hex[:8]}"), topics)
        replay_ctx = await run_service(replay_app)
        pool_replay = await create_pool(url_replay, 1, 2)
        try:
            await wait_for(pool_replay, owner, live_count)
            await wait_for(pool_live, owner, live_count)
            replayed = await snapshot(pool_replay, owner)
            live = await snapshot(pool_live, owner)
        finally:
            await replay_ctx.__aexit__(None, None, None)
            await pool_replay.close()
    finally:
        await ctx.__aexit__(None, None, None)
        await publisher.stop()
        await pool_live.close()
        await admin.delete_topics(list(topics.values()))
        await admin.close()
    assert replayed == live
    assert json.dumps(replayed, default=str) == json.dumps(live, default=str)


async def test_lag_probe_reports_committed_vs_end_offsets(stack_env) -> None:
    catalog = kafka_options(stack_env, "catalog")
    probe = KafkaLagProbe(catalog.pop("bootstrap_servers"), **catalog)
    await probe.start()
    try:
        assert await probe.lag([f"no-such-group-{uuid.uuid4().hex}"]) == {}
    finally:
        await probe.stop()
