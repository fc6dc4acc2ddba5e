"""What the people use cases need from the outside."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class ObjectStore(Protocol):
    async def get_bytes(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes: ...


class FaceEmbedder(Protocol):
    model_id: str

    def embed(self, rgb: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> list[np.ndarray]:
        """One 128-d descriptor per (left, top, right, bottom) box."""
        ...
