"""The gateway's use cases: upload (streamed or direct-to-storage), delete, and queries.

Each depends on ports only; the HTTP layer authenticates, rate-limits and translates.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from fotoai.contracts import OriginalObject, PhotoUploadedV1
from fotoai.contracts.library import PhotoTrashedV1
from fotoai.gateway.budget import Budget
from fotoai.gateway.domain.filenames import sanitize_file_name
from fotoai.gateway.domain.sniff import SNIFF_BYTES, servable_type, sniff
from fotoai.gateway.domain.views import public_detail, public_page, public_summary
from fotoai.gateway.errors import (
    IdempotencyConflict,
    PublishFailed,
    StoreUnavailable,
    UploadRefused,
)
from fotoai.gateway.ports import (
    Catalog,
    EventPublisher,
    KeyValueStore,
    ObjectInspector,
    OriginalsStore,
)
from fotoai.servicekit import metrics
from fotoai.servicekit.log import get_logger
from fotoai.servicekit.storage import ObjectTooLarge

log = get_logger("fotoai.gateway")

_DELETE_NS = uuid.UUID("0b7f8a52-3c1e-4f7d-9a26-5d3e8c1b4f60")


@dataclass(frozen=True)
class UploadAccepted:
    id: str
    sha256: str
    size: int
    status: str = "processing"

    def body(self) -> dict[str, Any]:
        return asdict(self)


def original_key(owner_id: str, photo_id: str) -> str:
    return f"{owner_id}/{photo_id}/original"


#: Where direct uploads land until `complete` moves them; the reaper empties it.
INCOMING = "incoming/"


def incoming_key(owner_id: str, upload_id: str) -> str:
    return f"{INCOMING}{owner_id}/{upload_id}"


async def _with_head(chunks: AsyncIterator[bytes], n: int) -> tuple[bytes, AsyncIterator[bytes]]:
    """Read at least `n` bytes (or to the end) for sniffing; the rest stays a stream."""
    head = bytearray()
    async for chunk in chunks:
        head += chunk
        if len(head) >= n:
            break
    return bytes(head), chunks


class UploadPhoto:
    def __init__(self, store: OriginalsStore, bus: EventPublisher, bucket: str, max_bytes: int) -> None:
        self.store, self.bus, self.bucket, self.max_bytes = store, bus, bucket, max_bytes

    async def __call__(
        self, owner_id: str, chunks: AsyncIterator[bytes], content_type: str | None, file_name: str | None,
        length: int | None = None,
    ) -> UploadAccepted:
        """`length`: the exact size when the client declared it (a raw body), else None."""
        head, rest = await _with_head(chunks, SNIFF_BYTES)
        verdict = sniff(head[:SNIFF_BYTES])
        if not verdict.image:
            metrics.UPLOADS.labels("not_an_image").inc()
            status = 400 if not head else 415
            raise UploadRefused(status, "Unsupported Media Type" if head else "Empty upload", verdict.reason)
        photo_id = str(uuid.uuid4())
        key = original_key(owner_id, photo_id)
        # Stored and announced as what the bytes are, never as what the client claimed.
        ctype = verdict.mime or "application/octet-stream"
        try:
            stored = await self.store.put_stream(self.bucket, key, rest, ctype, self.max_bytes, first=head,
                                                 length=length)
        except ObjectTooLarge as exc:
            metrics.UPLOADS.labels("too_large").inc()
            raise UploadRefused(413, "Payload Too Large", f"uploads are limited to {exc.limit} bytes") from exc
        event = PhotoUploadedV1(
            photo_id=photo_id, owner_id=owner_id,
            original=OriginalObject(
                bucket=self.bucket, key=key, size=stored.size, sha256=stored.sha256,
                content_type=verdict.mime, file_name=sanitize_file_name(file_name),
            ),
        )
        await _publish_or_undo(self.bus, event, self.store, self.bucket, key)
        metrics.UPLOADS.labels("accepted").inc()
        return UploadAccepted(photo_id, stored.sha256, stored.size)


def _clean_content_type(raw: str | None) -> str | None:
    if not raw:
        return None
    value = raw.split(";", 1)[0].strip().lower()
    return value[:100] if value and "/" in value else None


async def _publish_or_undo(bus: EventPublisher, event: PhotoUploadedV1, store: OriginalsStore, bucket: str, key: str) -> None:
    try:
        await bus.publish(event)
    except Exception as exc:
        # Without the event nobody will ever process or delete the object: remove it.
        log.error("publishing photo.uploaded.v1 failed; removing the object", error=str(exc), key=key)
        try:
            await store.delete(bucket, key)
        except Exception as cleanup:  # noqa: BLE001 — the publish failure is what the client must hear
            log.warning("could not remove the orphaned object", key=key, error=str(cleanup))
        metrics.UPLOADS.labels("publish_failed").inc()
        raise PublishFailed(str(exc)) from exc


#: How long an Idempotency-Key stays reserved by an attempt that never finishes (a crash).
IDEMPOTENCY_PENDING_TTL_S = 600


class Idempotent:
    """The Idempotency-Key protocol of uploads: the first request with a key reserves it and
    records its answer; a later one with the same key gets that answer again (`replayed`), or
    `IdempotencyConflict` while the first is still running. A failed attempt frees the key, so
    the client may retry with it. Keys are per owner."""

    def __init__(self, records: KeyValueStore, ttl_s: int, pending_ttl_s: int = IDEMPOTENCY_PENDING_TTL_S) -> None:
        self.records, self.ttl_s, self.pending_ttl_s = records, ttl_s, pending_ttl_s

    async def __call__(
        self, owner_id: str, key: str | None, attempt: Callable[[], Awaitable[UploadAccepted]]
    ) -> tuple[dict[str, Any], bool]:
        """(the answer, whether it is a replay)."""
        if key is None:
            return (await attempt()).body(), False
        rkey = f"idem:{owner_id}:{key}"
        for _ in range(2):
            if await self.records.put_if_absent(rkey, {"state": "pending"}, self.pending_ttl_s):
                break
            previous = await self.records.get(rkey)
            if previous is None:
                continue  # expired in between: try to reserve again
            if previous.get("state") == "done":
                return previous["answer"], True
            raise IdempotencyConflict("a request with this Idempotency-Key is still in progress")
        try:
            accepted = await attempt()
        except BaseException:
            with contextlib.suppress(StoreUnavailable):
                await self.records.delete(rkey)  # a failed attempt may be retried with the same key
            raise
        with contextlib.suppress(StoreUnavailable):  # the upload itself succeeded: answer it
            await self.records.put(rkey, {"state": "done", "answer": accepted.body()}, self.ttl_s)
        return accepted.body(), False


class DirectUploads:
    """`POST /v1/uploads` → presigned POST form → `POST /v1/uploads/{id}/complete`.

    The form's policy names one key under `incoming/` and at most the declared size, so the
    store itself refuses anything larger. `start` is charged the declared size (by the
    caller, `Budget.upload`); `complete` checks the real size and sniffs the bytes, settles the byte budget to the
    real size, moves the object to its original key and
    answers the same way on every later call (single use in effect: a second POST to the form
    lands in `incoming/` and is reaped). `reap` removes what was never completed, once older
    than `lifetime_s` (the form's life plus a grace period).
    """

    def __init__(
        self, store: OriginalsStore, inspector: ObjectInspector, bus: EventPublisher, records: KeyValueStore,
        budget: Budget, bucket: str, max_bytes: int, put_ttl_s: int, grace_s: int = 3600,
    ) -> None:
        self.store, self.inspector, self.bus, self.records, self.budget = store, inspector, bus, records, budget
        self.bucket, self.max_bytes, self.put_ttl_s = bucket, max_bytes, put_ttl_s
        self.lifetime_s = put_ttl_s + grace_s

    @staticmethod
    def _record_key(owner_id: str, upload_id: str) -> str:
        return f"upload:{owner_id}:{upload_id}"

    async def start(self, owner_id: str, file_name: str | None, content_type: str, size: int) -> dict[str, Any]:
        """The form to POST the file with; the caller has charged the budget (`Budget.upload`)."""
        if size > self.max_bytes:
            raise UploadRefused(413, "Payload Too Large", f"uploads are limited to {self.max_bytes} bytes")
        ctype = _clean_content_type(content_type)
        if ctype is None or not (servable_type(ctype) == ctype or ctype == "application/octet-stream"):
            raise UploadRefused(415, "Unsupported Media Type",
                                "content_type must be a raster image type or application/octet-stream")
        upload_id = str(uuid.uuid4())
        key = incoming_key(owner_id, upload_id)
        expires_at = time.time() + self.put_ttl_s
        record = {
            "owner_id": owner_id, "key": key, "file_name": sanitize_file_name(file_name),
            "content_type": ctype, "size": size, "expires_at": expires_at, "answer": None,
        }
        await self.records.put(self._record_key(owner_id, upload_id), record, self.lifetime_s)
        form = self.store.presigned_post(self.bucket, key, size, self.put_ttl_s, content_type=ctype)
        return {"upload_id": upload_id, "url": form.url, "method": "POST", "fields": form.fields,
                "max_bytes": size, "expires_at": expires_at}

    async def complete(self, owner_id: str, upload_id: str) -> UploadAccepted:
        rkey = self._record_key(owner_id, upload_id)
        record = await self.records.get(rkey)
        if record is None:
            raise UploadRefused(404, "Not Found", "no such upload")
        if record.get("answer"):
            return UploadAccepted(**record["answer"])
        incoming = record["key"]
        size = await self.inspector.size(self.bucket, incoming)
        if size is None:
            raise UploadRefused(409, "Upload Not Found In Storage", "POST the file with the form first")

        async def refuse(status: int, title: str, detail: str) -> UploadRefused:
            await self.store.delete(self.bucket, incoming)
            await self.records.delete(rkey)
            return UploadRefused(status, title, detail)

        if size > min(self.max_bytes, int(record["size"])):
            raise await refuse(413, "Payload Too Large", f"{size} bytes is more than the {record['size']} declared")
        verdict = sniff(await self.inspector.head(self.bucket, incoming, SNIFF_BYTES))
        if not verdict.image:
            metrics.UPLOADS.labels("not_an_image").inc()
            raise await refuse(415 if size else 400, "Unsupported Media Type" if size else "Empty upload",
                               verdict.reason)
        # `start` was charged the declared size: the byte budget pays for the real bytes.
        await self.budget.settle_bytes(owner_id, int(record["size"]), size)
        key = original_key(owner_id, upload_id)
        await self.store.copy(self.bucket, incoming, key)
        await self.store.delete(self.bucket, incoming)
        sha = await self.inspector.sha256(self.bucket, key)
        event = PhotoUploadedV1(
            # The upload id is the photo id, and the event id derives from it: a retried
            # completion that lost its answer republishes the same event, which consumers skip.
            event_id=str(uuid.uuid5(_DELETE_NS, f"{upload_id}/uploaded")),
            photo_id=upload_id, owner_id=owner_id,
            original=OriginalObject(bucket=self.bucket, key=key, size=size, sha256=sha,
                                    content_type=verdict.mime, file_name=record["file_name"]),
        )
        try:
            await self.bus.publish(event)
        except Exception as exc:
            metrics.UPLOADS.labels("publish_failed").inc()
            raise PublishFailed(str(exc)) from exc
        accepted = UploadAccepted(upload_id, sha, size)
        await self.records.put(rkey, {**record, "answer": accepted.body()}, 86400)
        metrics.UPLOADS.labels("accepted").inc()
        return accepted

    async def reap(self, now: datetime | None = None) -> int:
        """Remove direct uploads never completed within their lifetime; returns how many."""
        now = now or datetime.now(UTC)
        removed = 0
        async for obj in self.store.list(self.bucket, INCOMING):
            if obj.last_modified is not None and (now - obj.last_modified).total_seconds() > self.lifetime_s:
                await self.store.delete(self.bucket, obj.key)
                removed += 1
        if removed:
            log.info("reaped direct uploads never completed", count=removed)
        return removed


class DeletePhoto:
    def __init__(self, catalog: Catalog, bus: EventPublisher) -> None:
        self.catalog, self.bus = catalog, bus

    async def __call__(self, owner_id: str, photo_id: str, deleted_by: str) -> None:
        # Deleting moves to the trash; the purge (library.py) publishes `photo.deleted.v1`
        # with an id derived from `_DELETE_NS`, one per photo.
        await self.catalog.get_photo(owner_id, photo_id)  # CatalogNotFound → 404
        await self.bus.publish(PhotoTrashedV1(photo_id=photo_id, owner_id=owner_id, trashed_by=deleted_by))


class PresignCache:
    """Reuses a presigned GET URL while at least half its lifetime is left.

    Signing (SigV4) dominated the cost of a detail request, and a stable URL also lets
    browsers cache thumbnails. Entries are keyed by the object key, which the catalog has
    already checked belongs to the caller.
    """

    def __init__(self, store: OriginalsStore, ttl_s: int, max_items: int = 20_000) -> None:
        self.store, self.ttl, self.max_items = store, ttl_s, max_items
        self._urls: OrderedDict[tuple[str, str, str | None, str | None, bool], tuple[str, float]] = OrderedDict()

    def url(self, bucket: str, key: str, filename: str | None = None, content_type: str | None = None,
            attachment: bool = False) -> str:
        now = time.monotonic()
        k = (bucket, key, filename, content_type, attachment)
        hit = self._urls.get(k)
        if hit is not None and now - hit[1] < self.ttl / 2:
            return hit[0]
        url = self.store.presigned_get_url(bucket, key, self.ttl, filename=filename, content_type=content_type,
                                           attachment=attachment)
        self._urls[k] = (url, now)
        self._urls.move_to_end(k)
        while len(self._urls) > self.max_items:
            self._urls.popitem(last=False)
        return url


class PhotoQueries:
    """Reads proxied to the catalog, with object locations turned into presigned URLs."""

    def __init__(self, catalog: Catalog, store: OriginalsStore, get_ttl_s: int) -> None:
        self.catalog, self.store, self.ttl = catalog, store, get_ttl_s
        self.presigner = PresignCache(store, get_ttl_s)

    def _presign(self, bucket: str, key: str) -> str:
        return self.presigner.url(bucket, key)

    async def list(self, owner_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        return public_page(await self.catalog.list_photos(owner_id, params), self._presign)

    async def detail(self, owner_id: str, photo_id: str) -> dict[str, Any]:
        return public_detail(await self.catalog.get_photo(owner_id, photo_id), self._presign)

    async def content_url(self, owner_id: str, photo_id: str, rendition: str, download: bool) -> str:
        obj = await self.catalog.get_object(owner_id, photo_id, rendition)
        name = sanitize_file_name(obj.get("file_name")) if download else None
        # The original is the user's bytes: always a download, typed by what the gateway
        # detected (the catalog keeps the sniffed type); renditions are ours, shown inline.
        return self.presigner.url(obj["bucket"], obj["key"], name, servable_type(obj.get("mime")),
                                  attachment=rendition == "original")

    async def search(self, owner_id: str, q: str, limit: int, archived: bool = False) -> dict[str, Any]:
        answer = await self.catalog.search(owner_id, q, limit, archived)
        return {**answer, "items": [public_summary(i, self._presign) for i in answer.get("items") or []]}

    async def tags(self, owner_id: str) -> dict[str, Any]:
        return await self.catalog.tags(owner_id)
