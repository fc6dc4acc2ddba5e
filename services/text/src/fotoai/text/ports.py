"""What the text use case needs from the outside."""

from __future__ import annotations

from typing import Protocol


class ObjectStore(Protocol):
    async def get_bytes(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes: ...


class OcrEngine(Protocol):
    name: str

    async def read_tsv(self, image: bytes) -> str:
        """Tesseract-style TSV of the words in an image file (PGM or PNG)."""
        ...
