"""The gateway against the real stack: uploads land in S3 with the right sha256 and
`photo.uploaded.v1` appears on Kafka as a binary-mode CloudEvent keyed by the photo id."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any, Self

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from fotoai.gateway.adapters.catalog_http import HttpCatalog
from fotoai.gateway.config import GatewaySettings
from fotoai.gateway.main import Adapters, build_app
from fotoai.servicekit.settings import kafka_options_from_env
from fotoai.servicekit.storage import ObjectStore
from fotoai.servicekit.testing import kafka_settings, load_stack_env, mint_token
from PIL import Image

from ..unit.fakes import fake_catalog, summary

pytestmark = pytest.mark.integration


def jpeg(w: int = 640, h: int = 480) -> bytes:
    buf = io.BytesIO()
    Image.effect_noise((w, h), 60).convert("RGB").save(buf, "JPEG", quality=92)
    return buf.getvalue()


@pytest.fixture
async def app_client(stack_env: dict[str, str]) -> AsyncIterator[tuple[httpx.AsyncClient, GatewaySettings]]:
    settings = GatewaySettings(
        **kafka_settings(stack_env, "gateway"), s3_endpoint=stack_env["FOTOAI_S3_ENDPOINT"],
        s3_access_key=stack_env["FOTOAI_S3_ACCESS_KEY"], s3_secret_key=stack_env["FOTOAI_S3_SECRET_KEY"],
        jwt_secret=stack_env["FOTOAI_JWT_SECRET"], jwt_issuer=stack_env["FOTOAI_JWT_ISSUER"],
        jwt_audience=stack_env["FOTOAI_JWT_AUDIENCE"], redis_url=None,
    )
    catalog = HttpCatalog("http://catalog.test", transport=httpx.ASGITransport(
        app=fake_catalog({"p1": summary("p1", "alice", "2026-01-01T00:00:00+00:00")})))
    app = build_app(settings, Adapters(catalog=catalog))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test", timeout=120) as client:
            yield client, settings


class UploadedWatcher:
    """Reads photo.uploaded.v1 from the current end of every partition on."""

    def __init__(self, bootstrap: str) -> None:
        # stack.env's read-only subscriber principal may read photo.uploaded.v1.
        auth = kafka_options_from_env(load_stack_env())
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **auth,
                                         group_id=None, client_id=f"gw-test-{uuid.uuid4().hex[:6]}")

    async def __aenter__(self) -> Self:
        await self.consumer.start()
        parts = [TopicPartition("photo.uploaded.v1", p)
                 for p in self.consumer.partitions_for_topic("photo.uploaded.v1") or await self._parts()]
        self.consumer.assign(parts)
        ends = await self.consumer.end_offsets(parts)
        for tp, off in ends.items():
            self.consumer.seek(tp, off)
        return self

    async def _parts(self) -> set[int]:
        await self.consumer._client.force_metadata_update()
        return self.consumer.partitions_for_topic("photo.uploaded.v1") or set()

    async def __aexit__(self, *exc: object) -> None:
        await self.consumer.stop()

    async def wait_for(self, photo_id: str, timeout: float = 60) -> Any:
        async def poll() -> Any:
            while True:
                batch = await self.consumer.getmany(timeout_ms=1000)
                for records in batch.values():
                    for rec in records:
                        if rec.key == photo_id.encode():
                            return rec

        return await asyncio.wait_for(poll(), timeout)


async def test_multipart_upload_lands_in_s3_and_on_kafka(
    app_client: tuple[httpx.AsyncClient, GatewaySettings], stack_env: dict[str, str], object_store: ObjectStore,
) -> None:
    client, settings = app_client
    owner = f"it-{uuid.uuid4().hex[:8]}"
    data = jpeg()
    async with UploadedWatcher(settings.kafka_bootstrap) as watcher:
        r = await client.post("/v1/photos", headers={"Authorization": f"Bearer {mint_token(stack_env, owner)}"},
                              files={"file": ("holiday.jpg", data, "image/jpeg")})
        assert r.status_code == 202, r.text
        body = r.json()
        record = await watcher.wait_for(body["id"])
    key = f"{owner}/{body['id']}/original"
    stored = await object_store.get_bytes("fotoai-originals", key)
    assert hashlib.sha256(stored).hexdigest() == body["sha256"] == hashlib.sha256(data).hexdigest()
    headers = {k: v.decode() for k, v in record.headers}
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_type"] == "fotoai.photo.uploaded.v1"
    assert headers["ce_source"] == "/services/gateway"
    assert headers["content-type"] == "application/json"
    assert headers["ce_id"] and headers["ce_time"]
    event = json.loads(record.value)
    assert event["event_id"] == headers["ce_id"]
    assert event["owner_id"] == owner and event["photo_id"] == body["id"]
    assert event["original"] == {"bucket": "fotoai-originals", "key": key, "size": len(data),
                                 "sha256": body["sha256"], "content_type": "image/jpeg", "file_name": "holiday.jpg"}
    await object_store.delete("fotoai-originals", key)


async def test_streamed_raw_upload_of_several_parts(
    app_client: tuple[httpx.AsyncClient, GatewaySettings], stack_env: dict[str, str], object_store: ObjectStore,
) -> None:
    client, _ = app_client
    owner = f"it-{uuid.uuid4().hex[:8]}"
    data = jpeg() + bytes(20 * 1024 * 1024)  # > 2 multipart parts of the object store

    async def body() -> AsyncIterator[bytes]:
        for i in range(0, len(data), 256 * 1024):
            yield data[i : i + 256 * 1024]

    r = await client.post("/v1/photos", content=body(),
                          headers={"Authorization": f"Bearer {mint_token(stack_env, owner)}", "Content-Type": "image/jpeg"})
    assert r.status_code == 202, r.text
    key = f"{owner}/{r.json()['id']}/original"
    assert hashlib.sha256(await object_store.get_bytes("fotoai-originals", key)).hexdigest() == hashlib.sha256(data).hexdigest()
    await object_store.delete("fotoai-originals", key)


async def test_oversize_stream_is_413_and_leaves_nothing(
    stack_env: dict[str, str], object_store: ObjectStore,
) -> None:
    settings = GatewaySettings(
        **kafka_settings(stack_env, "gateway"), s3_endpoint=stack_env["FOTOAI_S3_ENDPOINT"],
        s3_access_key=stack_env["FOTOAI_S3_ACCESS_KEY"], s3_secret_key=stack_env["FOTOAI_S3_SECRET_KEY"],
        jwt_secret=stack_env["FOTOAI_JWT_SECRET"], jwt_issuer=stack_env["FOTOAI_JWT_ISSUER"],
        jwt_audience=stack_env["FOTOAI_JWT_AUDIENCE"], gateway={"max_upload_bytes": 1024 * 1024},
    )
    owner = f"it-{uuid.uuid4().hex[:8]}"

    class NoBus:
        async def publish(self, event: object) -> None:
            raise AssertionError("nothing may be published")

    app = build_app(settings, Adapters(bus=NoBus(), catalog=HttpCatalog("http://127.0.0.1:9")))
    async def body() -> AsyncIterator[bytes]:
        yield jpeg(64, 64)
        for _ in range(40):
            yield bytes(64 * 1024)

    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://gw.test", timeout=60) as c:
        r = await c.post("/v1/photos", content=body(),
                         headers={"Authorization": f"Bearer {mint_token(stack_env, owner)}", "Content-Type": "image/jpeg"})
    assert r.status_code == 413
    assert await object_store.delete_prefix("fotoai-originals", f"{owner}/") == 0


async def test_direct_upload_through_a_presigned_post_form(
    app_client: tuple[httpx.AsyncClient, GatewaySettings], stack_env: dict[str, str], object_store: ObjectStore,
) -> None:
    client, settings = app_client
    owner = f"it-{uuid.uuid4().hex[:8]}"
    auth = {"Authorization": f"Bearer {mint_token(stack_env, owner)}"}
    data = jpeg(800, 600)
    r = await client.post("/v1/uploads", json={"file_name": "big.jpg", "content_type": "image/jpeg", "size": len(data)},
                          headers=auth)
    assert r.status_code == 201, r.text
    started = r.json()
    assert started["method"] == "POST"
    async with httpx.AsyncClient(timeout=60) as s3:
        # The store itself refuses more than was declared (the policy's content-length-range).
        big = await s3.post(started["url"], data=started["fields"],
                            files={"file": ("big.jpg", data + bytes(4096), "image/jpeg")})
        assert big.status_code == 400 and "EntityTooLarge" in big.text
        sent = await s3.post(started["url"], data=started["fields"], files={"file": ("big.jpg", data, "image/jpeg")})
        assert sent.status_code in (200, 201, 204), sent.text
    async with UploadedWatcher(settings.kafka_bootstrap) as watcher:
        r = await client.post(f"/v1/uploads/{started['upload_id']}/complete", headers=auth)
        assert r.status_code == 202, r.text
        record = await watcher.wait_for(started["upload_id"])
    assert r.json()["sha256"] == hashlib.sha256(data).hexdigest()
    assert b'"file_name":"big.jpg"' in record.value
    key = f"{owner}/{started['upload_id']}/original"
    assert await object_store.get_bytes("fotoai-originals", key) == data
    assert not await object_store.exists("fotoai-originals", f"incoming/{owner}/{started['upload_id']}")
    await object_store.delete("fotoai-originals", key)


async def test_content_redirect_is_a_working_presigned_url(
    app_client: tuple[httpx.AsyncClient, GatewaySettings], stack_env: dict[str, str], object_store: ObjectStore,
) -> None:
    client, _ = app_client
    data = jpeg(32, 32)
    await object_store.put_bytes("fotoai-originals", "alice/p1/original", data, "image/jpeg")
    r = await client.get("/v1/photos/p1/content?rendition=original",
                         headers={"Authorization": f"Bearer {mint_token(stack_env, 'alice')}"})
    assert r.status_code == 307
    async with httpx.AsyncClient(timeout=30) as s3:
        got = await s3.get(r.headers["location"])
    assert got.status_code == 200 and got.content == data
    # Typed by what was detected, and always a download: never rendered on the storage origin.
    assert got.headers["content-type"] in ("image/jpeg", "application/octet-stream")
    assert got.headers["content-disposition"].startswith("attachment")
    await object_store.delete("fotoai-originals", "alice/p1/original")
