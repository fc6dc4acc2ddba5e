"""What the tagging use cases need from the outside world, as Protocols, and the port-level
errors the adapters translate into.

The object-store adapter (`PortStore`) maps `fotoai.servicekit.storage.ObjectNotFound` to
`ObjectMissing` and servicekit's `ObjectTooLarge` to this module's `ObjectTooLarge`.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from fotoai.tagging.domain.results import ImageResult
from fotoai.tagging.domain.scene import FaceBox


class ObjectMissing(Exception):
    """The object is not in the store (yet, or any more)."""


class ObjectTooLarge(Exception):
    """The object is larger than the fetch limit."""


class TextEmbeddingUnavailable(Exception):
    """No CLIP-family model is configured, so there is no text encoder (HTTP: answer 503)."""


class ObjectStore(Protocol):
    async def get_bytes(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes: ...


class TaggingModel(Protocol):
    """The loaded models (models/runner.py: `TaggingRunner`)."""

    @property
    def model_id(self) -> str: ...

    @property
    def device(self) -> str: ...

    def prepare(self, rgb: np.ndarray) -> np.ndarray:
        """Model input for a picture; blocking CPU work, safe to call from any thread."""
        ...

    def detect_faces(self, rgb: np.ndarray) -> list[FaceBox]:
        """Blocking CPU work, safe to call from any thread."""
        ...

    async def infer(self, prepared: np.ndarray) -> ImageResult:
        """Tags and embedding of one prepared picture, batched with concurrent callers."""
        ...


class TextEncoder(Protocol):
    @property
    def model_id(self) -> str: ...

    def embed_text(self, texts: list[str]) -> list[list[float]]:
        """Blocking; unit vectors in the image embedding space. Raises
        TextEmbeddingUnavailable when the image model has no text tower."""
        ...
