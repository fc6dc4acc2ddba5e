"""Topic names, partition counts and the dead-letter topics (docs/topics.md)."""

from __future__ import annotations

from dataclasses import dataclass

from fotoai.contracts.events import EVENT_TYPES

#: Partitions of each photo topic: enough for a dozen replicas of a consumer per group.
PHOTO_TOPIC_PARTITIONS = 12
DLQ_PARTITIONS = 3

#: The services that consume and therefore own a dead-letter topic.
CONSUMER_SERVICES = ("ingest", "enhance", "tagging", "catalog", "people", "text")

PHOTO_TOPICS: tuple[str, ...] = tuple(cls.TOPIC for cls in EVENT_TYPES)


#: Event topics are kept forever: replaying them with a new consumer group is how the library
#: is re-tagged or re-projected (docs/architecture.md). The same value is in deploy/k8s (tested).
EVENT_RETENTION_MS = "-1"
#: Dead letters outlive an incident long enough to be inspected and replayed: 90 days.
DLQ_RETENTION_MS = str(90 * 24 * 3600 * 1000)


def dlq_topic(service: str) -> str:
    return f"dlq.{service}"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: dict[str, str]


def all_topics() -> list[TopicSpec]:
    """Every topic the mesh needs, created at start by the launcher (and by Strimzi in k8s)."""
    specs = [TopicSpec(t, PHOTO_TOPIC_PARTITIONS, {"retention.ms": EVENT_RETENTION_MS}) for t in PHOTO_TOPICS]
    specs += [TopicSpec(dlq_topic(s), DLQ_PARTITIONS, {"retention.ms": DLQ_RETENTION_MS}) for s in CONSUMER_SERVICES]
    return specs
