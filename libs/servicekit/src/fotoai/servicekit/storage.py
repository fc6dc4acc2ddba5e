"""The object store (S3 API through the minio client), for services that read and write
whole objects.

minio is a blocking client, so every call runs in a worker thread; each call is short and
never waits on other work of that pool. Streaming uploads from the network, whose pace the
client sets, live in `async_storage` (asyncio-native, no threads): a thread that waits for a
remote client's bytes is how the gateway once deadlocked its own pool.

Shared by both modules: the endpoint parsing, the translation of S3 errors into the three
exceptions below, and the presigner (signing is pure CPU once the region is configured).

Whole-object PUTs go to a URL signed for `UNSIGNED-PAYLOAD`, as the gateway's streamed uploads
do: over plain HTTP the minio client signs a SHA-256 of the body, which it hashes and the store
hashes again to check it (S3Proxy: 31 ms of CPU for a 3.1 MB PUT, 10.7 ms unsigned; the client
4.5 ms -> 1.2). The request itself (method, bucket, key, expiry) stays signed.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

import urllib3
from minio import Minio
from minio.datatypes import PostPolicy
from minio.error import S3Error

_MISSING = ("NoSuchKey", "NoSuchObject", "NotFound", "NoSuchUpload")

if TYPE_CHECKING:
    from fotoai.servicekit.settings import ServiceSettings


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


@dataclass(frozen=True)
class PresignedPost:
    """A browser-style form upload: POST `fields` plus the file (last) as multipart to `url`."""

    url: str
    fields: dict[str, str]


def endpoint_parts(endpoint: str) -> tuple[str, bool]:
    """`http(s)://host:port` → (`host:port`, secure), as both minio clients want it."""
    parts = urlsplit(endpoint)
    return parts.netloc, parts.scheme == "https"


def is_missing(exc: BaseException) -> bool:
    """An S3 "no such key/bucket/upload" answer, from either minio client."""
    return getattr(exc, "code", None) in _MISSING


def translate(exc: BaseException, bucket: str, key: str) -> Exception:
    """The one mapping of client errors to ours: missing → ObjectNotFound, else StorageError."""
    if isinstance(exc, (ObjectNotFound, ObjectTooLarge, StorageError)):
        return exc
    if is_missing(exc):
        return ObjectNotFound(f"{bucket}/{key}")
    return StorageError(f"object store error on {bucket}/{key}: {type(exc).__name__}: {exc}"[:500])


def content_disposition(filename: str | None) -> str:
    """`attachment`, with the file name as RFC 6266 `filename*` (never raw in a quoted string)."""
    if not filename:
        return "attachment"
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


class Presigner:
    """Signs URLs for the public endpoint (browsers reach the store there). CPU only."""

    def __init__(self, public_endpoint: str, access_key: str, secret_key: str, region: str) -> None:
        netloc, secure = endpoint_parts(public_endpoint)
        self.endpoint = public_endpoint.rstrip("/")
        self._minio = Minio(netloc, access_key=access_key, secret_key=secret_key, secure=secure, region=region)

    def get_url(
        self, bucket: str, key: str, expires_s: int = 600, filename: str | None = None,
        content_type: str | None = None, attachment: bool = False,
    ) -> str:
        """A GET URL; `content_type` and `attachment` override what the store would answer."""
        headers: dict[str, str | list[str] | tuple[str]] = {}
        if content_type:
            headers["response-content-type"] = content_type
        if filename or attachment:
            headers["response-content-disposition"] = content_disposition(filename)
        return self._minio.presigned_get_object(
            bucket, key, expires=timedelta(seconds=expires_s), response_headers=headers or None
        )

    def put_url(self, bucket: str, key: str, expires_s: int = 900) -> str:
        return self._minio.presigned_put_object(bucket, key, expires=timedelta(seconds=expires_s))

    def head_url(self, bucket: str, key: str, expires_s: int = 60) -> str:
        return self._minio.get_presigned_url("HEAD", bucket, key, expires=timedelta(seconds=expires_s))

    def post_form(
        self, bucket: str, key: str, max_bytes: int, expires_s: int = 900, content_type: str | None = None
    ) -> PresignedPost:
        """A POST policy for exactly `key` and at most `max_bytes`: the store itself refuses more."""
        policy = PostPolicy(bucket, datetime.now(UTC) + timedelta(seconds=expires_s))
        policy.add_equals_condition("key", key)
        policy.add_content_length_range_condition(1, max_bytes)
        if content_type:
            policy.add_equals_condition("Content-Type", content_type)
        fields = self._minio.presigned_post_policy(policy)
        fields["key"] = key
        if content_type:
            fields["Content-Type"] = content_type
        return PresignedPost(f"{self.endpoint}/{bucket}", fields)


class ObjectStore:
    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
        public_endpoint: str | None = None,
    ) -> None:
        netloc, secure = endpoint_parts(endpoint)
        self.endpoint = endpoint
        self._client = Minio(netloc, access_key=access_key, secret_key=secret_key, secure=secure, region=region)
        self.presigner = Presigner(public_endpoint or endpoint, access_key, secret_key, region)
        # PUTs: URLs signed for this (internal) endpoint, sent by a pool retrying as minio's does.
        self._signer = Presigner(endpoint, access_key, secret_key, region)
        self._http = urllib3.PoolManager(
            maxsize=10,
            timeout=urllib3.Timeout(connect=10, read=300),
            retries=urllib3.Retry(
                total=5, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504],
                allowed_methods=None,  # a PUT of the same bytes to the same key is idempotent
            ),
        )

    _translate = staticmethod(translate)

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
                resp = self._client.get_object(bucket, key)
                try:
                    # One request: the answer's length, not a HEAD before it, says "too large".
                    length = resp.headers.get("Content-Length")
                    if max_bytes is not None and length is not None and int(length) > max_bytes:
                        raise ObjectTooLarge(max_bytes)
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
                resp = self._http.request(
                    "PUT", self._signer.put_url(bucket, key, expires_s=900), body=data,
                    headers={"Content-Type": content_type, "Content-Length": str(len(data))},
                )
            except Exception as exc:
                raise self._translate(exc, bucket, key) from exc
            if resp.status != 200:
                raise StorageError(f"PUT {bucket}/{key}: HTTP {resp.status}: {resp.data[:200]!r}")

        await asyncio.to_thread(work)

    async def size(self, bucket: str, key: str) -> int | None:
        """The object's size in bytes, or None when there is no such object."""

        def work() -> int | None:
            try:
                return self._client.stat_object(bucket, key).size
            except S3Error as exc:
                if exc.code in _MISSING:
                    return None
                raise StorageError(str(exc)) from exc
            except Exception as exc:
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
            except Exception as exc:
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
            except Exception as exc:
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
        return self.presigner.get_url(bucket, key, expires_s, filename=filename)

    def presigned_put_url(self, bucket: str, key: str, expires_s: int = 900) -> str:
        return self.presigner.put_url(bucket, key, expires_s)


class PortStore:
    """The object store as a service's port sees it: the service's own error types.

    Use cases declare `ObjectMissing`/`ObjectTooLarge`-style errors in their `ports.py` so they
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


def store_from_settings(settings: ServiceSettings) -> ObjectStore:
    return ObjectStore(
        settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key.get_secret_value(),
        region=settings.s3_region, public_endpoint=settings.s3_public_endpoint,
    )
