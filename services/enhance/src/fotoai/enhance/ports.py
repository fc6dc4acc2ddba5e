"""Ports of the enhance use case: what it needs from the outside, as Protocols, and their errors.

The object-store adapter must raise `ObjectMissing` for servicekit's `ObjectNotFound` and
`ObjectTooLarge` for its own too-large error, so the use case never imports infrastructure.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from fotoai.enhance.domain.enhancer import Enhanced


class ObjectMissing(Exception):
    """The object does not exist (yet, or any more)."""


class ObjectTooLarge(Exception):
    """The object is larger than the caller's limit."""


class ObjectStore(Protocol):
    async def get_bytes(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes: ...

    async def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str) -> None: ...


class PhotoEnhancer(Protocol):
    """`domain.enhancer.Enhancer` or anything shaped like it. Called from a worker thread."""

    @property
    def device(self) -> str: ...

    def enhance(self, rgb: np.ndarray) -> Enhanced: ...


class BatchEnhancer(PhotoEnhancer, Protocol):
    """An enhancer that also takes a batch (the torch path runs it as one tensor batch)."""

    def enhance_batch(self, images: list[np.ndarray]) -> list[Enhanced]: ...
