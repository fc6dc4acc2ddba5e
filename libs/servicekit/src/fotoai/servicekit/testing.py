"""Pytest fixtures for tests that talk to the real local stack (Kafka, PostgreSQL, S3, services).

The stack's coordinates come from `.fotoai/stack.env` (written by `make up`), or from the file
named by FOTOAI_STACK_ENV. Nothing here starts or fakes infrastructure: without a running stack
these fixtures fail with what to do next.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import jwt
import pytest
from dotenv import dotenv_values
from fotoai.servicekit.settings import kafka_options_from_env, kafka_settings_from_env
from fotoai.servicekit.storage import ObjectStore


def stack_env_path() -> Path:
    explicit = os.environ.get("FOTOAI_STACK_ENV")
    if explicit:
        return Path(explicit)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "Makefile").exists() and (parent / "services").is_dir():
            return Path(os.environ.get("FOTOAI_HOME", parent / ".fotoai")) / "stack.env"
    return Path(".fotoai/stack.env")


def load_stack_env() -> dict[str, str]:
    path = stack_env_path()
    if not path.exists():
        return {}
    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def load_stack_secrets() -> dict[str, str]:
    """The stack's `secrets.env` (next to `stack.env`): every Kafka principal's password."""
    path = stack_env_path().with_name("secrets.env")
    if not path.exists():
        return {}
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def as_principal(env: dict[str, str], principal: str) -> dict[str, str]:
    """`env` (a stack.env mapping) with its Kafka principal swapped for `principal`'s, whose
    password comes from the stack's secrets. `stack.env` itself carries the read-only
    `subscriber`; tests that publish or create topics use `admin` (or a service's principal)."""
    if env.get("FOTOAI_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT") == "PLAINTEXT":
        return dict(env)
    key = f"FOTOAI_KAFKA_PASSWORD_{principal.upper().replace('-', '_')}"
    secrets = load_stack_secrets()
    if key not in secrets:
        pytest.fail(f"no Kafka credential for {principal!r} in {stack_env_path().with_name('secrets.env')}")
    return {**env, "FOTOAI_KAFKA_USERNAME": principal, "FOTOAI_KAFKA_PASSWORD": secrets[key]}


def kafka_options(env: dict[str, str], principal: str | None = None) -> dict:
    """aiokafka keyword arguments (bootstrap included) for `env`'s principal, or `principal`'s."""
    chosen = as_principal(env, principal) if principal else env
    return {"bootstrap_servers": env["FOTOAI_KAFKA_BOOTSTRAP"], **kafka_options_from_env(chosen)}


def kafka_settings(env: dict[str, str], principal: str | None = None) -> dict:
    """`ServiceSettings` keyword arguments for the stack's Kafka as `principal` (default: admin)."""
    return kafka_settings_from_env(as_principal(env, principal or "admin"))


def mint_token(env: dict[str, str], sub: str, scope: str = "photos:read photos:write", ttl: int = 3600) -> str:
    now = int(time.time())
    claims = {
        "sub": sub, "scope": scope, "iat": now, "nbf": now, "exp": now + ttl,
        "iss": env["FOTOAI_JWT_ISSUER"], "aud": env["FOTOAI_JWT_AUDIENCE"],
    }
    return jwt.encode(claims, env["FOTOAI_JWT_SECRET"], algorithm="HS256")


@pytest.fixture(scope="session")
def stack_env() -> dict[str, str]:
    env = load_stack_env()
    if not env:
        pytest.fail(
            f"the local stack is not running (no {stack_env_path()}): start it with `make up`, "
            "or run everything with `make test`, which starts it for you"
        )
    return env


@pytest.fixture(scope="session")
def kafka_admin(stack_env: dict[str, str]) -> dict:
    """aiokafka options of the stack's super user, for tests that publish or create topics."""
    return kafka_options(stack_env, "admin")


@pytest.fixture(scope="session")
def object_store(stack_env: dict[str, str]) -> ObjectStore:
    return ObjectStore(
        stack_env["FOTOAI_S3_ENDPOINT"], stack_env["FOTOAI_S3_ACCESS_KEY"], stack_env["FOTOAI_S3_SECRET_KEY"]
    )


@pytest.fixture
def unique_id() -> str:
    return uuid.uuid4().hex[:12]


async def aiter_bytes(data: bytes, chunk: int = 65536) -> AsyncIterator[bytes]:
    for i in range(0, len(data), chunk):
        yield data[i : i + chunk]
