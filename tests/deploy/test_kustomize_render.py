"""The offline kustomize renderer behaves like kustomize on the features deploy/k8s uses."""

from __future__ import annotations

import base64
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
import yaml


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
    spec:
      containers:
        - name: web
          image: ghcr.io/example/web:latest
          env:
            - name: A
              value: "1"
            - name: B
              value: "2"
          ports:
            - containerPort: 8000
              name: http
        - name: sidecar
          image: busybox
      volumes:
        - name: tmp
          emptyDir: {}
"""


@pytest.fixture
def base(tmp_path: Path) -> Path:
    write(tmp_path / "base" / "deployment.yaml", DEPLOYMENT)
    write(
        tmp_path / "base" / "kustomization.yaml",
        """
        resources:
          - deployment.yaml
        labels:
          - pairs:
              team: photos
            includeTemplates: true
        """,
    )
    return tmp_path / "base"


def test_strategic_merge_keys_merge_containers_env_and_volumes(
    kustomize: ModuleType, base: Path, tmp_path: Path
) -> None:
    write(
        tmp_path / "overlay" / "patch.yaml",
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
                - name: web
                  env:
                    - name: B
                      value: "20"
                    - name: C
                      value: "3"
              volumes:
                - name: models
                  emptyDir: {}
        """,
    )
    write(
        tmp_path / "overlay" / "kustomization.yaml",
        """
        namespace: photos
        resources:
          - ../base
        patches:
          - path: patch.yaml
        """,
    )
    [deployment] = kustomize.build(tmp_path / "overlay")
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["web", "sidecar"]
    # kustomize's order: the patch's items (merged), then the originals it did not mention.
    assert containers[0]["env"] == [
        {"name": "B", "value": "20"},
        {"name": "C", "value": "3"},
        {"name": "A", "value": "1"},
    ]
    assert containers[0]["image"] == "ghcr.io/example/web:latest"
    volumes = deployment["spec"]["template"]["spec"]["volumes"]
    assert [v["name"] for v in volumes] == ["models", "tmp"]
    assert deployment["metadata"]["namespace"] == "photos"
    assert deployment["metadata"]["labels"]["team"] == "photos"
    assert deployment["spec"]["template"]["metadata"]["labels"]["team"] == "photos"
    # includeSelectors defaults to false: selectors are immutable, never touched.
    assert deployment["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": "web"}


def test_custom_resource_lists_are_replaced_and_maps_merged(kustomize: ModuleType) -> None:
    original = {"spec": {"triggers": [{"a": 1}, {"b": 2}], "config": {"x": 1, "y": 2}}}
    patch = {"spec": {"triggers": [{"c": 3}], "config": {"y": None, "z": 3}}}
    merged = kustomize.strategic_merge(original, patch, builtin=False)
    assert merged == {"spec": {"triggers": [{"c": 3}], "config": {"x": 1, "z": 3}}}
    assert original["spec"]["config"] == {"x": 1, "y": 2}, "the input must not change"


def test_patch_directives_delete_and_replace(kustomize: ModuleType) -> None:
    original = {
        "containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}],
        "storage": {"type": "jbod", "volumes": [1]},
    }
    patch = {
        "containers": [{"name": "a", "$patch": "delete"}],
        "storage": {"$patch": "replace", "type": "ephemeral"},
    }
    merged = kustomize.strategic_merge(original, patch, builtin=True)
    assert merged == {"containers": [{"name": "b", "image": "y"}], "storage": {"type": "ephemeral"}}


def test_target_patches_apply_to_every_match_and_json6902(
    kustomize: ModuleType, base: Path, tmp_path: Path
) -> None:
    write(
        tmp_path / "base" / "more.yaml",
        DEPLOYMENT.replace("name: web\n  labels", "name: api\n  labels"),
    )
    write(
        tmp_path / "base" / "kustomization.yaml",
        """
        resources:
          - deployment.yaml
          - more.yaml
        """,
    )
    write(
        tmp_path / "overlay" / "kustomization.yaml",
        """
        resources:
          - ../base
        patches:
          - target:
              kind: Deployment
            patch: |-
              apiVersion: apps/v1
              kind: Deployment
              metadata:
                name: placeholder
              spec:
                template:
                  spec:
                    nodeSelector:
                      gpu: "true"
          - target:
              kind: Deployment
              name: api
            patch: |-
              - op: replace
                path: /spec/template/spec/containers/0/image
                value: other:1
              - op: add
                path: /spec/template/spec/containers/0/env/-
                value: {name: D, value: "4"}
              - op: remove
                path: /spec/template/spec/containers/1
        """,
    )
    resources = kustomize.of_kind(kustomize.build(tmp_path / "overlay"), "Deployment")
    assert set(resources) == {"web", "api"}
    for deployment in resources.values():
        assert deployment["spec"]["template"]["spec"]["nodeSelector"] == {"gpu": "true"}
    api = resources["api"]["spec"]["template"]["spec"]["containers"]
    assert len(api) == 1 and api[0]["image"] == "other:1"
    assert api[0]["env"][-1] == {"name": "D", "value": "4"}
    assert len(resources["web"]["spec"]["template"]["spec"]["containers"]) == 2


