"""Which budget each request spends (budget.py): reads the read budget, commands (deletes,
edits, completing a direct upload) the write budget, so neither starves the other."""

from __future__ import annotations

from fotoai.gateway.config import RateLimitOptions

from .test_uploads import jpeg


async def test_deletes_spend_the_write_budget_not_the_read_budget(make_client) -> None:
    rl = RateLimitOptions(reads_per_s=0.001, read_burst=1, writes_per_s=0.001, write_burst=2,
                          ip_per_s=1000, ip_burst=1000)
    async with make_client(rate_limits=rl) as (client, h):
        assert (await client.get("/v1/photos", headers=h.auth())).status_code == 200
        assert (await client.get("/v1/photos", headers=h.auth())).status_code == 429  # reads spent
        r = await client.delete("/v1/photos/p1", headers=h.auth())
        assert r.status_code == 202 and r.headers["ratelimit-limit"] == "2"
        assert (await client.delete("/v1/photos/p3", headers=h.auth())).status_code == 202
        r = await client.delete("/v1/photos/p2", headers=h.auth())
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert r.headers["content-type"].startswith("application/problem+json")
        assert len(h.bus.events) == 2  # the refused delete published nothing


async def test_completing_a_direct_upload_spends_the_write_budget(make_client) -> None:
    data = jpeg()
    rl = RateLimitOptions(reads_per_s=0.001, read_burst=1, writes_per_s=0.001, write_burst=1,
                          ip_per_s=1000, ip_burst=1000)
    async with make_client(rate_limits=rl) as (client, h):
        ids = []
        for _ in range(2):
            r = await client.post("/v1/uploads", json={"content_type": "image/jpeg", "size": len(data)},
                                  headers=h.auth())
            assert r.status_code == 201  # starting spends the upload budget
            ids.append(r.json()["upload_id"])
            h.store.put("fotoai-originals", f"incoming/alice/{ids[-1]}", data)
        assert (await client.get("/v1/photos", headers=h.auth())).status_code == 200
        assert (await client.get("/v1/photos", headers=h.auth())).status_code == 429  # reads spent
        assert (await client.post(f"/v1/uploads/{ids[0]}/complete", headers=h.auth())).status_code == 202
        assert (await client.post(f"/v1/uploads/{ids[1]}/complete", headers=h.auth())).status_code == 429
