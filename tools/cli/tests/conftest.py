"""A real gateway app on a loopback port for the CLI tests, with in-memory storage, bus and
catalog: an upload becomes a catalog entry that turns `ready` after it has been seen once."""

from __future__ import annotations

import hashlib
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fotoai.contracts import Event, PhotoDeletedV1, PhotoUploadedV1
from fotoai.contracts.library import PhotoTrashedV1
from fotoai.gateway.adapters.keys import StaticKeys
from fotoai.gateway.adapters.memory import MemoryRateLimiter, MemoryStore
from fotoai.gateway.config import GatewaySettings
from fotoai.gateway.domain.auth import Keyring
from fotoai.gateway.errors import CatalogNotFound
from fotoai.gateway.main import Adapters, build_app
from fotoai.servicekit.storage import StoredStream


class Pipeline:
    """Bus, storage and catalog in one: what the real services would do, in a dict."""

    def __init__(self) -> None:
        self.photos: dict[str, dict[str, Any]] = {}
        self.objects: dict[str, bytes] = {}
        self.events: list[Event] = []
        self.seen: dict[str, int] = {}

    # bus
    async def publish(self, event: Event) -> None:
        self.events.append(event)
        if isinstance(event, PhotoUploadedV1):
            self.photos[event.photo_id] = {
                "id": event.photo_id, "owner": event.owner_id, "status": "processing",
                "file_name": event.original.file_name, "size": event.original.size, "sha256": event.original.sha256,
                "created_at": event.occurred_at.isoformat(), "rejection": None,
                "stages": {"ingest": "pending", "enhance": "pending", "tagging": "pending"},
                "tags": [{"label": "cat", "score": 0.9, "source": "clip"}], "thumb": None, "renditions": [],
            }
        elif isinstance(event, (PhotoDeletedV1, PhotoTrashedV1)):
            self.photos.pop(event.photo_id, None)

    # storage
    async def put_stream(self, bucket: str, key: str, chunks: AsyncIterator[bytes], content_type: str,
                         max_bytes: int, first: bytes = b"", length: int | None = None) -> StoredStream:
        data = bytearray(first)
        async for c in chunks:
            data += c
        self.objects[key] = bytes(data)
        return StoredStream(len(data), hashlib.sha256(data).hexdigest())

    async def delete(self, bucket: str, key: str) -> None:
        self.objects.pop(key, None)

    def presigned_get_url(self, bucket: str, key: str, expires_s: int = 600, filename: str | None = None,
                          content_type: str | None = None, attachment: bool = False) -> str:
        return f"http://s3.test/{bucket}/{key}"

    # catalog
    def _mine(self, owner_id: str) -> list[dict[str, Any]]:
        rows = [p for p in self.photos.values() if p["owner"] == owner_id]
        return sorted(rows, key=lambda p: p["created_at"], reverse=True)

    async def list_photos(self, owner_id: str, params: dict[str, Any]) -> dict[str, Any]:
        rows = [p for p in self._mine(owner_id) if not params.get("status") or p["status"] == params["status"]]
        start = int(params.get("cursor") or 0)
        limit = params["limit"]
        nxt = str(start + limit) if start + limit < len(rows) else None
        return {"items": rows[start : start + limit], "next_cursor": nxt}

    async def get_photo(self, owner_id: str, photo_id: str) -> dict[str, Any]:
        p = self.photos.get(photo_id)
        if p is None or p["owner"] != owner_id:
            raise CatalogNotFound(photo_id)
        self.seen[photo_id] = self.seen.get(photo_id, 0) + 1
        if self.seen[photo_id] >= 2 and p["status"] == "processing":
            p["status"] = "ready"
            p["stages"] = {"ingest": "done", "enhance": "done", "tagging": "failed"}
        return dict(p)

    async def get_object(self, owner_id: str, photo_id: str, rendition: str) -> dict[str, Any]:
        raise CatalogNotFound(photo_id)

    async def search(self, owner_id: str, q: str, limit: int, archived: bool = False) -> dict[str, Any]:
        rows = [p for p in self._mine(owner_id) if any(q in t["label"] for t in p["tags"])]
        return {"items": rows[:limit], "mode": "text"}

    async def tags(self, owner_id: str) -> dict[str, Any]:
        return {"items": []}

    async def ping(self) -> bool:
        return True


@dataclass
class RunningGateway:
    url: str
    env_file: Path
    pipeline: Pipeline
    secret: str
    server: uvicorn.Server = field(repr=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    secret = secrets.token_urlsafe(32)
    pipeline = Pipeline()
    settings = GatewaySettings(jwt_secret=secret, jwt_issuer="cli-test", jwt_audience="fotoai", local_mode=True)
    app = build_app(settings, Adapters(
        bus=pipeline, store=pipeline, inspector=object(), catalog=pipeline,  # type: ignore[arg-type]
        limiter=MemoryRateLimiter(), records=MemoryStore(), keys=StaticKeys(Keyring.shared_secret(secret)),
    ))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise TimeoutError("gateway did not start")
        time.sleep(0.05)
    env_file = tmp_path_factory.mktemp("stack") / "stack.env"
    env_file.write_text(
        f"FOTOAI_GATEWAY_URL=http://127.0.0.1:{port}\nFOTOAI_JWT_SECRET={secret}\n"
        "FOTOAI_JWT_ISSUER=cli-test\nFOTOAI_JWT_AUDIENCE=fotoai\n"
    )
    try:
        yield RunningGateway(f"http://127.0.0.1:{port}", env_file, pipeline, secret, server)
    finally:
        server.should_exit = True
        thread.join(10)
