"""The library routes through the real app over fakes: every command publishes its fact, the
owner alone sees an album, share tokens never travel and stop at once when revoked."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from fotoai.contracts import PhotoDeletedV1
from fotoai.contracts.library import (
    AlbumCreatedV1,
    AlbumLinkCreatedV1,
    AlbumLinkRevokedV1,
    AlbumPhotosAddedV1,
    PhotoRestoredV1,
    PhotoUpdatedV1,
)
from fotoai.gateway.library import purge_event_id


async def test_patch_flags_publishes_an_update_and_hides_others_photos(gw) -> None:
    client, h = gw
    r = await client.patch("/v1/photos/p1", json={"favorite": True}, headers=h.auth())
    assert r.status_code == 202 and r.json() == {"id": "p1", "favorite": True, "archived": False}
    (e,) = h.bus.events
    assert isinstance(e, PhotoUpdatedV1) and e.favorite is True and e.archived is None and e.key == "p1"
    assert (await client.patch("/v1/photos/b1", json={"archived": True}, headers=h.auth())).status_code == 404
    assert (await client.patch("/v1/photos/p1", json={}, headers=h.auth())).status_code == 422


async def test_list_passes_timeline_sort_and_filters_to_the_catalog(gw) -> None:
    client, h = gw
    r = await client.get("/v1/photos", params={"sort": "taken", "favorite": "true"}, headers=h.auth())
    assert r.status_code == 200
    r = await client.get("/v1/timeline", headers=h.auth())
    assert r.json() == {"buckets": [{"month": "2026-01", "count": 3}]}


async def test_a_new_album_is_usable_at_once_by_its_owner_only(gw) -> None:
    client, h = gw
    r = await client.post("/v1/albums", json={"title": "Holidays"}, headers=h.auth())
    assert r.status_code == 201
    album_id = r.json()["id"]
    assert r.headers["location"] == f"/v1/albums/{album_id}"
    # The catalog has not projected it yet: the gateway remembers it for its owner.
    got = await client.get(f"/v1/albums/{album_id}", headers=h.auth())
    assert got.status_code == 200 and got.json()["title"] == "Holidays"
    r = await client.post(f"/v1/albums/{album_id}/photos", json={"photo_ids": ["p1", "p3"]}, headers=h.auth())
    assert r.status_code == 202
    created, added = h.bus.events
    assert isinstance(created, AlbumCreatedV1) and created.key == album_id
    assert isinstance(added, AlbumPhotosAddedV1) and added.photo_ids == ["p1", "p3"]
    for method, path in [("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/photos"), ("POST", "/links")]:
        body = {"photo_ids": ["b1"]} if path == "/photos" else {"title": "mine"} if method == "PATCH" else None
        r = await client.request(method, f"/v1/albums/{album_id}{path}", json=body, headers=h.auth("bob"))
        assert r.status_code == 404, (method, path)


async def test_share_links_carry_a_hash_and_revocation_is_immediate(gw) -> None:
    client, h = gw
    h.library.albums["a1"] = {"owner": "alice", "title": "Family", "photos": ["p1"], "links": {}}
    r = await client.post("/v1/albums/a1/links", json={"expires_in": 3600}, headers=h.auth())
    assert r.status_code == 201
    link = r.json()
    assert len(link["token"]) >= 43 and link["url"].endswith(f"/v1/shared/{link['token']}") and link["expires_at"]
    (e,) = h.bus.events
    digest = hashlib.sha256(link["token"].encode()).hexdigest()
    assert isinstance(e, AlbumLinkCreatedV1) and e.token_sha256 == digest
    assert link["token"] not in e.model_dump_json()
    # The catalog projects the link: the token opens that album, without an account.
    h.library.links[digest] = "a1"
    h.library.albums["a1"]["links"][link["id"]] = digest
    shared = await client.get(f"/v1/shared/{link['token']}")
    assert shared.status_code == 200
    assert [i["id"] for i in shared.json()["items"]] == ["p1"] and shared.json()["items"][0]["thumb_url"]
    r = await client.get(f"/v1/shared/{link['token']}/photos/p1/content", params={"rendition": "thumb_large"})
    assert r.status_code == 307
    assert (await client.get(f"/v1/shared/{link['token']}/photos/p3/content")).status_code == 404
    assert (await client.get("/v1/shared/" + "x" * 43)).status_code == 404
    # Revoked: 404 from the moment the call returns, before the catalog has caught up.
    assert (await client.delete(f"/v1/albums/a1/links/{link['id']}", headers=h.auth())).status_code == 204
    assert isinstance(h.bus.events[-1], AlbumLinkRevokedV1)
    assert (await client.get(f"/v1/shared/{link['token']}")).status_code == 404
    assert (await client.get(f"/v1/shared/{link['token']}/photos/p1/content")).status_code == 404


async def test_shared_routes_are_rate_limited_per_ip(make_client) -> None:
    from fotoai.gateway.library_config import LibraryOptions

    async with make_client(library=LibraryOptions(shared_per_s=0.01, shared_burst=3)) as (client, _):
        codes = [(await client.get("/v1/shared/" + "y" * 43)).status_code for _ in range(5)]
    assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429]


async def test_trash_restore_and_purge(gw) -> None:
    client, h = gw
    assert (await client.post("/v1/trash/p1/restore", headers=h.auth())).status_code == 404
    h.library.trash["p1"] = "alice"
    listed = (await client.get("/v1/trash", headers=h.auth())).json()
    assert [i["id"] for i in listed["items"]] == ["p1"] and listed["items"][0]["purge_at"].startswith("2026-03-03")
    assert (await client.post("/v1/trash/p1/restore", headers=h.auth())).status_code == 202
    assert isinstance(h.bus.events[-1], PhotoRestoredV1)
    assert (await client.delete("/v1/trash/p1", headers=h.auth("bob"))).status_code == 404
    assert (await client.delete("/v1/trash/p1", headers=h.auth())).status_code == 202
    purge = h.bus.events[-1]
    assert isinstance(purge, PhotoDeletedV1) and purge.event_id == purge_event_id("p1")
    h.library.trash["p3"] = "alice"
    r = await client.post("/v1/trash/empty", headers=h.auth())
    assert r.json() == {"purged": 2}


async def test_automatic_purge_publishes_what_is_past_retention(gw) -> None:
    client, h = gw
    await client.get("/v1/timeline", headers=h.auth())  # builds the library
    library = h.app.state.library
    seen = []

    async def expired(before, limit):
        seen.append(before)
        return [{"photo_id": "p2", "owner_id": "alice"}]

    library.catalog.expired_trash = expired
    assert await library.purge_expired(datetime(2026, 3, 1, tzinfo=UTC)) == 1
    assert seen == [datetime(2026, 1, 30, tzinfo=UTC)]
    assert isinstance(h.bus.events[-1], PhotoDeletedV1) and h.bus.events[-1].deleted_by == "system:trash-retention"


async def test_lookup_by_sha256(gw) -> None:
    client, h = gw
    r = await client.post("/v1/photos/lookup", json={"sha256": ["0" * 64, "1" * 64]}, headers=h.auth())
    assert r.status_code == 200 and set(r.json()["found"]) == {"0" * 64}
    assert (await client.post("/v1/photos/lookup", json={"sha256": ["nothex"]}, headers=h.auth())).status_code == 422
