"""The AsyncAPI 3.0 document of FotoAI's topics, built from the event models.

Every event model becomes a channel (its topic) with one message: the CloudEvents headers in
Kafka binary mode, the message key, and the model's JSON Schema as payload. Its producer is the
model's `SOURCE`; `consumers` (topic → service names, supplied by whoever knows the wiring)
add one `receive` operation per consuming service. The dead-letter topics are channels too.

The document is plain data (`document()`); `make docs` writes it to `docs/asyncapi.yaml` and a
test fails when the committed file no longer matches the models.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from fotoai.contracts.cloudevents import CONTENT_TYPE, SPECVERSION
from fotoai.contracts.events import EVENT_TYPES, Envelope
from fotoai.contracts.topics import CONSUMER_SERVICES, all_topics, dlq_topic
from pydantic.json_schema import models_json_schema

ASYNCAPI_VERSION = "3.0.0"
DOCUMENT_VERSION = "1.0.0"
SCHEMA_REF = "#/components/schemas/{model}"

#: Headers added to a parked message on `dlq.<service>` (servicekit's retry policy).
DLQ_HEADERS = {
    "x-fotoai-error": "type and message of the last error",
    "x-fotoai-error-type": "the exception's class name",
    "x-fotoai-error-trace": "the end of the traceback",
    "x-fotoai-failed-service": "the service whose handler gave up",
    "x-fotoai-original-topic": "where the message was read",
    "x-fotoai-original-partition": "its partition there",
    "x-fotoai-original-offset": "its offset there",
    "x-fotoai-attempts": "handler attempts made (0: the message did not decode)",
}


def _id(name: str) -> str:
    """A component name from a topic name: `photo.stage-failed.v1` → `photoStageFailedV1`."""
    parts = re.split(r"[.\-_]", name)
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


#: The `SOURCE` of events published by servicekit's retry policy on behalf of a consumer.
SHARED_SOURCE = "servicekit"


def producers_of(cls: type[Envelope]) -> tuple[str, ...]:
    """The services that publish `cls`, from its CloudEvents source (`/services/<name>`): the
    shared retry policy's events (`photo.stage-failed.v1`) come from every consumer."""
    source = cls.SOURCE.rstrip("/").rsplit("/", 1)[-1]
    return CONSUMER_SERVICES if source == SHARED_SOURCE else (source,)


def _key_description(cls: type[Envelope]) -> str:
    """The envelope's key rule (`KEY`), in words: the photo id, the album id, the owner id."""
    return f"the {cls.KEY.replace('_', ' ')}"


def _headers(cls: type[Envelope]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "content-type"],
        "properties": {
            "ce_specversion": {"type": "string", "const": SPECVERSION},
            "ce_id": {"type": "string", "description": "the event's id, equal to the body's `event_id`"},
            "ce_type": {"type": "string", "const": cls.ce_type()},
            "ce_source": {"type": "string", "const": cls.SOURCE},
            "ce_time": {"type": "string", "format": "date-time", "description": "equal to the body's `occurred_at`"},
            "content-type": {"type": "string", "const": CONTENT_TYPE},
            "traceparent": {"type": "string", "description": "W3C trace context, when a trace is active"},
        },
    }


def document(consumers: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """The AsyncAPI 3.0 document; `consumers` maps a topic to the services that consume it."""
    consumers = consumers or {}
    partitions = {spec.name: spec for spec in all_topics()}
    _, schemas = models_json_schema(
        [(cls, "serialization") for cls in EVENT_TYPES], ref_template=SCHEMA_REF
    )
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for cls in EVENT_TYPES:
        channel, message = _id(cls.TOPIC), cls.__name__
        spec = partitions.get(cls.TOPIC)
        messages[message] = {
            "name": cls.ce_type(),
            "title": cls.__name__,
            "summary": " ".join((cls.__doc__ or cls.__name__).split()),
            "contentType": CONTENT_TYPE,
            "headers": _headers(cls),
            "payload": {"$ref": SCHEMA_REF.format(model=cls.__name__)},
            "bindings": {"kafka": {"key": {"type": "string", "description": _key_description(cls)},
                                   "bindingVersion": "0.5.0"}},
        }
        channels[channel] = {
            "address": cls.TOPIC,
            "title": cls.TOPIC,
            "messages": {message: {"$ref": f"#/components/messages/{message}"}},
            "bindings": {"kafka": {"topic": cls.TOPIC, "bindingVersion": "0.5.0",
                                   **({"partitions": spec.partitions, "topicConfiguration": {
                                       "retention.ms": int(spec.config["retention.ms"])}} if spec else {})}},
        }
        ref = {"$ref": f"#/channels/{channel}"}
        for producer in producers_of(cls):
            operations[f"{producer}Sends{message}"] = {
                "action": "send",
                "channel": ref,
                "summary": f"{producer} publishes {cls.TOPIC}",
                "x-fotoai-service": producer,
            }
        for service in sorted(consumers.get(cls.TOPIC, ())):
            operations[f"{service}Receives{message}"] = {
                "action": "receive",
                "channel": ref,
                "summary": f"{service} consumes {cls.TOPIC} in consumer group `{service}`",
                "x-fotoai-service": service,
                "bindings": {"kafka": {"groupId": {"type": "string", "const": service}, "bindingVersion": "0.5.0"}},
            }
    messages["DeadLetter"] = {
        "name": "dead-letter",
        "title": "A parked message",
        "summary": "The original key, headers and body of a message its consumer gave up on, plus the error.",
        "headers": {"type": "object", "properties": {k: {"type": "string", "description": v}
                                                     for k, v in DLQ_HEADERS.items()}},
        "payload": {"description": "the original message body, unchanged"},
    }
    for service in CONSUMER_SERVICES:
        topic = dlq_topic(service)
        spec = partitions.get(topic)
        channels[_id(topic)] = {
            "address": topic,
            "title": topic,
            "description": f"Messages {service} could not handle after its retries, kept for replay.",
            "messages": {"DeadLetter": {"$ref": "#/components/messages/DeadLetter"}},
            "bindings": {"kafka": {"topic": topic, "bindingVersion": "0.5.0",
                                   **({"partitions": spec.partitions} if spec else {})}},
        }
        operations[f"{service}ParksDeadLetters"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{_id(topic)}"},
            "summary": f"{service}'s retry policy parks what keeps failing",
            "x-fotoai-service": service,
        }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "FotoAI events",
            "version": DOCUMENT_VERSION,
            "description": (
                "Every state change of FotoAI is a versioned event on a Kafka topic. Messages are "
                f"CloudEvents {SPECVERSION} in Kafka binary mode: `ce_*` headers, a JSON body that "
                "repeats `event_id` and `occurred_at`. Generated from libs/contracts; do not edit."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "local": {
                "host": "127.0.0.1:19092",
                "protocol": "kafka",
                "description": "the local stack (`make up`); the read-only `subscriber` principal is in stack.env",
                "security": [{"$ref": "#/components/securitySchemes/scram"}],
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "scram": {
                    "type": "scramSha512",
                    "description": "SASL/SCRAM-SHA-512, one principal per service; ACLs let each "
                    "produce only its own topics",
                },
            },
        },
    }
