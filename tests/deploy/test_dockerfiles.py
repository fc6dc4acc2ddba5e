"""The one Dockerfile (`ARG SERVICE`) builds every service: multi-stage, non-root, with uv from
the lock file, copying every workspace package the service depends on."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
SERVICES = {"gateway": 8000, "catalog": 8001, "ingest": 8002, "enhance": 8003, "tagging": 8004, "people": 8005,
            "text": 8006}


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


def stages(text: str, args: dict[str, str]) -> list[list[str]]:
    """The instructions of each build stage, continuation lines joined, build args substituted."""
    joined = re.sub(r"\\\n", " ", text)
    result: list[list[str]] = []
    for line in joined.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for name, value in args.items():
            stripped = stripped.replace(f"${{{name}}}", value)
        if stripped.upper().startswith("FROM "):
            result.append([])
        if result:
            result[-1].append(stripped)
    return result


def test_there_is_one_dockerfile() -> None:
    assert DOCKERFILE.is_file()
    assert not list(REPO.glob("services/*/Dockerfile")), "one Dockerfile with ARG SERVICE, not one per service"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_dockerfile_builds_the_service(name: str) -> None:
    built = stages(DOCKERFILE.read_text(), {"SERVICE": name, "PORT": str(SERVICES[name])})
    assert len(built) >= 2, "multi-stage: build tools stay out of the runtime image"
    runtime = built[-1]
    assert "ARG SERVICE" in runtime and "ARG PORT" in runtime
    users = [i.split()[1] for i in runtime if i.upper().startswith("USER ")]
    assert users, "the runtime stage must set USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "numeric non-root user, checkable by runAsNonRoot"
    env = " ".join(i for i in runtime if i.startswith("ENV "))
    assert "FOTOAI_HTTP_HOST=0.0.0.0" in env, "listen on every interface inside a container"
    assert f"FOTOAI_HTTP_PORT={SERVICES[name]}" in env
    assert f"FOTOAI_IMAGE_SERVICE={name}" in env
    assert any(i.startswith("ENTRYPOINT ") and 'fotoai.${FOTOAI_IMAGE_SERVICE}' in i for i in runtime)
    assert f"EXPOSE {SERVICES[name]}" in runtime
    assert not any("uv" in i.split()[0:2] for i in runtime if i.startswith("RUN")), (
        "no uv in the runtime stage"
    )
    syncs = [i for stage in built for i in stage if "uv sync" in i]
    assert syncs and all(
        "--frozen" in s and "--no-dev" in s and f'--package "fotoai-{name}"' in s for s in syncs
    )
    copies = [
        source
        for stage in built
        for instruction in stage
        if instruction.startswith("COPY ") and "--from=" not in instruction and instruction != "COPY . ."
        for source in instruction.split()[1:-1]
        if not source.startswith("--")
    ]
    for source in copies:
        assert (REPO / source).exists(), f"COPY {source}: not in the repository"
    members = workspace_members()
    for distribution in workspace_closure(f"fotoai-{name}", members):
        relative = members[distribution].relative_to(REPO).as_posix()
        assert f"{relative}/src" in copies, f"{distribution}'s code is not copied"


def test_manifests_stage_copies_every_workspace_pyproject() -> None:
    text = DOCKERFILE.read_text()
    assert "cp pyproject.toml uv.lock /manifests/" in text
    assert "find libs services tools -mindepth 2 -maxdepth 2 -name pyproject.toml" in text


def test_workspace_closure_follows_dependencies() -> None:
    closure = workspace_closure("fotoai-gateway", workspace_members())
    assert {"fotoai-gateway", "fotoai-servicekit", "fotoai-contracts"} <= closure
    assert "fotoai-catalog" not in closure
