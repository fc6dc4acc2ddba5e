"""Reads back an object a client put directly through a presigned URL: size, head, sha256."""

from __future__ import annotations

import asyncio
import hashlib
from urllib.parse import urlsplit

from fotoai.servicekit.storage import StorageError
from minio import Minio
from minio.error import S3Error

_MISSING = ("NoSuchKey", "NoSuchObject", "NotFound")


class MinioInspector:
    def __init__(self, endpoint: str, access_key: str, secret_key: str, region: str = "us-east-1") -> None:
        parts = urlsplit(endpoint)
        self._client = Minio(parts.netloc, access_key=access_key, secret_key=secret_key,
                             secure=parts.scheme == "https", region=region)

    async def size(self, bucket: str, key: str) -> int | None:
        def work() -> int | None:
            try:
                return self._client.stat_object(bucket, key).size
            except S3Error as exc:
                if exc.code in _MISSING:
                    return None
                raise StorageError(str(exc)) from exc

        return await asyncio.to_thread(work)

    async def head(self, bucket: str, key: str, n: int) -> bytes:
        def work() -> bytes:
            try:
                resp = self._client.get_object(bucket, key, offset=0, length=n)
                try:
                    return resp.read()
                finally:
                    resp.close()
                    resp.release_conn()
            except S3Error as exc:
                raise StorageError(str(exc)) from exc

        return await asyncio.to_thread(work)

    async def sha256(self, bucket: str, key: str) -> str:
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
            except S3Error as exc:
                raise StorageError(str(exc)) from exc
            return digest.hexdigest()

        return await asyncio.to_thread(work)
