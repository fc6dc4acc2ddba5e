"""What the gateway's use cases need from the outside world, as Protocols.

Tests pass fakes; `main.py` passes the real adapters (`adapters/`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

from fotoai.contracts import Envelope
from fotoai.gateway.domain.auth import Keyring
from fotoai.gateway.domain.ratelimit import Bucket, Decision
from fotoai.servicekit.async_storage import ListedObject
from fotoai.servicekit.storage import PresignedPost, StoredStream


class EventPublisher(Protocol):
    async def publish(self, event: Envelope) -> None: ...


class OriginalsStore(Protocol):
    """Streaming uploads (bounded, cancellable: the object is removed on failure) and URLs."""

    async def put_stream(
        self, bucket: str, key: str, chunks: AsyncIterator[bytes], content_type: str,
        max_bytes: int, first: bytes = b"", length: int | None = None,
    ) -> StoredStream: ...

    async def delete(self, bucket: str, key: str) -> None: ...

    async def copy(self, bucket: str, source_key: str, key: str) -> None: ...

    def list(self, bucket: str, prefix: str) -> AsyncIterator[ListedObject]: ...

    def presigned_get_url(
        self, bucket: str, key: str, expires_s: int = 600, filename: str | None = None,
        content_type: str | None = None, attachment: bool = False,
    ) -> str: ...

    def presigned_post(
        self, bucket: str, key: str, max_bytes: int, expires_s: int = 900, content_type: str | None = None
    ) -> PresignedPost: ...


class ObjectInspector(Protocol):
    """Reads an object a client uploaded directly (presigned POST form)."""

    async def size(self, bucket: str, key: str) -> int | None: ...

    async def head(self, bucket: str, key: str, n: int) -> bytes: ...

    async def sha256(self, bucket: str, key: str) -> str: ...


class Catalog(Protocol):
    """The catalog's internal query API, scoped by owner. Missing → `CatalogNotFound`."""

    async def list_photos(self, owner_id: str, params: Mapping[str, Any]) -> dict[str, Any]: ...

    async def get_photo(self, owner_id: str, photo_id: str) -> dict[str, Any]: ...

    async def get_object(self, owner_id: str, photo_id: str, rendition: str) -> dict[str, Any]: ...

    async def search(self, owner_id: str, q: str, limit: int, archived: bool = False) -> dict[str, Any]: ...

    async def tags(self, owner_id: str) -> dict[str, Any]: ...

    async def ping(self) -> bool: ...


class RateLimiter(Protocol):
    async def take(self, buckets: list[Bucket]) -> Decision: ...


class KeyValueStore(Protocol):
    """Small JSON records with a TTL (idempotent answers, pending direct uploads)."""

    async def get(self, key: str) -> dict[str, Any] | None: ...

    async def put(self, key: str, value: dict[str, Any], ttl_s: int) -> None: ...

    async def put_if_absent(self, key: str, value: dict[str, Any], ttl_s: int) -> bool: ...

    async def delete(self, key: str) -> None: ...


class KeySource(Protocol):
    """The keys tokens are checked against; `refresh` re-reads them (unknown `kid`)."""

    async def keyring(self) -> Keyring: ...

    async def refresh(self) -> Keyring: ...
