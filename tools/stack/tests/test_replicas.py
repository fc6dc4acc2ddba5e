"""FOTOAI_STACK_REPLICAS: N processes of a consumer service in one consumer group, each with its
own port and log; the default stack stays one process per service."""

from __future__ import annotations

from pathlib import Path

import pytest
from fotoai.stack import launcher
from fotoai.stack.config import StackConfig, parse_replicas


@pytest.fixture
def stack_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("FOTOAI_STACK_REPLICAS", "FOTOAI_STACK_SERVICES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FOTOAI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FOTOAI_PORT_GATEWAY", "8400")
    monkeypatch.setenv("FOTOAI_PORT_INGEST", "8402")
    monkeypatch.setenv("FOTOAI_PORT_ENHANCE", "8403")
    monkeypatch.setenv("FOTOAI_STACK_WEB", "0")
    return tmp_path


def processes(cfg: StackConfig) -> dict[str, dict[str, object]]:
    sec = {launcher.kafka_password_key(p): f"pw-{p}" for p in ("ingest", "enhance", "tagging", "catalog",
                                                                  "gateway", "people", "text")}
    out: dict[str, dict[str, object]] = {}
    for child, _ in launcher.service_processes(cfg, {"FOTOAI_LOCAL_MODE": "true"}, sec):
        out[child.name] = {"argv": child.argv, "log": child.log.name, **child.env}
    return out


def test_default_stack_runs_one_process_per_service(stack_env: Path) -> None:
    cfg = StackConfig.from_env()
    assert cfg.replicas == {}
    procs = processes(cfg)
    assert list(procs) == list(cfg.services)
    assert procs["ingest"]["FOTOAI_HTTP_PORT"] == "8402"
    assert "FOTOAI_STACK_REPLICAS" not in launcher.stack_env(cfg, _secrets(cfg))


def test_replicas_share_the_service_name_group_and_principal_with_ports_and_logs_of_their_own(
        stack_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOTOAI_STACK_REPLICAS", "ingest=2, enhance=3")
    cfg = StackConfig.from_env()
    procs = processes(cfg)

    assert [n for n in procs if n.startswith(("ingest", "enhance"))] == [
        "ingest", "ingest-2", "enhance", "enhance-2", "enhance-3"]
    assert [procs[n]["FOTOAI_HTTP_PORT"] for n in ("enhance", "enhance-2", "enhance-3")] == ["8403", "8413", "8423"]
    assert procs["ingest-2"]["FOTOAI_HTTP_PORT"] == "8412"
    assert len({p["FOTOAI_HTTP_PORT"] for p in procs.values()}) == len(procs)
    assert len({p["log"] for p in procs.values()}) == len(procs)
    for replica in ("ingest-2", "enhance-2", "enhance-3"):
        service = replica.split("-")[0]
        # The service name is the consumer group (servicekit's Bus): a replica joins the same one.
        assert procs[replica]["FOTOAI_SERVICE_NAME"] == service
        assert procs[replica]["FOTOAI_KAFKA_USERNAME"] == service
        assert procs[replica]["argv"] == procs[service]["argv"]
    assert launcher.stack_env(cfg, _secrets(cfg))["FOTOAI_STACK_REPLICAS"] == "enhance=3,ingest=2"


@pytest.mark.parametrize("spec", ["gateway=2", "ingest", "ingest=0", "ingest=10", "nope=2", "ingest=two"])
def test_a_replica_spec_that_cannot_run_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="FOTOAI_STACK_REPLICAS"):
        parse_replicas(spec)


def _secrets(cfg: StackConfig) -> dict[str, str]:
    keys = {"FOTOAI_S3_ACCESS_KEY": "a", "FOTOAI_S3_SECRET_KEY": "s", "FOTOAI_JWT_SECRET": "j"}
    return keys | {launcher.kafka_password_key(p): "pw" for p in ("subscriber", "admin")}
