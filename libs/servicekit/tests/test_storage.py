"""Both object stores against the real S3 server of the local stack (S3Proxy), plus the pure
helpers they share. The async store is the front door's: streaming, bounded, cancellable."""

import asyncio
import hashlib
import os
import uuid

import httpx
import pytest
from fotoai.servicekit.async_storage import AsyncObjectStore
from fotoai.servicekit.storage import (
    ObjectNotFound,
    ObjectTooLarge,
    StorageError,
    content_disposition,
)
from fotoai.servicekit.testing import aiter_bytes

BUCKET = "fotoai-originals"


def test_content_disposition_never_lets_a_name_break_the_header():
    assert content_disposition(None) == "attachment"
    value = content_disposition('a"b;\r\nc\\d é.jpg')
    assert value.startswith('attachment; filename="a_b___c_d _.jpg"; filename*=UTF-8\'\'')
    assert "\r" not in value and "\n" not in value


@pytest.fixture
async def astore(stack_env):
    async with AsyncObjectStore(stack_env["FOTOAI_S3_ENDPOINT"], stack_env["FOTOAI_S3_ACCESS_KEY"],
                                stack_env["FOTOAI_S3_SECRET_KEY"]) as store:
        yield store


async def stalled(first: bytes, release: asyncio.Event):
    yield first
    await release.wait()


@pytest.mark.integration
@pytest.mark.parametrize("known_length", [True, False])
async def test_put_stream_hashes_limits_and_cleans_up(astore, object_store, known_length):
    key = f"test/{uuid.uuid4()}"
    data = os.urandom(11 * 1024 * 1024 + 123)  # more than two multipart parts
    length = len(data) if known_length else None
    stored = await astore.put_stream(BUCKET, key, aiter_bytes(data), "image/jpeg", len(data), length=length)
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert await object_store.get_bytes(BUCKET, key) == data  # the thread-based store reads it back
    assert await astore.size(BUCKET, key) == len(data)
    assert await astore.head(BUCKET, key, 16) == data[:16]
    assert await astore.sha256(BUCKET, key) == stored.sha256
    assert await astore.size(BUCKET, key + "-missing") is None
    with pytest.raises(ObjectTooLarge):
        await astore.get_bytes(BUCKET, key, max_bytes=1000)

    big = f"test/{uuid.uuid4()}"
    with pytest.raises(ObjectTooLarge):
        await astore.put_stream(BUCKET, big, aiter_bytes(data), "image/jpeg", max_bytes=1_000_000)
    assert not await astore.exists(BUCKET, big)

    await astore.delete_prefix(BUCKET, key)
    with pytest.raises(ObjectNotFound):
        await astore.get_bytes(BUCKET, key)


class ClientGoneQuiet(Exception):
    pass


async def failing(first: bytes):
    yield first
    raise ClientGoneQuiet


@pytest.mark.integration
@pytest.mark.parametrize("size", [1000, 1024 * 1024])
@pytest.mark.parametrize("known_length", [True, False])
async def test_the_streams_own_failure_comes_back_unchanged(astore, known_length, size):
    key = f"test/{uuid.uuid4()}"
    with pytest.raises(ClientGoneQuiet):
        await astore.put_stream(BUCKET, key, failing(b"x" * size), "image/jpeg", 10 * 1024 * 1024,
                                length=5 * 1024 * 1024 if known_length else None)
    assert not await astore.exists(BUCKET, key)


@pytest.mark.integration
async def test_a_stream_shorter_than_declared_fails_and_leaves_nothing(astore):
    key = f"test/{uuid.uuid4()}"
    with pytest.raises(StorageError):
        await astore.put_stream(BUCKET, key, aiter_bytes(b"x" * 1000), "image/jpeg", 10_000, length=5000)
    assert not await astore.exists(BUCKET, key)


