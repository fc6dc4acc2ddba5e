"""deploy/compose.yaml parses, runs every service, and agrees with the Kubernetes manifests."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "deploy" / "compose.yaml"
SERVICES = {"gateway": 8000, "catalog": 8001, "ingest": 8002, "enhance": 8003, "tagging": 8004, "people": 8005,
            "text": 8006}
INFRASTRUCTURE = {"kafka", "postgres", "minio", "redis"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_names_every_service_and_its_infrastructure(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(SERVICES) | INFRASTRUCTURE <= set(services)
    assert "zookeeper" not in services
    assert services["kafka"]["image"].startswith("apache/kafka:")
    kafka_env = environment(services["kafka"])
    assert set(kafka_env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert kafka_env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert services["postgres"]["image"].startswith("pgvector/pgvector:")
    assert "minio" in services["minio"]["image"]
    # Valkey: the Redis protocol under BSD-3-Clause (Redis >= 7.4 is RSALv2/SSPL).
    assert services["redis"]["image"].startswith("valkey/valkey:")
    for name, service in services.items():
        for dependency in service.get("depends_on") or {}:
            assert dependency in services, f"{name} depends on unknown {dependency}"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_service_is_built_from_its_dockerfile_and_configured(
    compose: dict[str, Any], name: str
) -> None:
    service = compose["services"][name]
    build = service["build"]
    assert (COMPOSE.parent / build["context"]).resolve() == REPO
    assert (REPO / build["dockerfile"]) == REPO / "Dockerfile", "the one Dockerfile, with ARG SERVICE"
    assert build["args"] == {"SERVICE": name, "PORT": str(SERVICES[name])}
    assert service["image"] == f"ghcr.io/fotoai/{name}:dev", "same image names as deploy/k8s"
    port = SERVICES[name]
    if name == "gateway":
        assert service["ports"] == [f"${{FOTOAI_BIND:-127.0.0.1}}:{port}:{port}"]
    else:
        assert "ports" not in service, f"{name} is internal: reachable on the compose network only"
    env = environment(service)
    kafka_env = environment(compose["services"]["kafka"])
    assert f"INTERNAL://{env['FOTOAI_KAFKA_BOOTSTRAP']}" in kafka_env["KAFKA_ADVERTISED_LISTENERS"]
    assert env["FOTOAI_S3_ENDPOINT"] == "http://minio:9000"
    assert env["FOTOAI_HTTP_HOST"] == "0.0.0.0", "the default 127.0.0.1 is unreachable"
    assert {"FOTOAI_S3_ACCESS_KEY", "FOTOAI_S3_SECRET_KEY", "FOTOAI_OTLP_ENDPOINT"} <= set(env)
    assert ("FOTOAI_DATABASE_URL" in env) == (name in {"catalog", "people"})
    assert ("FOTOAI_DEVICE" in env) == (name in {"enhance", "tagging"})
    depends = service["depends_on"]
    assert depends["kafka-topics"]["condition"] == "service_completed_successfully"
    assert depends["create-buckets"]["condition"] == "service_completed_successfully"


def test_only_the_gateway_and_grafana_are_published_and_only_on_loopback(compose: dict[str, Any]) -> None:
    published = {name: s["ports"] for name, s in compose["services"].items() if s.get("ports")}
    assert set(published) == {"gateway", "grafana"}
    assert all(p.startswith(("127.0.0.1:", "${FOTOAI_BIND:-127.0.0.1}:")) for ports in published.values() for p in ports)
    assert "profiles" in compose["services"]["grafana"], "Grafana only with the observability profile"


def test_no_credential_has_a_default(compose: dict[str, Any]) -> None:
    text = COMPOSE.read_text()
    for name in ("FOTOAI_S3_ACCESS_KEY", "FOTOAI_S3_SECRET_KEY", "FOTOAI_POSTGRES_PASSWORD",
                 "FOTOAI_JWT_SECRET", "GF_SECURITY_ADMIN_PASSWORD"):
        assert f"${{{name}:-" not in text, f"{name} has a default value"
        assert f"${{{name}:?" in text, f"{name} must be required"
    assert "GF_AUTH_ANONYMOUS_ENABLED" not in text


def test_gateway_has_no_default_jwt_secret(compose: dict[str, Any]) -> None:
    env = environment(compose["services"]["gateway"])
    # ${VAR:?message} makes compose refuse to start without it: no constant secret anywhere.
    assert re.fullmatch(r"\$\{FOTOAI_JWT_SECRET:\?[^}]+\}", env["FOTOAI_JWT_SECRET"])
    assert env["FOTOAI_CATALOG_URL"] == f"http://catalog:{SERVICES['catalog']}"
    assert env["FOTOAI_REDIS_URL"].startswith("redis://redis:")
    assert {"FOTOAI_JWT_ISSUER", "FOTOAI_JWT_AUDIENCE"} <= set(env)
    assert compose["services"]["gateway"]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_compose_creates_the_same_topics_as_kubernetes(
    compose: dict[str, Any], kustomize: ModuleType, rendered: dict[str, list[dict[str, Any]]]
) -> None:
    script = "\n".join(compose["services"]["kafka-topics"]["command"])
    created = {
        topic: (int(partitions), retention)
        for topic, partitions, retention in re.findall(
            r"^\s*create (\S+) (\d+) (-?\d+)\s*$", script, re.MULTILINE
        )
    }
    declared = {
        t["spec"]["topicName"]: (t["spec"]["partitions"], str(t["spec"]["config"]["retention.ms"]))
        for t in kustomize.of_kind(rendered["production"], "KafkaTopic").values()
    }
    assert created == declared


def test_prometheus_scrapes_every_service_with_its_label() -> None:
    config = yaml.safe_load((REPO / "deploy/grafana/compose/prometheus.yml").read_text())
    [job] = config["scrape_configs"]
    assert job["honor_labels"] is True
    targets = {
        target: group["labels"]["service"]
        for group in job["static_configs"]
        for target in group["targets"]
    }
    assert targets == {f"{name}:{port}": name for name, port in SERVICES.items()}


def test_observability_mounts_exist(compose: dict[str, Any]) -> None:
    for name in ("prometheus", "grafana"):
        service = compose["services"][name]
        assert service["profiles"] == ["observability"]
        for volume in service["volumes"]:
            source = volume.split(":")[0]
            assert (COMPOSE.parent / source).exists(), f"{name}: {source} missing"
