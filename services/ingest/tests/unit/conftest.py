"""Fixtures for the ingest unit tests: sample files, an in-memory object store, a shared sandbox."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from fotoai.contracts import PhotoUploadedV1
from fotoai.contracts.events import OriginalObject
from fotoai.ingest.ports import ObjectMissing, ObjectTooLarge
from fotoai.ingest.sandbox import DecodeSandbox


def _load_samples() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "sample_images.py"
    spec = importlib.util.spec_from_file_location("fotoai_ingest_sample_images", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def samples() -> ModuleType:
    return _load_samples()


class MemoryStore:
    """ObjectStore fake: a dict of (bucket, key) → (bytes, content type), with call counts."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], tuple[bytes, str]] = {}
        self.puts = 0
        self.gets = 0

    async def get_bytes(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes:
        self.gets += 1
        if (bucket, key) not in self.objects:
            raise ObjectMissing(f"{bucket}/{key}")
        data = self.objects[(bucket, key)][0]
        if max_bytes is not None and len(data) > max_bytes:
            raise ObjectTooLarge(f"{bucket}/{key}")
        return data

    async def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        self.puts += 1
        self.objects[(bucket, key)] = (bytes(data), content_type)


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def upload(store: MemoryStore):
    """Put `data` as an original and return the matching `PhotoUploadedV1`."""
    counter = iter(range(1, 10_000))

    def make(
        data: bytes,
        *,
        content_type: str | None = "image/jpeg",
        file_name: str | None = "IMG_0001.JPG",
        declared_size: int | None = None,
        photo_id: str | None = None,
    ) -> PhotoUploadedV1:
        photo_id = photo_id or f"photo-{next(counter)}"
        key = f"owner-1/{photo_id}/original"
        store.objects[("fotoai-originals", key)] = (data, content_type or "")
        return PhotoUploadedV1(
            photo_id=photo_id,
            owner_id="owner-1",
            original=OriginalObject(
                bucket="fotoai-originals",
                key=key,
                size=len(data) if declared_size is None else declared_size,
                sha256=hashlib.sha256(data).hexdigest(),
                content_type=content_type,
                file_name=file_name,
            ),
        )

    return make


@pytest.fixture(scope="session")
async def shared_sandbox():
    """One warm worker process shared by the use-case tests (spawning costs ~1 s each)."""
    sandbox = DecodeSandbox(workers=1, timeout_s=60.0, memory_limit_bytes=6 * 1024**3)
    await sandbox.start()
    yield sandbox
    await sandbox.aclose()
