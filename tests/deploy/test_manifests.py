"""Every overlay of deploy/k8s renders, validates, and says what the design promises."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import Any

import kubernetes_validate
import pytest
from fotoai.contracts.topics import PHOTO_TOPICS

OVERLAYS = ("local", "production", "gpu")
SERVICES = {"gateway": 8000, "catalog": 8001, "ingest": 8002, "enhance": 8003, "tagging": 8004, "people": 8005,
            "text": 8006}
CONSUMERS = {
    "ingest": {"photo.uploaded.v1"},
    "enhance": {"photo.ingested.v1"},
    "tagging": {"photo.ingested.v1"},
    "people": {"photo.ingested.v1", "photo.tagged.v1", "photo.deleted.v1", "person.edited.v1"},
    "text": {"photo.ingested.v1"},
    "catalog": {
        "photo.uploaded.v1",
        "photo.ingested.v1",
        "photo.rejected.v1",
        "photo.enhanced.v1",
        "photo.tagged.v1",
        "photo.deleted.v1",
        "photo.faces-recognized.v1",
        "photo.text-recognized.v1",
        "person.updated.v1",
    },
}
CONTRACT_TOPICS = set(PHOTO_TOPICS)  # every topic of libs/contracts, consumed or not
DLQ_TOPICS = {f"dlq.{service}" for service in CONSUMERS}
GPU_SERVICES = {"enhance", "tagging"}
KUBERNETES_VERSION = "1.33.0"
CUSTOM_KINDS = {
    "Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "ScaledObject", "ServiceMonitor",
    "TriggerAuthentication",
}
NAMESPACE = "fotoai"

Resources = list[dict[str, Any]]


def containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    spec = workload["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def fotoai_deployments(kustomize: ModuleType, resources: Resources) -> dict[str, dict[str, Any]]:
    return {
        name: d
        for name, d in kustomize.of_kind(resources, "Deployment").items()
        if d["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "fotoai"
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_builds_with_every_service(
    kustomize: ModuleType, rendered: dict[str, Resources], overlay: str
) -> None:
    resources = rendered[overlay]
    deployments = fotoai_deployments(kustomize, resources)
    assert set(deployments) == set(SERVICES)
    for resource in resources:
        if resource["kind"] != "Namespace":
            assert resource["metadata"]["namespace"] == NAMESPACE, resource["metadata"]["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_core_resources_validate_against_kubernetes_schemas(
    core_schemas: ModuleType, rendered: dict[str, Resources], overlay: str
) -> None:
    problems = []
    checked = 0
    for resource in rendered[overlay]:
        if resource["kind"] in CUSTOM_KINDS:
            continue
        for message in core_schemas.errors(resource, KUBERNETES_VERSION, strict=True):
            problems.append(f"{resource['kind']}/{resource['metadata']['name']} {message}")
        checked += 1
    assert not problems, "\n".join(problems)
    assert checked >= 30


def test_core_validation_agrees_with_kubernetes_validate(
    core_schemas: ModuleType, rendered: dict[str, Resources]
) -> None:
    """The cached validator is kubernetes-validate's, checked on a good and a bad object."""
    deployment = next(r for r in rendered["production"] if r["kind"] == "Deployment")
    kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    assert core_schemas.errors(deployment, KUBERNETES_VERSION) == []
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two", "paused": 1}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
    messages = core_schemas.errors(broken, KUBERNETES_VERSION)
    assert len(messages) == 2 and any("'two' is not of type 'integer'" in m for m in messages)
    typo = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    assert any("'replica' was unexpected" in m for m in core_schemas.errors(typo, "1.33"))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_custom_resources_match_their_operators_schemas(
    crd_schemas: ModuleType, rendered: dict[str, Resources], overlay: str
) -> None:
    problems = []
    seen = set()
    for resource in rendered[overlay]:
        if resource["kind"] in CUSTOM_KINDS:
            seen.add(resource["kind"])
            for message in crd_schemas.errors(resource):
                problems.append(f"{resource['kind']}/{resource['metadata']['name']} {message}")
    assert not problems, "\n".join(problems)
    assert seen == CUSTOM_KINDS


