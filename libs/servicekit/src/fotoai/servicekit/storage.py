"""The object store (S3 API through the minio client), async-friendly.

minio is a blocking client, so every call runs in a worker thread. `put_stream` uploads an
async stream of chunks with bounded memory (a small queue between the event loop and the
uploading thread), hashing as it goes and stopping as soon as a size limit is passed.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import queue
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from minio import Minio
from minio.error import S3Error

PART_SIZE = 8 * 1024 * 1024
_EOF = object()
_MISSING = ("NoSuchKey", "NoSuchObject", "NotFound")


class StorageError(RuntimeError):
    """The object store failed or is unreachable (transient: retry)."""


class ObjectNotFound(KeyError):
    """No object under that key."""


class ObjectTooLarge(ValueError):
    """The object or stream is larger than the allowed maximum."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than the limit of {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class StoredStream:
    size: int
    sha256: str


class _QueueReader(io.RawIOBase):
    """A blocking file-like fed from the event loop; minio reads it in its own thread."""

    def __init__(self, q: queue.Queue[object]) -> None:
        self._q = q
        self._buf = bytearray()
        self._eof = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._eof and (size < 0 or len(self._buf) < size):
            item = self._q.get()
            if item is _EOF:
                self._eof = True
            elif isinstance(item, BaseException):
                raise item
            else:
                self._buf += item  # type: ignore[operator]
        if size < 0:
            size = len(self._buf)
        out = bytes(self._buf[:size])
        del self._buf[:size]
        return out


