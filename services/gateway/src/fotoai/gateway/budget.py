"""Which budget each kind of request spends: the rate-limit rule of the front door, in one place.

Every authenticated request spends its client IP's budget and one of its user's: reads the
read budget, commands (deletes, library and people edits, completing a direct upload) the
write budget, uploads the upload count and, when the size is known, the byte budget. A failed
sign-in and the dev login spend the IP's alone; shared-album routes a budget of their own per
IP. A refusal raises `RateLimited`; an allowed decision is returned so the HTTP layer can tell
the client its `RateLimit-*` headers. With limits off every call is free (None).
"""

from __future__ import annotations

from fotoai.gateway.config import RateLimitOptions
from fotoai.gateway.domain.ratelimit import Bucket, Decision
from fotoai.gateway.errors import RateLimited
from fotoai.gateway.ports import RateLimiter
from fotoai.servicekit import metrics


class Budget:
    def __init__(self, limiter: RateLimiter, limits: RateLimitOptions, enabled: bool,
                 shared_per_s: float, shared_burst: int) -> None:
        self.limiter, self.limits, self.enabled = limiter, limits, enabled
        self.shared_per_s, self.shared_burst = shared_per_s, shared_burst

    async def _take(self, scope: str, buckets: list[Bucket]) -> Decision | None:
        if not self.enabled:
            return None
        decision = await self.limiter.take(buckets)
        if not decision.allowed:
            metrics.RATE_LIMITED.labels(scope).inc()
            raise RateLimited(decision)
        return decision

    def _ip(self, ip: str) -> Bucket:
        return Bucket(f"ip:{ip}", self.limits.ip_per_s, self.limits.ip_burst)

    def _bytes(self, owner_id: str, n: int, force: bool = False) -> Bucket:
        per_day = self.limits.upload_bytes_per_day
        return Bucket(f"bytes:{owner_id}", per_day / 86400, per_day, cost=n, force=force)

    async def anonymous(self, ip: str) -> Decision | None:
        """A failed sign-in (no free token guessing) or the dev login."""
        return await self._take("ip", [self._ip(ip)])

    async def read(self, owner_id: str, ip: str) -> Decision | None:
        rl = self.limits
        return await self._take("read", [self._ip(ip), Bucket(f"read:{owner_id}", rl.reads_per_s, rl.read_burst)])

    async def write(self, owner_id: str, ip: str) -> Decision | None:
        rl = self.limits
        return await self._take("write", [self._ip(ip), Bucket(f"write:{owner_id}", rl.writes_per_s, rl.write_burst)])

    async def upload(self, owner_id: str, ip: str, declared_bytes: int | None) -> Decision | None:
        """One more upload, and its bytes when the size is known now (else `settle_upload` after)."""
        rl = self.limits
        buckets = [self._ip(ip), Bucket(f"uploads:{owner_id}", rl.uploads_per_day / 86400, rl.upload_burst)]
        if declared_bytes is not None:
            buckets.append(self._bytes(owner_id, max(1, declared_bytes)))
        return await self._take("upload", buckets)

    async def settle_bytes(self, owner_id: str, charged: int, real: int) -> None:
        """The byte budget pays for the real bytes of an upload charged `charged` up front
        (may go negative: the next upload waits)."""
        if self.enabled and real != charged:
            await self.limiter.take([self._bytes(owner_id, real - charged, force=True)])

    async def shared(self, ip: str) -> Decision | None:
        """A shared-album route: no account, so the IP's own budget (failed tokens spend it too)."""
        return await self._take("shared", [Bucket(f"shared:{ip}", self.shared_per_s, self.shared_burst)])
