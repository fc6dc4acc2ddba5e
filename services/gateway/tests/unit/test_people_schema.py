"""The photo detail's OpenAPI schema documents what recognition adds: the place, the text,
and the person of each face; the response model passes them through unchanged."""

from __future__ import annotations

from fotoai.gateway.entrypoints.schemas import PhotoDetail


async def test_openapi_detail_documents_place_text_and_the_person_of_each_face(gw) -> None:
    client, _ = gw
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    detail = schemas["PhotoDetail"]["properties"]
    assert {"place", "text", "faces"} <= set(detail)
    assert detail["faces"]["items"]["$ref"].endswith("/FaceOut")
    assert {"box", "score", "person_id", "person_name"} <= set(schemas["FaceOut"]["properties"])
    assert {"city", "state", "country", "country_code"} <= set(schemas["PlaceOut"]["properties"])
    ok = spec["paths"]["/v1/photos/{photo_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/PhotoDetail")


def test_the_detail_model_keeps_recognition_fields_and_unknown_ones() -> None:
    body = {
        "id": "p1", "status": "ready",
        "faces": [{"box": [0.1, 0.2, 0.3, 0.3], "score": 0.9, "person_id": "x1", "person_name": "Ana", "extra": 1},
                  {"box": [0.5, 0.5, 0.1, 0.1], "score": 0.7}],
        "place": {"city": "Lisbon", "state": "Lisbon", "country": "Portugal", "country_code": "PT"},
        "text": "FRESH BREAD",
    }
    out = PhotoDetail.model_validate(body).model_dump(mode="json")
    assert out["faces"][0] == {"box": [0.1, 0.2, 0.3, 0.3], "score": 0.9, "person_id": "x1", "person_name": "Ana",
                               "extra": 1}
    assert out["faces"][1]["person_id"] is None
    assert out["place"]["country_code"] == "PT" and out["text"] == "FRESH BREAD"
    bare = PhotoDetail.model_validate({"id": "p2", "status": "processing"}).model_dump(mode="json")
    assert bare["place"] is None and bare["text"] is None and bare["faces"] == []


async def test_recluster_publishes_the_owners_command(gw) -> None:
    client, h = gw
    r = await client.post("/v1/people/recluster", headers=h.auth("alice"))
    assert r.status_code == 202, r.text
    assert r.json() == {"status": "reclustering"}
    [event] = [e for e in h.bus.events if type(e).__name__ == "PersonEditedV1"]
    assert (event.owner_id, event.person_id, event.recluster, event.edited_by) == ("alice", "*", True, "alice")
    assert event.key == "alice"
    r = await client.post("/v1/people/recluster", headers=h.auth("alice", scope="photos:read"))
    assert r.status_code == 403
