"""Kafka handlers: every `photo.*` topic into the projections, and the stage dead-letter
topics (`dlq.ingest|enhance|tagging`, raw records, not CloudEvents) into stage failures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from faststream import AckPolicy
from faststream.kafka.annotations import KafkaMessage
from fotoai.catalog.domain.failures import FAILED_STAGES, parse_dead_letter
from fotoai.catalog.use_cases import ProjectEvents
from fotoai.contracts import (
    Event,
    PhotoDeletedV1,
    PhotoEnhancedV1,
    PhotoIngestedV1,
    PhotoRejectedV1,
    PhotoTaggedV1,
    PhotoUploadedV1,
    dlq_topic,
)
from fotoai.servicekit.bus import EventBus
from fotoai.servicekit.log import get_logger

log = get_logger("fotoai.catalog.kafka")

PROJECTED = (
    PhotoUploadedV1, PhotoIngestedV1, PhotoRejectedV1, PhotoEnhancedV1, PhotoTaggedV1, PhotoDeletedV1,
)


def register_handlers(
    bus: EventBus, project: ProjectEvents, group: str, topics: dict[str, str] | None = None,
    concurrency: int | None = None,
) -> None:
    """Subscribe the projections in consumer group `group`. `topics` maps a default topic name
    to another one (benchmarks and tests use private topics)."""
    topics = topics or {}

    async def on_photo_event(event: Event) -> None:
        await project(event)

    for cls in PROJECTED:
        bus.subscribe(cls, on_photo_event, group=group, topic=topics.get(cls.TOPIC, cls.TOPIC),
                      concurrency=concurrency)

    for service in FAILED_STAGES:
        topic = topics.get(dlq_topic(service), dlq_topic(service))
        _subscribe_dead_letters(bus, project, topic, group)


def _subscribe_dead_letters(bus: EventBus, project: ProjectEvents, topic: str, group: str) -> None:
    async def on_dead_letter(msg: KafkaMessage) -> None:
        record = msg.raw_message
        headers = {
            k: (v.decode(errors="replace") if isinstance(v, bytes) else str(v))
            for k, v in (getattr(record, "headers", None) or [])
        }
        ts = getattr(record, "timestamp", None)
        received = datetime.fromtimestamp(ts / 1000, UTC) if ts else datetime.now(UTC)
        failure = parse_dead_letter(headers, getattr(record, "key", None), getattr(record, "value", b"") or b"", received)
        if failure is None:
            log.warning("dead letter names no photo; ignored", topic=topic)
            return
        # Raw subscribers bypass the bus's retry policy: retry here, with the same bounds, so a
        # database blip does not drop the failure (the offset is committed either way).
        settings = bus.settings
        delay = settings.retry_backoff_s
        for attempt in range(1, settings.retry_attempts + 1):
            try:
                await project.stage_failed(failure)
                return
            except Exception as exc:  # noqa: BLE001
                if attempt == settings.retry_attempts:
                    log.error("could not record a stage failure", photo_id=failure.photo_id,
                              stage=failure.stage, error=f"{type(exc).__name__}: {exc}")
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, settings.retry_backoff_max_s)

    on_dead_letter.__name__ = f"on_{topic.replace('.', '_')}"
    bus.broker.subscriber(
        topic, group_id=group, auto_offset_reset="earliest", ack_policy=AckPolicy.ACK,
        max_poll_interval_ms=600_000,
    )(on_dead_letter)
