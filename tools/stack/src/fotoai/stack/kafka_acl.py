"""Who may do what on Kafka: one principal per service, its ACLs derived from `libs/contracts`.

docs/architecture.md (trust boundaries): each service produces only its own topics (the event classes whose `SOURCE` is
that service, its `dlq.<service>`, and — through the shared retry policy, whose `SOURCE` is
servicekit — the stage-failure topic) and reads only what it subscribes to, in consumer groups
named after it. Two more principals: `subscriber`, read-only on every event topic (what
`stack.env` hands to other systems), and `operator`, who reads dead letters and replays them.
`admin` is the broker's super user; the launcher alone uses it (and tests that create topics).

The same plan drives the local stack (created through the admin API at every start, which is
idempotent) and the Strimzi `KafkaUser` manifests in `deploy/k8s` (checked by a test).
"""

from __future__ import annotations

from dataclasses import dataclass

from fotoai.contracts.events import EVENT_TYPES
from fotoai.contracts.topics import CONSUMER_SERVICES, dlq_topic

ADMIN = "admin"
SUBSCRIBER = "subscriber"
OPERATOR = "operator"
#: SOURCE of events published by servicekit on behalf of whichever service failed.
SHARED_SOURCE = "servicekit"

#: What each consumer subscribes to (docs/topics.md). A consumer service that is not listed here
#: (a new bounded context) may read every event topic until it is given its own line.
CONSUMES: dict[str, tuple[str, ...]] = {
    "ingest": ("photo.uploaded.v1",),
    "enhance": ("photo.ingested.v1",),
    "tagging": ("photo.ingested.v1",),
    "people": ("photo.ingested.v1", "photo.tagged.v1", "photo.deleted.v1", "person.edited.v1"),
    "text": ("photo.ingested.v1",),
}
#: The catalog projects every event topic; it also reads the dead letters it shows as failures.
READS_EVERYTHING = ("catalog",)


@dataclass(frozen=True, order=True)
class Acl:
    principal: str  # user name, without "User:"
    resource: str  # "topic" | "group" | "cluster"
    name: str
    pattern: str  # "literal" | "prefix"
    operation: str  # "Read" | "Write" | "Describe" | "DescribeConfigs" | …


def event_topics() -> list[str]:
    return sorted({cls.TOPIC for cls in EVENT_TYPES})


def producers() -> dict[str, set[str]]:
    """service → the event topics it may write, from each event class's `SOURCE`."""
    out: dict[str, set[str]] = {}
    for cls in EVENT_TYPES:
        source = cls.SOURCE.rstrip("/").rsplit("/", 1)[-1]
        owners = CONSUMER_SERVICES if source == SHARED_SOURCE else (source,)
        for owner in owners:
            out.setdefault(owner, set()).add(cls.TOPIC)
    for service in CONSUMER_SERVICES:
        out.setdefault(service, set()).add(dlq_topic(service))
    return out


def service_principals(services: tuple[str, ...] | list[str] = ()) -> list[str]:
    """Every service that needs its own principal: producers, consumers and any extra named."""
    return sorted(set(producers()) | set(CONSUMER_SERVICES) | set(services))


def principals(services: tuple[str, ...] | list[str] = ()) -> list[str]:
    return [*service_principals(services), SUBSCRIBER, OPERATOR]


def _topic(principal: str, topic: str, *operations: str) -> list[Acl]:
    return [Acl(principal, "topic", topic, "literal", op) for op in operations]


