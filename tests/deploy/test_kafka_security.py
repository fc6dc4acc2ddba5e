"""Kafka's trust boundary in Kubernetes matches the local stack's (issue 14): SCRAM listeners
reachable only from FotoAI's pods, the simple authorizer, one KafkaUser per service with the
ACLs the launcher derives from libs/contracts, and each service connecting as its own user.
Topic retention is the contracts' everywhere (local stack, Kubernetes, compose)."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fotoai.contracts.topics import all_topics
from fotoai.stack import kafka_acl

REPO = Path(__file__).resolve().parents[2]
OVERLAYS = ("local", "production", "gpu")
SERVICES = ("gateway", "ingest", "enhance", "tagging", "catalog", "people", "text")


def test_kafka_users_are_generated_from_the_acl_plan() -> None:
    committed = (REPO / "deploy/k8s/base/kafka/users.yaml").read_text()
    assert committed == kafka_acl.strimzi_users_yaml(), (
        "deploy/k8s/base/kafka/users.yaml is stale: "
        "`.venv/bin/python -m fotoai.stack.kafka_acl > deploy/k8s/base/kafka/users.yaml`"
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_listener_authenticates_and_admits_only_fotoai_pods(
    kustomize: ModuleType, rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    [kafka] = kustomize.of_kind(rendered[overlay], "Kafka").values()
    spec = kafka["spec"]["kafka"]
    assert spec["authorization"]["type"] == "simple"
    assert spec["config"].get("allow.everyone.if.no.acl.found") is False
    assert "userOperator" in kafka["spec"]["entityOperator"]
    for listener in spec["listeners"]:
        assert listener["authentication"]["type"] == "scram-sha-512", listener["name"]
        peers = listener["networkPolicyPeers"]
        assert {"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "fotoai"}}} in peers
        assert all(p.get("podSelector") for p in peers), "no namespace-wide peer"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_connects_as_its_own_kafka_user(
    kustomize: ModuleType, rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    resources = rendered[overlay]
    users = kustomize.of_kind(resources, "KafkaUser")
    shared = kustomize.of_kind(resources, "ConfigMap")["fotoai-shared"]["data"]
    assert shared["FOTOAI_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
    assert shared["FOTOAI_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    for name in SERVICES:
        deployment = kustomize.of_kind(resources, "Deployment")[name]
        env = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        user = env["FOTOAI_KAFKA_USERNAME"]["value"]
        assert user == f"{kafka_acl.K8S_PREFIX}{name}" and user in users
        assert env["FOTOAI_KAFKA_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": user, "key": "password"}
        assert users[user]["spec"]["authentication"]["type"] == "scram-sha-512"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_forged_events_have_no_writer_in_kubernetes_either(
    kustomize: ModuleType, rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    users = kustomize.of_kind(rendered[overlay], "KafkaUser")

    def writers(topic: str) -> set[str]:
        return {
            name for name, u in users.items() for acl in u["spec"]["authorization"]["acls"]
            if acl["resource"]["type"] == "topic" and acl["resource"]["name"] == topic
            and "Write" in acl["operations"]
        }

    ops = f"{kafka_acl.K8S_PREFIX}{kafka_acl.OPERATOR}"
    assert writers("photo.enhanced.v1") - {ops} == {"fotoai-enhance"}
    assert writers("photo.deleted.v1") - {ops} == {"fotoai-gateway"}
    assert not writers("photo.deleted.v1") & {"fotoai-tagging", "fotoai-subscriber"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_keda_reads_lag_with_the_scaled_services_credentials(
    kustomize: ModuleType, rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    resources = rendered[overlay]
    auths = kustomize.of_kind(resources, "TriggerAuthentication")
    for name, scaled in kustomize.of_kind(resources, "ScaledObject").items():
        for trigger in scaled["spec"]["triggers"]:
            if trigger["type"] == "kafka":
                assert trigger["authenticationRef"]["name"] in auths, name
                assert trigger["metadata"]["sasl"] == "scram_sha512", name


def test_topic_retention_is_the_contracts_in_kubernetes_and_compose(
    kustomize: ModuleType, rendered: dict[str, list[dict[str, Any]]]
) -> None:
    wanted = {t.name: t.config["retention.ms"] for t in all_topics()}
    declared = {
        t["spec"]["topicName"]: str(t["spec"]["config"]["retention.ms"])
        for t in kustomize.of_kind(rendered["production"], "KafkaTopic").values()
    }
    assert declared, "no KafkaTopic rendered"
    for topic, retention in declared.items():
        if topic in wanted:
            assert retention == wanted[topic], topic
    compose = (REPO / "deploy/compose.yaml").read_text()
    for topic, retention in re.findall(r"^\s*create (\S+) \d+ (-?\d+)\s*$", compose, re.MULTILINE):
        assert retention == wanted[topic], topic
    assert wanted["photo.uploaded.v1"] == "-1", "event topics are kept for replays"
