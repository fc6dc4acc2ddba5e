"""Uploads through the public API: multipart and raw streams, limits, sniffing, idempotency,
and the presigned direct-to-storage flow. Storage and the bus are in-memory fakes."""

from __future__ import annotations

import asyncio
import hashlib
import io
from datetime import UTC

import pytest
from fotoai.contracts import PhotoUploadedV1
from fotoai.gateway.config import RateLimitOptions
from PIL import Image


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 40, 90)).save(buf, "JPEG")
    return buf.getvalue()


async def test_multipart_upload_streams_hashes_and_publishes(gw) -> None:
    client, h = gw
    data = jpeg()
    r = await client.post("/v1/photos", headers=h.auth(), files={"file": ("../../etc/My Photo.JPG", data, "image/jpeg")})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["status"] == "processing" and body["size"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert r.headers["location"] == f"/v1/photos/{body['id']}"
    key = ("fotoai-originals", f"alice/{body['id']}/original")
    assert h.store.objects[key] == data
    (event,) = h.bus.events
    assert isinstance(event, PhotoUploadedV1)
    assert event.photo_id == body["id"] and event.owner_id == "alice"
    assert event.original.key == key[1] and event.original.sha256 == body["sha256"]
    assert event.original.file_name == "My Photo.JPG"  # directories dropped
    assert event.original.content_type == "image/jpeg"


async def test_multipart_with_other_fields_first(gw) -> None:
    client, h = gw
    data = jpeg()
    r = await client.post("/v1/photos", headers=h.auth(), data={"album": "holidays"},
                          files={"file": ("a.jpg", data, "image/jpeg")})
    assert r.status_code == 202
    assert r.json()["size"] == len(data)


async def test_multipart_without_file_field_is_400(gw) -> None:
    client, h = gw
    r = await client.post("/v1/photos", headers=h.auth(), files={"photo": ("a.jpg", jpeg(), "image/jpeg")})
    assert r.status_code == 400 and "file" in r.json()["detail"]
    r = await client.post("/v1/photos", headers={**h.auth(), "Content-Type": "multipart/form-data; boundary=xyz"},
                          content=b"--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n\xff\xd8\xff")
    assert r.status_code == 400  # truncated body
    assert h.bus.events == []


async def test_raw_body_upload_with_file_name_header(gw) -> None:
    client, h = gw
    data = jpeg()
    r = await client.post("/v1/photos", content=data,
                          headers={**h.auth(), "Content-Type": "image/jpeg", "X-File-Name": "caf%C3%A9%0A.jpg"})
    assert r.status_code == 202
    assert h.bus.events[0].original.file_name == "café.jpg"


async def test_raw_chunked_upload_without_length(gw) -> None:
    client, h = gw
    data = jpeg((300, 200)) * 3

    async def body():
        for i in range(0, len(data), 1000):
            yield data[i : i + 1000]

    r = await client.post("/v1/photos", content=body(), headers={**h.auth(), "Content-Type": "image/jpeg"})
    assert r.status_code == 202
    assert r.json()["sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("payload", "ctype"),
    [
        (b"hello, this is plain text\n", "image/jpeg"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "image/png"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/octet-stream"),
        (b"PK\x03\x04" + bytes(100), "image/jpeg"),
        (b"MZ\x90\x00" + bytes(100), "image/jpeg"),
        (b"\x7fELF\x02\x01\x01" + bytes(100), "image/jpeg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
    ],
)
async def test_obvious_non_images_are_415(gw, payload: bytes, ctype: str) -> None:
    client, h = gw
    r = await client.post("/v1/photos", content=payload, headers={**h.auth(), "Content-Type": ctype})
    assert r.status_code == 415, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert h.store.objects == {} and h.bus.events == []


async def test_wrong_content_type_and_empty_body(gw) -> None:
    client, h = gw
    r = await client.post("/v1/photos", content=jpeg(), headers={**h.auth(), "Content-Type": "text/plain"})
    assert r.status_code == 415
    r = await client.post("/v1/photos", content=b"", headers={**h.auth(), "Content-Type": "image/jpeg"})
    assert r.status_code == 400


async def test_unknown_but_plausible_binary_goes_on(gw) -> None:
    client, h = gw
    raw = bytes(range(256)) * 4  # e.g. an exotic RAW format: ingest decides
    r = await client.post("/v1/photos", content=raw, headers={**h.auth(), "Content-Type": "image/x-exotic-raw"})
    assert r.status_code == 202


async def test_size_limit_is_413_from_content_length_and_while_streaming(make_client) -> None:
    async with make_client(max_upload_bytes=10_000) as (client, h):
        big = jpeg() + bytes(20_000)
        r = await client.post("/v1/photos", content=big, headers={**h.auth(), "Content-Type": "image/jpeg"})
        assert r.status_code == 413
        chunks_sent = 0

        async def body():
            nonlocal chunks_sent
            yield big[:1000]
            for i in range(1000, len(big), 1000):
                chunks_sent += 1
                yield big[i : i + 1000]

        r = await client.post("/v1/photos", content=body(), headers={**h.auth(), "Content-Type": "image/jpeg"})
        assert r.status_code == 413
        assert r.json()["title"] == "Payload Too Large"
        r = await client.post("/v1/photos", headers=h.auth(), files={"file": ("a.jpg", big, "image/jpeg")})
        assert r.status_code == 413
        assert h.store.objects == {} and h.bus.events == []


async def test_idempotency_key_replays_the_first_answer(gw) -> None:
    client, h = gw
    hdrs = {**h.auth(), "Content-Type": "image/jpeg", "Idempotency-Key": "k-123"}
    r1 = await client.post("/v1/photos", content=jpeg(), headers=hdrs)
    r2 = await client.post("/v1/photos", content=jpeg((10, 10)), headers=hdrs)
    assert r1.status_code == r2.status_code == 202
    assert r1.json() == r2.json() and r2.headers["idempotent-replayed"] == "true"
    assert r2.headers["location"] == r1.headers["location"]
    assert len(h.bus.events) == 1
    # The key is per user: bob's identical key is a different upload.
    r3 = await client.post("/v1/photos", content=jpeg(), headers={**hdrs, **h.auth("bob")})
    assert r3.json()["id"] != r1.json()["id"]
    # A failed attempt does not burn the key.
    bad = await client.post("/v1/photos", content=b"text!", headers={**hdrs, "Idempotency-Key": "k-9"})
    assert bad.status_code == 415
    ok = await client.post("/v1/photos", content=jpeg(), headers={**hdrs, "Idempotency-Key": "k-9"})
    assert ok.status_code == 202


async def test_concurrent_same_idempotency_key_is_409(gw) -> None:
    client, h = gw
    gate = asyncio.Event()
    data = jpeg()

    async def slow():
        yield data[:600]
        await gate.wait()
        yield data[600:]

    hdrs = {**h.auth(), "Content-Type": "image/jpeg", "Idempotency-Key": "same"}
    first = asyncio.create_task(client.post("/v1/photos", content=slow(), headers=hdrs))
    await asyncio.sleep(0.2)
    second = await client.post("/v1/photos", content=data, headers=hdrs)
    gate.set()
    assert second.status_code == 409
    assert (await first).status_code == 202


async def test_publish_failure_is_503_and_removes_the_object(gw) -> None:
    client, h = gw
    h.bus.fail = True
    r = await client.post("/v1/photos", content=jpeg(), headers={**h.auth(), "Content-Type": "image/jpeg"})
    assert r.status_code == 503 and h.store.objects == {}


async def test_upload_budget_count_per_user(make_client) -> None:
    rl = RateLimitOptions(uploads_per_day=10, upload_burst=2, ip_per_s=1000, ip_burst=1000)
    async with make_client(rate_limits=rl) as (client, h):
        hdrs = {**h.auth(), "Content-Type": "image/jpeg"}
        assert (await client.post("/v1/photos", content=jpeg(), headers=hdrs)).status_code == 202
        assert (await client.post("/v1/photos", content=jpeg(), headers=hdrs)).status_code == 202
        r = await client.post("/v1/photos", content=jpeg(), headers=hdrs)
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 3600
        # Reads have their own budget.
        assert (await client.get("/v1/photos", headers=h.auth())).status_code == 200


async def test_upload_budget_bytes_per_day(make_client) -> None:
    data = jpeg()
    rl = RateLimitOptions(upload_bytes_per_day=len(data) * 2 + 10, ip_per_s=1000, ip_burst=1000)
    async with make_client(rate_limits=rl) as (client, h):
        hdrs = {**h.auth(), "Content-Type": "image/jpeg"}
        assert (await client.post("/v1/photos", content=data, headers=hdrs)).status_code == 202
        assert (await client.post("/v1/photos", content=data, headers=hdrs)).status_code == 202
        assert (await client.post("/v1/photos", content=data, headers=hdrs)).status_code == 429
        r = await client.post("/v1/uploads", json={"content_type": "image/jpeg", "size": 100}, headers=h.auth())
        assert r.status_code == 429


async def test_direct_upload_flow(gw) -> None:
    client, h = gw
    data = jpeg()
    r = await client.post("/v1/uploads", json={"file_name": "dir/big.jpg", "content_type": "image/jpeg", "size": len(data)},
                          headers=h.auth())
    assert r.status_code == 201, r.text
    started = r.json()
    uid = started["upload_id"]
    # A form for exactly one key under incoming/, bounded by the declared size.
    assert started["method"] == "POST" and started["max_bytes"] == len(data)
    assert started["fields"]["key"] == f"incoming/alice/{uid}"
    assert started["fields"]["policy"] == f"max={len(data)}"
    # Completing before the upload: the object is not there yet.
    r = await client.post(f"/v1/uploads/{uid}/complete", headers=h.auth())
    assert r.status_code == 409
    h.store.put("fotoai-originals", f"incoming/alice/{uid}", data, "image/jpeg")  # the client's POST
    # Another user cannot complete (or learn about) alice's upload.
    assert (await client.post(f"/v1/uploads/{uid}/complete", headers=h.auth("bob"))).status_code == 404
    r = await client.post(f"/v1/uploads/{uid}/complete", headers=h.auth())
    assert r.status_code == 202
    assert r.json() == {"id": uid, "status": "processing", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert r.headers["location"] == f"/v1/photos/{uid}"
    (event,) = h.bus.events
    assert event.photo_id == uid and event.original.file_name == "big.jpg"
    assert event.original.key == f"alice/{uid}/original" and event.original.content_type == "image/jpeg"
    assert h.store.objects[("fotoai-originals", f"alice/{uid}/original")] == data
    assert ("fotoai-originals", f"incoming/alice/{uid}") not in h.store.objects
    # Single use: a second POST with the same form lands in incoming/ and is never processed.
    h.store.put("fotoai-originals", f"incoming/alice/{uid}", jpeg((80, 60)), "image/jpeg")
    again = await client.post(f"/v1/uploads/{uid}/complete", headers=h.auth())
    assert again.json() == r.json() and len(h.bus.events) == 1
    assert h.store.objects[("fotoai-originals", f"alice/{uid}/original")] == data


async def test_direct_upload_refusals(make_client) -> None:
    async with make_client(max_upload_bytes=5000) as (client, h):
        r = await client.post("/v1/uploads", json={"content_type": "image/jpeg", "size": 6000}, headers=h.auth())
        assert r.status_code == 413
        for claimed in ("text/html", "image/svg+xml", "application/javascript"):
            r = await client.post("/v1/uploads", json={"content_type": claimed, "size": 10}, headers=h.auth())
            assert r.status_code == 415, claimed
        # Declared small, but the client sent something else: checked on completion.
        for payload, code in [(b"<html>not an image</html>", 415), (b"\x80<html><script>alert(1)</script>", 415),
                              (jpeg() + bytes(6000), 413), (jpeg() + bytes(200), 413)]:
            uid = (await client.post("/v1/uploads", json={"content_type": "image/jpeg", "size": len(jpeg()) + 100},
                                     headers=h.auth())).json()["upload_id"]
            key = ("fotoai-originals", f"incoming/alice/{uid}")
            h.store.put(*key, payload)
            r = await client.post(f"/v1/uploads/{uid}/complete", headers=h.auth())
            assert r.status_code == code
            assert key not in h.store.objects  # removed
        assert h.bus.events == []


async def test_direct_uploads_charge_the_real_bytes(make_client) -> None:
    data = jpeg()
    budget = 3 * len(data)
    rl = RateLimitOptions(upload_bytes_per_day=budget, ip_per_s=1000, ip_burst=1000)
    async with make_client(rate_limits=rl) as (client, h):
        # Declaring the whole budget reserves it ...
        r = await client.post("/v1/uploads", json={"content_type": "image/jpeg", "size": budget}, headers=h.auth())
        assert r.status_code == 201
        uid = r.json()["upload_id"]
        r = await client.post("/v1/uploads", json={"content_type": "image/jpeg", "size": len(data)}, headers=h.auth())
        assert r.status_code == 429
        # ... and completing a smaller file gives back what was not used.
        h.store.put("fotoai-originals", f"incoming/alice/{uid}", data)
        assert (await client.post(f"/v1/uploads/{uid}/complete", headers=h.auth())).status_code == 202
        r = await client.post("/v1/uploads", json={"content_type": "image/jpeg", "size": len(data)}, headers=h.auth())
        assert r.status_code == 201


async def test_the_reaper_removes_direct_uploads_never_completed(gw) -> None:
    from datetime import datetime, timedelta

    _client, h = gw
    direct = h.app.state.gateway.direct
    now = datetime.now(UTC)
    old = now - timedelta(seconds=direct.lifetime_s + 1)
    young = now - timedelta(seconds=direct.lifetime_s - 60)
    h.store.put("fotoai-originals", "incoming/alice/old", b"x", modified=old)
    h.store.put("fotoai-originals", "incoming/alice/young", b"x", modified=young)
    h.store.put("fotoai-originals", "alice/done/original", b"x", modified=old)
    assert await direct.reap(now) == 1
    assert set(h.store.objects) == {("fotoai-originals", "incoming/alice/young"), ("fotoai-originals", "alice/done/original")}
    # The documented lifetime: the form's life plus the grace period.
    assert direct.lifetime_s == h.app.state.gateway.settings.gateway.presign_put_ttl_s + 3600
