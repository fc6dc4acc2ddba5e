"""A harness for testing a consumer's Kafka wiring (`register_handlers`) on the real broker.

The service's handlers are registered on a real `EventBus` named after the service (so its
dead letters go to the real `dlq.<service>` and its failure reports to `photo.stage-failed.v1`),
but each subscription is moved to a private copy of its topic in a private consumer group: the
running services never see the test's input and the test never steals theirs. What the handlers
publish goes to the real topics, where the test reads it back by its own photo ids.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from fotoai.contracts import (
    Event,
    OriginalObject,
    PhotoIngestedV1,
    PhotoUploadedV1,
    Rendition,
    dlq_topic,
)
from fotoai.contracts.cloudevents import encode
from fotoai.servicekit.bus import EventBus
from fotoai.servicekit.settings import ServiceSettings
from fotoai.servicekit.testing import kafka_options, kafka_settings

RETRY_ATTEMPTS = 3


class PrivateTopics:
    """Stands in for the bus in `register_handlers`: subscribes on private copies of the topics."""

    def __init__(self, bus: EventBus, prefix: str, group: str) -> None:
        self.bus, self.prefix, self.group = bus, prefix, group
        self.topics: list[str] = []

    def subscribe(self, event_cls: type[Event], handler: Any, **options: Any) -> None:
        topic = self.prefix + event_cls.TOPIC
        self.topics.append(topic)
        self.bus.subscribe(event_cls, handler, **{**options, "topic": topic, "group": self.group})


@dataclass
class Wiring:
    """The handlers of `service`, running; `publish` feeds them, `collect` reads what came out."""

    env: dict[str, str]
    service: str
    owner: str = field(default_factory=lambda: f"wiring-{uuid.uuid4().hex[:10]}")
    photo_ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.settings = ServiceSettings(
            **kafka_settings(self.env), retry_attempts=RETRY_ATTEMPTS, retry_backoff_s=0.05,
            retry_backoff_max_s=0.1, s3_endpoint=self.env["FOTOAI_S3_ENDPOINT"],
            s3_access_key=self.env["FOTOAI_S3_ACCESS_KEY"], s3_secret_key=self.env["FOTOAI_S3_SECRET_KEY"],
        )
        self.bus = EventBus(self.settings, self.service)
        tag = uuid.uuid4().hex[:8]
        self.private = PrivateTopics(self.bus, f"test.{tag}.", f"test-{self.service}-{tag}")

    async def start(self) -> None:
        admin = AIOKafkaAdminClient(**kafka_options(self.env, "admin"))
        await admin.start()
        try:
            await admin.create_topics([NewTopic(t, 1, 1) for t in self.private.topics])
        finally:
            await admin.close()
        await self.bus.start()

    async def stop(self) -> None:
        await self.bus.stop()
        admin = AIOKafkaAdminClient(**kafka_options(self.env, "admin"))
        await admin.start()
        try:
            await admin.delete_topics(self.private.topics)
        finally:
            await admin.close()

    async def publish(self, event: Event) -> None:
        key, headers, body = encode(event)
        await self.bus.broker.publish(body, topic=self.private.prefix + event.TOPIC, key=key, headers=headers)

    async def collect(self, topics: Iterable[str], done: Callable[[list[Any]], bool], timeout: float = 90) -> list[Any]:
        """Records of `topics` about this test's photos, until `done(records)` holds."""
        consumer = AIOKafkaConsumer(*topics, auto_offset_reset="earliest", group_id=f"test-{uuid.uuid4()}",
                                    **kafka_options(self.env, "admin"))
        await consumer.start()
        got: list[Any] = []
        try:
            async def loop() -> None:
                async for record in consumer:
                    if record.key is not None and record.key.decode(errors="replace") in self.photo_ids:
                        got.append(record)
                        if done(got):
                            return

            await asyncio.wait_for(loop(), timeout)
        finally:
            await consumer.stop()
        return got

    # --- test events ------------------------------------------------------------------------

    def new_photo_id(self) -> str:
        photo_id = str(uuid.uuid4())
        self.photo_ids.add(photo_id)
        return photo_id

    def uploaded(self, photo_id: str | None = None, size: int = 1, sha256: str = "0" * 64) -> PhotoUploadedV1:
        pid = photo_id or self.new_photo_id()
        original = OriginalObject(bucket=self.settings.originals_bucket, key=f"{self.owner}/{pid}/original",
                                  size=size, sha256=sha256, content_type="image/jpeg")
        return PhotoUploadedV1(photo_id=pid, owner_id=self.owner, original=original)

    def ingested(self) -> PhotoIngestedV1:
        pid = self.new_photo_id()
        preview = Rendition(bucket=self.settings.renditions_bucket, key=f"{self.owner}/{pid}/preview.jpg",
                            name="preview", width=8, height=8, bytes=100, mime="image/jpeg")
        return PhotoIngestedV1(photo_id=pid, owner_id=self.owner, format="jpeg", width=8, height=8,
                               renditions=[preview])

    @property
    def dlq(self) -> str:
        return dlq_topic(self.service)


def headers(record: Any) -> dict[str, str]:
    return {k: v.decode(errors="replace") for k, v in (record.headers or [])}


def parked(records: list[Any], dlq: str) -> dict[str, dict[str, str]]:
    """photo id → the headers of its message parked on `dlq`."""
    return {r.key.decode(): headers(r) for r in records if r.topic == dlq}
