"""Each service's Dockerfile is multi-stage, non-root, built with uv from the lock file, and
copies every workspace package the service depends on."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICES = {"gateway": 8000, "catalog": 8001, "ingest": 8002, "enhance": 8003, "tagging": 8004}


def workspace_members() -> dict[str, Path]:
    members = {}
    for pyproject in [*REPO.glob("libs/*/pyproject.toml"), *REPO.glob("services/*/pyproject.toml")]:
        members[tomllib.loads(pyproject.read_text())["project"]["name"]] = pyproject.parent
    return members


def workspace_closure(distribution: str, members: dict[str, Path]) -> set[str]:
    """``distribution`` and every workspace member it depends on, transitively."""
    seen, todo = set(), [distribution]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        project = tomllib.loads((members[name] / "pyproject.toml").read_text())["project"]
        for requirement in project.get("dependencies", []):
            dependency = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
            if dependency in members:
                todo.append(dependency)
    return seen


def stages(text: str) -> list[list[str]]:
    """The instructions of each build stage, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    result: list[list[str]] = []
    for line in joined.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.upper().startswith("FROM "):
            result.append([])
        if result:
            result[-1].append(stripped)
    return result


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_dockerfile(name: str) -> None:
    text = (REPO / "services" / name / "Dockerfile").read_text()
    built = stages(text)
    assert len(built) >= 2, "multi-stage: build tools stay out of the runtime image"
    runtime = built[-1]
    users = [i.split()[1] for i in runtime if i.upper().startswith("USER ")]
    assert users, "the runtime stage must set USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "numeric non-root user, checkable by runAsNonRoot"
    assert f'ENTRYPOINT ["python", "-m", "fotoai.{name}"]' in runtime
    assert f"EXPOSE {SERVICES[name]}" in runtime
    assert any("FOTOAI_HTTP_HOST=0.0.0.0" in i for i in runtime if i.startswith("ENV ")), (
        "listen on every interface inside a container"
    )
    assert not any("uv" in i.split()[0:2] for i in runtime if i.startswith("RUN")), (
        "no uv in the runtime stage"
    )
    syncs = [i for stage in built for i in stage if "uv sync" in i]
    assert syncs and all(
        "--frozen" in s and "--no-dev" in s and f"--package fotoai-{name}" in s for s in syncs
    )
    copies = [
        source
        for stage in built
        for instruction in stage
        if instruction.startswith("COPY ")
        for source in instruction.split()[1:-1]
        if not source.startswith("--")
    ]
    for source in copies:
        if not source.startswith("/"):
            assert (REPO / source).exists(), f"COPY {source}: not in the repository"
    members = workspace_members()
    for distribution in workspace_closure(f"fotoai-{name}", members):
        relative = members[distribution].relative_to(REPO).as_posix()
        assert f"{relative}/pyproject.toml" in copies, f"{distribution}'s pyproject is not copied"
        assert f"{relative}/src" in copies, f"{distribution}'s code is not copied"


def test_workspace_closure_follows_dependencies() -> None:
    closure = workspace_closure("fotoai-gateway", workspace_members())
    assert {"fotoai-gateway", "fotoai-servicekit", "fotoai-contracts"} <= closure
    assert "fotoai-catalog" not in closure
