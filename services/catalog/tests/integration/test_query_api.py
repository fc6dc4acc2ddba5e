"""The internal query API over HTTP (the routes the gateway calls), on the real database."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fotoai.catalog.adapters.queries import PgCatalogQueries
from fotoai.catalog.entrypoints.http import build_router
from fotoai.catalog.use_cases import SearchPhotos
from fotoai.contracts import Embedding, PhotoDeletedV1, PhotoTaggedV1, Tag
from fotoai.servicekit.app import create_app

from services.catalog.tests.scenarios import photo_story

pytestmark = pytest.mark.integration


class FixedEmbedder:
    def __init__(self, answer) -> None:
        self.answer = answer

    async def embed(self, text: str):
        return self.answer


def make_app(pool, embedder=None) -> FastAPI:
    queries = PgCatalogQueries(pool)
    app = create_app("catalog-test")
    app.include_router(build_router(queries, SearchPhotos(queries, embedder)))
    return app


@pytest.fixture
async def client(pool):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(make_app(pool)), base_url="http://catalog") as c:
        yield c


async def load(project, owner, n, t0=None, **kw):
    t0 = t0 or datetime(2026, 6, 1, tzinfo=UTC)
    stories = [photo_story(owner, seed=i, t0=t0 + timedelta(minutes=i), content=f"{owner}{i}".encode(),
                           phash=(0xFFFF << (i % 40)) ^ (i * 0x0101010101), **kw) for i in range(n)]
    for s in stories:
        for e in s:
            await project(e)
    return stories


async def test_list_is_newest_first_and_paginates_without_gaps_under_inserts(client, project, owner) -> None:
    stories = await load(project, owner, 7)
    r = await client.get("/internal/photos", params={"owner_id": owner, "limit": 3})
    assert r.status_code == 200
    page1 = r.json()
    ids = [s[0].photo_id for s in reversed(stories)]
    assert [i["id"] for i in page1["items"]] == ids[:3]
    # A photo uploaded between two page requests is newer than the cursor: no repeat, no gap.
    newer = photo_story(owner, seed=99, t0=datetime(2026, 7, 1, tzinfo=UTC))
    for e in newer:
        await project(e)
    seen = [i["id"] for i in page1["items"]]
    cursor = page1["next_cursor"]
    while cursor:
        page = (await client.get("/internal/photos", params={"owner_id": owner, "limit": 3, "cursor": cursor})).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert seen == ids
    item = page1["items"][0]
    assert set(item) >= {"id", "status", "file_name", "content_type", "size", "sha256", "created_at",
                         "taken_at", "width", "height", "format", "camera", "stages", "duplicate_of",
                         "tags", "thumb", "original_thumb", "enhanced_thumb", "rejection"}
    assert len(item["tags"]) <= 5 and item["thumb"]["bucket"] == "fotoai-renditions"
    assert item["thumb"] == item["enhanced_thumb"] != item["original_thumb"]


async def test_filters(client, project, owner) -> None:
    stories = await load(project, owner, 6)
    first_tag = stories[0][-1].tags[0].label
    r = (await client.get("/internal/photos", params={"owner_id": owner, "tag": first_tag.upper()})).json()
    expected = {s[0].photo_id for s in stories if first_tag in {t.label for t in s[-1].tags}}
    assert {i["id"] for i in r["items"]} == expected
    assert (await client.get("/internal/photos", params={"owner_id": owner, "status": "ready"})).json()["items"]
    assert (await client.get("/internal/photos", params={"owner_id": owner, "status": "rejected"})).json()["items"] == []
    cam = stories[0][1].exif.camera_model
    r = (await client.get("/internal/photos", params={"owner_id": owner, "camera": cam[:5].lower()})).json()
    assert stories[0][0].photo_id in {i["id"] for i in r["items"]}
    assert all(cam[:5].lower() in (i["camera"] or "").lower() for i in r["items"])
    taken = sorted(s[1].exif.taken_at for s in stories)
    r = (await client.get("/internal/photos", params={
        "owner_id": owner, "taken_after": taken[1].isoformat(), "taken_before": taken[4].isoformat()})).json()
    assert len(r["items"]) == 3
    bad = await client.get("/internal/photos", params={"owner_id": owner, "cursor": "not-a-cursor"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    assert (await client.get("/internal/photos", params={"owner_id": owner, "limit": 0})).status_code == 422


async def test_duplicate_of_lists_the_copies_of_a_photo(client, project, owner) -> None:
    t0 = datetime(2026, 7, 1, tzinfo=UTC)
    first = photo_story(owner, seed=40, t0=t0, content=b"same")
    copies = [photo_story(owner, seed=41 + i, t0=t0 + timedelta(minutes=1 + i), content=b"same") for i in range(2)]
    other = photo_story(owner, seed=45, t0=t0 + timedelta(minutes=5), content=b"different", phash=0x1234)
    for story in (first, *copies, other):
        for e in story:
            await project(e)
    r = await client.get("/internal/photos", params={"owner_id": owner, "duplicate_of": first[0].photo_id})
    assert r.status_code == 200
    assert sorted(i["id"] for i in r.json()["items"]) == sorted(c[0].photo_id for c in copies)
    assert all(i["duplicate_of"] == first[0].photo_id for i in r.json()["items"])
    # Another owner asking about the same photo sees nothing.
    r = await client.get("/internal/photos", params={"owner_id": "someone-else", "duplicate_of": first[0].photo_id})
    assert r.json()["items"] == []


async def test_detail_objects_and_owner_scoping(client, project, owner) -> None:
    (story,) = await load(project, owner, 1)
    pid = story[0].photo_id
    d = await client.get(f"/internal/photos/{pid}", params={"owner_id": owner})
    assert d.status_code == 200
    body = d.json()
    assert set(body) >= {"metadata", "faces", "quality", "colors", "enhancement", "renditions", "timeline", "tags"}
    other = await client.get(f"/internal/photos/{pid}", params={"owner_id": "someone-else"})
    assert other.status_code == 404 and other.headers["content-type"].startswith("application/problem+json")
    o = (await client.get(f"/internal/photos/{pid}/objects/original", params={"owner_id": owner})).json()
    assert o == {"bucket": "fotoai-originals", "key": f"{owner}/{pid}/original", "mime": "image/jpeg",
                 "file_name": story[0].original.file_name}
    t = (await client.get(f"/internal/photos/{pid}/objects/thumb_small", params={"owner_id": owner})).json()
    assert t["key"].endswith("thumb_small.jpg") and t["file_name"].endswith("-thumb_small.jpg")
    e = (await client.get(f"/internal/photos/{pid}/objects/enhanced_thumb", params={"owner_id": owner})).json()
    assert e["key"].endswith("/enhanced_thumb.jpg") and e["file_name"].endswith("-enhanced_thumb.jpg")
    assert (await client.get(f"/internal/photos/{pid}/objects/bogus", params={"owner_id": owner})).status_code == 422
    assert (await client.get(f"/internal/photos/{pid}/objects/enhanced", params={"owner_id": "x"})).status_code == 404
    await project(PhotoDeletedV1(photo_id=pid, owner_id=owner, deleted_by=owner))
    assert (await client.get(f"/internal/photos/{pid}", params={"owner_id": owner})).status_code == 404
    assert (await client.get(f"/internal/photos/{pid}/objects/original", params={"owner_id": owner})).status_code == 404


async def test_rendition_is_404_until_it_exists(client, project, owner) -> None:
    uploaded, ingested, *_ = photo_story(owner, seed=3)
    await project(uploaded)
    r = await client.get(f"/internal/photos/{uploaded.photo_id}/objects/display", params={"owner_id": owner})
    assert r.status_code == 404
    await project(ingested)
    r = await client.get(f"/internal/photos/{uploaded.photo_id}/objects/display", params={"owner_id": owner})
    assert r.status_code == 200


async def test_tag_counts_and_text_search(client, project, owner) -> None:
    stories = await load(project, owner, 5)
    counts = (await client.get("/internal/tags", params={"owner_id": owner})).json()["items"]
    expected: dict[str, int] = {}
    for s in stories:
        for t in s[-1].tags:
            expected[t.label] = expected.get(t.label, 0) + 1
    assert {c["label"]: c["count"] for c in counts} == expected
    label = counts[0]["label"]
    r = (await client.get("/internal/search", params={"owner_id": owner, "q": label})).json()
    assert r["mode"] == "text"
    assert {i["id"] for i in r["items"]} >= {s[0].photo_id for s in stories if label in {t.label for t in s[-1].tags}}
    # Several words: photos matching every one (a tag, the file name or the camera) come first.
    two = {t.label for t in stories[0][-1].tags}
    w1, w2 = sorted(two)[:2]
    r = (await client.get("/internal/search", params={"owner_id": owner, "q": f"{w1} {w2}"})).json()
    both = {s[0].photo_id for s in stories if {w1, w2} <= {t.label for t in s[-1].tags}}
    assert {i["id"] for i in r["items"][: len(both)]} == both
    # A user's search never reaches another user's photos, and LIKE wildcards are literal.
    assert (await client.get("/internal/search", params={"owner_id": "nobody", "q": label})).json()["items"] == []
    assert (await client.get("/internal/search", params={"owner_id": owner, "q": "%"})).json()["items"] == []


def _unit(v):
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


async def test_semantic_search_uses_the_models_hnsw_index_and_ranks_by_cosine(pool, project, queries, owner) -> None:
    t0 = datetime(2026, 8, 1, tzinfo=UTC)
    directions = {"north": [1, 0.05, 0, 0], "east": [0, 1, 0.05, 0], "up": [0.05, 0, 1, 0]}
    ids = {}
    for i, (name, vec) in enumerate(directions.items()):
        story = photo_story(owner, seed=40 + i, t0=t0 + timedelta(minutes=i), tag_versions=())
        for e in story:
            await project(e)
        await project(PhotoTaggedV1(photo_id=story[0].photo_id, owner_id=owner, model_id="clip-int",
                                    model_version="1", duration_ms=1, tags=[Tag(label=name, score=0.5, source="clip")],
                                    embedding=Embedding(model_id="clip-int", dimension=4, vector=_unit(vec))))
        ids[name] = story[0].photo_id
    # Same model, other owner: never returned. Another model: never compared.
    intruder = photo_story("intruder-" + owner, seed=50, tag_versions=())
    for e in intruder:
        await project(e)
    await project(PhotoTaggedV1(photo_id=intruder[0].photo_id, owner_id=intruder[0].owner_id, model_id="clip-int",
                                model_version="1", duration_ms=1,
                                embedding=Embedding(model_id="clip-int", dimension=4, vector=[1, 0, 0, 0])))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(make_app(pool, FixedEmbedder(("clip-int", [0.9, 0.1, 0, 0])))),
                                 base_url="http://catalog") as c:
        r = (await c.get("/internal/search", params={"owner_id": owner, "q": "arctic"})).json()
    # No word of the query names a tag (text search finds nothing): the vectors alone answer.
    assert r["mode"] == "semantic"
    assert [i["id"] for i in r["items"]] == [ids["north"], ids["east"], ids["up"]]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(make_app(pool, FixedEmbedder(("clip-int", [0, 0, 1, 0])))),
                                 base_url="http://catalog") as c:
        r = (await c.get("/internal/search", params={"owner_id": owner, "q": "east"})).json()
    assert r["mode"] == "hybrid"
    assert set([i["id"] for i in r["items"]][:2]) == {ids["east"], ids["up"]}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(make_app(pool, FixedEmbedder(("other-model", [1, 0, 0, 0])))),
                                 base_url="http://catalog") as c:
        r = (await c.get("/internal/search", params={"owner_id": owner, "q": "north"})).json()
    assert r["mode"] == "text" and [i["id"] for i in r["items"]] == [ids["north"]]
    plan = await queries.explain_semantic("clip-int", 4)
    assert "embeddings_hnsw_" in plan, plan
