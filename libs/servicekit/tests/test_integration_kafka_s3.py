"""The bus and the object store against the real Kafka and S3 server of the local stack."""

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer
from fotoai.contracts import (
    OriginalObject,
    PhotoIngestedV1,
    PhotoStageFailedV1,
    PhotoUploadedV1,
    follow,
)
from fotoai.servicekit.bus import EventBus, PermanentError
from fotoai.servicekit.settings import ServiceSettings
from fotoai.servicekit.testing import kafka_options, kafka_settings, load_stack_env

pytestmark = pytest.mark.integration


def upload_event(owner: str, name: str = "original", key: str | None = None) -> PhotoUploadedV1:
    pid = str(uuid.uuid4())
    return PhotoUploadedV1(
        photo_id=pid, owner_id=owner,
        original=OriginalObject(bucket="fotoai-originals", key=key or f"{owner}/{pid}/{name}",
                                size=1, sha256="0" * 64),
    )


async def collect(bootstrap: str, topics: list[str], want, timeout: float = 60):
    consumer = AIOKafkaConsumer(
        *topics, auto_offset_reset="earliest", group_id=f"test-{uuid.uuid4()}",
        **kafka_options(load_stack_env(), "admin"),
    )
    await consumer.start()
    got = []
    try:
        async def loop():
            async for m in consumer:
                got.append(m)
                if want(got):
                    return

        await asyncio.wait_for(loop(), timeout)
    finally:
        await consumer.stop()
    return got


async def test_handler_results_are_published_and_failures_parked(stack_env):
    owner = f"owner-{uuid.uuid4().hex[:8]}"
    settings = ServiceSettings(**kafka_settings(stack_env),
                               retry_attempts=3, retry_backoff_s=0.05)
    # "enhance" does not consume photo.uploaded.v1, so dlq.enhance only holds what this bus parks
    # even while the real services run.
    bus = EventBus(settings, "enhance")
    calls: dict[str, int] = {}

    async def handler(ev: PhotoUploadedV1):
        if ev.owner_id != owner:
            return None  # a new group starts at the beginning: skip the topic's history quickly
        calls[ev.photo_id] = calls.get(ev.photo_id, 0) + 1
        name = ev.original.key.rsplit("/", 1)[-1]
        if name == "flaky" and calls[ev.photo_id] < 2:
            raise ConnectionError("transient")
        if name == "always-fails":
            raise ConnectionError("storage down")
        if name == "bad-data":
            raise PermanentError("cannot ever work")
        return follow(ev, PhotoIngestedV1, format="jpeg", width=1, height=1)

    bus.subscribe(PhotoUploadedV1, handler, group=f"test-{uuid.uuid4()}")
    await bus.start()
    try:
        events = {}
        for key in ("ok", "flaky", "always-fails", "bad-data"):
            events[key] = upload_event(owner, key)
            await bus.publish(events[key])
        # Another photo's original: refused before any handler runs (a forged reference).
        events["foreign"] = upload_event(owner, key="someone-else/their-photo/original")
        await bus.publish(events["foreign"])
        await bus.broker.publish(b"\x00poison", topic="photo.uploaded.v1", key=b"poison-" + owner.encode())
        ids = {e.photo_id.encode() for e in events.values()}

        def parked_by_us(m) -> bool:
            # The real enhance service may park our fake ingested events too (no renditions).
            return m.topic == "dlq.enhance" and dict(m.headers).get("x-fotoai-original-topic") == b"photo.uploaded.v1"

        def done(got):
            mine = [m for m in got if m.key in ids or m.key == b"poison-" + owner.encode()]
            return len([m for m in mine if m.topic == "photo.ingested.v1"]) >= 2 and \
                len([m for m in mine if parked_by_us(m)]) >= 4 and \
                len([m for m in mine if m.topic == "photo.stage-failed.v1"
                     and b'"photo.uploaded.v1"' in m.value and b'"stage":"enhance"' in m.value]) >= 2

        got = await collect(settings.kafka_bootstrap,
                            ["photo.ingested.v1", "dlq.enhance", "photo.stage-failed.v1"], done)
    finally:
        await bus.stop()
    ingested = {m.key for m in got if m.topic == "photo.ingested.v1" and m.key in ids}
    assert ingested == {events["ok"].photo_id.encode(), events["flaky"].photo_id.encode()}
    dlq = {m.key: dict(m.headers) for m in got if parked_by_us(m)}
    failed = dlq[events["always-fails"].photo_id.encode()]
    assert failed[b"x-fotoai-error-type".decode()] == b"ConnectionError"
    assert failed["x-fotoai-attempts"] == b"3"
    assert failed["ce_type"] == b"fotoai.photo.uploaded.v1"
    assert dlq[events["bad-data"].photo_id.encode()]["x-fotoai-attempts"] == b"1"
    assert dlq[b"poison-" + owner.encode()]["x-fotoai-attempts"] == b"0"
    assert calls[events["flaky"].photo_id] == 2
    foreign = dlq[events["foreign"].photo_id.encode()]
    assert foreign["x-fotoai-error-type"] == b"ReferenceViolation" and foreign["x-fotoai-attempts"] == b"0"
    assert b"not under" in foreign["x-fotoai-error"] and events["foreign"].photo_id not in calls
    # Each real event the stage gave up on is reported, as a contract event; the poison
    # message and the untrusted one are not (they name no photo we may mark failed).
    # (The real services of the stack may report our synthetic events too: only this bus's
    # reports, about the uploads it consumed, count.)
    reports = [r for r in (PhotoStageFailedV1.model_validate_json(m.value) for m in got
                           if m.topic == "photo.stage-failed.v1" and m.key in ids)
               if r.stage == "enhance" and r.failed_event.topic == "photo.uploaded.v1"]
    by_photo = {r.photo_id: r for r in reports}
    assert set(by_photo) == {events["always-fails"].photo_id, events["bad-data"].photo_id}
    r = by_photo[events["always-fails"].photo_id]
    assert (r.stage, r.error_type, r.attempts, r.dead_letter_topic) == ("enhance", "ConnectionError", 3, "dlq.enhance")
    assert r.failed_event.event_id == events["always-fails"].event_id
    assert r.failed_event.topic == "photo.uploaded.v1" and r.owner_id == owner


