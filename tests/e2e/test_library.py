"""The library on the real stack: capture-time order from EXIF, albums shared by link (visible
without an account, only that album, dead once revoked), trash → restore → purge (objects
gone), and `fotoai import` of 500 photos interrupted halfway and run again."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx
import numpy as np
import pytest
from fotoai.servicekit.testing import stack_env_path
from PIL import Image

from tests.support import wait_until_settled

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def photo_taken(at: datetime, seed: int, size: tuple[int, int] = (96, 64)) -> bytes:
    """A small real JPEG (scikit-image's astronaut, cropped per seed) with EXIF capture time."""
    from skimage import data

    base = data.astronaut()
    rng = np.random.default_rng(seed)
    y, x = (int(v) for v in rng.integers(0, 300, size=2))
    crop = Image.fromarray(base[y:y + 200, x:x + 200]).resize(size)
    exif = Image.Exif()
    stamp = at.strftime("%Y:%m:%d %H:%M:%S")
    exif[0x0132] = stamp  # DateTime
    exif.get_ifd(0x8769)[0x9003] = stamp  # DateTimeOriginal
    buf = io.BytesIO()
    crop.save(buf, "JPEG", quality=85, exif=exif)
    return buf.getvalue()


async def _eventually(check, timeout: float = 120, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s")
        await asyncio.sleep(every)


async def _upload(gateway: httpx.AsyncClient, data: bytes, name: str) -> str:
    r = await gateway.post("/v1/photos", files={"file": (name, data, "image/jpeg")})
    assert r.status_code == 202, r.text
    return r.json()["id"]


async def test_photos_come_back_in_capture_order(gateway) -> None:
    # Uploaded newest-taken first, so upload order and capture order disagree.
    taken = [datetime(2021, 7, 3, 9, 0), datetime(2018, 2, 1, 12, 0), datetime(2023, 12, 24, 18, 30)]
    ids = [await _upload(gateway, photo_taken(at, i), f"t{i}.jpg") for i, at in enumerate(taken)]
    for pid in ids:
        await wait_until_settled(gateway, pid)
    page = (await gateway.get("/v1/photos", params={"sort": "taken"})).json()
    assert [p["id"] for p in page["items"]] == [ids[2], ids[0], ids[1]]
    assert page["items"][0]["taken_at"].startswith("2023-12-24T18:30")
    first = (await gateway.get("/v1/photos", params={"sort": "taken", "limit": 2})).json()
    rest = (await gateway.get("/v1/photos", params={"sort": "taken", "limit": 2, "cursor": first["next_cursor"]})).json()
    assert [p["id"] for p in first["items"] + rest["items"]] == [ids[2], ids[0], ids[1]]
    buckets = (await gateway.get("/v1/timeline")).json()["buckets"]
    assert buckets == [{"month": "2023-12", "count": 1}, {"month": "2021-07", "count": 1},
                       {"month": "2018-02", "count": 1}]

    # Favourites and the archive.
    assert (await gateway.patch(f"/v1/photos/{ids[0]}", json={"favorite": True})).status_code == 202
    assert (await gateway.patch(f"/v1/photos/{ids[1]}", json={"archived": True})).status_code == 202

    async def flags_applied():
        fav = (await gateway.get("/v1/photos", params={"favorite": "true"})).json()["items"]
        timeline = (await gateway.get("/v1/photos", params={"sort": "taken"})).json()["items"]
        return [p["id"] for p in fav] == [ids[0]] and ids[1] not in [p["id"] for p in timeline]

    await _eventually(flags_applied)
    archived = (await gateway.get("/v1/photos", params={"archived": "true"})).json()["items"]
    assert [p["id"] for p in archived] == [ids[1]] and archived[0]["archived"] is True


async def test_an_album_shared_by_link_shows_only_its_photos_until_revoked(gateway, stack_env) -> None:
    inside = [await _upload(gateway, photo_taken(datetime(2022, 5, i + 1), 100 + i), f"in{i}.jpg") for i in range(2)]
    outside = await _upload(gateway, photo_taken(datetime(2022, 6, 1), 200), "out.jpg")
    for pid in [*inside, outside]:
        await wait_until_settled(gateway, pid)
    r = await gateway.post("/v1/albums", json={"title": "Grandma's birthday"})
    assert r.status_code == 201
    album = r.json()["id"]
    assert (await gateway.post(f"/v1/albums/{album}/photos", json={"photo_ids": inside})).status_code == 202
    r = await gateway.post(f"/v1/albums/{album}/links", json={"expires_in": 3600})
    assert r.status_code == 201
    link = r.json()
    assert set(link) >= {"id", "token", "url", "expires_at"}

    async with httpx.AsyncClient(base_url=stack_env["FOTOAI_GATEWAY_URL"], timeout=30) as anonymous:
        async def shared_ready():
            resp = await anonymous.get(f"/v1/shared/{link['token']}")
            return resp.json() if resp.status_code == 200 and len(resp.json()["items"]) == 2 else None

        shared = await _eventually(shared_ready)
        assert shared["album"]["title"] == "Grandma's birthday"
        assert {p["id"] for p in shared["items"]} == set(inside)
        thumb = await anonymous.get(shared["items"][0]["thumb_url"])
        assert thumb.status_code == 200 and thumb.content[:2] == b"\xff\xd8"
        r = await anonymous.get(f"/v1/shared/{link['token']}/photos/{inside[0]}/content", params={"rendition": "display"})
        assert r.status_code == 307
        assert (await anonymous.get(r.headers["location"])).status_code == 200
        # Nothing else of the owner: not a photo outside the album, not their photo routes.
        assert (await anonymous.get(f"/v1/shared/{link['token']}/photos/{outside}/content")).status_code == 404
        assert (await anonymous.get(f"/v1/photos/{outside}")).status_code == 401
        assert (await anonymous.get(f"/v1/shared/{link['token'][:-2]}xx")).status_code == 404

        # The album itself is the owner's only.
        from fotoai.servicekit.testing import mint_token

        other = {"Authorization": f"Bearer {mint_token(stack_env, 'someone-else')}"}
        assert (await anonymous.get(f"/v1/albums/{album}", headers=other)).status_code == 404
        mine = (await gateway.get(f"/v1/albums/{album}")).json()
        assert {p["id"] for p in mine["items"]} == set(inside) and [k["id"] for k in mine["links"]] == [link["id"]]
        assert "token" not in str(mine["links"])

        assert (await gateway.delete(f"/v1/albums/{album}/links/{link['id']}")).status_code == 204
        assert (await anonymous.get(f"/v1/shared/{link['token']}")).status_code == 404
        assert (await anonymous.get(f"/v1/shared/{link['token']}/photos/{inside[0]}/content")).status_code == 404


async def test_trash_restore_then_purge_removes_the_objects(gateway) -> None:
    pid = await _upload(gateway, photo_taken(datetime(2020, 1, 1), 300), "trash.jpg")
    await wait_until_settled(gateway, pid)
    assert (await gateway.delete(f"/v1/photos/{pid}")).status_code == 202

    async def in_trash():
        items = (await gateway.get("/v1/trash")).json()["items"]
        return (await gateway.get(f"/v1/photos/{pid}")).status_code == 404 and [p["id"] for p in items] == [pid]

    await _eventually(in_trash)
    assert pid not in [p["id"] for p in (await gateway.get("/v1/photos")).json()["items"]]
    assert (await gateway.post(f"/v1/trash/{pid}/restore")).status_code == 202

    async def restored():
        return (await gateway.get(f"/v1/photos/{pid}")).status_code == 200

    await _eventually(restored)
    detail = (await gateway.get(f"/v1/photos/{pid}")).json()
    assert detail["status"] == "ready" and {r["name"] for r in detail["renditions"]} >= {"display", "thumb_small"}

    # The objects, reached the way a client reaches them (presigned URLs), before the purge.
    urls = [r["url"] for r in detail["renditions"]]
    original = await gateway.get(f"/v1/photos/{pid}/content", params={"rendition": "original"})
    assert original.status_code == 307
    urls.append(original.headers["location"])
    async with httpx.AsyncClient(timeout=30) as s3:
        assert [(await s3.get(u)).status_code for u in urls] == [200] * len(urls)

        assert (await gateway.delete(f"/v1/photos/{pid}")).status_code == 202
        await _eventually(in_trash)
        assert (await gateway.delete(f"/v1/trash/{pid}")).status_code == 202

        async def purged():
            if (await gateway.get("/v1/trash")).json()["items"]:
                return False
            return [(await s3.get(u)).status_code for u in urls] == [404] * len(urls)

        await _eventually(purged)
    assert (await gateway.post(f"/v1/trash/{pid}/restore")).status_code == 404


def _import(folder: Path, state: Path, user: str, album: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "FOTOAI_STACK_ENV": str(stack_env_path())}
    cmd = [sys.executable, "-m", "fotoai.cli", "--user", user, "import", str(folder), "--state", str(state),
           "--jobs", "4"]
    if album:
        cmd += ["--album", album]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


async def test_import_of_500_photos_interrupted_and_resumed_has_no_duplicates(gateway, user, tmp_path) -> None:
    folder = tmp_path / "library"
    for i in range(500):
        sub = folder / f"{2000 + i % 5}" / f"{i % 7:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"IMG_{i:04d}.jpg").write_bytes(photo_taken(datetime(2000 + i % 5, 1 + i % 12, 1 + i % 28), 1000 + i, (48, 32)))
    (folder / "notes.txt").write_text("not a photo")
    (folder / "2000" / "clip.mov").write_bytes(b"\x00" * 100)
    state = tmp_path / "import-state.jsonl"

    first = _import(folder, state, user)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and first.poll() is None:
        if state.exists() and len(state.read_text().splitlines()) >= 250:
            break
        await asyncio.sleep(0.2)
    assert first.poll() is None, f"the first run ended before it could be interrupted: {first.communicate()}"
    first.send_signal(signal.SIGKILL)  # the hardest interruption: no clean-up at all
    first.wait()
    done_before = len(state.read_text().splitlines())
    assert 250 <= done_before < 500

    second = _import(folder, state, user, album="Imported")
    out, err = second.communicate(timeout=900)
    assert second.returncode == 0, err
    assert "found 500 photo(s)" in out and "refused 0" in out and "2 other file(s) left alone" in out, out
    assert f"{done_before} already imported" in out, out

    async def all_there():
        items, cursor = [], None
        while True:
            params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            page = (await gateway.get("/v1/photos", params=params)).json()
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return items if len(items) >= 500 else None

    items = await _eventually(all_there, timeout=300, every=2)
    assert len(items) == 500
    assert len({p["sha256"] for p in items}) == 500

    # A third run finds everything done and uploads nothing.
    third = _import(folder, state, user)
    out, _ = third.communicate(timeout=300)
    assert third.returncode == 0 and "uploaded 0 " in out and "500 already imported" in out, out

    albums = (await gateway.get("/v1/albums")).json()["items"]

    async def album_filled():
        got = (await gateway.get("/v1/albums")).json()["items"]
        return got and got[0]["photo_count"] == 500

    await _eventually(album_filled, timeout=120)
    assert [a["title"] for a in albums] in (["Imported"], [])
