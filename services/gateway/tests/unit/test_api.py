"""The query side of the public API against a fake catalog: ownership, filters, errors, URLs."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fotoai.contracts.library import PhotoTrashedV1
from fotoai.gateway.config import RateLimitOptions


async def test_list_is_scoped_newest_first_and_presigned(gw) -> None:
    client, h = gw
    r = await client.get("/v1/photos", headers=h.auth("alice"))
    assert r.status_code == 200
    body = r.json()
    assert [i["id"] for i in body["items"]] == ["p3", "p2", "p1"]
    assert body["next_cursor"] is None
    first, last = body["items"][0], body["items"][-1]
    assert "thumb" not in first and first["thumb_url"].startswith("http://s3.test/fotoai-renditions/alice/p3/")
    assert "owner" not in first
    # p3 was changed by the enhancement: its tile shows FotoAI's version, and both are offered.
    assert urlsplit(first["thumb_url"]).path == "/fotoai-renditions/alice/p3/enhanced_thumb.jpg"
    assert first["enhanced_thumb_url"] == first["thumb_url"]
    assert urlsplit(first["original_thumb_url"]).path == "/fotoai-renditions/alice/p3/thumb_small.jpg"
    assert not {"original_thumb", "enhanced_thumb"} & set(first)
    assert last["enhanced_thumb_url"] is None and last["thumb_url"] == last["original_thumb_url"]
    assert h.catalog_app.state.calls[-1]["owner_id"] == "alice"


async def test_cursor_and_filters_are_passed_through(gw) -> None:
    client, h = gw
    r = await client.get("/v1/photos?limit=2", headers=h.auth())
    page1 = r.json()
    assert [i["id"] for i in page1["items"]] == ["p3", "p2"] and page1["next_cursor"]
    r = await client.get(f"/v1/photos?limit=2&cursor={page1['next_cursor']}", headers=h.auth())
    assert [i["id"] for i in r.json()["items"]] == ["p1"]
    r = await client.get("/v1/photos?tag=cat&status=ready&camera=Canon&taken_after=2020-01-01T00:00:00Z", headers=h.auth())
    assert [i["id"] for i in r.json()["items"]] == ["p3", "p1"]
    call = h.catalog_app.state.calls[-1]
    assert call["tag"] == "cat" and call["status"] == "ready" and call["camera"] == "Canon"
    assert call["taken_after"].startswith("2020-01-01T00:00:00")


async def test_bad_cursor_is_400_and_bad_params_are_422_problems(gw) -> None:
    client, h = gw
    r = await client.get("/v1/photos?cursor=bad", headers=h.auth())
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    for q in ("limit=0", "limit=201", "status=lost", "taken_after=yesterday"):
        r = await client.get(f"/v1/photos?{q}", headers=h.auth())
        assert r.status_code == 422, q
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["status"] == 422


async def test_other_users_photo_is_404_never_403(gw) -> None:
    client, h = gw
    for path in ("/v1/photos/b1", "/v1/photos/b1/content", "/v1/photos/nope"):
        r = await client.get(path, headers=h.auth("alice"))
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("application/problem+json")
    assert (await client.delete("/v1/photos/b1", headers=h.auth("alice"))).status_code == 404
    assert h.bus.events == []
    assert (await client.get("/v1/photos/b1", headers=h.auth("bob"))).status_code == 200


async def test_detail_has_rendition_urls_without_locations(gw) -> None:
    client, h = gw
    r = await client.get("/v1/photos/p1", headers=h.auth())
    assert r.status_code == 200
    d = r.json()
    assert d["stages"] == {"ingest": "done", "enhance": "done", "tagging": "done"}
    (rend,) = d["renditions"]
    assert "bucket" not in rend and "key" not in rend
    assert rend["url"].startswith("http://s3.test/fotoai-renditions/alice/p1/display.jpg")
    assert d["metadata"]["camera_make"] == "Canon"


async def test_content_redirects_to_a_presigned_url(gw) -> None:
    client, h = gw
    r = await client.get("/v1/photos/p1/content?rendition=original&download=true", headers=h.auth())
    assert r.status_code == 307
    url = urlsplit(r.headers["location"])
    assert url.path == "/fotoai-originals/alice/p1/original"
    assert parse_qs(url.query)["filename"] == ["p1.jpg"]
    assert r.headers["cache-control"].startswith("private")
    r = await client.get("/v1/photos/p1/content?rendition=enhanced", headers=h.auth())
    assert r.status_code == 404  # not produced yet
    r = await client.get("/v1/photos/p1/content?rendition=raw", headers=h.auth())
    assert r.status_code == 422
    r = await client.get("/v1/photos/p3/content?rendition=enhanced_thumb", headers=h.auth())
    assert r.status_code == 307 and urlsplit(r.headers["location"]).path == "/fotoai-renditions/alice/p3/enhanced_thumb.jpg"


async def test_delete_moves_the_photo_to_the_trash(gw) -> None:
    client, h = gw
    r = await client.delete("/v1/photos/p1", headers=h.auth())
    assert r.status_code == 202
    assert r.json() == {"id": "p1", "status": "trashed"}
    (e,) = h.bus.events
    assert isinstance(e, PhotoTrashedV1) and e.owner_id == "alice" and e.trashed_by == "alice"


async def test_search_and_tags(gw) -> None:
    client, h = gw
    r = await client.get("/v1/search?q=cat", headers=h.auth())
    assert r.status_code == 200
    assert r.json()["mode"] == "text"
    assert {i["id"] for i in r.json()["items"]} == {"p1", "p3"}
    assert all(i["thumb_url"] for i in r.json()["items"])
    assert (await client.get("/v1/search", headers=h.auth())).status_code == 422
    # The archive is searched only when asked for.
    h.photos["p3"]["archived"] = True
    assert {i["id"] for i in (await client.get("/v1/search?q=cat", headers=h.auth())).json()["items"]} == {"p1"}
    r = await client.get("/v1/search?q=cat&archived=true", headers=h.auth())
    assert {i["id"] for i in r.json()["items"]} == {"p3"}
    r = await client.get("/v1/tags", headers=h.auth())
    assert r.json()["items"] == [{"label": "cat", "count": 2}, {"label": "dog", "count": 1}, {"label": "sofa", "count": 1}]


async def test_catalog_down_is_503_problem(gw) -> None:
    client, h = gw
    h.catalog_up = False
    for path in ("/v1/photos", "/v1/photos/p1", "/v1/photos/p1/content", "/v1/search?q=x", "/v1/tags"):
        r = await client.get(path, headers=h.auth())
        assert r.status_code == 503, path
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.headers["retry-after"] == "5"
        assert r.json()["title"] == "Catalog Unavailable"
    assert (await client.delete("/v1/photos/p1", headers=h.auth())).status_code == 503
    assert h.bus.events == []


async def test_unknown_route_and_method_are_problems(gw) -> None:
    client, _ = gw
    r = await client.get("/v1/nothing-here")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    r = await client.put("/v1/photos")
    assert r.status_code == 405 and r.headers["content-type"].startswith("application/problem+json")


async def test_read_rate_limit_per_user_with_headers(make_client) -> None:
    rl = RateLimitOptions(reads_per_s=0.5, read_burst=3, ip_per_s=1000, ip_burst=1000)
    async with make_client(rate_limits=rl) as (client, h):
        seen = []
        for _ in range(3):
            r = await client.get("/v1/photos", headers=h.auth("alice"))
            assert r.status_code == 200
            seen.append(int(r.headers["ratelimit-remaining"]))
            assert r.headers["ratelimit-limit"] == "3"
        assert seen == [2, 1, 0]
        r = await client.get("/v1/photos", headers=h.auth("alice"))
        assert r.status_code == 429
        assert r.headers["content-type"].startswith("application/problem+json")
        assert int(r.headers["retry-after"]) >= 1
        assert r.headers["ratelimit-remaining"] == "0"
        # Another user has their own budget.
        assert (await client.get("/v1/photos", headers=h.auth("bob"))).status_code == 200


async def test_ip_rate_limit_counts_failed_auth_and_honours_trusted_proxies(make_client) -> None:
    rl = RateLimitOptions(reads_per_s=1000, read_burst=1000, ip_per_s=0.1, ip_burst=2)
    async with make_client(rate_limits=rl, trusted_proxies=["203.0.113.0/24"]) as (client, h):
        xff = {"X-Forwarded-For": "198.51.100.1"}
        assert (await client.get("/v1/photos", headers=xff)).status_code == 401
        assert (await client.get("/v1/photos", headers=xff)).status_code == 401
        assert (await client.get("/v1/photos", headers={**xff, **h.auth()})).status_code == 429
        # A different client behind the same trusted proxy has its own budget.
        assert (await client.get("/v1/photos", headers={"X-Forwarded-For": "198.51.100.2", **h.auth()})).status_code == 200
    async with make_client(rate_limits=rl) as (client, h):
        # Untrusted peer: X-Forwarded-For is ignored, so spoofing it does not buy a new budget.
        for i in range(2):
            assert (await client.get("/v1/photos", headers={"X-Forwarded-For": f"10.0.0.{i}", **h.auth()})).status_code == 200
        assert (await client.get("/v1/photos", headers={"X-Forwarded-For": "10.0.0.9", **h.auth()})).status_code == 429


async def test_cors_only_for_configured_origins(make_client) -> None:
    async with make_client(cors_origins=["http://localhost:5173"]) as (client, _):
        pre = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
        r = await client.options("/v1/photos", headers={"Origin": "http://localhost:5173", **pre})
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == "http://localhost:5173"
        r = await client.options("/v1/photos", headers={"Origin": "http://evil.example", **pre})
        assert "access-control-allow-origin" not in r.headers


async def test_openapi_documents_security_and_problems(gw) -> None:
    client, _ = gw
    spec = (await client.get("/openapi.json")).json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    paths = spec["paths"]
    for path, method in [("/v1/photos", "get"), ("/v1/photos", "post"), ("/v1/photos/{photo_id}", "get"),
                         ("/v1/photos/{photo_id}", "delete"), ("/v1/photos/{photo_id}/content", "get"),
                         ("/v1/search", "get"), ("/v1/uploads", "post")]:
        op = paths[path][method]
        assert op["security"] == [{"HTTPBearer": []}], (path, method)
        for code in ("401", "422", "429"):
            assert "application/problem+json" in op["responses"][code]["content"], (path, method, code)
    body = paths["/v1/photos"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "image/*"} <= set(body)