class ObjectStore:
    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
        public_endpoint: str | None = None,
    ) -> None:
        parts = urlsplit(endpoint)
        self.endpoint = endpoint
        self._client = Minio(
            parts.netloc, access_key=access_key, secret_key=secret_key,
            secure=parts.scheme == "https", region=region,
        )
        pub = urlsplit(public_endpoint or endpoint)
        self._presigner = Minio(
            pub.netloc, access_key=access_key, secret_key=secret_key,
            secure=pub.scheme == "https", region=region,
        )

    @staticmethod
    def _translate(exc: Exception, bucket: str, key: str) -> Exception:
        if isinstance(exc, S3Error) and exc.code in _MISSING:
            return ObjectNotFound(f"{bucket}/{key}")
        return StorageError(f"object store error on {bucket}/{key}: {exc}")

    async def ensure_buckets(self, *buckets: str) -> None:
        def work() -> None:
            for b in buckets:
                if not self._client.bucket_exists(b):
                    self._client.make_bucket(b)

        await asyncio.to_thread(work)

    async def ping(self, bucket: str) -> bool:
        return await asyncio.to_thread(self._client.bucket_exists, bucket)

    async def get_bytes(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes:
        def work() -> bytes:
            try:
                if max_bytes is not None:
                    stat = self._client.stat_object(bucket, key)
                    if stat.size is not None and stat.size > max_bytes:
                        raise ObjectTooLarge(max_bytes)
                resp = self._client.get_object(bucket, key)
                try:
                    return resp.read()
                finally:
                    resp.close()
                    resp.release_conn()
            except (ObjectTooLarge, ObjectNotFound):
                raise
            except Exception as exc:
                raise self._translate(exc, bucket, key) from exc

        return await asyncio.to_thread(work)

    async def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        def work() -> None:
            try:
                self._client.put_object(bucket, key, io.BytesIO(data), len(data), content_type=content_type)
            except Exception as exc:
                raise self._translate(exc, bucket, key) from exc

        await asyncio.to_thread(work)

    async def put_stream(
        self,
        bucket: str,
        key: str,
        chunks: AsyncIterator[bytes],
        content_type: str,
        max_bytes: int,
        first: bytes = b"",
    ) -> StoredStream:
        """Upload a stream without holding it in memory; raises ObjectTooLarge past `max_bytes`."""
        q: queue.Queue[object] = queue.Queue(maxsize=8)
        reader = _QueueReader(q)
        loop = asyncio.get_running_loop()

        def upload() -> None:
            self._client.put_object(
                bucket, key, reader, length=-1, part_size=PART_SIZE, content_type=content_type
            )

        upload_task = loop.run_in_executor(None, upload)
        digest = hashlib.sha256()
        size = 0
        try:
            async def feed(chunk: bytes) -> None:
                nonlocal size
                size += len(chunk)
                if size > max_bytes:
                    raise ObjectTooLarge(max_bytes)
                digest.update(chunk)
                while True:  # keep the loop responsive while the uploader drains the queue
                    try:
                        q.put_nowait(chunk)
                        return
                    except queue.Full:
                        if upload_task.done():
                            await upload_task
                        await asyncio.sleep(0.002)

            if first:
                await feed(first)
            async for chunk in chunks:
                if chunk:
                    await feed(chunk)
            await asyncio.to_thread(q.put, _EOF)
            await upload_task
        except BaseException as exc:
            q.put(StorageError("upload aborted") if not isinstance(exc, Exception) else exc)
            try:
                await upload_task
            except Exception:  # noqa: BLE001 — the upload is abandoned either way
                pass
            try:
                await self.delete(bucket, key)
            except StorageError:
                pass  # the store is down; an unfinished upload leaves no object behind anyway
            if isinstance(exc, (ObjectTooLarge, asyncio.CancelledError)):
                raise
            raise self._translate(exc, bucket, key) if not isinstance(exc, StorageError) else exc
        return StoredStream(size=size, sha256=digest.hexdigest())

    async def size(self, bucket: str, key: str) -> int | None:
        """The object's size in bytes, or None when there is no such object."""

        def work() -> int | None:
            try:
                return self._client.stat_object(bucket, key).size
            except S3Error as exc:
                if exc.code in _MISSING:
                    return None
                raise StorageError(str(exc)) from exc
            except Exception as exc:  # noqa: BLE001
                raise StorageError(f"object store unreachable: {exc}") from exc

        return await asyncio.to_thread(work)

    async def head(self, bucket: str, key: str, n: int) -> bytes:
        """The first `n` bytes of an object (a ranged GET)."""

        def work() -> bytes:
            try:
                resp = self._client.get_object(bucket, key, offset=0, length=n)
                try:
                    return resp.read()
                finally:
                    resp.close()
                    resp.release_conn()
            except Exception as exc:  # noqa: BLE001
                raise self._translate(exc, bucket, key) from exc

        return await asyncio.to_thread(work)

    async def sha256(self, bucket: str, key: str) -> str:
        """The SHA-256 of an object, streamed (never held in memory)."""

        def work() -> str:
            digest = hashlib.sha256()
            try:
                resp = self._client.get_object(bucket, key)
                try:
                    for chunk in resp.stream(1024 * 1024):
                        digest.update(chunk)
                finally:
                    resp.close()
                    resp.release_conn()
            except Exception as exc:  # noqa: BLE001
                raise self._translate(exc, bucket, key) from exc
            return digest.hexdigest()

        return await asyncio.to_thread(work)

    async def exists(self, bucket: str, key: str) -> bool:
        def work() -> bool:
            try:
                self._client.stat_object(bucket, key)
                return True
            except S3Error as exc:
                if exc.code in _MISSING:
                    return False
                raise StorageError(str(exc)) from exc
            except Exception as exc:
                raise StorageError(f"object store unreachable: {exc}") from exc

        return await asyncio.to_thread(work)

    async def delete(self, bucket: str, key: str) -> None:
        def work() -> None:
            try:
                self._client.remove_object(bucket, key)
            except S3Error as exc:
                if exc.code not in _MISSING:
                    raise StorageError(str(exc)) from exc
            except Exception as exc:
                raise StorageError(f"object store unreachable: {exc}") from exc

        await asyncio.to_thread(work)

    async def delete_prefix(self, bucket: str, prefix: str) -> int:
        def work() -> int:
            n = 0
            try:
                for obj in self._client.list_objects(bucket, prefix=prefix, recursive=True):
                    self._client.remove_object(bucket, obj.object_name)
                    n += 1
            except Exception as exc:
                raise StorageError(f"deleting {bucket}/{prefix}*: {exc}") from exc
            return n

        return await asyncio.to_thread(work)

    def presigned_get_url(self, bucket: str, key: str, expires_s: int = 600, filename: str | None = None) -> str:
        headers = None
        if filename:
            headers = {"response-content-disposition": f'attachment; filename="{filename}"'}
        return self._presigner.presigned_get_object(
            bucket, key, expires=timedelta(seconds=expires_s), response_headers=headers
        )

    def presigned_put_url(self, bucket: str, key: str, expires_s: int = 900) -> str:
        return self._presigner.presigned_put_object(bucket, key, expires=timedelta(seconds=expires_s))


class PortStore:
    """The object store as a service's port sees it: the service's own error types.

    Use cases declare `ObjectMissing`/`ObjectTooBig`-style errors in their `ports.py` so they
    never import infrastructure; this adapter translates the store's errors into them.
    """

    def __init__(
        self,
        store: ObjectStore,
        missing: type[Exception] = ObjectNotFound,
        too_large: type[Exception] = ObjectTooLarge,
    ) -> None:
        self._store = store
        self._missing = missing
        self._too_large = too_large

    async def get_bytes(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes:
        try:
            return await self._store.get_bytes(bucket, key, max_bytes=max_bytes)
        except ObjectNotFound as exc:
            raise self._missing(str(exc)) from exc
        except ObjectTooLarge as exc:
            raise self._too_large(str(exc)) from exc

    async def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        await self._store.put_bytes(bucket, key, data, content_type)


def store_from_settings(settings: ServiceSettings) -> ObjectStore:  # noqa: F821
    return ObjectStore(
        settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key.get_secret_value(),
        region=settings.s3_region, public_endpoint=settings.s3_public_endpoint,
    )