def test_crd_schemas_catch_common_mistakes(crd_schemas: ModuleType) -> None:
    scaled = {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": "x"},
        "spec": {
            "scaleTargetRef": {"name": "x"},
            "triggers": [{"type": "kafka", "metadata": {"consumerGroup": "x", "lagThreshold": 5}}],
        },
    }
    messages = " ".join(crd_schemas.errors(scaled))
    assert "bootstrapServers" in messages and "5 is not of type 'string'" in messages
    topic = {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaTopic",
        "metadata": {"name": "t", "labels": {}},
        "spec": {"partitions": 0, "replicas": 1, "retention": 1},
    }
    messages = " ".join(crd_schemas.errors(topic))
    assert "strimzi.io/cluster" in messages and "minimum of 1" in messages
    assert "Additional properties" in messages


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_has_probes_resources_and_runs_unprivileged(
    kustomize: ModuleType, rendered: dict[str, Resources], overlay: str
) -> None:
    for name, deployment in kustomize.of_kind(rendered[overlay], "Deployment").items():
        for container in containers(deployment):
            assert container.get("livenessProbe"), f"{name}: no liveness probe"
            assert container.get("readinessProbe"), f"{name}: no readiness probe"
            resources = container.get("resources", {})
            assert {"cpu", "memory"} <= set(resources.get("requests", {})), name
            assert "memory" in resources.get("limits", {}), name
    for name, deployment in fotoai_deployments(kustomize, rendered[overlay]).items():
        [container] = containers(deployment)
        port = container["ports"][0]
        assert (port["name"], port["containerPort"]) == ("http", SERVICES[name])
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert container["command"] == ["python", "-m", f"fotoai.{name}"]
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
        assert "/tmp" in mounts, f"{name}: a read-only root needs a writable /tmp"
        assert re.fullmatch(rf"ghcr\.io/fotoai/{name}:[\w.-]+", container["image"])
        assert not container["image"].endswith(":latest"), f"{overlay} must pin {name}'s tag"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_pdbs_policies_and_monitors_select_their_pods(
    kustomize: ModuleType, rendered: dict[str, Resources], overlay: str
) -> None:
    resources = rendered[overlay]
    deployments = fotoai_deployments(kustomize, resources)
    services = kustomize.of_kind(resources, "Service")
    pdbs = kustomize.of_kind(resources, "PodDisruptionBudget")
    policies = kustomize.of_kind(resources, "NetworkPolicy")
    monitors = kustomize.of_kind(resources, "ServiceMonitor")
    for name, deployment in deployments.items():
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= pod_labels.items()
        service = services[name]
        assert service["spec"]["selector"].items() <= pod_labels.items()
        assert service["spec"]["ports"] == [
            {"name": "http", "port": SERVICES[name], "targetPort": "http", "protocol": "TCP"}
        ]
        assert pdbs[name]["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        policy = policies[name]["spec"]
        assert policy["podSelector"]["matchLabels"].items() <= pod_labels.items()
        assert "Ingress" in policy["policyTypes"]
        monitor = monitors[name]["spec"]
        assert monitor["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
        assert monitor["endpoints"][0]["port"] == "http"
        assert monitor["endpoints"][0]["path"] == "/metrics"


def test_network_policies_open_only_what_is_needed(
    kustomize: ModuleType, rendered: dict[str, Resources]
) -> None:
    policies = kustomize.of_kind(rendered["production"], "NetworkPolicy")

    def sources(name: str) -> list[Any]:
        return [rule.get("from") for rule in policies[name]["spec"]["ingress"]]

    assert None in sources("gateway"), "the public API takes traffic from anywhere"
    catalog_from = [peer for peers in sources("catalog") if peers for peer in peers]
    assert {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}} in catalog_from
    for name in ("catalog", "ingest", "enhance", "tagging", "people", "text"):
        assert None not in sources(name), f"{name} must not accept traffic from everywhere"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_contract_topic_and_dlq_is_a_kafka_topic(
    kustomize: ModuleType, rendered: dict[str, Resources], overlay: str
) -> None:
    resources = rendered[overlay]
    [cluster] = kustomize.of_kind(resources, "Kafka")
    pools = kustomize.of_kind(resources, "KafkaNodePool").values()
    brokers = sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"])
    assert all(p["metadata"]["labels"]["strimzi.io/cluster"] == cluster for p in pools)
    topics = {
        t["spec"].get("topicName", name): t
        for name, t in kustomize.of_kind(resources, "KafkaTopic").items()
    }
    assert set(topics) == CONTRACT_TOPICS | DLQ_TOPICS
    contract_retention = []
    for name, topic in topics.items():
        spec = topic["spec"]
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == cluster
        assert 1 <= spec["replicas"] <= brokers, name
        assert int(spec["config"]["min.insync.replicas"]) <= spec["replicas"], name
        if name in CONTRACT_TOPICS:
            assert spec["partitions"] == 12, name
            contract_retention.append(int(spec["config"]["retention.ms"]))
        else:
            assert spec["partitions"] == 3, name
    finite = [r for r in contract_retention if r > 0]  # -1: kept forever (replays)
    for name in DLQ_TOPICS:
        assert int(topics[name]["spec"]["config"]["retention.ms"]) > max(finite, default=0), name
    broker_config = kustomize.of_kind(resources, "Kafka")[cluster]["spec"]["kafka"]["config"]
    assert broker_config["auto.create.topics.enable"] is False
    assert broker_config["offsets.topic.replication.factor"] <= brokers


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_keda_scales_each_consumer_on_the_lag_of_what_it_consumes(
    kustomize: ModuleType, rendered: dict[str, Resources], overlay: str
) -> None:
    resources = rendered[overlay]
    scaled = kustomize.of_kind(resources, "ScaledObject")
    hpas = kustomize.of_kind(resources, "HorizontalPodAutoscaler")
    deployments = fotoai_deployments(kustomize, resources)
    [cluster] = kustomize.of_kind(resources, "Kafka")
    partitions = {
        t["spec"]["topicName"]: t["spec"]["partitions"]
        for t in kustomize.of_kind(resources, "KafkaTopic").values()
    }
    assert set(scaled) == set(CONSUMERS)
    for name, consumed in CONSUMERS.items():
        spec = scaled[name]["spec"]
        assert spec["scaleTargetRef"]["name"] == name and name in deployments
        triggers = spec["triggers"]
        assert {t["type"] for t in triggers} == {"kafka"}
        assert {t["metadata"]["topic"] for t in triggers} == consumed
        for trigger in triggers:
            metadata = trigger["metadata"]
            assert metadata["consumerGroup"] == name, "consumer group = service name"
            assert metadata["bootstrapServers"] == f"{cluster}-kafka-bootstrap.{NAMESPACE}.svc:9092"
        assert spec["minReplicaCount"] >= 1
        assert spec["minReplicaCount"] <= spec["maxReplicaCount"]
        assert spec["maxReplicaCount"] <= min(partitions[t] for t in consumed)
        assert "replicas" not in deployments[name]["spec"], "KEDA owns the replica count"
    assert set(hpas) == {"gateway"}, "KEDA makes its own HPAs; only the gateway has one"
    gateway = hpas["gateway"]["spec"]
    assert gateway["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "gateway",
    }
    assert 1 <= gateway["minReplicas"] <= gateway["maxReplicas"]
    assert "replicas" not in deployments["gateway"]["spec"]


def test_gpu_overlay_puts_only_enhance_and_tagging_on_gpus(
    kustomize: ModuleType, rendered: dict[str, Resources]
) -> None:
    for overlay in OVERLAYS:
        resources = rendered[overlay]
        for name, deployment in kustomize.of_kind(resources, "Deployment").items():
            pod = deployment["spec"]["template"]["spec"]
            gpus = [
                c["resources"].get("limits", {}).get("nvidia.com/gpu")
                for c in containers(deployment)
            ]
            on_gpu = overlay == "gpu" and name in GPU_SERVICES
            assert any(gpus) == on_gpu, f"{overlay}/{name}: nvidia.com/gpu {gpus}"
            assert ("nodeSelector" in pod) == on_gpu, f"{overlay}/{name}"
            tolerations = [t.get("key") for t in pod.get("tolerations", [])]
            assert ("nvidia.com/gpu" in tolerations) == on_gpu, f"{overlay}/{name}"
            if on_gpu:
                assert gpus == [1]
                assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
        configs = kustomize.of_kind(resources, "ConfigMap")
        for name in GPU_SERVICES:
            data = configs[f"{name}-config"]["data"]
            wanted = "cuda" if overlay == "gpu" else "cpu"
            assert data["FOTOAI_DEVICE"] == wanted
            assert data[f"FOTOAI_{name.upper()}__DEVICE"] == wanted, "the option the code reads"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_environment_references_resolve(
    kustomize: ModuleType, rendered: dict[str, Resources], overlay: str
) -> None:
    resources = rendered[overlay]
    configs = kustomize.of_kind(resources, "ConfigMap")
    secrets = kustomize.of_kind(resources, "Secret")
    claims = kustomize.of_kind(resources, "PersistentVolumeClaim")
    external_secrets = set()
    # Strimzi's user operator makes a Secret per KafkaUser, with the user's `password`.
    kafka_users = set(kustomize.of_kind(resources, "KafkaUser"))
    deployments = fotoai_deployments(kustomize, resources)
    for name, deployment in kustomize.of_kind(resources, "Deployment").items():
        for container in containers(deployment):
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in configs, name
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if not ref:
                    continue
                if ref["name"] in kafka_users and ref["key"] == "password":
                    continue
                if ref["name"] in secrets:
                    secret = secrets[ref["name"]]
                    assert ref["key"] in secret.get("data", secret.get("stringData", {})), name
                elif not ref.get("optional"):
                    external_secrets.add((ref["name"], ref["key"]))
        for volume in deployment["spec"]["template"]["spec"].get("volumes", []):
            if "persistentVolumeClaim" in volume:
                assert volume["persistentVolumeClaim"]["claimName"] in claims, name
    if overlay == "local":
        assert not external_secrets, f"local must be self-contained: {external_secrets}"
    else:
        # Production secrets live outside the repository; the overlay's header lists them.
        assert external_secrets == {
            ("fotoai-s3", "access-key"),
            ("fotoai-s3", "secret-key"),
            ("fotoai-database", "url"),
            ("fotoai-redis", "url"),
        }
        assert not secrets, "no secret values in the production overlays"
    environment = {
        name: {
            key
            for source in containers(d)[0].get("envFrom", [])
            for key in configs[source["configMapRef"]["name"]].get("data", {})
        }
        | {v["name"] for v in containers(d)[0].get("env", [])}
        for name, d in deployments.items()
    }
    for name, keys in environment.items():
        assert {"FOTOAI_KAFKA_BOOTSTRAP", "FOTOAI_S3_ENDPOINT", "FOTOAI_OTLP_ENDPOINT"} <= keys
        assert "FOTOAI_HTTP_HOST" in keys, "the default 127.0.0.1 is unreachable for probes"
        assert {"FOTOAI_S3_ACCESS_KEY", "FOTOAI_S3_SECRET_KEY"} <= keys
        assert ("FOTOAI_DATABASE_URL" in keys) == (name in {"catalog", "people"}), "SQL: catalog, people (own DB)"
        assert ("FOTOAI_DEVICE" in keys) == (name in GPU_SERVICES)
    assert {
        "FOTOAI_JWT_SECRET",
        "FOTOAI_JWT_ISSUER",
        "FOTOAI_JWT_AUDIENCE",
        "FOTOAI_REDIS_URL",
        "FOTOAI_CATALOG_URL",
    } <= environment["gateway"]
    assert configs["fotoai-shared"]["data"]["FOTOAI_HTTP_HOST"] == "0.0.0.0"
    gateway_config = configs["gateway-config"]["data"]
    assert gateway_config["FOTOAI_CATALOG_URL"] == f"http://catalog:{SERVICES['catalog']}"
    if overlay != "local":
        assert "FOTOAI_JWT_JWKS_URL" in gateway_config
        assert {"FOTOAI_TAGGING_MODEL_PATH", "FOTOAI_TAGGING__CLIP_PATH"} <= environment["tagging"]


def test_grafana_dashboards_ship_as_a_labelled_config_map(
    kustomize: ModuleType, rendered: dict[str, Resources]
) -> None:
    grafana = Path(__file__).resolve().parents[2] / "deploy" / "grafana"
    expected = {p.name for p in grafana.glob("*.json")}
    assert len(expected) >= 4
    for overlay in OVERLAYS:
        dashboards = kustomize.of_kind(rendered[overlay], "ConfigMap")["fotoai-dashboards"]
        assert dashboards["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert set(dashboards["data"]) == expected, "list every dashboard in the kustomization"
        for name in expected:
            assert dashboards["data"][name] == (grafana / name).read_text()
