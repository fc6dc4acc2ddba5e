"""A small, strict kustomize renderer for the offline manifest tests.

The real ``kustomize`` binary cannot be built on the CI machine, so the deploy tests render
every overlay with this module instead. It implements the subset of the Kustomization format
that ``deploy/k8s`` and ``deploy/grafana`` use, with kustomize's semantics:

- ``resources``: YAML files (multi-document) and directories holding a kustomization,
  built recursively; a resource id (group, kind, namespace, name) may appear only once.
- ``configMapGenerator`` / ``secretGenerator``: ``files``, ``literals``, ``envs``,
  ``behavior`` (create, merge, replace), ``options``; names must not be hashed
  (``disableNameSuffixHash: true``) because this renderer does not rewrite name references.
- ``patches`` (and the older ``patchesStrategicMerge``): strategic-merge patches matched by
  kind and name, or applied to every resource a ``target`` selects; JSON 6902 patches.
- ``namespace``, ``labels`` (with ``includeSelectors`` / ``includeTemplates``),
  ``commonLabels``, ``commonAnnotations``, ``images``, ``replicas``.

Anything else in a kustomization is an error rather than silently ignored, so a file that
renders here renders the same way with the real tool. (Checked: every overlay, and the
scenarios in test_kustomize_render.py, give the same objects, list order included, as
``sigs.k8s.io/kustomize/api`` v0.21.2's ``krusty`` builder.) Files read by generators and patches
must lie under the kustomization's own directory, as kustomize's default load restrictor
demands.
"""

from __future__ import annotations

import base64
import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

SUPPORTED_KEYS = frozenset(
    {
        "apiVersion",
        "kind",
        "metadata",
        "resources",
        "namespace",
        "labels",
        "commonLabels",
        "commonAnnotations",
        "images",
        "replicas",
        "patches",
        "patchesStrategicMerge",
        "configMapGenerator",
        "secretGenerator",
        "generatorOptions",
    }
)

# Kinds that live outside namespaces; everything else (custom resources included) is
# namespaced, which is also what kustomize assumes for kinds it has no schema for.
CLUSTER_SCOPED_KINDS = frozenset(
    {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PersistentVolume",
        "StorageClass",
        "PriorityClass",
        "IngressClass",
        "RuntimeClass",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "ClusterScaledObject",
        "ClusterTriggerAuthentication",
    }
)

# Strategic-merge keys of the built-in API types this project patches. Lists under other
# fields, and every list inside a custom resource, are replaced whole, as kustomize does
# when it has no OpenAPI schema for a field.
MERGE_KEYS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "env": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
}
SERVICE_PORT_KEY = "port"
CONTAINER_PORT_KEY = "containerPort"

BUILTIN_GROUPS = frozenset(
    {
        "",
        "apps",
        "batch",
        "policy",
        "autoscaling",
        "networking.k8s.io",
        "rbac.authorization.k8s.io",
        "storage.k8s.io",
        "scheduling.k8s.io",
    }
)

WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"})


class KustomizeError(Exception):
    """A kustomization that the real tool would refuse, or that this renderer cannot render."""


@dataclass(frozen=True)
class ResourceId:
    group: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        group = f"{self.group}/" if self.group else ""
        namespace = f"{self.namespace}/" if self.namespace else ""
        return f"{group}{self.kind} {namespace}{self.name}"


def api_group(resource: dict[str, Any]) -> str:
    api_version = resource.get("apiVersion", "")
    return api_version.split("/")[0] if "/" in api_version else ""


def resource_id(resource: dict[str, Any]) -> ResourceId:
    metadata = resource.get("metadata") or {}
    if "kind" not in resource or "name" not in metadata:
        raise KustomizeError(f"resource without kind or metadata.name: {resource!r:.200}")
    return ResourceId(
        group=api_group(resource),
        kind=resource["kind"],
        namespace=metadata.get("namespace", ""),
        name=metadata["name"],
    )