async def test_presigned_urls_work_and_are_signed(object_store):
    import httpx

    key = f"test/{uuid.uuid4()}"
    await object_store.put_bytes("fotoai-renditions", key, b"hello", "text/plain")
    url = object_store.presigned_get_url("fotoai-renditions", key, expires_s=60)
    async with httpx.AsyncClient() as c:
        assert (await c.get(url)).content == b"hello"
        tampered = url.replace(key, key + "x")
        assert (await c.get(tampered)).status_code == 403
    await object_store.delete("fotoai-renditions", key)


async def test_dead_letters_can_be_replayed_after_a_fix(stack_env):
    """Park a message while the handler is broken, fix it, replay: it is processed once."""
    from fotoai.servicekit import dlq

    bootstrap = stack_env["FOTOAI_KAFKA_BOOTSTRAP"]
    service = "enhance"  # a dlq topic that exists; a private group keeps this test to itself
    settings = ServiceSettings(**kafka_settings(stack_env), retry_attempts=1)
    broken = {"on": True}
    processed: list[str] = []
    owner = f"replay-{uuid.uuid4().hex[:8]}"

    async def handler(ev: PhotoUploadedV1):
        if ev.owner_id != owner:
            return
        if broken["on"]:
            raise ConnectionError("dependency down")
        processed.append(ev.photo_id)
        return

    bus = EventBus(settings, service)
    bus.subscribe(PhotoUploadedV1, handler, group=f"test-{uuid.uuid4()}")
    await bus.start()
    try:
        ev = upload_event(owner)
        await bus.publish(ev)
        await collect(bootstrap, ["dlq.enhance"], lambda got: any(m.key == ev.photo_id.encode() for m in got))
        broken["on"] = False
        # Replay everything parked so far; older messages of other tests are idempotent no-ops here.
        operator = kafka_options(stack_env, "operator")
        operator.pop("bootstrap_servers")
        replayed = await dlq.replay(bootstrap, service, **operator)
        assert replayed >= 1
        deadline = asyncio.get_running_loop().time() + 60
        while ev.photo_id not in processed and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.2)
        assert processed == [ev.photo_id]
        # Poison replayed from earlier runs is parked again (correctly); ours is never resent.
        await dlq.replay(bootstrap, service, **operator)
        await asyncio.sleep(2)
        assert processed == [ev.photo_id], "a second replay resent an already replayed message"
    finally:
        await bus.stop()