def test_generators_images_and_replicas(kustomize: ModuleType, base: Path, tmp_path: Path) -> None:
    write(tmp_path / "overlay" / "dash.json", '{"title": "x"}\n')
    write(tmp_path / "overlay" / "app.env", "# comment\nKEY=value\n")
    write(
        tmp_path / "overlay" / "kustomization.yaml",
        """
        resources:
          - ../base
        generatorOptions:
          disableNameSuffixHash: true
          labels:
            grafana_dashboard: "1"
        configMapGenerator:
          - name: dashboards
            files:
              - dash.json
              - renamed.json=dash.json
            envs:
              - app.env
        secretGenerator:
          - name: creds
            literals:
              - token=s3cret
        images:
          - name: ghcr.io/example/web
            newTag: "1.2.3"
          - name: busybox
            newName: registry.example/busybox
            digest: sha256:abc
        replicas:
          - name: web
            count: 3
        """,
    )
    resources = kustomize.build(tmp_path / "overlay")
    config = kustomize.of_kind(resources, "ConfigMap")["dashboards"]
    assert config["data"] == {
        "KEY": "value",
        "dash.json": '{"title": "x"}\n',
        "renamed.json": '{"title": "x"}\n',
    }
    assert config["metadata"]["labels"] == {"grafana_dashboard": "1"}
    secret = kustomize.of_kind(resources, "Secret")["creds"]
    assert base64.b64decode(secret["data"]["token"]) == b"s3cret"
    deployment = kustomize.of_kind(resources, "Deployment")["web"]
    images = [c["image"] for c in deployment["spec"]["template"]["spec"]["containers"]]
    assert images == ["ghcr.io/example/web:1.2.3", "registry.example/busybox@sha256:abc"]
    assert deployment["spec"]["replicas"] == 3


def test_generator_merge_behavior(kustomize: ModuleType, tmp_path: Path) -> None:
    write(
        tmp_path / "base" / "kustomization.yaml",
        """
        generatorOptions:
          disableNameSuffixHash: true
        configMapGenerator:
          - name: settings
            literals: [A=1, B=2]
        """,
    )
    write(
        tmp_path / "overlay" / "kustomization.yaml",
        """
        resources: [../base]
        generatorOptions:
          disableNameSuffixHash: true
        configMapGenerator:
          - name: settings
            behavior: merge
            literals: [B=20]
        """,
    )
    [config] = kustomize.build(tmp_path / "overlay")
    assert config["data"] == {"A": "1", "B": "20"}


@pytest.mark.parametrize(
    ("kustomization", "files", "message"),
    [
        (
            "resources: [a.yaml, b.yaml]\n",
            {"a.yaml": DEPLOYMENT, "b.yaml": DEPLOYMENT},
            "duplicate",
        ),
        ("resources: [a.yaml]\nnamePrefix: x-\n", {"a.yaml": DEPLOYMENT}, "unsupported fields"),
        ("resources: [missing.yaml]\n", {}, "no such resource"),
        (
            (
                "resources: [a.yaml]\npatches:\n  - patch: |-\n"
                "      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n"
                "        name: nope\n"
            ),
            {"a.yaml": DEPLOYMENT},
            "matches no resource",
        ),
        ("configMapGenerator:\n  - name: c\n    literals: [a=1]\n", {}, "hash suffix"),
        (
            (
                "generatorOptions: {disableNameSuffixHash: true}\n"
                "configMapGenerator:\n  - name: c\n    files: [../outside.json]\n"
            ),
            {"../outside.json": "{}"},
            "outside the kustomization root",
        ),
    ],
)
def test_refuses_what_kustomize_refuses_or_we_cannot_render(
    kustomize: ModuleType,
    tmp_path: Path,
    kustomization: str,
    files: dict[str, str],
    message: str,
) -> None:
    root = tmp_path / "k"
    write(root / "kustomization.yaml", kustomization)
    for name, text in files.items():
        write(root / name, text)
    with pytest.raises(kustomize.KustomizeError, match=message):
        kustomize.build(root)


def test_split_image(kustomize: ModuleType) -> None:
    assert kustomize.split_image("localhost:5000/a/b:1.0") == ("localhost:5000/a/b", "1.0", "")
    assert kustomize.split_image("localhost:5000/a/b") == ("localhost:5000/a/b", "", "")
    assert kustomize.split_image("b@sha256:1") == ("b", "", "sha256:1")


def test_every_kustomization_in_the_repo_uses_only_standard_fields(kustomize: ModuleType) -> None:
    repo = Path(__file__).resolve().parents[2] / "deploy"
    files = sorted(repo.rglob("kustomization.yaml"))
    assert len(files) >= 10
    for path in files:
        spec = yaml.safe_load(path.read_text())
        assert spec.get("apiVersion") == "kustomize.config.k8s.io/v1beta1", path
        assert spec.get("kind") == "Kustomization", path
        assert set(spec) <= kustomize.SUPPORTED_KEYS, path
