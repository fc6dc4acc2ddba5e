"""What the ingest use case needs from the outside world, as Protocols, and the errors they raise.

The adapter over `servicekit.storage.ObjectStore` (`PortStore`) translates its `ObjectNotFound`
into `ObjectMissing` and its `ObjectTooLarge` into this module's `ObjectTooLarge` (the same names in
every service's ports); any other storage error is transient and propagates to the retry policy.
"""

from __future__ import annotations

from typing import Protocol


class ObjectMissing(Exception):
    """The object is not in the store (deleted, or never written)."""


class ObjectTooLarge(Exception):
    """The object is larger than the `max_bytes` the caller allowed."""


class ObjectStore(Protocol):
    async def get_bytes(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes: ...

    async def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str) -> None: ...
