"""Fixtures shared by the end-to-end and reliability tests: a gateway client for a fresh user
and a Kafka tap reading every topic."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fotoai.servicekit.testing import kafka_options, mint_token

from tests.support import KafkaTap


@pytest.fixture(scope="session")
async def tap(stack_env) -> AsyncIterator[KafkaTap]:
    # The tap reads dead letters too, which the read-only subscriber of stack.env may not.
    options = kafka_options(stack_env, "admin")
    t = KafkaTap(options.pop("bootstrap_servers"), **options)
    await t.start()
    yield t
    await t.stop()


@pytest.fixture
def user() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def gateway(stack_env, user) -> AsyncIterator[httpx.AsyncClient]:
    token = mint_token(stack_env, user)
    async with httpx.AsyncClient(
        base_url=stack_env["FOTOAI_GATEWAY_URL"], headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        yield client