def of_kind(resources: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """The rendered resources of one kind, by name."""
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def build(directory: Path | str) -> list[dict[str, Any]]:
    """Render the kustomization in ``directory`` into a list of resources."""
    return _Builder(Path(directory).resolve()).build()


def find_kustomization(directory: Path) -> Path:
    for candidate in KUSTOMIZATION_FILES:
        path = directory / candidate
        if path.is_file():
            return path
    raise KustomizeError(f"no kustomization file in {directory}")


def load_documents(path: Path) -> list[dict[str, Any]]:
    with path.open() as handle:
        documents = [doc for doc in yaml.safe_load_all(handle) if doc is not None]
    for document in documents:
        if not isinstance(document, dict):
            raise KustomizeError(f"{path}: a document is not a mapping")
    expanded: list[dict[str, Any]] = []
    for document in documents:
        # A v1 List is how `kubectl get -o yaml` writes several objects; kustomize unwraps it.
        if document.get("kind") == "List" and "items" in document:
            expanded.extend(document["items"])
        else:
            expanded.append(document)
    return expanded


class _Builder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.kustomization_path = find_kustomization(root)
        with self.kustomization_path.open() as handle:
            self.spec: dict[str, Any] = yaml.safe_load(handle) or {}
        unknown = set(self.spec) - SUPPORTED_KEYS
        if unknown:
            raise KustomizeError(f"{self.kustomization_path}: unsupported fields {sorted(unknown)}")
        kind = self.spec.get("kind", "Kustomization")
        if kind != "Kustomization":
            raise KustomizeError(f"{self.kustomization_path}: kind {kind} is not Kustomization")

    def build(self) -> list[dict[str, Any]]:
        resources: list[dict[str, Any]] = []
        for entry in self.spec.get("resources") or []:
            self._add_all(resources, self._load_resource(entry))
        options = self.spec.get("generatorOptions") or {}
        for generator in self.spec.get("configMapGenerator") or []:
            self._generate(resources, generator, "ConfigMap", options)
        for generator in self.spec.get("secretGenerator") or []:
            self._generate(resources, generator, "Secret", options)
        for entry in self.spec.get("patchesStrategicMerge") or []:
            self._apply_patch(resources, {"path": entry})
        for entry in self.spec.get("patches") or []:
            self._apply_patch(resources, entry)
        namespace = self.spec.get("namespace")
        if namespace:
            for resource in resources:
                if resource["kind"] not in CLUSTER_SCOPED_KINDS:
                    resource.setdefault("metadata", {})["namespace"] = namespace
        for label_set in self.spec.get("labels") or []:
            for resource in resources:
                apply_labels(
                    resource,
                    label_set.get("pairs") or {},
                    include_selectors=bool(label_set.get("includeSelectors", False)),
                    include_templates=bool(label_set.get("includeTemplates", False)),
                )
        if self.spec.get("commonLabels"):
            for resource in resources:
                apply_labels(
                    resource,
                    self.spec["commonLabels"],
                    include_selectors=True,
                    include_templates=True,
                )
        if self.spec.get("commonAnnotations"):
            for resource in resources:
                metadata = resource.setdefault("metadata", {})
                metadata.setdefault("annotations", {}).update(self.spec["commonAnnotations"])
        for image in self.spec.get("images") or []:
            for resource in resources:
                apply_image(resource, image)
        for replica in self.spec.get("replicas") or []:
            self._apply_replicas(resources, replica)
        self._check_unique(resources)
        return resources

    # -- loading ---------------------------------------------------------------------------

    def _local_file(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root):
            raise KustomizeError(
                f"{self.kustomization_path}: {relative} is outside the kustomization root "
                "(kustomize's load restrictor refuses it)"
            )
        if not path.is_file():
            raise KustomizeError(f"{self.kustomization_path}: no such file {relative}")
        return path

    def _load_resource(self, entry: str) -> list[dict[str, Any]]:
        if "://" in entry or entry.startswith("github.com/"):
            raise KustomizeError(f"remote resource {entry} is not supported offline")
        path = (self.root / entry).resolve()
        if path.is_dir():
            return _Builder(path).build()
        if path.is_file():
            return load_documents(path)
        raise KustomizeError(f"{self.kustomization_path}: no such resource {entry}")

    def _add_all(self, resources: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
        seen = {resource_id(r) for r in resources}
        for resource in new:
            rid = resource_id(resource)
            if rid in seen:
                raise KustomizeError(f"{self.kustomization_path}: duplicate resource {rid}")
            seen.add(rid)
            resources.append(resource)

    @staticmethod
    def _check_unique(resources: list[dict[str, Any]]) -> None:
        seen: set[ResourceId] = set()
        for resource in resources:
            rid = resource_id(resource)
            if rid in seen:
                raise KustomizeError(f"duplicate resource {rid} after transformations")
            seen.add(rid)

    # -- generators ------------------------------------------------------------------------

    def _generate(
        self,
        resources: list[dict[str, Any]],
        generator: dict[str, Any],
        kind: str,
        global_options: dict[str, Any],
    ) -> None:
        name = generator.get("name")
        if not name:
            raise KustomizeError(f"{self.kustomization_path}: a {kind} generator has no name")
        options = {**global_options, **(generator.get("options") or {})}
        if not options.get("disableNameSuffixHash", False):
            raise KustomizeError(
                f"{self.kustomization_path}: {kind} {name} would get a hash suffix; set "
                "generatorOptions.disableNameSuffixHash (this renderer rewrites no references)"
            )
        data: dict[str, str] = {}
        for literal in generator.get("literals") or []:
            key, sep, value = literal.partition("=")
            if not sep:
                raise KustomizeError(f"{self.kustomization_path}: literal {literal!r} has no '='")
            data[key] = value
        for env_file in generator.get("envs") or []:
            for line in self._local_file(env_file).read_text().splitlines():
                stripped = line.strip()
                if not stripped or stripped.startswith("#"):
                    continue
                key, sep, value = stripped.partition("=")
                if not sep:
                    raise KustomizeError(f"{env_file}: line {line!r} has no '='")
                data[key] = value
        for file_entry in generator.get("files") or []:
            key, sep, relative = file_entry.partition("=")
            if not sep:
                relative, key = key, Path(key).name
            data[key] = self._local_file(relative).read_text()
        generated: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": kind,
            "metadata": {"name": name},
        }
        if generator.get("namespace"):
            generated["metadata"]["namespace"] = generator["namespace"]
        if options.get("labels"):
            generated["metadata"]["labels"] = dict(options["labels"])
        if options.get("annotations"):
            generated["metadata"]["annotations"] = dict(options["annotations"])
        if kind == "Secret":
            generated["type"] = generator.get("type", "Opaque")
            generated["data"] = {
                k: base64.b64encode(v.encode()).decode() for k, v in sorted(data.items())
            }
        else:
            generated["data"] = dict(sorted(data.items()))
        behavior = generator.get("behavior", "create")
        rid = resource_id(generated)
        existing = [r for r in resources if _same_object(resource_id(r), rid)]
        if behavior == "create":
            self._add_all(resources, [generated])
        elif behavior in ("merge", "replace"):
            if not existing:
                raise KustomizeError(f"{self.kustomization_path}: nothing to {behavior} for {rid}")
            target = existing[0]
            if behavior == "replace":
                target["data"] = generated["data"]
            else:
                target.setdefault("data", {}).update(generated["data"])
            for field in ("labels", "annotations"):
                if generated["metadata"].get(field):
                    target["metadata"].setdefault(field, {}).update(generated["metadata"][field])
        else:
            raise KustomizeError(f"{self.kustomization_path}: unknown behavior {behavior}")

    # -- patches ---------------------------------------------------------------------------

    def _apply_patch(self, resources: list[dict[str, Any]], entry: dict[str, Any] | str) -> None:
        if isinstance(entry, str):
            entry = {"path": entry}
        if "path" in entry:
            text = self._local_file(entry["path"]).read_text()
            where = entry["path"]
        elif "patch" in entry:
            text = entry["patch"]
            where = "inline patch"
        else:
            raise KustomizeError(f"{self.kustomization_path}: a patch has neither path nor patch")
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
        if len(documents) == 1 and isinstance(documents[0], list):
            target = entry.get("target")
            if not target:
                raise KustomizeError(f"{where}: a JSON 6902 patch needs a target")
            matched = self._select(resources, target, where)
            for resource in matched:
                apply_json6902(resource, documents[0], where)
            return
        for document in documents:
            if not isinstance(document, dict):
                raise KustomizeError(f"{where}: a patch document is not a mapping")
            target = entry.get("target")
            if target:
                matched = self._select(resources, target, where)
            else:
                matched = self._select(
                    resources,
                    {
                        "kind": document.get("kind"),
                        "name": re.escape((document.get("metadata") or {}).get("name", "")),
                    },
                    where,
                )
            for resource in matched:
                patch = copy.deepcopy(document)
                if target:
                    # With a target, the patch's own name is only a placeholder.
                    patch.setdefault("metadata", {}).pop("name", None)
                    patch["metadata"].pop("namespace", None)
                merged = strategic_merge(
                    resource, patch, builtin=api_group(resource) in BUILTIN_GROUPS
                )
                resource.clear()
                resource.update(merged)

    def _select(
        self, resources: list[dict[str, Any]], target: dict[str, Any], where: str
    ) -> list[dict[str, Any]]:
        unknown = set(target) - {"group", "version", "kind", "name", "namespace", "labelSelector"}
        if unknown:
            raise KustomizeError(f"{where}: unsupported target fields {sorted(unknown)}")
        matched = []
        for resource in resources:
            rid = resource_id(resource)
            if "kind" in target and target["kind"] != rid.kind:
                continue
            if "group" in target and target["group"] != rid.group:
                continue
            if (
                "version" in target
                and not resource["apiVersion"].endswith("/" + target["version"])
                and resource["apiVersion"] != target["version"]
            ):
                continue
            if "name" in target and not re.fullmatch(target["name"], rid.name):
                continue
            if "namespace" in target and target["namespace"] != rid.namespace:
                continue
            if "labelSelector" in target and not _labels_match(resource, target["labelSelector"]):
                continue
            matched.append(resource)
        if not matched:
            raise KustomizeError(f"{self.kustomization_path}: {where} matches no resource {target}")
        return matched

    def _apply_replicas(self, resources: list[dict[str, Any]], replica: dict[str, Any]) -> None:
        matched = [
            r
            for r in resources
            if r["kind"] in WORKLOAD_KINDS and r["metadata"]["name"] == replica["name"]
        ]
        if not matched:
            raise KustomizeError(f"{self.kustomization_path}: no workload {replica['name']}")
        for resource in matched:
            resource.setdefault("spec", {})["replicas"] = int(replica["count"])


def _same_object(a: ResourceId, b: ResourceId) -> bool:
    return (a.group, a.kind, a.name) == (b.group, b.kind, b.name) and (
        not b.namespace or a.namespace == b.namespace
    )


def _labels_match(resource: dict[str, Any], selector: str) -> bool:
    labels = (resource.get("metadata") or {}).get("labels") or {}
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, value = term.split("=", 1)
            if labels.get(key.strip().rstrip("=")) != value.strip().lstrip("="):
                return False
        elif term.strip() not in labels:
            return False
    return True


# -- strategic merge --------------------------------------------------------------------------


def strategic_merge(original: Any, patch: Any, *, builtin: bool, field: str = "") -> Any:
    """Merge ``patch`` into a copy of ``original`` the way kubectl/kustomize do.

    Maps merge key by key, ``null`` deletes a key, ``$patch: replace`` / ``$patch: delete``
    are honoured, and lists of built-in types merge by their patch merge key.
    """
    if isinstance(patch, dict) and isinstance(original, dict):
        directive = patch.get("$patch")
        if directive == "replace":
            return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
        if directive == "delete":
            return None
        result = copy.deepcopy(original)
        for key, value in patch.items():
            if key == "$patch":
                continue
            if value is None:
                result.pop(key, None)
            elif key in result:
                result[key] = strategic_merge(result[key], value, builtin=builtin, field=key)
            else:
                result[key] = _strip_directives(copy.deepcopy(value))
        return result
    if isinstance(patch, list) and isinstance(original, list):
        merge_key = _merge_key(field, original, patch) if builtin else None
        if merge_key is None:
            return [_strip_directives(copy.deepcopy(item)) for item in patch]
        # kustomize (kyaml) orders a merged list as the patch's items, merged with their
        # originals, followed by the original items the patch does not mention.
        originals = {o.get(merge_key): o for o in original if isinstance(o, dict)}
        mentioned = set()
        result = []
        for item in patch:
            if not isinstance(item, dict) or merge_key not in item:
                raise KustomizeError(f"list {field!r} patch item lacks merge key {merge_key!r}")
            key = item[merge_key]
            mentioned.add(key)
            if item.get("$patch") == "delete":
                continue
            if key in originals:
                result.append(strategic_merge(originals[key], item, builtin=builtin, field=field))
            else:
                result.append(_strip_directives(copy.deepcopy(item)))
        result.extend(
            copy.deepcopy(o)
            for o in original
            if not (isinstance(o, dict) and o.get(merge_key) in mentioned)
        )
        return result
    return _strip_directives(copy.deepcopy(patch))


def _merge_key(field: str, original: list[Any], patch: list[Any]) -> str | None:
    if field in MERGE_KEYS:
        return MERGE_KEYS[field]
    if field == "ports":
        items = [i for i in [*original, *patch] if isinstance(i, dict)]
        if items and all(CONTAINER_PORT_KEY in i for i in items):
            return CONTAINER_PORT_KEY
        if items and all(SERVICE_PORT_KEY in i for i in items):
            return SERVICE_PORT_KEY
    return None


def _strip_directives(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_directives(v) for k, v in value.items() if k != "$patch"}
    if isinstance(value, list):
        return [_strip_directives(v) for v in value]
    return value


# -- JSON 6902 --------------------------------------------------------------------------------


def apply_json6902(resource: dict[str, Any], operations: list[dict[str, Any]], where: str) -> None:
    for operation in operations:
        op = operation.get("op")
        tokens = _pointer(operation.get("path", ""), where)
        if op in ("add", "replace"):
            parent, last = _walk(resource, tokens[:-1], where), tokens[-1]
            value = copy.deepcopy(operation["value"])
            if isinstance(parent, list):
                if last == "-":
                    parent.append(value)
                elif op == "add":
                    parent.insert(int(last), value)
                else:
                    parent[int(last)] = value
            else:
                if op == "replace" and last not in parent:
                    raise KustomizeError(f"{where}: replace of missing {operation['path']}")
                parent[last] = value
        elif op == "remove":
            parent, last = _walk(resource, tokens[:-1], where), tokens[-1]
            try:
                del parent[int(last) if isinstance(parent, list) else last]
            except (KeyError, IndexError) as error:
                raise KustomizeError(f"{where}: remove of missing {operation['path']}") from error
        elif op == "test":
            if _walk(resource, tokens, where) != operation.get("value"):
                raise KustomizeError(f"{where}: test failed at {operation['path']}")
        else:
            raise KustomizeError(f"{where}: unsupported JSON patch op {op!r}")


def _pointer(path: str, where: str) -> list[str]:
    if not path.startswith("/"):
        raise KustomizeError(f"{where}: JSON pointer {path!r} must start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _walk(document: Any, tokens: list[str], where: str) -> Any:
    node = document
    for token in tokens:
        try:
            node = node[int(token)] if isinstance(node, list) else node[token]
        except (KeyError, IndexError, ValueError) as error:
            raise KustomizeError(f"{where}: no path /{'/'.join(tokens)}") from error
    return node


# -- transformers -----------------------------------------------------------------------------


def pod_template(resource: dict[str, Any]) -> dict[str, Any] | None:
    spec = resource.get("spec") or {}
    if resource.get("kind") == "CronJob":
        return ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template")
    return spec.get("template") if resource.get("kind") in WORKLOAD_KINDS else None


def apply_labels(
    resource: dict[str, Any],
    pairs: dict[str, str],
    *,
    include_selectors: bool,
    include_templates: bool,
) -> None:
    metadata = resource.setdefault("metadata", {})
    metadata.setdefault("labels", {}).update(pairs)
    template = pod_template(resource)
    if template is not None and (include_templates or include_selectors):
        template.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
    if not include_selectors:
        return
    kind, spec = resource.get("kind"), resource.get("spec")
    if spec is None:
        return
    if kind == "Service":
        spec.setdefault("selector", {}).update(pairs)
    elif kind in WORKLOAD_KINDS or kind == "PodDisruptionBudget":
        spec.setdefault("selector", {}).setdefault("matchLabels", {}).update(pairs)
    elif kind == "NetworkPolicy":
        spec.setdefault("podSelector", {}).setdefault("matchLabels", {}).update(pairs)


def apply_image(resource: dict[str, Any], image: dict[str, Any]) -> None:
    template = pod_template(resource)
    if template is None:
        return
    pod_spec = template.get("spec") or {}
    for field in ("containers", "initContainers"):
        for container in pod_spec.get(field) or []:
            current = container.get("image", "")
            name, tag, digest = split_image(current)
            if name != image["name"]:
                continue
            name = image.get("newName", name)
            if "digest" in image:
                container["image"] = f"{name}@{image['digest']}"
            elif "newTag" in image:
                container["image"] = f"{name}:{image['newTag']}"
            elif digest:
                container["image"] = f"{name}@{digest}"
            else:
                container["image"] = f"{name}:{tag}" if tag else name


def split_image(image: str) -> tuple[str, str, str]:
    """Split ``registry/name:tag@digest`` into name, tag and digest."""
    name, _, digest = image.partition("@")
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    tag = ""
    if colon > last_slash:
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag, digest
