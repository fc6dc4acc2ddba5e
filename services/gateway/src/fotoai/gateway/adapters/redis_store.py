"""Redis-backed rate limiter (one atomic Lua script over all buckets) and key-value store.

Shared by every gateway replica. The script uses Redis's own clock (`TIME`) so replicas with
skewed clocks still agree, and implements the same arithmetic as `domain.ratelimit.take`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from typing import Any

from fotoai.gateway.domain.ratelimit import Bucket, Decision
from fotoai.gateway.errors import StoreUnavailable
from fotoai.servicekit.log import get_logger
from redis.asyncio import Redis
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = get_logger("fotoai.gateway.redis")

# KEYS: bucket keys. ARGV: per bucket (rate, burst, cost, force) in order.
# Returns {allowed, limit, remaining*1000, reset_ms, retry_after_ms}.
TAKE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local n = #KEYS
local levels = {}
local worst_wait, worst_i = -1, 0
for i = 1, n do
  local rate = tonumber(ARGV[(i-1)*4+1])
  local burst = tonumber(ARGV[(i-1)*4+2])
  local cost = tonumber(ARGV[(i-1)*4+3])
  local force = ARGV[(i-1)*4+4] == '1'
  local st = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
  local level = burst
  if st[1] then
    local elapsed = math.max(0, now - tonumber(st[2]))
    level = math.min(burst, tonumber(st[1]) + elapsed * rate)
  end
  levels[i] = level
  if (not force) and level < cost then
    local wait = 86400
    if cost <= burst then wait = (cost - level) / rate end
    if wait > worst_wait then worst_wait, worst_i = wait, i end
  end
end
if worst_i > 0 then
  local i = worst_i
  local rate = tonumber(ARGV[(i-1)*4+1])
  local burst = tonumber(ARGV[(i-1)*4+2])
  return {0, tostring(burst), tostring(levels[i]), tostring((burst - levels[i]) / rate), tostring(worst_wait)}
end
local best_i, best_share = 1, math.huge
for i = 1, n do
  local rate = tonumber(ARGV[(i-1)*4+1])
  local burst = tonumber(ARGV[(i-1)*4+2])
  local cost = tonumber(ARGV[(i-1)*4+3])
  local left = levels[i] - cost
  redis.call('HSET', KEYS[i], 'tokens', tostring(left), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[i], math.ceil((burst / rate + 1) * 1000))
  if left / burst < best_share then best_i, best_share = i, left / burst end
end
local rate = tonumber(ARGV[(best_i-1)*4+1])
local burst = tonumber(ARGV[(best_i-1)*4+2])
local left = levels[best_i] - tonumber(ARGV[(best_i-1)*4+3])
return {1, tostring(burst), tostring(left), tostring((burst - left) / rate), '0'}
"""


class RedisRateLimiter:
    def __init__(self, redis: Redis, prefix: str = "fotoai:rl:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(TAKE_LUA)

    async def take(self, buckets: list[Bucket]) -> Decision:
        keys = [self._prefix + b.key for b in buckets]
        args: list[str] = []
        for b in buckets:
            args += [repr(b.rate), repr(b.burst), repr(b.cost), "1" if b.force else "0"]
        try:
            allowed, limit, remaining, reset, retry = await self._script(keys=keys, args=args)
        except (RedisError, OSError) as exc:
            # Fail open: an outage of the limiter must not become an outage of the API.
            log.warning("rate limiter unavailable; admitting the request", error=str(exc))
            b = buckets[0]
            return Decision(True, b.burst, b.burst, 0.0, 0.0)
        return Decision(
            bool(int(allowed)), float(limit), float(remaining), float(reset),
            float(retry) if math.isfinite(float(retry)) else 86400.0,
        )


class RedisStore:
    def __init__(self, redis: Redis, prefix: str = "fotoai:gw:") -> None:
        self._redis = redis
        self._prefix = prefix

    @staticmethod
    def pinger(redis: Redis) -> Callable[[], Awaitable[bool]]:
        """The readiness check: a slow Redis is a `TimeoutError` (degraded), a refusal an error."""

        async def ping() -> bool:
            try:
                return bool(await redis.ping())
            except RedisTimeoutError as exc:
                raise TimeoutError(str(exc)) from exc

        return ping

    async def get(self, key: str) -> dict[str, Any] | None:
        try:
            raw = await self._redis.get(self._prefix + key)
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(str(exc)) from exc
        return json.loads(raw) if raw else None

    async def put(self, key: str, value: dict[str, Any], ttl_s: int) -> None:
        try:
            await self._redis.set(self._prefix + key, json.dumps(value), ex=ttl_s)
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    async def put_if_absent(self, key: str, value: dict[str, Any], ttl_s: int) -> bool:
        try:
            return bool(await self._redis.set(self._prefix + key, json.dumps(value), ex=ttl_s, nx=True))
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    async def delete(self, key: str) -> None:
        try:
            await self._redis.delete(self._prefix + key)
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(str(exc)) from exc
