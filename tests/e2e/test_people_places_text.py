"""People, places and text in photos on the running stack: faces become
persons that the owner names and searches by; a GPS position becomes a place found by its city
or country; the words on a sign are found by search."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.support import wait_until_settled

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _jpeg(img: Image.Image, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92, **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def astronaut() -> Image.Image:
    from skimage import data

    return Image.fromarray(data.astronaut())


def astronaut_again() -> Image.Image:
    """The same face in another photo: smaller, tilted, darker."""
    img = astronaut().resize((384, 384)).rotate(5, fillcolor=(40, 40, 40))
    return Image.fromarray((np.asarray(img).astype(np.float32) * 0.7).astype(np.uint8))


def grace_hopper() -> Image.Image:
    from matplotlib import cbook

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        return Image.open(f).convert("RGB")


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    return (float(d), float(m), round((value - d - m / 60) * 3600, 4))


def with_gps(img: Image.Image, lat: float, lon: float) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "FotoAI Test"
    exif[0x8825] = {1: "N" if lat >= 0 else "S", 2: _dms(lat), 3: "E" if lon >= 0 else "W", 4: _dms(lon)}
    return _jpeg(img, exif)


def sign(lines: tuple[str, ...]) -> Image.Image:
    img = Image.new("RGB", (1200, 160 + 150 * len(lines)), (245, 240, 225))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=96)
    for i, line in enumerate(lines):
        draw.text((70, 80 + i * 150), line, fill=(25, 35, 90), font=font)
    return img


async def upload(gateway, name: str, data: bytes) -> str:
    r = await gateway.post("/v1/photos", files={"file": (name, data, "image/jpeg")})
    assert r.status_code == 202, r.text
    return r.json()["id"]


async def eventually(probe: Callable[[], Awaitable[Any]], what: str, timeout: float = 300) -> Any:
    """Poll `probe` until it returns something truthy (the projections are asynchronous)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(1.0)
    raise AssertionError(f"{what} never happened; last answer: {last!r}")


async def search_ids(gateway, q: str) -> set[str]:
    r = await gateway.get("/v1/search", params={"q": q})
    assert r.status_code == 200, r.text
    return {item["id"] for item in r.json()["items"]}


async def test_two_photos_of_one_face_and_one_of_another_are_two_people_found_by_name(gateway):
    same_a = await upload(gateway, "astronaut.jpg", _jpeg(astronaut()))
    same_b = await upload(gateway, "astronaut-again.jpg", _jpeg(astronaut_again()))
    other = await upload(gateway, "hopper.jpg", _jpeg(grace_hopper()))
    for photo_id in (same_a, same_b, other):
        assert (await wait_until_settled(gateway, photo_id))["status"] == "ready"

    async def two_people():
        people = (await gateway.get("/v1/people")).json()["items"]
        counts = sorted(p["photo_count"] for p in people)
        return people if counts == [1, 2] else None

    people = await eventually(two_people, "two people (2 photos + 1 photo)")
    eileen = next(p for p in people if p["photo_count"] == 2)
    hopper = next(p for p in people if p["photo_count"] == 1)
    assert eileen["name"] is None and eileen["thumb_url"]

    r = await gateway.get("/v1/photos", params={"person": eileen["id"]})
    assert r.status_code == 200, r.text
    assert {i["id"] for i in r.json()["items"]} == {same_a, same_b}

    r = await gateway.patch(f"/v1/people/{eileen['id']}", json={"name": "Eileen Collins"})
    assert r.status_code == 202, r.text

    found = await eventually(lambda: _when(search_ids(gateway, "eileen"), lambda ids: ids == {same_a, same_b}),
                             "search?q=eileen finding both photos of the named person")
    assert other not in found
    detail = (await gateway.get(f"/v1/photos/{same_b}")).json()
    assert [f["person_id"] for f in detail["faces"]] == [eileen["id"]]
    assert detail["faces"][0]["person_name"] == "Eileen Collins"
    hopper_detail = (await gateway.get(f"/v1/photos/{other}")).json()
    assert [f["person_id"] for f in hopper_detail["faces"]] == [hopper["id"]]

    # Merge the two: one person left, with all three photos, keeping the name.
    r = await gateway.post(f"/v1/people/{hopper['id']}/merge", json={"into": eileen["id"]})
    assert r.status_code == 202, r.text

    async def merged():
        people = (await gateway.get("/v1/people")).json()["items"]
        return people if [(p["id"], p["photo_count"]) for p in people] == [(eileen["id"], 3)] else None

    people = await eventually(merged, "one person with three photos after the merge")
    assert people[0]["name"] == "Eileen Collins"

    # Another owner sees none of it.
    r = await gateway.get(f"/v1/people/{eileen['id']}", headers={"Authorization": "Bearer x"})
    assert r.status_code == 401


