"""`GET /v1/photos/{id}` as a plain Starlette route: the same answers as its FastAPI declaration,
the same errors and headers, documented, counted in the metrics, and JSON by `json_codec`."""

from __future__ import annotations

import json

import pytest
from fotoai.gateway.adapters import json_codec
from fotoai.servicekit import metrics
from starlette.responses import JSONResponse as StarletteJSONResponse

HEADERS = ("content-type", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset",
           "x-content-type-options", "content-security-policy", "referrer-policy")


async def test_the_plain_route_is_tried_first_and_answers_like_its_declaration(make_client) -> None:
    async with make_client() as (client, h):
        first = h.app.router.routes[0]
        assert first.name == "get_photo_hot" and first.path == "/v1/photos/{photo_id}"
        hot = await client.get("/v1/photos/p1", headers=h.auth())
        # Without the plain route the FastAPI declaration answers the same request.
        h.app.router.routes.pop(0)
        declared = await client.get("/v1/photos/p1", headers=h.auth())
    assert hot.status_code == declared.status_code == 200
    assert hot.json() == declared.json()
    assert hot.json()["renditions"][0]["url"].startswith("http://s3.test/")
    for name in HEADERS:
        assert name in hot.headers, name
        if not name.startswith("ratelimit-remaining"):
            assert hot.headers[name] == declared.headers[name], name


async def test_errors_are_problems_with_their_challenges(gw) -> None:
    client, h = gw
    r = await client.get("/v1/photos/p1")
    assert r.status_code == 401 and r.headers["www-authenticate"] == 'Bearer realm="fotoai"'
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.get("/v1/photos/p1", headers={"Authorization": "Bearer not.a.token"})
    assert r.status_code == 401 and 'error="invalid_token"' in r.headers["www-authenticate"]
    r = await client.get("/v1/photos/p1", headers=h.auth(scope="photos:write"))
    assert r.status_code == 403 and 'scope="photos:read"' in r.headers["www-authenticate"]
    assert r.json()["status"] == 403
    r = await client.get("/v1/photos/b1", headers=h.auth("alice"))  # bob's
    assert r.status_code == 404 and r.json()["title"] == "Not Found"
    # A malformed id never reaches the plain route: FastAPI's validation answers it.
    r = await client.get("/v1/photos/" + "x" * 65, headers=h.auth())
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")


async def test_the_read_budget_is_spent_on_the_plain_route(make_client) -> None:
    from fotoai.gateway.config import RateLimitOptions

    async with make_client(rate_limits=RateLimitOptions(reads_per_s=0.001, read_burst=2)) as (client, h):
        codes = [(await client.get("/v1/photos/p1", headers=h.auth())).status_code for _ in range(3)]
        last = await client.get("/v1/photos/p1", headers=h.auth())
    assert codes == [200, 200, 429]
    assert last.status_code == 429 and int(last.headers["retry-after"]) >= 1


async def test_documented_in_openapi_and_counted_under_its_template(gw) -> None:
    client, h = gw
    op = (await client.get("/openapi.json")).json()["paths"]["/v1/photos/{photo_id}"]["get"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/PhotoDetail")
    assert {"401", "403", "404", "429"} <= set(op["responses"])
    counter = metrics.HTTP_REQUESTS.labels("gateway", "GET", "/v1/photos/{photo_id}", "200")
    before = counter._value.get()
    assert (await client.get("/v1/photos/p1", headers=h.auth())).status_code == 200
    assert counter._value.get() == before + 1


@pytest.mark.parametrize("value", [
    {"id": "p1", "name": "Zoë 東京 😀", "score": 0.25, "n": -3, "ok": True, "none": None,
     "tags": [{"label": "cat", "score": 1.0}], "nested": {"a": [1, 2.5, "x"]}},
    [],
    {"big": 2**70},  # beyond orjson's integers: the standard library writes it
])
def test_json_codec_writes_what_starlette_writes(value: object) -> None:
    assert json_codec.dumps(value) == StarletteJSONResponse(value).body
    assert json_codec.loads(json_codec.dumps(value)) == value


def test_json_codec_refuses_what_is_not_json() -> None:
    with pytest.raises(ValueError):
        json_codec.loads(b"{not json")
    with pytest.raises(TypeError):
        json_codec.dumps({"when": object()})
    assert json.loads(json_codec.dumps({"x": 1.5})) == {"x": 1.5}
