"""The broker itself refuses what a service is not allowed to do (docs/architecture.md, trust boundaries).

Runs against the real local stack: SASL/SCRAM-SHA-512 on the client listener, the
StandardAuthorizer with `allow.everyone.if.no.acl.found=false`, and the ACLs the launcher derives
from `libs/contracts` (see `fotoai.stack.kafka_acl`). Issue 14's reproduction — a client that
publishes a `photo.enhanced.v1` for its own photo pointing at another user's original — must be
refused here, before any consumer sees it.
"""

from __future__ import annotations

import json
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaError,
    TopicAuthorizationFailedError,
)
from fotoai.servicekit.testing import kafka_options

pytestmark = pytest.mark.integration

FAST = {"request_timeout_ms": 5000, "metadata_max_age_ms": 5000}


def forged_enhanced(victim_original: str) -> tuple[bytes, bytes]:
    """Issue 14: the attacker's own photo whose enhanced rendition is someone else's original."""
    photo_id = str(uuid.uuid4())
    body = {
        "event_id": str(uuid.uuid4()), "occurred_at": "2026-01-01T00:00:00Z", "photo_id": photo_id,
        "owner_id": "attacker", "rendition": {"name": "enhanced", "bucket": "fotoai-originals",
                                              "key": victim_original, "width": 1, "height": 1,
                                              "bytes": 1, "mime": "image/jpeg"},
    }
    return photo_id.encode(), json.dumps(body).encode()


async def produce(options: dict, topic: str, key: bytes, value: bytes) -> None:
    producer = AIOKafkaProducer(**options, **FAST)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def test_an_unauthenticated_client_is_refused(stack_env) -> None:
    anonymous = {"bootstrap_servers": stack_env["FOTOAI_KAFKA_BOOTSTRAP"]}
    key, value = forged_enhanced("victim/p/original")
    with pytest.raises(KafkaError):  # the SASL listener drops a client that does not authenticate
        await produce(anonymous, "photo.enhanced.v1", key, value)


async def test_a_wrong_password_is_refused(stack_env) -> None:
    options = {**kafka_options(stack_env, "enhance"), "sasl_plain_password": "not-the-password"}
    key, value = forged_enhanced("victim/p/original")
    with pytest.raises(KafkaError) as caught:
        await produce(options, "photo.enhanced.v1", key, value)
    assert not isinstance(caught.value, TopicAuthorizationFailedError)


async def test_tagging_may_not_delete_photos(stack_env) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(kafka_options(stack_env, "tagging"), "photo.deleted.v1", b"p", b"{}")


@pytest.mark.parametrize("principal", ["subscriber", "gateway", "tagging", "ingest"])
async def test_the_forged_enhanced_event_is_refused_by_the_broker(stack_env, principal) -> None:
    """Only enhance may write photo.enhanced.v1: the read-only principal other systems get from
    stack.env, and every other service, are refused."""
    key, value = forged_enhanced("victim/some-photo/original")
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(kafka_options(stack_env, principal), "photo.enhanced.v1", key, value)


async def test_the_read_only_principal_of_stack_env_reads_photo_topics_and_nothing_else(stack_env) -> None:
    # stack.env itself carries the read-only subscriber: no principal swap here.
    assert stack_env["FOTOAI_KAFKA_USERNAME"] == "subscriber"
    options = kafka_options(stack_env)
    consumer = AIOKafkaConsumer(**options, **FAST, group_id=f"acl-test-{uuid.uuid4().hex[:8]}",
                                enable_auto_commit=False)
    await consumer.start()
    try:
        assert await consumer.topics() >= {"photo.uploaded.v1", "photo.enhanced.v1"}
        assert not any(t.startswith("dlq.") for t in await consumer.topics())  # not even visible
    finally:
        await consumer.stop()
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(options, "photo.uploaded.v1", b"p", b"{}")


async def test_a_service_reads_only_what_it_subscribes_to(stack_env) -> None:
    """Tagging subscribes to photo.ingested.v1 in its own group; photo.uploaded.v1 (ingest's
    input) and another service's group are off limits."""
    options = kafka_options(stack_env, "tagging")
    wrong_group = AIOKafkaConsumer("photo.ingested.v1", **options, **FAST, group_id="ingest")
    with pytest.raises((GroupAuthorizationFailedError, KafkaError)):
        await wrong_group.start()
        await wrong_group.getmany(timeout_ms=5000)
    await wrong_group.stop()
    visible = AIOKafkaConsumer(**options, **FAST)
    await visible.start()
    try:
        topics = await visible.topics()
    finally:
        await visible.stop()
    assert "photo.ingested.v1" in topics
    assert "photo.uploaded.v1" not in topics


async def test_enhance_may_write_its_own_topic_but_nobody_else_may(stack_env) -> None:
    """The positive side, without disturbing the running services: the metadata request for
    photo.enhanced.v1 is authorised for enhance (partitions known), refused for the others."""
    options = kafka_options(stack_env, "enhance")
    producer = AIOKafkaProducer(**options, **FAST)
    await producer.start()
    try:
        assert await producer.partitions_for("photo.enhanced.v1")
    finally:
        await producer.stop()
