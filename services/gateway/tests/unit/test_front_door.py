"""The front door under abuse, against the real app with in-memory fakes: upload
admission caps, idle timeouts and deadlines, hostile bodies, tokens and subjects, and the
headers every answer carries. The same behaviour on the real stack: tests/reliability."""

from __future__ import annotations

import asyncio
import base64
import io
import json

import jwt
from fotoai.gateway.domain.admission import UploadsBusy, UploadSlots
from fotoai.gateway.domain.auth import owner_id_of
from fotoai.gateway.domain.sniff import servable_type, sniff
from PIL import Image

POLYGLOT = b"\x80<html><script>alert(document.domain)</script></html>"


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (20, 140, 90)).save(buf, "JPEG")
    return buf.getvalue()


async def stalling(first: bytes, then_wait: float):
    yield first
    await asyncio.sleep(then_wait)
    yield b"never read"


def test_slots_cap_the_replica_and_each_user():
    slots = UploadSlots(per_replica=3, per_user=2)
    with slots.hold("a"), slots.hold("a"):
        try:
            with slots.hold("a"):
                raise AssertionError("a third upload for one user")
        except UploadsBusy as busy:
            assert busy.status == 429 and busy.retry_after_s > 0
        with slots.hold("b"):
            try:
                with slots.hold("c"):
                    raise AssertionError("a fourth upload on the replica")
            except UploadsBusy as busy:
                assert busy.status == 503
    assert slots.in_flight == 0 and not slots._by_user


async def test_uploads_past_the_caps_are_refused_at_once_not_queued(make_client) -> None:
    async with make_client(max_uploads_per_user=2, max_uploads_in_flight=3, upload_idle_timeout_s=2) as (client, h):
        hdrs = {"Content-Type": "image/jpeg", "Content-Length": "100000"}
        stalled = [asyncio.create_task(client.post("/v1/photos", content=stalling(jpeg(), 3),
                                                   headers={**h.auth(), **hdrs})) for _ in range(2)]
        await asyncio.sleep(0.3)
        mine = await client.post("/v1/photos", content=jpeg(), headers={**h.auth(), "Content-Type": "image/jpeg"})
        assert mine.status_code == 429 and mine.headers["retry-after"]
        assert mine.headers["content-type"] == "application/problem+json"
        bob = asyncio.create_task(client.post("/v1/photos", content=stalling(jpeg(), 3),
                                              headers={**h.auth("bob"), **hdrs}))
        await asyncio.sleep(0.3)
        full = await client.post("/v1/photos", content=jpeg(), headers={**h.auth("carol"), "Content-Type": "image/jpeg"})
        assert full.status_code == 503 and full.headers["retry-after"]
        # Reads and readiness do not wait for uploads.
        assert (await client.get("/v1/photos", headers=h.auth())).status_code == 200
        for r in await asyncio.gather(*stalled, bob):
            assert r.status_code == 408
        ok = await client.post("/v1/photos", content=jpeg(), headers={**h.auth(), "Content-Type": "image/jpeg"})
        assert ok.status_code == 202


async def test_a_stalled_upload_ends_408_and_leaves_nothing(make_client) -> None:
    async with make_client(upload_idle_timeout_s=0.5) as (client, h):
        r = await client.post("/v1/photos", content=stalling(jpeg(), 5),
                              headers={**h.auth(), "Content-Type": "image/jpeg", "Content-Length": "100000"})
        assert r.status_code == 408 and r.headers["content-type"] == "application/problem+json"
        assert h.store.objects == {} and h.bus.events == []


async def test_an_upload_past_its_deadline_ends_408(make_client) -> None:
    async def trickle():
        yield jpeg()
        for _ in range(50):  # never idle long, but never done
            await asyncio.sleep(0.1)
            yield b"\x00" * 10

    async with make_client(upload_deadline_s=1, upload_idle_timeout_s=5) as (client, h):
        r = await client.post("/v1/photos", content=trickle(), headers={**h.auth(), "Content-Type": "image/jpeg"})
        assert r.status_code == 408 and "longer than" in r.json()["detail"]
        assert h.store.objects == {}


async def test_raw_bodies_stream_with_their_exact_length(gw) -> None:
    client, h = gw
    data = jpeg()
    r = await client.post("/v1/photos", content=data, headers={**h.auth(), "Content-Type": "image/jpeg"})
    assert r.status_code == 202
    r = await client.post("/v1/photos", headers=h.auth(), files={"file": ("a.jpg", data, "image/jpeg")})
    assert r.status_code == 202
    assert h.store.lengths == [len(data), None]  # a single streamed PUT / a multipart upload


async def test_the_html_polyglot_is_refused_and_claims_are_never_stored(gw) -> None:
    client, h = gw
    assert not sniff(POLYGLOT).image
    r = await client.post("/v1/photos", content=POLYGLOT, headers={**h.auth(), "Content-Type": "text/html"})
    assert r.status_code == 415
    r = await client.post("/v1/photos", headers=h.auth(), files={"file": ("x.html", POLYGLOT, "image/jpeg")})
    assert r.status_code == 415
    # A RAW-like unknown format is accepted, but stored and announced as bytes, not as the claim.
    odd = b"\x00\x01\x02\x03odd camera format" + bytes(600)
    r = await client.post("/v1/photos", content=odd, headers={**h.auth(), "Content-Type": "image/svg+xml"})
    assert r.status_code == 202
    (event,) = h.bus.events
    assert event.original.content_type is None
    assert set(h.store.types.values()) == {"application/octet-stream"}