@pytest.mark.integration
@pytest.mark.parametrize("known_length", [True, False])
async def test_cancelled_uploads_leave_nothing_and_never_block_readiness(astore, known_length):
    """100 uploads stall mid-body: readiness and reads still answer; cancelling removes all."""
    release = asyncio.Event()
    keys = [f"test/stall-{uuid.uuid4()}" for _ in range(100)]
    tasks = [
        asyncio.create_task(astore.put_stream(BUCKET, k, stalled(b"\xff\xd8\xff" + b"x" * 1021, release),
                                              "image/jpeg", 10 * 1024 * 1024,
                                              length=5 * 1024 * 1024 if known_length else None))
        for k in keys
    ]
    await asyncio.sleep(0.5)
    for _ in range(5):
        assert await asyncio.wait_for(astore.ping(BUCKET), 3)
        assert await asyncio.wait_for(astore.size(BUCKET, keys[0]), 3) is None
    for t in tasks:
        t.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    assert [k for k in keys if await astore.exists(BUCKET, k)] == []


@pytest.mark.integration
async def test_post_policy_bounds_direct_uploads_and_names_the_key(astore):
    key = f"test/{uuid.uuid4()}"
    form = astore.presigned_post(BUCKET, key, max_bytes=1000, expires_s=60, content_type="image/jpeg")
    async with httpx.AsyncClient() as c:
        ok = await c.post(form.url, data=form.fields, files={"file": ("x.jpg", b"a" * 500, "image/jpeg")})
        assert ok.status_code in (200, 201, 204), ok.text
        assert await astore.size(BUCKET, key) == 500
        big = await c.post(form.url, data=form.fields, files={"file": ("x.jpg", b"a" * 5000, "image/jpeg")})
        assert big.status_code == 400 and "EntityTooLarge" in big.text
        other = await c.post(form.url, data={**form.fields, "key": key + "-other"},
                             files={"file": ("x.jpg", b"a" * 10, "image/jpeg")})
        assert other.status_code == 403
    assert await astore.size(BUCKET, key) == 500
    assert not await astore.exists(BUCKET, key + "-other")
    await astore.delete(BUCKET, key)


@pytest.mark.integration
async def test_presigned_get_overrides_type_and_forces_download(astore):
    key = f"test/{uuid.uuid4()}"
    await astore.put_bytes(BUCKET, key, b"\x80<html><script>alert(1)</script>", "text/html")
    url = astore.presigned_get_url(BUCKET, key, 60, content_type="image/jpeg", attachment=True)
    async with httpx.AsyncClient() as c:
        resp = await c.get(url)
    assert resp.headers["content-type"] == "image/jpeg"
    assert resp.headers["content-disposition"].startswith("attachment")
    await astore.delete(BUCKET, key)


@pytest.mark.integration
async def test_the_thread_store_puts_whole_objects_and_reads_them_in_one_request(object_store):
    key = f"test/{uuid.uuid4()}"
    data = os.urandom(3 * 1024 * 1024 + 17)  # a full-size photo's display rendition
    await object_store.put_bytes(BUCKET, key, data, "image/jpeg")
    assert await object_store.get_bytes(BUCKET, key) == data
    assert await object_store.get_bytes(BUCKET, key, max_bytes=len(data)) == data
    with pytest.raises(ObjectTooLarge):
        await object_store.get_bytes(BUCKET, key, max_bytes=len(data) - 1)
    url = object_store.presigner.get_url(BUCKET, key)
    async with httpx.AsyncClient() as client:
        answer = await client.get(url)
    assert answer.headers["content-type"] == "image/jpeg" and answer.content == data
    await object_store.put_bytes(BUCKET, key, b"replaced", "text/plain")  # a redelivery overwrites
    assert await object_store.get_bytes(BUCKET, key) == b"replaced"
    with pytest.raises(ObjectNotFound):
        await object_store.get_bytes(BUCKET, key + "-missing")
    with pytest.raises(StorageError):
        await object_store.put_bytes(f"no-such-bucket-{uuid.uuid4().hex[:8]}", key, data, "image/jpeg")
