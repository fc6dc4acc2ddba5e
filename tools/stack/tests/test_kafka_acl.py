"""The ACL plan derived from libs/contracts: who may write and read which topic."""

from __future__ import annotations

from fotoai.contracts.events import EVENT_TYPES
from fotoai.stack.kafka_acl import OPERATOR, SUBSCRIBER, acl_plan, principals, strimzi_acls

SERVICES = ("gateway", "ingest", "enhance", "tagging", "catalog")


def writers(plan, topic: str) -> set[str]:
    return {a.principal for a in plan if a.resource == "topic" and a.name == topic and a.operation == "Write"}


def test_each_event_topic_is_written_by_its_producer_only() -> None:
    plan = acl_plan(SERVICES)
    for cls in EVENT_TYPES:
        owners = writers(plan, cls.TOPIC) - {OPERATOR}
        if cls.SOURCE.endswith("/servicekit"):
            assert {"ingest", "enhance", "tagging"} <= owners, cls.TOPIC
            assert "gateway" not in owners
        else:
            assert owners == {cls.SOURCE.rsplit("/", 1)[-1]}, cls.TOPIC


def test_issue_14_forgeries_have_no_writer_but_their_producer() -> None:
    plan = acl_plan(SERVICES)
    assert writers(plan, "photo.enhanced.v1") - {OPERATOR} == {"enhance"}
    assert writers(plan, "photo.deleted.v1") - {OPERATOR} == {"gateway"}


def test_the_subscriber_writes_nothing_and_no_one_has_wildcard_topic_rights() -> None:
    plan = acl_plan(SERVICES)
    assert not [a for a in plan if a.principal == SUBSCRIBER and a.operation != "Read" and a.resource == "topic"
                and a.operation != "Describe"]
    assert not [a for a in plan if a.resource == "topic" and (a.name == "*" or a.pattern == "prefix")]


def test_every_service_has_a_principal_and_its_own_dead_letter_topic() -> None:
    plan = acl_plan(SERVICES)
    assert set(SERVICES) <= set(principals(SERVICES))
    for svc in ("ingest", "enhance", "tagging", "catalog"):
        assert writers(plan, f"dlq.{svc}") - {OPERATOR} == {svc}


def test_strimzi_rendering_groups_operations_per_resource() -> None:
    acls = strimzi_acls(acl_plan(SERVICES), "tagging")
    by_name = {a["resource"]["name"]: a for a in acls}
    assert by_name["photo.tagged.v1"]["operations"] == ["Describe", "Write"]
    assert by_name["photo.ingested.v1"]["operations"] == ["Describe", "Read"]
    assert by_name["tagging"]["resource"] == {"type": "group", "name": "tagging", "patternType": "prefix"}
