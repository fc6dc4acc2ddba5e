"""The Kafka side of every service: one broker, CloudEvents in and out, retry then dead-letter.

`EventBus.subscribe(PhotoUploadedV1, handler)` registers a FastStream subscriber in the
service's consumer group. For each message it decodes the CloudEvent (a message that does not
decode is poison: straight to `dlq.<service>`), skips events it already handled, calls the
handler with bounded retries and exponential back-off, publishes the events the handler
returns, and — when every attempt failed — parks the original message on `dlq.<service>` with
the error in its headers, and publishes `photo.stage-failed.v1` so the catalog can say which
stage of which photo gave up (the parked message stays on the DLQ for replay). The offset is
committed in every case, so a bad message never blocks its partition.

Every event is checked against the reference rule of `fotoai.contracts.references` before any
handler sees it: an event that points at another photo's objects, or that a handler finds
untrusted (`UntrustedEvent`), is parked with the reason and reported as no stage failure.

`EventBus.subscribe_batch(classes, handler)` is the same policy for a consumer that applies
many events at once (the catalog): ONE subscriber, so one consumer-group join, for all its
topics; a batch that fails is applied again event by event, each under the retry policy above,
so only the event that keeps failing is parked.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeGuard, TypeVar

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from fotoai.contracts import (
    Buckets,
    Envelope,
    Event,
    FailedEvent,
    PhotoStageFailedV1,
    UntrustedEvent,
    check_references,
    dlq_topic,
    follow,
)
from fotoai.contracts.cloudevents import EnvelopeError, decode, encode
from fotoai.servicekit import metrics
from fotoai.servicekit.log import get_logger
from fotoai.servicekit.settings import ServiceSettings
from opentelemetry.trace import TracerProvider

E = TypeVar("E", bound=Envelope)
HandlerResult = Envelope | Sequence[Envelope] | None
Handler = Callable[[E], Awaitable[HandlerResult]]
BatchHandler = Callable[[list[Envelope]], Awaitable[HandlerResult]]

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


def _headers_of(record: Any) -> dict[str, str]:
    raw = getattr(record, "headers", None) or []
    return {k: (v.decode(errors="replace") if isinstance(v, bytes) else str(v)) for k, v in raw}


def _records_of(msg: KafkaMessage) -> tuple[Any, ...]:
    raw = msg.raw_message
    return raw if isinstance(raw, tuple) else (raw,)


def _reports_stage_failure(event: Envelope | None, error: BaseException) -> TypeGuard[Event]:
    """A stage failure is reported for a real photo event its handler gave up on; never for an
    untrusted event (that would let a forgery mark another photo degraded), for an album's or
    a person's event (no photo to mark), nor for a failure to handle a failure report (no loop
    of reports about reports)."""
    return (isinstance(event, Event) and not isinstance(error, UntrustedEvent)
            and not isinstance(event, PhotoStageFailedV1))


def broker_security(settings: ServiceSettings) -> BaseSecurity | None:
    """The service's Kafka principal as FastStream's security object (None for PLAINTEXT)."""
    options = settings.kafka_options()
    protocol = options["security_protocol"]
    if protocol == "PLAINTEXT":
        return None
    tls = {"ssl_context": options.get("ssl_context"), "use_ssl": protocol.endswith("SSL")}
    if not protocol.startswith("SASL"):
        return BaseSecurity(**tls)
    kinds = {"SCRAM-SHA-512": SASLScram512, "SCRAM-SHA-256": SASLScram256, "PLAIN": SASLPlaintext}
    kind = kinds.get(options["sasl_mechanism"])
    if kind is None:
        raise ValueError(f"unsupported Kafka SASL mechanism {options['sasl_mechanism']!r} (use one of {sorted(kinds)})")
    return kind(options["sasl_plain_username"], options["sasl_plain_password"], **tls)


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
            security=broker_security(settings),
            client_id=service,
            middlewares=[
                KafkaTelemetryMiddleware(tracer_provider=tracer_provider),
                KafkaPrometheusMiddleware(registry=metrics.REGISTRY, app_name=service),
            ],
            logger=get_logger(f"fotoai.{service}.kafka"),
            log_level=10,
            request_timeout_ms=15000,
        )
        self.buckets = Buckets(settings.originals_bucket, settings.renditions_bucket)
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

    async def publish(self, event: Envelope) -> None:
        key, headers, body = encode(event)
        await self.broker.publish(body, topic=event.TOPIC, key=key, headers=headers)

    async def publish_all(self, result: HandlerResult) -> None:
        if result is None:
            return
        for event in [result] if isinstance(result, Envelope) else result:
            await self.publish(event)

    async def _dead_letter(
        self, record: Any, headers: dict[str, str], error: BaseException, attempts: int,
        event: Envelope | None = None,
    ) -> None:
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
        await self._publish_until_done(
            getattr(record, "value", None) or b"", dlq, getattr(record, "key", None), err_headers
        )
        metrics.DLQ_MESSAGES.labels(self.service, topic).inc()
        log.error("message parked on dead-letter topic", dlq=dlq, topic=topic,
                  error=err_headers["x-fotoai-error"], attempts=attempts)
        if _reports_stage_failure(event, error):
            failure = self.stage_failure(event, record, error, attempts)
            key, ce_headers, body = encode(failure, source=f"/services/{self.service}")
            await self._publish_until_done(body, failure.TOPIC, key, ce_headers)

    def stage_failure(
        self, event: Event, record: Any, error: BaseException, attempts: int
    ) -> PhotoStageFailedV1:
        """The failure report of `event`; its id is derived, so parking the same event again
        (a replay that fails again) reports the same fact."""
        return follow(
            event, PhotoStageFailedV1, qualifiers=(self.service,),
            stage=self.service, error_type=type(error).__name__,
            error_message=str(error)[:2000] or type(error).__name__, attempts=attempts,
            failed_event=FailedEvent(
                topic=getattr(record, "topic", event.TOPIC), event_id=event.event_id,
                ce_type=event.ce_type(), partition=getattr(record, "partition", None),
                offset=getattr(record, "offset", None),
            ),
            dead_letter_topic=dlq_topic(self.service),
        )

    async def _publish_until_done(
        self, body: bytes, topic: str, key: bytes | None, headers: dict[str, str]
    ) -> None:
        # Keep retrying: losing a parked message or its failure report is not an option.
        delay = 0.5
        while True:
            try:
                await self.broker.publish(body, topic=topic, key=key, headers=headers)
                return
            except Exception as exc:  # noqa: BLE001
                log.warning("dead-letter publish failed, retrying", error=str(exc), topic=topic)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)

    def _decode(self, record: Any, headers: dict[str, str], expected: Mapping[str, type[Envelope]]) -> Envelope:
        """The record's event, of the class its topic expects, referencing only its own photo."""
        topic = getattr(record, "topic", None)
        event = decode(headers, record.value, topic=topic)
        cls = expected.get(topic) if topic is not None else None
        if cls is None or not isinstance(event, cls):
            raise EnvelopeError(f"unexpected {type(event).__name__} on topic {topic!r}")
        check_references(event, self.buckets)
        return event

    async def _apply(self, record: Any, headers: dict[str, str], event: Envelope, handler: Handler[Any]) -> None:
        """The retry policy: bounded attempts with exponential back-off, then the DLQ."""
        s = self.settings
        topic = getattr(record, "topic", event.TOPIC)
        delay = s.retry_backoff_s
        for attempt in range(1, s.retry_attempts + 1):
            try:
                result = await handler(event)
                await self.publish_all(result)
                self.seen.add(event.event_id)
                return
            except (PermanentError, UntrustedEvent) as exc:
                await self._dead_letter(record, headers, exc, attempts=attempt, event=event)
                return
            except Exception as exc:  # noqa: BLE001
                if attempt == s.retry_attempts:
                    await self._dead_letter(record, headers, exc, attempts=attempt, event=event)
                    return
                metrics.HANDLER_RETRIES.labels(self.service, topic).inc()
                log.warning("handler failed, retrying", topic=topic, key=event.key,
                            attempt=attempt, error=f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(delay)
                delay = min(delay * 2, s.retry_backoff_max_s)

    async def _admit(
        self, record: Any, expected: Mapping[str, type[Envelope]]
    ) -> tuple[dict[str, str], Envelope] | None:
        """Decode and check a record; park it when it is poison or untrusted, skip a repeat."""
        headers = _headers_of(record)
        try:
            event = self._decode(record, headers, expected)
        except Exception as exc:  # noqa: BLE001 — undecodable or untrusted: never retried
            await self._dead_letter(record, headers, exc, attempts=0)
            return None
        if event.event_id in self.seen:
            metrics.DUPLICATES_SKIPPED.labels(self.service, getattr(record, "topic", "?")).inc()
            return None
        return headers, event

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
        workers = concurrency or self.settings.consumer_concurrency
        expected = {topic: event_cls}

        async def on_message(msg: KafkaMessage) -> None:
            for record in _records_of(msg):
                admitted = await self._admit(record, expected)
                if admitted is not None:
                    await self._apply(record, admitted[0], admitted[1], handler)

        on_message.__name__ = f"on_{topic.replace('.', '_')}"
        self.broker.subscriber(
            topic,
            group_id=group or self.service,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.ACK,
            max_workers=workers if workers > 1 else None,
            max_poll_interval_ms=600_000,
        )(on_message)

    def subscribe_batch(
        self,
        event_classes: Sequence[type[Envelope]],
        handler: BatchHandler,
        *,
        group: str | None = None,
        topics: Mapping[str, str] | None = None,
        max_records: int = 500,
        batch_timeout_ms: int = 50,
    ) -> None:
        """Consume every class's topic with ONE subscriber (one group join) in batches of up
        to `max_records`: `handler` gets the batch's admitted events in partition order.
        `topics` maps a default topic name to another (tests and benchmarks use private ones)."""
        names = topics or {}
        expected = {names.get(cls.TOPIC, cls.TOPIC): cls for cls in event_classes}

        async def one(event: Envelope) -> HandlerResult:
            return await handler([event])

        async def on_batch(msg: KafkaMessage) -> None:
            admitted = []
            for record in _records_of(msg):
                got = await self._admit(record, expected)
                if got is not None:
                    admitted.append((record, *got))
            if not admitted:
                return
            try:
                result = await handler([event for _, _, event in admitted])
                await self.publish_all(result)
            except Exception as exc:  # noqa: BLE001 — find the culprit event by event
                log.warning("batch failed; applying its events one by one", events=len(admitted),
                            error=f"{type(exc).__name__}: {exc}")
                for record, headers, event in admitted:
                    await self._apply(record, headers, event, one)
                return
            for _, _, event in admitted:
                self.seen.add(event.event_id)

        on_batch.__name__ = f"on_batch_{group or self.service}"
        self.broker.subscriber(
            *expected,
            group_id=group or self.service,
            batch=True,
            max_records=max_records,
            batch_timeout_ms=batch_timeout_ms,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.ACK,
            max_poll_interval_ms=600_000,
        )(on_batch)


async def timed(stage: str, service: str, device: str, work: Awaitable[Any]) -> Any:
    """Await `work`, recording its duration in fotoai_stage_duration_seconds."""
    t0 = time.perf_counter()
    try:
        return await work
    finally:
        metrics.STAGE_DURATION.labels(service, stage, device).observe(time.perf_counter() - t0)
