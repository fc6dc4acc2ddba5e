"""Faults against the real stack, and what was lost: nothing.

Each test leaves the stack healthy for the next one (processes restarted, holds released).
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from fotoai.contracts import OriginalObject, PhotoUploadedV1
from fotoai.contracts.cloudevents import encode
from fotoai.servicekit.testing import kafka_options

from tests.support import noise_png, wait_until_settled

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def upload_many(gateway, n: int, seed0: int) -> list[str]:
    ids = []
    for i in range(n):
        r = await gateway.post("/v1/photos", files={"file": (f"p{i}.png", noise_png(seed0 + i), "image/png")})
        assert r.status_code == 202, r.text
        ids.append(r.json()["id"])
    return ids


async def settle_all(gateway, ids: list[str], timeout: float = 400) -> dict[str, dict]:
    results = await asyncio.gather(*(wait_until_settled(gateway, pid, timeout) for pid in ids))
    return dict(zip(ids, results, strict=True))


async def test_poison_message_is_parked_and_the_partition_moves_on(gateway, tap, stack_env):
    # A poison message at the head of every partition, then a good upload behind one of them.
    poison_key = f"poison-{uuid.uuid4().hex[:8]}"
    # Poison can only come from a principal allowed to write the topic: the gateway's.
    producer = AIOKafkaProducer(**kafka_options(stack_env, "gateway"))
    await producer.start()
    try:
        for partition in range(12):
            await producer.send_and_wait(
                "photo.uploaded.v1", b'{"this is": not json', key=poison_key.encode(), partition=partition
            )
    finally:
        await producer.stop()
    r = await gateway.post("/v1/photos", files={"file": ("ok.png", noise_png(4242), "image/png")})
    assert r.status_code == 202
    photo = await wait_until_settled(gateway, r.json()["id"])
    assert photo["status"] == "ready"
    parked = await tap.wait_for(poison_key, {"dlq.ingest"}, timeout=60)
    deadline = time.monotonic() + 60
    while len([m for m in tap.of(poison_key) if m.topic == "dlq.ingest"]) < 12 and time.monotonic() < deadline:
        await asyncio.sleep(0.3)
    parked = [m for m in tap.of(poison_key) if m.topic == "dlq.ingest"]
    assert len(parked) == 12
    headers = {k: v.decode() for k, v in parked[0].headers}
    assert headers["x-fotoai-failed-service"] == "ingest"
    assert "ValidationError" in headers["x-fotoai-error"]


async def test_kill_9_of_a_consumer_mid_batch_loses_and_duplicates_nothing(gateway, control):
    ids = await upload_many(gateway, 12, 1000)
    await asyncio.sleep(1.0)  # let tagging get into its batches
    old = control.kill("tagging")
    await control.wait_restarted("tagging", old)
    photos = await settle_all(gateway, ids)
    assert all(p["status"] == "ready" for p in photos.values()), {k: v["status"] for k, v in photos.items()}
    for p in photos.values():
        labels = [t["label"] for t in p["tags"]]
        assert len(labels) == len(set(labels)), f"duplicated tags after redelivery: {labels}"
    listed = (await gateway.get("/v1/photos", params={"limit": 200})).json()["items"]
    assert sorted(p["id"] for p in listed) == sorted(ids)


async def test_kafka_restart_under_load_every_upload_ends_ready(gateway, control, stack_env):
    ids = await upload_many(gateway, 6, 2000)
    old = control.kill("kafka")
    await control.wait_restarted("kafka", old)
    # While the broker comes back, uploads must either be accepted or refused clearly (503),
    # never accepted and lost.
    more: list[str] = []
    deadline = time.monotonic() + 240
    while len(more) < 4 and time.monotonic() < deadline:
        r = await gateway.post("/v1/photos", files={"file": ("k.png", noise_png(3000 + len(more)), "image/png")})
        if r.status_code == 202:
            more.append(r.json()["id"])
        else:
            assert r.status_code == 503, r.text
            await asyncio.sleep(2)
    assert len(more) == 4
    photos = await settle_all(gateway, ids + more, timeout=600)
    assert all(p["status"] == "ready" for p in photos.values()), {k: v["status"] for k, v in photos.items()}


async def test_storage_down_retries_then_dead_letters_then_recovers(gateway, control, tap, stack_env, user):
    control.hold("s3proxy")
    old = control.kill("s3proxy")
    try:
        # Uploads are refused cleanly while storage is down …
        r = await gateway.post("/v1/photos", files={"file": ("x.png", noise_png(5000), "image/png")})
        assert r.status_code == 503, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        # … and an upload already announced cannot be fetched: ingest retries, then parks it.
        ev = PhotoUploadedV1(
            photo_id=str(uuid.uuid4()), owner_id=user,
            original=OriginalObject(bucket="fotoai-originals", key=f"{user}/x/original", size=10, sha256="0" * 64),
        )
        key, headers, body = encode(ev)
        producer = AIOKafkaProducer(**kafka_options(stack_env, "gateway"))
        await producer.start()
        try:
            await producer.send_and_wait("photo.uploaded.v1", body, key=key, headers=[(k, v.encode()) for k, v in headers.items()])
        finally:
            await producer.stop()
        parked = await tap.wait_for(ev.photo_id, {"dlq.ingest"}, timeout=180)
        h = {k: v.decode() for k, v in [x for m in parked if m.topic == "dlq.ingest" for x in m.headers]}
        assert int(h["x-fotoai-attempts"]) > 1, "the transient failure was not retried"
        photo = await wait_until_settled(gateway, ev.photo_id, timeout=120)
        assert photo["status"] == "rejected" and photo["stages"]["ingest"] == "failed"
    finally:
        control.release("s3proxy")
    await control.wait_restarted("s3proxy", old)
    await control.wait_ready(stack_env["FOTOAI_GATEWAY_URL"])
    r = await gateway.post("/v1/photos", files={"file": ("y.png", noise_png(5001), "image/png")})
    assert r.status_code == 202
    assert (await wait_until_settled(gateway, r.json()["id"]))["status"] == "ready"
