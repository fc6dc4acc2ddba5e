"""The object store for the front door: asyncio-native, no threads wait on a client's bytes.

`AsyncObjectStore` streams an upload to S3 as the bytes arrive:

- with a known length (a raw body with `Content-Length`), one PUT whose body is the incoming
  stream itself, signed by URL (`UNSIGNED-PAYLOAD`), so memory per upload is one chunk;
- with an unknown length (multipart forms, chunked bodies), a multipart upload through
  miniopy-async that holds one part (`PART_SIZE`) at a time.

Either way a failure, a size over the limit or a cancellation (the caller's idle timeout or
deadline) ends the request to S3 and removes whatever was written. Two HTTP connection pools:
uploads use `bulk`, everything else (readiness, stat, delete, reads) uses `control`, so no
number of stalled uploads can starve a readiness probe or a read. The endpoint parsing, the
error translation and the presigner are `storage`'s (one implementation for both modules).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

import aiohttp
from fotoai.servicekit.storage import (
    ObjectNotFound,
    ObjectTooLarge,
    Presigner,
    StorageError,
    StoredStream,
    endpoint_parts,
    is_missing,
    translate,
)
from miniopy_async.api import Minio
from miniopy_async.commonconfig import CopySource

#: S3's smallest part: what an upload of unknown length holds in memory at most.
PART_SIZE = 5 * 1024 * 1024
#: Bytes gathered before a connection to the store is opened: a client that stalls early
#: holds a little memory here, never one of the store's connections (or its server threads).
READ_AHEAD = 256 * 1024
_READINESS_KEY = ".readyz"


@dataclass(frozen=True)
class ListedObject:
    key: str
    size: int
    last_modified: datetime | None


class _StreamReader:
    """The async `read(size)` miniopy-async pulls parts from; counts, hashes and limits."""

    def __init__(self, chunks: AsyncIterator[bytes], first: bytes, max_bytes: int) -> None:
        self._chunks = chunks
        self._pending = bytearray(first)
        self._eof = False
        self.size = 0
        self.digest = hashlib.sha256()
        self.max_bytes = max_bytes
        self._count(first)

    def _count(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise ObjectTooLarge(self.max_bytes)
        self.digest.update(chunk)

    async def read(self, size: int = -1) -> bytes:
        # One bytes object per part: miniopy concatenates what read() returns.
        while not self._eof and (size < 0 or len(self._pending) < size):
            try:
                chunk = await anext(self._chunks)
            except StopAsyncIteration:
                self._eof = True
                break
            self._count(chunk)
            self._pending += chunk
        n = len(self._pending) if size < 0 else min(size, len(self._pending))
        out = bytes(self._pending[:n])
        del self._pending[:n]
        return out


class AsyncObjectStore:
    """Open with `await store.start()` (or `async with`), close with `aclose()`."""

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
        public_endpoint: str | None = None,
        max_uploads: int = 256,
        control_connections: int = 32,
    ) -> None:
        self.endpoint = endpoint
        self._netloc, self._secure = endpoint_parts(endpoint)
        self._keys = (access_key, secret_key, region)
        self.presigner = Presigner(public_endpoint or endpoint, access_key, secret_key, region)
        self._signer = Presigner(endpoint, access_key, secret_key, region)  # URLs this process uses
        self._max_uploads, self._control_connections = max_uploads, control_connections
        self._bulk: aiohttp.ClientSession | None = None
        self._control: aiohttp.ClientSession | None = None

    async def start(self) -> Self:
        if self._bulk is None:
            # No read timeout on uploads: the caller bounds them (idle timeout, deadline).
            self._bulk = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_uploads),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=10),
            )
            self._control = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._control_connections),
                timeout=aiohttp.ClientTimeout(total=30, sock_connect=5),
            )
            access, secret, region = self._keys
            self._client = Minio(self._netloc, access_key=access, secret_key=secret, secure=self._secure,
                                 region=region, session=self._control)
            self._uploader = Minio(self._netloc, access_key=access, secret_key=secret, secure=self._secure,
                                   region=region, session=self._bulk)
        return self

    async def aclose(self) -> None:
        for session in (self._bulk, self._control):
            if session is not None:
                await session.close()
        self._bulk = self._control = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _sessions(self) -> tuple[aiohttp.ClientSession, aiohttp.ClientSession]:
        if self._bulk is None or self._control is None:
            raise RuntimeError("AsyncObjectStore.start() was not awaited")
        return self._bulk, self._control

    # ------------------------------------------------------------ uploads

    async def put_stream(
        self,
        bucket: str,
        key: str,
        chunks: AsyncIterator[bytes],
        content_type: str,
        max_bytes: int,
        first: bytes = b"",
        length: int | None = None,
    ) -> StoredStream:
        """Store a stream; `length`, when the caller knows it exactly, allows a single PUT.

        Raises ObjectTooLarge past `max_bytes`, StorageError when the store fails or the
        stream does not match `length`, and whatever the stream itself raised (a client's
        idle timeout, say) unchanged; the object is removed on any failure or cancellation.
        """
        from_source: list[BaseException] = []

        async def source() -> AsyncIterator[bytes]:
            try:
                async for chunk in chunks:
                    yield chunk
            except BaseException as exc:
                from_source.append(exc)
                raise

        stream = source()
        try:
            ahead = bytearray(first)
            while len(ahead) < READ_AHEAD:
                try:
                    ahead += await anext(stream)
                except StopAsyncIteration:
                    break
                if len(ahead) > max_bytes:
                    raise ObjectTooLarge(max_bytes)
            first = bytes(ahead)
            if length is not None and length <= max_bytes:
                return await self._put_known(bucket, key, stream, content_type, first, length)
            reader = _StreamReader(stream, first, max_bytes)
            # One part at a time: with parallel part uploads miniopy-async reads the whole
            # stream ahead into part tasks (its semaphore bounds the sends, not the reads), so
            # a fast client on a slow store would put the whole body in memory.
            await self._uploader.put_object(
                bucket, key, reader, length=-1, part_size=PART_SIZE, content_type=content_type,  # type: ignore[arg-type]
                num_parallel_uploads=1,
            )
            return StoredStream(reader.size, reader.digest.hexdigest())
        except BaseException as exc:
            await self._remove_quietly(bucket, key)
            if from_source:  # the caller's own failure, not the store's
                raise from_source[0] from None
            if isinstance(exc, (ObjectTooLarge, asyncio.CancelledError)) or not isinstance(exc, Exception):
                raise
            raise translate(exc, bucket, key) from exc

    async def _put_known(
        self, bucket: str, key: str, chunks: AsyncIterator[bytes], content_type: str, first: bytes, length: int
    ) -> StoredStream:
        bulk, _ = self._sessions()
        digest = hashlib.sha256()
        size = 0
        failure: list[BaseException] = []

        async def body() -> AsyncIterator[bytes]:
            nonlocal size
            try:
                for chunk in _prepend(first):
                    size += len(chunk)
                    if size > length:
                        raise StorageError(f"the stream is longer than its declared {length} bytes")
                    digest.update(chunk)
                    yield chunk
                async for chunk in chunks:
                    size += len(chunk)
                    if size > length:
                        raise StorageError(f"the stream is longer than its declared {length} bytes")
                    digest.update(chunk)
                    yield chunk
                if size != length:
                    raise StorageError(f"the stream ended after {size} of {length} bytes")
            except BaseException as exc:
                failure.append(exc)
                raise

        url = self._signer.put_url(bucket, key, expires_s=3600)
        headers = {"Content-Type": content_type, "Content-Length": str(length)}
        try:
            async with bulk.put(url, data=body(), headers=headers) as resp:
                if resp.status != 200:
                    raise StorageError(f"PUT {bucket}/{key}: HTTP {resp.status}: {(await resp.text())[:200]}")
        except Exception:
            if failure:  # aiohttp wraps what the body raised: the caller wants the cause
                raise failure[0] from None
            raise
        return StoredStream(size, digest.hexdigest())

    async def _remove_quietly(self, bucket: str, key: str) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.delete(bucket, key), 10)

    async def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        await self.put_stream(bucket, key, _nothing(), content_type, len(data), first=data, length=len(data))

    # ------------------------------------------------------------ control

    async def ping(self, bucket: str) -> bool:
        """Reachable and accepting our signature (a signed HEAD; 404 is a fine answer)."""
        _, control = self._sessions()
        async with control.head(self._signer.head_url(bucket, _READINESS_KEY),
                                timeout=aiohttp.ClientTimeout(total=3)) as resp:
            if resp.status in (200, 404):
                return True
            raise StorageError(f"object store answered HTTP {resp.status}")

    async def ensure_buckets(self, *buckets: str) -> None:
        try:
            for b in buckets:
                if not await self._client.bucket_exists(b):
                    await self._client.make_bucket(b)
        except Exception as exc:
            raise translate(exc, ",".join(buckets), "") from exc

    async def size(self, bucket: str, key: str) -> int | None:
        """The object's size in bytes, or None when there is no such object."""
        try:
            return (await self._client.stat_object(bucket, key)).size
        except Exception as exc:
            if is_missing(exc):
                return None
            raise translate(exc, bucket, key) from exc

    async def exists(self, bucket: str, key: str) -> bool:
        return await self.size(bucket, key) is not None

    async def head(self, bucket: str, key: str, n: int) -> bytes:
        """The first `n` bytes of an object (a ranged GET)."""
        return await self._read(bucket, key, None, length=n)

    async def get_bytes(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes:
        return await self._read(bucket, key, max_bytes)

    async def _read(self, bucket: str, key: str, max_bytes: int | None, length: int = 0) -> bytes:
        try:
            if max_bytes is not None:
                stat = await self._client.stat_object(bucket, key)
                if stat.size is not None and stat.size > max_bytes:
                    raise ObjectTooLarge(max_bytes)
            resp = await self._client.get_object(bucket, key, offset=0, length=length)
            try:
                return await resp.read()
            finally:
                resp.release()
        except Exception as exc:
            raise translate(exc, bucket, key) from exc

    async def sha256(self, bucket: str, key: str) -> str:
        """The SHA-256 of an object, streamed (never held in memory)."""
        digest = hashlib.sha256()
        try:
            resp = await self._client.get_object(bucket, key)
            try:
                async for chunk in resp.content.iter_chunked(1024 * 1024):
                    digest.update(chunk)
            finally:
                resp.release()
        except Exception as exc:
            raise translate(exc, bucket, key) from exc
        return digest.hexdigest()

    async def copy(self, bucket: str, source_key: str, key: str) -> None:
        """A server-side copy within `bucket` (no bytes through this process)."""
        try:
            await self._client.copy_object(bucket, key, CopySource(bucket, source_key))
        except Exception as exc:
            raise translate(exc, bucket, source_key) from exc

    async def delete(self, bucket: str, key: str) -> None:
        try:
            await self._client.remove_object(bucket, key)
        except Exception as exc:
            if not is_missing(exc):
                raise translate(exc, bucket, key) from exc

    async def list(self, bucket: str, prefix: str) -> AsyncIterator[ListedObject]:
        try:
            async for obj in self._client.list_objects(bucket, prefix=prefix, recursive=True):
                yield ListedObject(obj.object_name or "", obj.size or 0, obj.last_modified)
        except Exception as exc:
            raise translate(exc, bucket, prefix) from exc

    async def delete_prefix(self, bucket: str, prefix: str) -> int:
        n = 0
        async for obj in self.list(bucket, prefix):
            await self.delete(bucket, obj.key)
            n += 1
        return n

    # ------------------------------------------------------------ presigned URLs (CPU only)

    def presigned_get_url(self, bucket: str, key: str, expires_s: int = 600, filename: str | None = None,
                          content_type: str | None = None, attachment: bool = False) -> str:
        return self.presigner.get_url(bucket, key, expires_s, filename=filename,
                                      content_type=content_type, attachment=attachment)

    def presigned_post(self, bucket: str, key: str, max_bytes: int, expires_s: int = 900,
                       content_type: str | None = None) -> Any:
        return self.presigner.post_form(bucket, key, max_bytes, expires_s, content_type)


def _prepend(first: bytes) -> tuple[bytes, ...]:
    return (first,) if first else ()


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield b""  # pragma: no cover


def async_store_from_settings(settings: Any, max_uploads: int = 256) -> AsyncObjectStore:
    return AsyncObjectStore(
        settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key.get_secret_value(),
        region=settings.s3_region, public_endpoint=settings.s3_public_endpoint, max_uploads=max_uploads,
    )


__all__ = ["PART_SIZE", "AsyncObjectStore", "ListedObject", "ObjectNotFound", "ObjectTooLarge",
           "StorageError", "StoredStream", "async_store_from_settings"]
