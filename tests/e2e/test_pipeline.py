"""The whole mesh through the gateway: upload → ingest → enhance + tagging → catalog → ready."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support import jpeg_of, noise_png, wait_until_settled

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CE_HEADERS = {"ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "content-type"}


async def test_upload_becomes_ready_with_every_event_on_kafka(gateway, tap):
    data = jpeg_of("astronaut")
    t0 = time.monotonic()
    r = await gateway.post("/v1/photos", files={"file": ("astronaut.jpg", data, "image/jpeg")})
    assert r.status_code == 202, r.text
    body = r.json()
    photo_id = body["id"]
    assert body["status"] == "processing" and body["size"] == len(data)
    assert r.headers["location"].endswith(f"/v1/photos/{photo_id}")

    photo = await wait_until_settled(gateway, photo_id)
    latency = time.monotonic() - t0
    print(f"upload-to-ready latency: {latency:.1f} s")
    assert photo["status"] == "ready", photo
    assert photo["stages"] == {"ingest": "done", "enhance": "done", "tagging": "done"}
    assert (photo["width"], photo["height"]) == (512, 512)
    assert photo["format"] == "jpeg"
    assert photo["metadata"]["camera_make"] == "FotoAI Test"
    assert photo["metadata"]["taken_at"].startswith("2024-05-06T07:08:09")
    names = {r["name"] for r in photo["renditions"]}
    assert {"display", "thumb_large", "thumb_small", "enhanced", "enhanced_thumb"} <= names
    by_name = {r["name"]: r for r in photo["renditions"]}
    assert (by_name["enhanced_thumb"]["width"], by_name["enhanced_thumb"]["height"]) == (
        by_name["thumb_large"]["width"], by_name["thumb_large"]["height"])
    assert photo["tags"], "tagging produced no tags"
    assert photo["faces"], "the astronaut's face was not found"
    assert photo["enhancement"]["device"] in ("cpu", "cuda")

    events = await tap.wait_for(
        photo_id, {"photo.uploaded.v1", "photo.ingested.v1", "photo.enhanced.v1", "photo.tagged.v1"}
    )
    trace_ids = set()
    for m in events:
        headers = {k: v.decode() for k, v in m.headers}
        assert CE_HEADERS <= headers.keys(), (m.topic, headers)
        assert headers["ce_type"] == f"fotoai.{m.topic}"
        assert "traceparent" in headers, f"{m.topic} carries no trace context"
        trace_ids.add(headers["traceparent"].split("-")[1])
    assert len(trace_ids) == 1, f"one upload should be one trace, saw {trace_ids}"

    # The bytes: a redirect to a short-lived presigned URL for each rendition.
    for rendition in ("original", "display", "thumb_small", "enhanced", "enhanced_thumb"):
        r = await gateway.get(f"/v1/photos/{photo_id}/content", params={"rendition": rendition})
        assert r.status_code in (302, 307), (rendition, r.status_code, r.text)
        async with httpx.AsyncClient() as raw:
            content = await raw.get(r.headers["location"])
        assert content.status_code == 200 and len(content.content) > 100
        if rendition == "original":
            assert content.content == data


async def test_bad_bytes_end_rejected_with_a_reason(gateway, tap):
    truncated = jpeg_of("coffee", exif=False)[:3000]
    r = await gateway.post("/v1/photos", content=truncated, headers={"Content-Type": "image/jpeg"})
    assert r.status_code == 202, r.text
    photo = await wait_until_settled(gateway, r.json()["id"])
    assert photo["status"] == "rejected"
    assert photo["rejection"]["reason"] == "corrupt"
    await tap.wait_for(r.json()["id"], {"photo.uploaded.v1", "photo.rejected.v1"})


async def test_not_an_image_is_refused_at_the_door(gateway):
    r = await gateway.post("/v1/photos", files={"file": ("notes.jpg", b"hello, I am text\n" * 20, "image/jpeg")})
    assert r.status_code == 415
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_list_search_delete_and_isolation(gateway, stack_env):
    from fotoai.servicekit.testing import mint_token

    ids = []
    for seed in (1, 2):
        r = await gateway.post("/v1/photos", files={"file": (f"n{seed}.png", noise_png(seed), "image/png")})
        assert r.status_code == 202
        ids.append(r.json()["id"])
    for pid in ids:
        assert (await wait_until_settled(gateway, pid))["status"] == "ready"

    listed = (await gateway.get("/v1/photos", params={"limit": 1})).json()
    assert len(listed["items"]) == 1 and listed["next_cursor"]
    nxt = (await gateway.get("/v1/photos", params={"limit": 1, "cursor": listed["next_cursor"]})).json()
    assert {listed["items"][0]["id"], nxt["items"][0]["id"]} == set(ids)
    assert listed["items"][0]["thumb_url"]

    # Another user sees nothing of it: 404, not 403.
    other = mint_token(stack_env, "someone-else")
    r = await gateway.get(f"/v1/photos/{ids[0]}", headers={"Authorization": f"Bearer {other}"})
    assert r.status_code == 404

    r = await gateway.delete(f"/v1/photos/{ids[0]}")
    assert r.status_code == 202
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (await gateway.get(f"/v1/photos/{ids[0]}")).status_code == 404:
            break
    else:
        raise AssertionError("deleted photo still visible")
    remaining = (await gateway.get("/v1/photos")).json()["items"]
    assert [p["id"] for p in remaining] == [ids[1]]
