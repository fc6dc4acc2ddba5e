"""docs/ stays true to the code: the generated files match what `make docs` writes now, and
project files never point outside the repository."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fotoai_docs_generate", REPO / "docs" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rendered() -> dict[Path, str]:
    return _generator().render()


@pytest.mark.parametrize("name", ["asyncapi.yaml", "topics.md", "settings.md"])
def test_generated_docs_match_the_code(rendered: dict[Path, str], name: str) -> None:
    path = REPO / "docs" / name
    assert path.exists(), f"docs/{name} is missing: run `make docs` and commit it"
    assert path.read_text() == rendered[path], f"docs/{name} is stale: run `make docs` and commit it"


def test_every_setting_of_every_service_is_documented(rendered: dict[Path, str]) -> None:
    from fotoai.servicekit.settings import ServiceSettings

    text = rendered[REPO / "docs" / "settings.md"]
    for name in ServiceSettings.model_fields:
        assert f"`FOTOAI_{name.upper()}`" in text
    assert "`FOTOAI_INGEST__MAX_PIXELS`" in text, "nested service options are listed with `__`"
    for service in _generator().services():
        config = REPO / "services" / service / "src" / "fotoai" / service / "config.py"
        if config.exists():
            assert f"## {service} (" in text, f"{service}'s settings are missing"


def test_the_recorded_wiring_finds_the_pipeline_consumers() -> None:
    consumed = _generator().consumers()
    assert "ingest" in consumed["photo.uploaded.v1"]
    assert {"enhance", "tagging"} <= set(consumed["photo.ingested.v1"])
    assert "catalog" in consumed["photo.tagged.v1"]


def test_nothing_points_outside_the_repository() -> None:
    """Design notes live in docs/: no project file may cite the notes kept beside the repository."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split()
    offenders = []
    for name in files:
        path = REPO / name
        if path.suffix not in {".py", ".md", ".toml", ".yaml", ".yml", ".sh", ".ts", ".tsx", ".json", ""}:
            continue
        if name == "tests/docs/test_docs.py" or not path.is_file():
            continue
        text = path.read_text(errors="replace")
        for needle in ("../" + "shared", "DESIGN.md", "STYLE.md", "FIELD-NOTES.md"):
            if needle in text:
                offenders.append(f"{name}: {needle}")
    assert not offenders, offenders
