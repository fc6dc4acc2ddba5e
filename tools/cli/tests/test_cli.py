"""The `fotoai` CLI against a real gateway app on a loopback port (in-memory pipeline behind it)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jwt
import pytest
from fotoai.cli.config import load_stack
from fotoai.cli.main import run
from PIL import Image

from .conftest import RunningGateway


def cli(gw: RunningGateway | None, *argv: str, env_file: Path | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    path = env_file or (gw.env_file if gw else Path("/nonexistent/stack.env"))
    code = run(list(argv), out=out, err=err, load=lambda: load_stack(path))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "holiday.jpg"
    Image.new("RGB", (40, 30), (10, 120, 200)).save(path, "JPEG")
    return path


def test_token_is_a_valid_local_jwt(gateway: RunningGateway) -> None:
    code, out, _ = cli(gateway, "token", "--user", "zoe", "--scope", "photos:read")
    assert code == 0
    claims = jwt.decode(out.strip(), gateway.secret, ["HS256"], audience="fotoai", issuer="cli-test")
    assert claims["sub"] == "zoe" and claims["scope"] == "photos:read"


def test_upload_wait_ls_show_search_rm(gateway: RunningGateway, photo: Path) -> None:
    code, out, err = cli(gateway, "--user", "ann", "upload", str(photo), "--wait", "--timeout", "20")
    assert code == 0, err
    first, done = out.strip().splitlines()
    pid = first.split()[0]
    assert "holiday.jpg" in first and "sha256:" in first
    assert done.startswith(pid) and "ready in" in done and "tagging=failed" in done
    stored = gateway.pipeline.objects[f"ann/{pid}/original"]
    assert stored == photo.read_bytes()

    code, out, _ = cli(gateway, "--user", "ann", "ls")
    assert code == 0 and pid in out and "ready" in out and "cat" in out
    code, out, _ = cli(gateway, "--user", "ann", "ls", "--status", "processing")
    assert out.strip() == "no photos"

    code, out, _ = cli(gateway, "--user", "ann", "show", pid)
    assert code == 0 and json.loads(out)["id"] == pid

    code, out, _ = cli(gateway, "--user", "ann", "search", "cat")
    assert code == 0 and "1 result(s), text search" in out and pid in out

    # Another user neither sees nor deletes it.
    code, _, err = cli(gateway, "--user", "bob", "show", pid)
    assert code == 1 and "404" in err
    code, _, err = cli(gateway, "--user", "bob", "rm", pid)
    assert code == 1 and "404" in err

    code, out, _ = cli(gateway, "--user", "ann", "rm", pid)
    assert code == 0 and f"{pid}  trashed" in out
    assert cli(gateway, "--user", "ann", "ls")[1].strip() == "no photos"


def test_ls_follows_the_cursor_with_all(gateway: RunningGateway, photo: Path) -> None:
    for _ in range(3):
        assert cli(gateway, "--user", "pat", "upload", str(photo))[0] == 0
    _, out, _ = cli(gateway, "--user", "pat", "ls", "--limit", "2")
    assert len(out.strip().splitlines()) == 1 + 2 + 1 and "more: use --all" in out
    _, out, _ = cli(gateway, "--user", "pat", "ls", "--limit", "2", "--all")
    assert len(out.strip().splitlines()) == 1 + 3


def test_problems_are_reported_clearly(gateway: RunningGateway, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a photo at all\n")
    code, _, err = cli(gateway, "upload", str(text))
    assert code == 1 and "415" in err
    code, _, err = cli(gateway, "upload", str(tmp_path / "missing.jpg"))
    assert code == 1 and "no such file" in err
    code, _, err = cli(gateway, "--token", "garbage", "ls")
    assert code == 1 and "401" in err


def test_stack_not_running_messages(tmp_path: Path) -> None:
    code, _, err = cli(None, "ls")
    assert code == 2 and "the stack is not running: `make up`" in err
    env_file = tmp_path / "stack.env"
    env_file.write_text("FOTOAI_GATEWAY_URL=http://127.0.0.1:9\nFOTOAI_JWT_SECRET=" + "x" * 40 + "\n")
    code, _, err = cli(None, "ls", env_file=env_file)
    assert code == 2 and "the stack is not running: `make up`" in err and "127.0.0.1:9" in err


def test_stack_env_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fotoai.cli.config import stack_env_path

    (tmp_path / ".fotoai").mkdir()
    (tmp_path / ".fotoai" / "stack.env").write_text("FOTOAI_GATEWAY_URL=http://x\n")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    monkeypatch.delenv("FOTOAI_STACK_ENV", raising=False)
    assert stack_env_path(nested) == tmp_path / ".fotoai" / "stack.env"
    monkeypatch.setenv("FOTOAI_STACK_ENV", "/elsewhere/stack.env")
    assert stack_env_path(nested) == Path("/elsewhere/stack.env")