async def _when(awaitable: Awaitable[Any], ok: Callable[[Any], bool]) -> Any:
    value = await awaitable
    return value if ok(value) else None


async def test_a_photo_with_gps_shows_its_place_and_is_found_by_city_or_country(gateway):
    photo_id = await upload(gateway, "tram.jpg", with_gps(sign(("28",)), 38.7223, -9.1393))
    photo = await wait_until_settled(gateway, photo_id)
    assert photo["status"] == "ready"
    assert photo["place"]["country"] == "Portugal" and photo["place"]["country_code"] == "PT"
    assert photo["place"]["city"] == "Lisbon"
    assert photo_id in await search_ids(gateway, "Lisbon")
    assert photo_id in await search_ids(gateway, "portugal")
    assert photo_id not in await search_ids(gateway, "France")

    places = (await gateway.get("/v1/places")).json()["items"]
    assert [(p["city"], p["country"], p["count"]) for p in places] == [("Lisbon", "Portugal", 1)]
    markers = (await gateway.get("/v1/map")).json()["markers"]
    assert [m["id"] for m in markers] == [photo_id]
    assert markers[0]["lat"] == pytest.approx(38.7223, abs=1e-3)


async def test_a_photo_of_a_sign_is_found_by_a_word_on_it(gateway):
    photo_id = await upload(gateway, "sign.jpg", _jpeg(sign(("FRESH BREAD", "OPEN DAILY"))))
    plain = await upload(gateway, "astronaut.jpg", _jpeg(astronaut()))
    for p in (photo_id, plain):
        await wait_until_settled(gateway, p)

    async def read():
        detail = (await gateway.get(f"/v1/photos/{photo_id}")).json()
        return detail if detail.get("text") else None

    detail = await eventually(read, "the sign's text in the detail")
    assert "BREAD" in detail["text"] and "DAILY" in detail["text"]
    found = await eventually(lambda: _when(search_ids(gateway, "bread"), lambda ids: photo_id in ids),
                             "search?q=bread finding the sign")
    assert plain not in found


async def test_a_hidden_person_leaves_people_and_search_until_shown_again(gateway):
    """Hiding is about what the owner sees, not about the photos: a hidden person leaves
    GET /v1/people (listed with ?hidden=true), their name leaves search and the detail's faces,
    and their photos stay in the library. Showing them again brings all of it back."""
    photo_id = await upload(gateway, "astronaut.jpg", _jpeg(astronaut()))
    assert (await wait_until_settled(gateway, photo_id))["status"] == "ready"

    async def listed(hidden: bool = False):
        items = (await gateway.get("/v1/people", params={"hidden": str(hidden).lower()})).json()["items"]
        return items or None

    [person] = await eventually(listed, "the person of the photo")
    assert (await gateway.patch(f"/v1/people/{person['id']}", json={"name": "Hannah Hidden"})).status_code == 202
    await eventually(lambda: _when(search_ids(gateway, "hannah"), lambda ids: ids == {photo_id}), "found by name")

    r = await gateway.patch(f"/v1/people/{person['id']}", json={"hidden": True})
    assert r.status_code == 202 and r.json()["hidden"] is True

    async def gone():
        return (await gateway.get("/v1/people")).json()["items"] == []

    await eventually(gone, "the hidden person leaving GET /v1/people")
    [shown] = await eventually(lambda: listed(hidden=True), "the hidden person under ?hidden=true")
    assert shown["id"] == person["id"] and shown["hidden"] is True and shown["name"] == "Hannah Hidden"
    async def unfound():
        return not await search_ids(gateway, "hannah")

    await eventually(unfound, "the name leaving search")
    detail = (await gateway.get(f"/v1/photos/{photo_id}")).json()
    assert [f["person_name"] for f in detail["faces"]] == [None]
    # The photos stay: in the library, and under the person for whoever asks by id.
    assert photo_id in {i["id"] for i in (await gateway.get("/v1/photos")).json()["items"]}
    r = await gateway.get("/v1/photos", params={"person": person["id"]})
    assert [i["id"] for i in r.json()["items"]] == [photo_id]

    assert (await gateway.patch(f"/v1/people/{person['id']}", json={"hidden": False})).status_code == 202
    await eventually(lambda: _when(search_ids(gateway, "hannah"), lambda ids: ids == {photo_id}), "found again")
    assert [p["id"] for p in (await gateway.get("/v1/people")).json()["items"]] == [person["id"]]
