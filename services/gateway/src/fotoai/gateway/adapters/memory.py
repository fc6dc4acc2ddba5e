"""In-process rate limiter and key-value store, for a single replica without Redis."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Any

from fotoai.gateway.domain.ratelimit import Bucket, BucketState, Decision, take, ttl_s


class MemoryRateLimiter:
    def __init__(self, max_keys: int = 100_000) -> None:
        self._states: OrderedDict[str, tuple[BucketState, float]] = OrderedDict()
        self._max_keys = max_keys

    async def take(self, buckets: list[Bucket]) -> Decision:
        # No await between read and write: atomic on the event loop.
        now = time.monotonic()
        states = {}
        for b in buckets:
            entry = self._states.get(b.key)
            if entry is not None and entry[1] > now:
                states[b.key] = entry[0]
        decision, new = take(buckets, states, now)
        for b in buckets:
            if b.key in new:
                self._states[b.key] = (new[b.key], now + ttl_s(b))
                self._states.move_to_end(b.key)
        while len(self._states) > self._max_keys:
            self._states.popitem(last=False)
        return decision


class MemoryStore:
    """A bounded LRU of records with expiry."""

    def __init__(self, max_items: int = 10_000) -> None:
        self._items: OrderedDict[str, tuple[dict[str, Any], float]] = OrderedDict()
        self._max = max_items
        self._lock = asyncio.Lock()

    def _live(self, key: str) -> dict[str, Any] | None:
        entry = self._items.get(key)
        if entry is None:
            return None
        if entry[1] < time.monotonic():
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return entry[0]

    def _set(self, key: str, value: dict[str, Any], ttl: int) -> None:
        self._items[key] = (value, time.monotonic() + ttl)
        self._items.move_to_end(key)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    async def get(self, key: str) -> dict[str, Any] | None:
        return self._live(key)

    async def put(self, key: str, value: dict[str, Any], ttl_s: int) -> None:
        self._set(key, value, ttl_s)

    async def put_if_absent(self, key: str, value: dict[str, Any], ttl_s: int) -> bool:
        if self._live(key) is not None:
            return False
        self._set(key, value, ttl_s)
        return True

    async def delete(self, key: str) -> None:
        self._items.pop(key, None)
