"""In-memory stand-ins for the gateway's ports, and a fake catalog serving the internal API.

The fake catalog is a real FastAPI app reached through httpx's ASGI transport, so the gateway's
HTTP catalog adapter is exercised exactly as in production.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse
from fotoai.contracts import Envelope
from fotoai.servicekit.async_storage import ListedObject
from fotoai.servicekit.storage import ObjectTooLarge, PresignedPost, StorageError, StoredStream


class FakeBus:
    def __init__(self) -> None:
        self.events: list[Envelope] = []
        self.fail = False

    async def publish(self, event: Envelope) -> None:
        if self.fail:
            raise ConnectionError("kafka down")
        self.events.append(event)


class FakeStore:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}
        self.types: dict[tuple[str, str], str] = {}
        self.modified: dict[tuple[str, str], datetime] = {}
        self.max_chunk_seen = 0
        self.lengths: list[int | None] = []

    async def put_stream(self, bucket: str, key: str, chunks: AsyncIterator[bytes], content_type: str,
                         max_bytes: int, first: bytes = b"", length: int | None = None) -> StoredStream:
        self.lengths.append(length)
        digest, data = hashlib.sha256(), bytearray()
        for part in [first]:
            data += part
        async for chunk in chunks:
            self.max_chunk_seen = max(self.max_chunk_seen, len(chunk))
            data += chunk
            if len(data) > max_bytes:
                raise ObjectTooLarge(max_bytes)
        if len(data) > max_bytes:
            raise ObjectTooLarge(max_bytes)
        if length is not None and len(data) != length:
            raise StorageError("the stream does not match its declared length")
        digest.update(data)
        self.put(bucket, key, bytes(data), content_type)
        return StoredStream(len(data), digest.hexdigest())

    def put(self, bucket: str, key: str, data: bytes, content_type: str = "application/octet-stream",
            modified: datetime | None = None) -> None:
        self.objects[(bucket, key)] = data
        self.types[(bucket, key)] = content_type
        self.modified[(bucket, key)] = modified or datetime.now(UTC)

    async def delete(self, bucket: str, key: str) -> None:
        self.objects.pop((bucket, key), None)

    async def copy(self, bucket: str, source_key: str, key: str) -> None:
        self.put(bucket, key, self.objects[(bucket, source_key)], self.types[(bucket, source_key)])

    async def list(self, bucket: str, prefix: str) -> AsyncIterator[ListedObject]:
        for (b, k), data in list(self.objects.items()):
            if b == bucket and k.startswith(prefix):
                yield ListedObject(k, len(data), self.modified[(b, k)])

    def presigned_get_url(self, bucket: str, key: str, expires_s: int = 600, filename: str | None = None,
                          content_type: str | None = None, attachment: bool = False) -> str:
        extra = f"&filename={filename}" if filename else ""
        extra += f"&response-content-type={content_type}" if content_type else ""
        extra += "&attachment" if attachment else ""
        return f"http://s3.test/{bucket}/{key}?X-Amz-Expires={expires_s}{extra}"

    def presigned_post(self, bucket: str, key: str, max_bytes: int, expires_s: int = 900,
                       content_type: str | None = None) -> PresignedPost:
        return PresignedPost(f"http://s3.test/{bucket}", {"key": key, "policy": f"max={max_bytes}",
                                                          "Content-Type": content_type or ""})


class FakeInspector:
    def __init__(self, store: FakeStore) -> None:
        self.store = store

    async def size(self, bucket: str, key: str) -> int | None:
        data = self.store.objects.get((bucket, key))
        return None if data is None else len(data)

    async def head(self, bucket: str, key: str, n: int) -> bytes:
        return self.store.objects[(bucket, key)][:n]

    async def sha256(self, bucket: str, key: str) -> str:
        return hashlib.sha256(self.store.objects[(bucket, key)]).hexdigest()


def summary(pid: str, owner: str, created: str, tags: list[str] | None = None, status: str = "ready",
            enhanced: bool = False) -> dict[str, Any]:
    """A catalog summary; `enhanced`: the enhancement changed the picture, so its thumbnail shows."""
    original = {"bucket": "fotoai-renditions", "key": f"{owner}/{pid}/thumb_small.jpg"}
    better = {"bucket": "fotoai-renditions", "key": f"{owner}/{pid}/enhanced_thumb.jpg"} if enhanced else None
    return {
        "id": pid, "owner": owner, "status": status, "file_name": f"{pid}.jpg", "content_type": "image/jpeg",
        "size": 1000, "sha256": "0" * 64, "created_at": created, "taken_at": None, "width": 10, "height": 8,
        "format": "jpeg", "camera": "Canon EOS",
        "stages": {"ingest": "done", "enhance": "done", "tagging": "done"}, "duplicate_of": None,
        "tags": [{"label": t, "score": 0.9, "source": "clip"} for t in (tags or [])],
        "thumb": better or original, "original_thumb": original, "enhanced_thumb": better, "rejection": None,
    }


def fake_catalog(photos: dict[str, dict[str, Any]]) -> FastAPI:
    """The internal query API over a dict of photo id → summary (with an `owner` field)."""
    app = FastAPI()
    app.state.calls = []

    def visible(owner_id: str) -> list[dict[str, Any]]:
        rows = [p for p in photos.values() if p["owner"] == owner_id]
        return sorted(rows, key=lambda p: (p["created_at"], p["id"]), reverse=True)

    def public(p: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in p.items() if k != "owner"}

    def missing() -> JSONResponse:
        return JSONResponse({"title": "Not Found", "status": 404}, status_code=404)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/internal/photos")
    async def list_photos(owner_id: str, limit: int = Query(50, ge=1, le=200), cursor: str | None = None,
                          tag: str | None = None, status: str | None = None, camera: str | None = None,
                          taken_after: str | None = None, taken_before: str | None = None) -> Any:
        app.state.calls.append({"owner_id": owner_id, "limit": limit, "cursor": cursor, "tag": tag,
                                "status": status, "camera": camera, "taken_after": taken_after})
        if cursor is not None and not cursor.isdigit():
            return JSONResponse({"detail": "invalid cursor"}, status_code=400)
        rows = visible(owner_id)
        if tag:
            rows = [r for r in rows if any(t["label"] == tag for t in r["tags"])]
        if status:
            rows = [r for r in rows if r["status"] == status]
        start = int(cursor) if cursor else 0
        page = rows[start : start + limit]
        nxt = str(start + limit) if start + limit < len(rows) else None
        return {"items": [public(p) for p in page], "next_cursor": nxt}

    @app.get("/internal/photos/{pid}")
    async def detail(pid: str, owner_id: str) -> Any:
        p = photos.get(pid)
        if p is None or p["owner"] != owner_id:
            return missing()
        renditions = [{"name": "display", "bucket": "fotoai-renditions", "key": f"{owner_id}/{pid}/display.jpg",
                       "width": 10, "height": 8, "bytes": 500, "mime": "image/jpeg"}]
        return {**public(p), "metadata": {"taken_at": None, "camera_make": "Canon", "camera_model": "EOS",
                                          "lens": None, "exposure_time": None, "f_number": None, "iso": None,
                                          "focal_length": None, "gps": None},
                "faces": [], "quality": {"blurry": False, "dark": False, "overexposed": False, "low_resolution": False},
                "colors": [], "enhancement": None, "renditions": renditions, "timeline": []}

    @app.get("/internal/photos/{pid}/objects/{rendition}")
    async def objects(pid: str, rendition: str, owner_id: str) -> Any:
        p = photos.get(pid)
        if p is None or p["owner"] != owner_id or rendition == "enhanced":
            return missing()
        bucket = "fotoai-originals" if rendition == "original" else "fotoai-renditions"
        key = f"{owner_id}/{pid}/original" if rendition == "original" else f"{owner_id}/{pid}/{rendition}.jpg"
        return {"bucket": bucket, "key": key, "mime": "image/jpeg", "file_name": p["file_name"]}

    @app.get("/internal/search")
    async def search(owner_id: str, q: str, limit: int = 50, archived: bool = False) -> Any:
        rows = [r for r in visible(owner_id)
                if bool(r.get("archived")) is archived and any(q.lower() in t["label"] for t in r["tags"])]
        return {"items": [public(p) for p in rows[:limit]], "mode": "text"}

    @app.get("/internal/tags")
    async def tags(owner_id: str) -> Any:
        counts: dict[str, int] = {}
        for r in visible(owner_id):
            for t in r["tags"]:
                counts[t["label"]] = counts.get(t["label"], 0) + 1
        return {"items": [{"label": k, "count": v} for k, v in sorted(counts.items())]}

    return app
