"""CloudEvents 1.0 in Kafka binary mode: event ⇄ (key, headers, body).

Headers: `ce_specversion`, `ce_id`, `ce_type`, `ce_source`, `ce_time`, `content-type`, and the
W3C `traceparent` when a trace is active (added by the telemetry layer, not here).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from fotoai.contracts.events import BY_CE_TYPE, BY_TOPIC, Envelope

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"


class EnvelopeError(ValueError):
    """The message is not a valid FotoAI CloudEvent."""


def encode(event: Envelope, source: str | None = None) -> tuple[bytes, dict[str, str], bytes]:
    """Return (key, headers, body) for publishing `event` on its topic."""
    headers = {
        "ce_specversion": SPECVERSION,
        "ce_id": event.event_id,
        "ce_type": event.ce_type(),
        "ce_source": source or event.SOURCE,
        "ce_time": event.occurred_at.isoformat(),
        "content-type": CONTENT_TYPE,
    }
    return event.key.encode(), headers, event.model_dump_json().encode()


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def decode(
    headers: Mapping[str, str | bytes], body: bytes | str, topic: str | None = None
) -> Envelope:
    """Parse a binary-mode CloudEvent. The type comes from `ce_type`, or from `topic`."""
    h = {k.lower(): _text(v) for k, v in headers.items()}
    ce_type = h.get("ce_type")
    cls = BY_CE_TYPE.get(ce_type) if ce_type else None
    if cls is None and topic is not None:
        cls = BY_TOPIC.get(topic)
    if cls is None:
        raise EnvelopeError(f"unknown event type {ce_type!r} on topic {topic!r}")
    if h.get("ce_specversion", SPECVERSION) != SPECVERSION:
        raise EnvelopeError(f"unsupported CloudEvents specversion {h['ce_specversion']!r}")
    event = cls.model_validate_json(body)
    if "ce_id" in h and h["ce_id"] != event.event_id:
        raise EnvelopeError("ce_id header and body event_id disagree")
    return event


def header_time(headers: Mapping[str, str | bytes]) -> datetime | None:
    raw = {k.lower(): _text(v) for k, v in headers.items()}.get("ce_time")
    return datetime.fromisoformat(raw) if raw else None
