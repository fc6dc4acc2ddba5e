"""Renders a kustomization with the real kustomize: `kubectl kustomize`, or a standalone
`kustomize build` (the bootstrap installs one from the Go module proxy when kubectl is missing).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import yaml

#: Where deploy/local/bootstrap.sh puts a kustomize it had to install.
CACHED_KUSTOMIZE = Path(os.environ.get("FOTOAI_CACHE", Path.home() / ".cache" / "fotoai")) / "bin" / "kustomize"


@cache
def command() -> tuple[str, ...]:
    """The command line that renders a directory given as its last argument."""
    kubectl = shutil.which("kubectl")
    if kubectl and subprocess.run([kubectl, "kustomize", "--help"], check=False, capture_output=True).returncode == 0:
        return (kubectl, "kustomize")
    for candidate in (shutil.which("kustomize"), CACHED_KUSTOMIZE):
        if candidate and Path(candidate).is_file():
            return (str(candidate), "build")
    raise RuntimeError("no kustomize: run deploy/local/bootstrap.sh (installs one when kubectl is missing)")


def build(directory: Path | str) -> list[dict[str, Any]]:
    """Render the kustomization in ``directory`` into a list of resources."""
    done = subprocess.run([*command(), str(directory)], check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"kustomize failed on {directory}:\n{done.stderr}")
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def of_kind(resources: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """The rendered resources of one kind, by name."""
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}