def test_only_raster_image_types_are_ever_served():
    assert servable_type("image/jpeg; charset=x") == "image/jpeg"
    for hostile in ("text/html", "image/svg+xml", "application/javascript", "text/xml", None, ""):
        assert servable_type(hostile) == "application/octet-stream"


async def test_originals_are_served_as_detected_downloads(gw) -> None:
    client, h = gw
    r = await client.get("/v1/photos/p1/content", params={"rendition": "original"}, headers=h.auth())
    assert r.status_code == 307
    url = r.headers["location"]
    assert "attachment" in url and "response-content-type=" in url
    assert "text/html" not in url


async def test_too_many_form_fields_before_the_file_are_refused(make_client) -> None:
    async with make_client(max_form_fields=3) as (client, h):
        fields = {f"f{i}": "x" for i in range(10)}
        r = await client.post("/v1/photos", headers=h.auth(), data=fields,
                              files={"file": ("a.jpg", jpeg(), "image/jpeg")})
        assert r.status_code == 400 and "form fields" in r.json()["detail"]
        r = await client.post("/v1/photos", headers=h.auth(), data={"a": "1"},
                              files={"file": ("a.jpg", jpeg(), "image/jpeg")})
        assert r.status_code == 202


async def test_a_hostile_kid_never_breaks_the_challenge(gw) -> None:
    from fotoai.gateway.domain.auth import UnknownKey
    from fotoai.gateway.entrypoints.http import _unauthorized

    client, _ = gw
    for kid in ['x", error="none', "é\u2028\r\nSet-Cookie: a=b"]:
        challenge = _unauthorized(UnknownKey(kid)).headers["WWW-Authenticate"]
        assert challenge.count('"') == 6 and challenge.isascii() and "\n" not in challenge

    def b64(d: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    for kid in ['x", error="none', "é\u2028\r\nSet-Cookie: a=b", "\\" * 300]:
        token = f"{b64({'alg': 'RS256', 'kid': kid})}.{b64({'sub': 'a'})}.c2ln"
        r = await client.get("/v1/photos", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401
        challenge = r.headers["www-authenticate"]
        assert challenge.count('"') == 6 and challenge.isascii() and "\n" not in challenge


async def test_subjects_cannot_reach_other_owners_keys(gw) -> None:
    client, h = gw
    assert owner_id_of("alice") == "alice" and owner_id_of("auth0|42") == "auth0|42"
    assert owner_id_of("bob/../alice") == "bob%2F..%2Falice" and owner_id_of("a:b") == "a%3Ab"
    assert owner_id_of("a%3Ab") != owner_id_of("a:b")  # one-to-one
    r = await client.post("/v1/photos", content=jpeg(), headers={**h.auth("mallory/x:y"), "Content-Type": "image/jpeg"})
    assert r.status_code == 202
    (key,) = [k for _, k in h.store.objects]
    assert key.startswith("mallory%2Fx%3Ay/") and key.count("/") == 2
    assert h.bus.events[0].owner_id == "mallory%2Fx%3Ay"
    for bad in ("a\x00b", "a\nb", "a\x7fb"):
        token = jwt.encode({"sub": bad, "scope": "photos:read", "iss": h.settings.jwt_issuer,
                            "aud": h.settings.jwt_audience, "exp": 2**31},
                           h.settings.jwt_secret.get_secret_value(), algorithm="HS256")
        r = await client.get("/v1/photos", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401


async def test_every_api_answer_carries_nosniff_and_a_strict_csp(gw) -> None:
    client, h = gw
    for r in [await client.get("/v1/photos", headers=h.auth()), await client.get("/v1/photos"),
              await client.get("/healthz")]:
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["content-security-policy"].startswith("default-src 'none'")


async def test_forwarded_for_is_believed_only_from_the_web_server(make_client) -> None:
    from fotoai.gateway.config import RateLimitOptions

    rl = RateLimitOptions(ip_per_s=0.001, ip_burst=2)
    # The harness's peer address is 203.0.113.7: here it is the trusted web server.
    async with make_client(rate_limits=rl, trusted_proxies=["203.0.113.7"]) as (client, h):
        for browser in ("198.51.100.1", "198.51.100.2"):  # one abusive browser cannot drain another's budget
            codes = [(await client.get("/v1/photos", headers={**h.auth(), "X-Forwarded-For": browser})).status_code
                     for _ in range(3)]
            assert codes == [200, 200, 429], browser
    async with make_client(rate_limits=rl) as (client, h):  # no trusted proxy: the header is ignored
        codes = [(await client.get("/v1/photos", headers={**h.auth(), "X-Forwarded-For": f"198.51.100.{i}"})).status_code
                 for i in range(3)]
        assert codes == [200, 200, 429]
