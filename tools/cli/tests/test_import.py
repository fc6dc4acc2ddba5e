"""`fotoai import` against a scripted gateway (httpx.MockTransport): what it walks and skips,
how it resumes, waits out 429s, reports refusals and fills an album."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import uuid
from pathlib import Path

import httpx
from fotoai.cli.importer import Summary, print_summary, run_import


class FakeGateway:
    def __init__(self, library: set[str] | None = None, busy: int = 0) -> None:
        self.library = dict.fromkeys(library or set(), "existing")
        self.uploads: list[str] = []
        self.keys: dict[str, str] = {}
        self.busy = busy
        self.albums: dict[str, dict] = {}

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/photos/lookup":
            hashes = json.loads(request.content)["sha256"]
            return httpx.Response(200, json={"found": {h: self.library[h] for h in hashes if h in self.library}})
        if path == "/v1/photos":
            if self.busy:
                self.busy -= 1
                return httpx.Response(429, headers={"Retry-After": "0.01"}, json={"title": "Too Many Requests"})
            body = request.read()
            if b"BROKEN" in body:
                return httpx.Response(415, json={"title": "Unsupported Media Type", "detail": "not an image"})
            key = request.headers["idempotency-key"]
            if key not in self.keys:
                self.keys[key] = str(uuid.uuid4())
                self.uploads.append(key)
            return httpx.Response(202, json={"id": self.keys[key], "status": "processing"})
        if path == "/v1/albums" and request.method == "GET":
            return httpx.Response(200, json={"items": [{"id": k, "title": v["title"]} for k, v in self.albums.items()]})
        if path == "/v1/albums":
            aid = str(uuid.uuid4())
            self.albums[aid] = {"title": json.loads(request.content)["title"], "photos": []}
            return httpx.Response(201, json={"id": aid})
        if path.startswith("/v1/albums/") and path.endswith("/photos"):
            self.albums[path.split("/")[3]]["photos"] += json.loads(request.content)["photo_ids"]
            return httpx.Response(202, json={})
        return httpx.Response(404)


def _args(folder: Path, state: Path, album: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(dirs=[str(folder)], album=album, jobs=3, state=str(state))


def _library(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    for i in range(12):
        sub = folder / f"d{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"p{i}.jpg").write_bytes(b"\xff\xd8" + f"photo {i}".encode())
    (folder / "d0" / "copy.JPG").write_bytes(b"\xff\xd8photo 1")  # the same bytes as p1
    (folder / "d1" / "bad.png").write_bytes(b"BROKEN")
    (folder / "readme.txt").write_text("hello")
    (folder / "d2" / "movie.mp4").write_bytes(b"\x00")
    return folder


def _run(gw: FakeGateway, args: argparse.Namespace) -> tuple[Summary, str]:
    client = httpx.Client(base_url="http://gw.test", transport=httpx.MockTransport(gw.handler))
    summary = run_import(args, client, io.StringIO(), io.StringIO(), user="ann", sleep=lambda s: None)
    out = io.StringIO()
    print_summary(summary, 1.0, out)
    return summary, out.getvalue()


def test_walks_skips_duplicates_waits_out_429_and_reports_refusals(tmp_path: Path) -> None:
    folder = _library(tmp_path)
    already = hashlib.sha256(b"\xff\xd8photo 0").hexdigest()
    gw = FakeGateway(library={already}, busy=3)
    summary, text = _run(gw, _args(folder, tmp_path / "state.jsonl", album="Trip"))
    assert summary.found == 14 and summary.not_photos == 2
    assert summary.uploaded == 11  # 12 photos, one already in the library; the copy is skipped
    assert summary.duplicates == 2 and len(gw.uploads) == 11
    assert [r[1] for r in summary.refused] == ["415 Unsupported Media Type: not an image"]
    assert "refused 1" in text and "bad.png" in text and ".txt ×1" in text
    (album,) = gw.albums.values()
    assert album["title"] == "Trip" and len(set(album["photos"])) == 12


def test_a_second_run_resumes_without_uploading_twice(tmp_path: Path) -> None:
    folder = _library(tmp_path)
    state = tmp_path / "state.jsonl"
    gw = FakeGateway()
    _run(gw, _args(folder, state))
    # Interrupted after a few files: keep the first lines of the state, and a torn last line.
    lines = state.read_text().splitlines()
    state.write_text("\n".join(lines[:5]) + "\n" + lines[5][:10])
    kept = sum(1 for line in lines[:5] if "refused" not in line)  # refused files are tried again
    summary, text = _run(gw, _args(folder, state, album="Trip"))
    assert summary.resumed == kept and f"{kept} already imported" in text
    assert len(gw.uploads) == 12  # the re-sent files carried the same Idempotency-Key
    summary, _ = _run(gw, _args(folder, state, album="Trip"))
    # Every photo is done, the copy too (recorded under its own path with its first copy's id,
    # whichever of the two the cut state kept); the refused file is tried again.
    assert summary.uploaded == 0 and summary.resumed == 13 and len(summary.refused) == 1
    assert len(gw.albums) == 1


def test_a_copy_of_a_file_sent_in_the_same_run_is_recorded_under_its_own_path(tmp_path: Path) -> None:
    folder = _library(tmp_path)
    state = tmp_path / "state.jsonl"
    gw = FakeGateway()
    _run(gw, _args(folder, state))
    # Forget both files with the bytes of p1 (the run was cut before either was recorded).
    lines = [line for line in state.read_text().splitlines() if "copy.JPG" not in line and "/p1.jpg" not in line]
    state.write_text("\n".join(lines) + "\n")
    summary, _ = _run(gw, _args(folder, state))
    assert summary.uploaded == 1 and summary.duplicates == 1  # one sent (same key, no new photo), one copy
    assert len(gw.uploads) == 12
    records = [json.loads(line) for line in state.read_text().splitlines() if line.strip()]
    ids = {Path(r["path"]).name: r.get("photo_id") for r in records if "path" in r}
    assert ids["copy.JPG"] == ids["p1.jpg"] is not None
    summary, _ = _run(gw, _args(folder, state))
    assert summary.uploaded == 0 and summary.resumed == 13
