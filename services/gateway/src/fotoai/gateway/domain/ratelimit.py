"""Token buckets: the arithmetic shared by the in-process limiter and the Redis Lua script.

A bucket holds up to `burst` tokens and refills at `rate` tokens per second. A request names
several buckets (client IP, user reads; or IP, upload count, upload bytes) and a cost in each;
it is admitted only if every bucket can pay, and then all of them pay — atomically, so that
one refused bucket does not drain the others.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    key: str
    rate: float  # tokens per second
    burst: float  # capacity
    cost: float = 1.0
    #: Pay even when short (the bucket goes negative): settles a charge known only afterwards.
    force: bool = False


@dataclass
class BucketState:
    tokens: float
    updated: float


@dataclass(frozen=True)
class Decision:
    allowed: bool
    #: The bucket that constrains the answer (the refusing one, else the emptiest).
    limit: float
    remaining: float
    reset_s: float  # until the constraining bucket is full again
    retry_after_s: float  # 0 when allowed

    def headers(self) -> dict[str, str]:
        out = {
            "RateLimit-Limit": str(int(self.limit)),
            "RateLimit-Remaining": str(max(0, math.floor(self.remaining))),
            "RateLimit-Reset": str(max(0, math.ceil(self.reset_s))),
        }
        if not self.allowed:
            out["Retry-After"] = str(max(1, math.ceil(self.retry_after_s)))
        return out


def refill(state: BucketState | None, bucket: Bucket, now: float) -> float:
    if state is None:
        return bucket.burst
    elapsed = max(0.0, now - state.updated)
    return min(bucket.burst, state.tokens + elapsed * bucket.rate)


def take(
    buckets: list[Bucket], states: dict[str, BucketState], now: float
) -> tuple[Decision, dict[str, BucketState]]:
    """Decide and return the new states (unchanged ones are omitted when refused)."""
    levels = [refill(states.get(b.key), b, now) for b in buckets]
    short = [
        (b, lvl) for b, lvl in zip(buckets, levels, strict=True) if not b.force and lvl < b.cost
    ]
    if short:
        # Wait for the slowest refusing bucket; a cost above the burst can never be paid.
        waits = [((b.cost - lvl) / b.rate if b.cost <= b.burst else math.inf, b, lvl) for b, lvl in short]
        wait, b, lvl = max(waits, key=lambda w: w[0])
        wait = wait if math.isfinite(wait) else 86400.0
        return Decision(False, b.burst, lvl, (b.burst - lvl) / b.rate, wait), {}
    new = {b.key: BucketState(lvl - b.cost, now) for b, lvl in zip(buckets, levels, strict=True)}
    # Report the bucket with the smallest share left: the one a client will hit first.
    i = min(range(len(buckets)), key=lambda j: (levels[j] - buckets[j].cost) / buckets[j].burst)
    b, left = buckets[i], levels[i] - buckets[i].cost
    return Decision(True, b.burst, left, (b.burst - left) / b.rate, 0.0), new


def ttl_s(bucket: Bucket) -> float:
    """How long a bucket's state matters: after that it is full again and can be forgotten."""
    return bucket.burst / bucket.rate + 1.0