def acl_plan(services: tuple[str, ...] | list[str] = ()) -> list[Acl]:
    everything = event_topics()
    dlqs = [dlq_topic(s) for s in CONSUMER_SERVICES]
    writes = producers()
    acls: list[Acl] = []
    for svc in service_principals(services):
        for topic in sorted(writes.get(svc, ())):
            acls += _topic(svc, topic, "Write", "Describe")
        if svc in READS_EVERYTHING:
            reads = [*everything, *dlqs]
        elif svc in CONSUMES:
            reads = list(CONSUMES[svc])
        elif svc in CONSUMER_SERVICES:
            reads = everything
        else:
            reads = []
        for topic in reads:
            acls += _topic(svc, topic, "Read", "Describe")
        if reads:
            acls.append(Acl(svc, "group", svc, "prefix", "Read"))
        if svc in READS_EVERYTHING:
            # Consumer-lag gauges: committed offsets of every group, end offsets of every topic.
            acls.append(Acl(svc, "group", "*", "literal", "Describe"))
            for topic in everything + dlqs:
                acls += _topic(svc, topic, "Describe")
    for topic in everything:
        acls += _topic(SUBSCRIBER, topic, "Read", "Describe")
    acls.append(Acl(SUBSCRIBER, "group", "*", "literal", "Read"))
    for topic in dlqs:
        acls += _topic(OPERATOR, topic, "Read", "Describe")
    for topic in everything:
        acls += _topic(OPERATOR, topic, "Write", "Describe")
    acls.append(Acl(OPERATOR, "group", "dlq-replay.", "prefix", "Read"))
    return sorted(set(acls))


def kafka_python_acls(plan: list[Acl]) -> list:
    """The plan as kafka-python `ACL` objects, for `KafkaAdminClient.create_acls`."""
    from kafka.admin import (
        ACL,
        ACLOperation,
        ACLPermissionType,
        ACLResourcePatternType,
        ResourcePattern,
        ResourceType,
    )

    ops = {
        "Read": ACLOperation.READ, "Write": ACLOperation.WRITE, "Describe": ACLOperation.DESCRIBE,
        "DescribeConfigs": ACLOperation.DESCRIBE_CONFIGS,
    }
    kinds = {"topic": ResourceType.TOPIC, "group": ResourceType.GROUP, "cluster": ResourceType.CLUSTER}
    patterns = {"literal": ACLResourcePatternType.LITERAL, "prefix": ACLResourcePatternType.PREFIXED}
    return [
        ACL(f"User:{a.principal}", "*", ops[a.operation], ACLPermissionType.ALLOW,
            ResourcePattern(kinds[a.resource], a.name, patterns[a.pattern]))
        for a in plan
    ]


def strimzi_acls(plan: list[Acl], principal: str) -> list[dict]:
    """One principal's part of the plan as Strimzi `KafkaUser.spec.authorization.acls`."""
    out: dict[tuple[str, str, str], list[str]] = {}
    for a in plan:
        if a.principal == principal:
            out.setdefault((a.resource, a.name, a.pattern), []).append(a.operation)
    return [
        {"resource": {"type": kind, "name": name, "patternType": pattern}, "operations": sorted(ops)}
        for (kind, name, pattern), ops in sorted(out.items())
    ]


#: In Kubernetes the principals are KafkaUsers named `fotoai-<principal>` (Strimzi's user
#: operator keeps each password in a Secret of the same name, key `password`). KEDA reads a
#: consumer group's lag with the scaled service's own credentials (TriggerAuthentication).
K8S_PREFIX = "fotoai-"
K8S_SERVICES = ("gateway", "ingest", "enhance", "tagging", "catalog")


def k8s_plan() -> list[Acl]:
    return acl_plan(K8S_SERVICES)


def strimzi_users_yaml() -> str:
    """deploy/k8s/base/kafka/users.yaml, generated: `python -m fotoai.stack.kafka_acl`."""
    import yaml

    plan = k8s_plan()
    docs = []
    for principal in sorted({a.principal for a in plan}):
        docs.append({
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaUser",
            "metadata": {"name": K8S_PREFIX + principal, "labels": {"strimzi.io/cluster": "fotoai"}},
            "spec": {
                "authentication": {"type": "scram-sha-512"},
                "authorization": {"type": "simple", "acls": strimzi_acls(plan, principal)},
            },
        })
    header = (
        "# One Kafka principal per service, with the ACLs of tools/stack/src/fotoai/stack/kafka_acl.py\n"
        "# (derived from libs/contracts: each service writes only its own topics, reads only what it\n"
        "# subscribes to). GENERATED — change the plan, then `python -m fotoai.stack.kafka_acl >\n"
        "# deploy/k8s/base/kafka/users.yaml`; tests/deploy/test_kafka_security.py checks they agree.\n"
    )
    return header + "---\n".join(yaml.safe_dump(d, sort_keys=False) for d in docs)


if __name__ == "__main__":
    print(strimzi_users_yaml(), end="")
