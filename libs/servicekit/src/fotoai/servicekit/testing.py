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
