"""Rate limits and idempotency shared across gateway replicas through Redis.

Two real gateway processes (uvicorn, `python -m fotoai.gateway`) on their own ports, one private
redis-server, the stack's Kafka and object store, and a fake catalog on a real port.
"""

from __future__ import annotations

import io
import math
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fotoai.gateway.adapters.redis_store import RedisRateLimiter, RedisStore
from fotoai.gateway.domain.ratelimit import Bucket
from fotoai.servicekit.testing import mint_token
from PIL import Image
from redis.asyncio import Redis

from .conftest import GatewayProcess, gateway_env

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def replicas(stack_env: dict[str, str], redis_url: str, catalog_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[GatewayProcess]]:
    env = gateway_env(
        stack_env, FOTOAI_REDIS_URL=redis_url, FOTOAI_CATALOG_URL=catalog_url,
        FOTOAI_GATEWAY__RATE_LIMITS__READS_PER_S="0.001", FOTOAI_GATEWAY__RATE_LIMITS__READ_BURST="6",
        FOTOAI_GATEWAY__RATE_LIMITS__IP_PER_S="1000", FOTOAI_GATEWAY__RATE_LIMITS__IP_BURST="1000",
    )
    logs: Path = tmp_path_factory.mktemp("gateway-logs")
    procs = [GatewayProcess(env, logs / f"gw{i}.log") for i in range(2)]
    try:
        for p in procs:
            p.wait_ready()
        yield procs
    finally:
        for p in procs:
            p.stop()


def test_two_replicas_share_one_read_budget(replicas: list[GatewayProcess], stack_env: dict[str, str]) -> None:
    a, b = replicas
    user = f"rl-{uuid.uuid4().hex[:8]}"
    auth = {"Authorization": f"Bearer {mint_token(stack_env, user)}"}
    codes = []
    with httpx.Client(timeout=30) as client:
        for i in range(8):
            r = client.get((a if i % 2 == 0 else b).url + "/v1/photos", headers=auth)
            codes.append(r.status_code)
            if r.status_code == 200:
                assert int(r.headers["ratelimit-remaining"]) == 6 - 1 - i
        # Six for the pair together, not six each.
        assert codes == [200] * 6 + [429] * 2
        refused = client.get(b.url + "/v1/photos", headers=auth)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert int(refused.headers["retry-after"]) > 60
        other = client.get(a.url + "/v1/photos", headers={"Authorization": f"Bearer {mint_token(stack_env, user + 'x')}"})
        assert other.status_code == 200


def test_idempotency_key_is_shared_by_replicas(replicas: list[GatewayProcess], stack_env: dict[str, str]) -> None:
    a, b = replicas
    buf = io.BytesIO()
    Image.new("RGB", (50, 40), (1, 2, 3)).save(buf, "PNG")
    headers = {"Authorization": f"Bearer {mint_token(stack_env, f'idem-{uuid.uuid4().hex[:6]}')}",
               "Content-Type": "image/png", "Idempotency-Key": uuid.uuid4().hex}
    with httpx.Client(timeout=60) as client:
        r1 = client.post(a.url + "/v1/photos", content=buf.getvalue(), headers=headers)
        r2 = client.post(b.url + "/v1/photos", content=buf.getvalue(), headers=headers)
    assert r1.status_code == r2.status_code == 202, (r1.text, r2.text)
    assert r1.json() == r2.json() and r2.headers["idempotent-replayed"] == "true"


def test_readiness_reports_redis_kafka_storage_and_catalog(replicas: list[GatewayProcess]) -> None:
    r = httpx.get(replicas[0].url + "/readyz", timeout=30)
    assert r.status_code == 200, r.text
    assert set(r.json()["checks"]) == {"redis", "kafka", "storage", "catalog"}


async def test_lua_script_agrees_with_the_pure_buckets(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    limiter = RedisRateLimiter(redis, prefix=f"t:{uuid.uuid4().hex}:")
    ip, user = Bucket("ip", rate=0.001, burst=3), Bucket("user", rate=0.001, burst=1)
    d = await limiter.take([ip, user])
    assert d.allowed and d.headers()["RateLimit-Remaining"] == "0" and d.limit == 1
    d = await limiter.take([ip, user])
    assert not d.allowed and math.isclose(d.retry_after_s, 1000, rel_tol=0.01)
    # The refused request did not spend the IP bucket: two more IP-only requests pass.
    assert (await limiter.take([ip])).allowed and (await limiter.take([ip])).allowed
    assert not (await limiter.take([ip])).allowed
    # Forced charges go into debt; a cost above the burst can never be paid.
    debt = Bucket("bytes", rate=1.0, burst=100, cost=250, force=True)
    assert (await limiter.take([debt])).allowed
    d = await limiter.take([Bucket("bytes", rate=1.0, burst=100, cost=1)])
    assert not d.allowed and 150 < d.retry_after_s <= 151
    assert not (await limiter.take([Bucket("huge", rate=1.0, burst=10, cost=11)])).allowed
    store = RedisStore(redis, prefix=f"t:{uuid.uuid4().hex}:")
    assert await store.put_if_absent("k", {"a": 1}, 60)
    assert not await store.put_if_absent("k", {"a": 2}, 60)
    assert await store.get("k") == {"a": 1}
    await redis.aclose()


async def test_redis_outage_fails_open_for_limits_and_503_for_records() -> None:
    from fotoai.gateway.errors import StoreUnavailable

    from .conftest import free_port

    redis = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.5)
    assert (await RedisRateLimiter(redis).take([Bucket("x", 1.0, 5)])).allowed
    with pytest.raises(StoreUnavailable):
        await RedisStore(redis).get("k")
    await redis.aclose()
