"""Fixtures for the offline deployment checks: repository paths, the rendered overlays.

The helper modules next to this file are loaded by path because the test suite runs with
``--import-mode=importlib`` (test directories are not on ``sys.path``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
K8S = REPO / "deploy" / "k8s"
GRAFANA = REPO / "deploy" / "grafana"
OVERLAYS = ("local", "production", "gpu")


def _load(name: str) -> ModuleType:
    qualified = f"fotoai_deploy_checks.{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    spec = importlib.util.spec_from_file_location(qualified, HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def kustomize() -> ModuleType:
    return _load("kustomize_cli")


@pytest.fixture(scope="session")
def promql() -> ModuleType:
    return _load("promql_names")


@pytest.fixture(scope="session")
def crd_schemas() -> ModuleType:
    return _load("crd_schemas")


@pytest.fixture(scope="session")
def core_schemas() -> ModuleType:
    return _load("core_schemas")


@pytest.fixture(scope="session")
def rendered(kustomize: ModuleType) -> dict[str, list[dict[str, Any]]]:
    """Every overlay, rendered once per session."""
    return {name: kustomize.build(K8S / "overlays" / name) for name in OVERLAYS}
