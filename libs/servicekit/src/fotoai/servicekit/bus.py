"""The Kafka side of every service: one broker, CloudEvents in and out, retry then dead-letter.

`EventBus.subscribe(PhotoUploadedV1, handler)` registers a FastStream subscriber in the
service's consumer group. For each message it decodes the CloudEvent (a message that does not
decode is poison: straight to `dlq.<service>`), skips events it already handled, calls the
handler with bounded retries and exponential back-off, publishes the events the handler
returns, and — when every attempt failed — parks the original message on `dlq.<service>` with
the error in its headers. The offset is committed in every case, so a bad message never blocks
its partition.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from fotoai.contracts import Event, dlq_topic
from fotoai.contracts.cloudevents import EnvelopeError, decode, encode
from fotoai.servicekit import metrics
from fotoai.servicekit.log import get_logger
from fotoai.servicekit.settings import ServiceSettings
from opentelemetry.trace import TracerProvider

E = TypeVar("E", bound=Event)
HandlerResult = Event | Sequence[Event] | None
Handler = Callable[[E], Awaitable[HandlerResult]]

log = get_logger("fotoai.bus")


class PermanentError(Exception):
    """Retrying cannot help (bad data, a bug): park the message at once."""


class SeenEvents:
    """A bounded memory of handled event ids, to skip redeliveries cheaply.

    It complements, never replaces, idempotent handlers: after a restart it is empty.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def __contains__(self, event_id: str) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        self._ids[event_id] = None
        self._ids.move_to_end(event_id)
        while len(self._ids) > self._size:
            self._ids.popitem(last=False)


def _headers_of(msg: KafkaMessage) -> dict[str, str]:
    raw = getattr(msg.raw_message, "headers", None) or []
    return {k: (v.decode(errors="replace") if isinstance(v, bytes) else str(v)) for k, v in raw}


class EventBus:
    def __init__(
        self,
        settings: ServiceSettings,
        service: str,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        self.settings = settings
        self.service = service
        self.broker = KafkaBroker(
            settings.kafka_bootstrap,
            client_id=service,
            middlewares=[
                KafkaTelemetryMiddleware(tracer_provider=tracer_provider),
                KafkaPrometheusMiddleware(registry=metrics.REGISTRY, app_name=service),
            ],
            logger=get_logger(f"fotoai.{service}.kafka"),
            log_level=10,
            request_timeout_ms=15000,
        )
        self.seen = SeenEvents()
        self._started = False

    async def start(self) -> None:
        await self.broker.start()
        self._started = True

    async def stop(self) -> None:
        if self._started:
            await self.broker.stop()
            self._started = False

    async def ping(self) -> bool:
        return await self.broker.ping(timeout=3.0)

    async def publish(self, event: Event) -> None:
        key, headers, body = encode(event)
        await self.broker.publish(body, topic=event.TOPIC, key=key, headers=headers)

    async def publish_all(self, result: HandlerResult) -> None:
        if result is None:
            return
        for event in [result] if isinstance(result, Event) else result:
            await self.publish(event)

    async def _dead_letter(
        self, msg: KafkaMessage, headers: dict[str, str], error: BaseException, attempts: int
    ) -> None:
        record = msg.raw_message
        topic = getattr(record, "topic", "?")
        dlq = dlq_topic(self.service)
        err_headers = {
            **headers,
            "x-fotoai-error": f"{type(error).__name__}: {error}"[:2000],
            "x-fotoai-error-type": type(error).__name__,
            "x-fotoai-error-trace": "".join(traceback.format_exception(error))[-4000:],
            "x-fotoai-failed-service": self.service,
            "x-fotoai-original-topic": topic,
            "x-fotoai-original-partition": str(getattr(record, "partition", "")),
            "x-fotoai-original-offset": str(getattr(record, "offset", "")),
            "x-fotoai-attempts": str(attempts),
        }
        # Keep retrying the dead-letter publish itself: losing the message is not an option.
        delay = 0.5
        while True:
            try:
                await self.broker.publish(
                    getattr(record, "value", msg.body) or b"",
                    topic=dlq, key=getattr(record, "key", None), headers=err_headers,
                )
                break
            except Exception as exc:  # noqa: BLE001
                log.warning("dead-letter publish failed, retrying", error=str(exc), dlq=dlq)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)
        metrics.DLQ_MESSAGES.labels(self.service, topic).inc()
        log.error("message parked on dead-letter topic", dlq=dlq, topic=topic,
                  error=err_headers["x-fotoai-error"], attempts=attempts)

    def subscribe(
        self,
        event_cls: type[E],
        handler: Handler[E],
        *,
        group: str | None = None,
        concurrency: int | None = None,
        topic: str | None = None,
    ) -> None:
        """Consume `event_cls`'s topic in this service's group (or `group`) with `handler`."""
        topic = topic or event_cls.TOPIC
        s = self.settings
        workers = concurrency or s.consumer_concurrency

        async def on_message(msg: KafkaMessage) -> None:
            headers = _headers_of(msg)
            try:
                event = decode(headers, msg.body, topic=topic)
                if not isinstance(event, event_cls):
                    raise EnvelopeError(f"expected {event_cls.__name__}, got {type(event).__name__}")
            except Exception as exc:  # noqa: BLE001 — undecodable: poison
                await self._dead_letter(msg, headers, exc, attempts=0)
                return
            if event.event_id in self.seen:
                metrics.DUPLICATES_SKIPPED.labels(self.service, topic).inc()
                return
            delay = s.retry_backoff_s
            for attempt in range(1, s.retry_attempts + 1):
                try:
                    result = await handler(event)
                    await self.publish_all(result)
                    self.seen.add(event.event_id)
                    return
                except PermanentError as exc:
                    await self._dead_letter(msg, headers, exc, attempts=attempt)
                    return
                except Exception as exc:  # noqa: BLE001
                    if attempt == s.retry_attempts:
                        await self._dead_letter(msg, headers, exc, attempts=attempt)
                        return
                    metrics.HANDLER_RETRIES.labels(self.service, topic).inc()
                    log.warning("handler failed, retrying", topic=topic, key=event.key,
                                attempt=attempt, error=f"{type(exc).__name__}: {exc}")
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, s.retry_backoff_max_s)

        on_message.__name__ = f"on_{topic.replace('.', '_')}"
        self.broker.subscriber(
            topic,
            group_id=group or self.service,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.ACK,
            max_workers=workers if workers > 1 else None,
            max_poll_interval_ms=600_000,
        )(on_message)


async def timed(stage: str, service: str, device: str, work: Awaitable[Any]) -> Any:
    """Await `work`, recording its duration in fotoai_stage_duration_seconds."""
    t0 = time.perf_counter()
    try:
        return await work
    finally:
        metrics.STAGE_DURATION.labels(service, stage, device).observe(time.perf_counter() - t0)
