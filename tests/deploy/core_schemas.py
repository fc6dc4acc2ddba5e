"""Validation of core Kubernetes objects against the OpenAPI-derived JSON Schemas that ship
with ``kubernetes-validate``, with each schema loaded once.

``kubernetes_validate.validate`` re-reads its multi-megabyte definitions file for every
object; the deploy tests validate about 150 objects, so this module builds one validator per
(kind, apiVersion) and reuses it. The lookup rules (version directory, file naming, strict
mode) are the library's own.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema
import referencing
from kubernetes_validate import utils


@functools.cache
def _definitions(schema_dir: str) -> Any:
    return utils.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", "")


@functools.cache
def _validator(kind: str, api_version: str, version: str, strict: bool) -> Any:
    supported = [v for v in utils.all_versions() if utils.major_minor(v) <= version]
    if not supported:
        raise utils.VersionNotSupportedError(version=version)
    schema_dir = f"v{supported[-1]}-local" + ("-strict" if strict else "")
    # rbac.authorization.k8s.io/v1 -> rbac-v1, as kubernetes-validate names its files.
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = utils.schema_contents(
            f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{group_version}.json", version
        )
    except FileNotFoundError as error:
        raise utils.SchemaNotFoundError(
            version=version, kind=kind, api_version=api_version
        ) from error
    registry = referencing.Resource.from_contents(schema) @ referencing.Registry()
    registry = referencing.Resource.from_contents(_definitions(schema_dir)) @ registry
    return jsonschema.Draft202012Validator(schema, registry=registry)


def errors(resource: dict[str, Any], version: str, *, strict: bool = True) -> list[str]:
    """Every schema violation of ``resource`` for Kubernetes ``version`` (e.g. "1.33")."""
    validator = _validator(
        resource["kind"], resource["apiVersion"], utils.major_minor(version), strict
    )
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in validator.iter_errors(resource)
    ]
