"""Where verification keys come from: the shared secret, a JWKS file, or a JWKS URL.

The URL is fetched once, cached for `cache_s`, and re-fetched when a token names an unknown
`kid` (key rotation) — but at most once per `min_refresh_s`, so garbage `kid`s cannot turn
the gateway into a request amplifier against the identity provider.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
from fotoai.gateway.domain.auth import Keyring
from fotoai.gateway.errors import KeysUnavailable
from fotoai.servicekit.log import get_logger

log = get_logger("fotoai.gateway.keys")


class StaticKeys:
    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring

    async def keyring(self) -> Keyring:
        return self._keyring

    async def refresh(self) -> Keyring:
        return self._keyring


class JwksFileKeys:
    """A JWKS document on disk (e.g. a mounted Kubernetes secret), re-read on refresh."""

    def __init__(self, path: str) -> None:
        self._path = Path(path)
        self._keyring = Keyring.from_jwks(self._path.read_text())
        self._mtime = self._path.stat().st_mtime

    async def keyring(self) -> Keyring:
        return self._keyring

    async def refresh(self) -> Keyring:
        mtime = self._path.stat().st_mtime
        if mtime != self._mtime:
            self._keyring = Keyring.from_jwks(self._path.read_text())
            self._mtime = mtime
        return self._keyring


class JwksUrlKeys:
    def __init__(
        self, url: str, cache_s: float = 300.0, min_refresh_s: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = url
        self._cache_s = cache_s
        self._min_refresh_s = min_refresh_s
        self._client = httpx.AsyncClient(timeout=5.0, transport=transport)
        self._keyring: Keyring | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _fetch(self) -> Keyring:
        try:
            resp = await self._client.get(self._url)
            resp.raise_for_status()
            keyring = Keyring.from_jwks(json.loads(resp.content))
        except (httpx.HTTPError, ValueError) as exc:
            raise KeysUnavailable(f"JWKS {self._url}: {exc}") from exc
        self._keyring, self._fetched_at = keyring, time.monotonic()
        return keyring

    async def keyring(self) -> Keyring:
        if self._keyring is not None and time.monotonic() - self._fetched_at < self._cache_s:
            return self._keyring
        async with self._lock:
            if self._keyring is not None and time.monotonic() - self._fetched_at < self._cache_s:
                return self._keyring
            try:
                return await self._fetch()
            except KeysUnavailable as exc:
                if self._keyring is None:
                    raise
                # Keep serving the last good keys rather than locking everyone out.
                log.warning("JWKS refresh failed; keeping the cached keys", error=str(exc))
                self._fetched_at = time.monotonic()
                return self._keyring

    async def refresh(self) -> Keyring:
        async with self._lock:
            if self._keyring is not None and time.monotonic() - self._fetched_at < self._min_refresh_s:
                return self._keyring
            try:
                return await self._fetch()
            except KeysUnavailable as exc:
                log.warning("JWKS refresh failed", error=str(exc))
                if self._keyring is None:
                    raise
                return self._keyring
