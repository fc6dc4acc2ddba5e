"""`fotoai import DIR…`: bring a whole folder (a phone backup, a photo library) in once.

    fotoai import DIR… [--album NAME] [--jobs N] [--state FILE]

Walks the folders recursively and keeps the photos (by extension; everything else is counted
and left alone). Each photo is hashed first: photos already in the library (the gateway's
SHA-256 lookup) and repeats inside the folders are skipped before a byte is sent. Uploads run
`--jobs` at a time; a 429 or 503 waits its `Retry-After` and tries again instead of stopping.

Resuming: every finished file is appended to a state file (path, size, mtime, sha256, photo
id), so a second run after an interruption passes over what is done without hashing it again.
A file whose upload was in flight when the run stopped is sent again with the same
`Idempotency-Key` (derived from its SHA-256), so the gateway answers with the first upload
instead of storing a second one. The end is a summary: uploaded, skipped as duplicates, not
photos, refused with reasons.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx

#: What counts as a photo: the formats the ingest service decodes (camera RAW included).
PHOTO_EXTENSIONS = frozenset({
    ".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".gif", ".bmp", ".heic", ".heif",
    ".avif", ".dng", ".cr2", ".cr3", ".nef", ".nrw", ".arw", ".orf", ".rw2", ".raf", ".pef",
    ".srw", ".x3f", ".3fr", ".erf", ".kdc", ".mrw", ".rwl", ".iiq",
})
CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jpe": "image/jpeg", ".png": "image/png",
                 ".webp": "image/webp", ".tif": "image/tiff", ".tiff": "image/tiff", ".gif": "image/gif",
                 ".heic": "image/heic", ".heif": "image/heif", ".avif": "image/avif", ".bmp": "image/bmp"}
LOOKUP_BATCH = 200
ALBUM_BATCH = 1000
#: Give up on one file after this many waits on 429/503 (each waits its Retry-After).
MAX_WAITS = 200


@dataclass
class Photo:
    path: Path
    size: int
    mtime_ns: int
    sha256: str = ""


@dataclass
class Summary:
    found: int = 0
    uploaded: int = 0
    uploaded_bytes: int = 0
    duplicates: int = 0
    resumed: int = 0
    not_photos: int = 0
    unreadable: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    skipped_kinds: Counter[str] = field(default_factory=Counter)


def walk(roots: list[Path], summary: Summary) -> Iterator[Photo]:
    """Photos under `roots`, recursively, in a stable order; other files are only counted."""
    for root in roots:
        if root.is_file():
            entries: list[tuple[str, list[str]]] = [(str(root.parent), [root.name])]
        else:
            entries = []
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames.sort()
                entries.append((dirpath, sorted(filenames)))
        for dirpath, names in entries:
            for name in names:
                path = Path(dirpath) / name
                ext = path.suffix.lower()
                if ext not in PHOTO_EXTENSIONS or name.startswith("._"):
                    summary.not_photos += 1
                    summary.skipped_kinds[ext or "(none)"] += 1
                    continue
                try:
                    st = path.stat()
                except OSError:
                    summary.unreadable += 1
                    continue
                summary.found += 1
                yield Photo(path.resolve(), st.st_size, st.st_mtime_ns)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class StateFile:
    """Append-only JSON lines: one per finished file, and one per album created."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[str, dict[str, Any]] = {}
        self.albums: dict[str, str] = {}
        if path.exists():
            for line in path.read_text().splitlines():
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue  # a line cut by the interruption
                if "album" in rec:
                    self.albums[rec["album"]] = rec["album_id"]
                elif "path" in rec:
                    self.done[rec["path"]] = rec
        path.parent.mkdir(parents=True, exist_ok=True)
        torn = path.exists() and path.stat().st_size > 0 and not path.read_bytes().endswith(b"\n")
        self._fh = path.open("a")
        if torn:
            self._fh.write("\n")  # end the line the interruption cut, so the next record stands alone
        self._lock = threading.Lock()

    def known(self, photo: Photo) -> dict[str, Any] | None:
        """The record of this very file (same size and mtime) if it is done; refused files are
        tried again."""
        rec = self.done.get(str(photo.path))
        if rec and "refused" not in rec and rec.get("size") == photo.size and rec.get("mtime_ns") == photo.mtime_ns:
            return rec
        return None

    def record(self, **rec: Any) -> None:
        with self._lock:
            self._fh.write(json.dumps(rec) + "\n")
            self._fh.flush()
            os.fsync(self._fh.fileno())
            if "path" in rec:
                self.done[rec["path"]] = rec
            if "album" in rec:
                self.albums[rec["album"]] = rec["album_id"]

    def close(self) -> None:
        self._fh.close()


def default_state_path(roots: list[Path], user: str, gateway: str) -> Path:
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "fotoai" / "imports"
    key = hashlib.sha256(json.dumps([sorted(str(r.resolve()) for r in roots), user, gateway]).encode()).hexdigest()
    return base / f"{key[:16]}.jsonl"


class Refused(Exception):
    """The gateway will not take this file (too large, not an image …): reported, not retried."""


class Uploader:
    """One file's upload, waiting out 429/503 with their Retry-After."""

    def __init__(self, client: httpx.Client, sleep: Any = time.sleep) -> None:
        self.client = client
        self.sleep = sleep
        self.waits = 0

    def upload(self, photo: Photo) -> dict[str, Any]:
        ctype = CONTENT_TYPES.get(photo.path.suffix.lower(), "application/octet-stream")
        for _ in range(MAX_WAITS):
            try:
                with photo.path.open("rb") as fh:
                    resp = self.client.post(
                        "/v1/photos", files={"file": (photo.path.name, fh, ctype)},
                        # The same bytes always carry the same key: a retry after a lost answer
                        # (or an interrupted run) gets the first upload back, never a second one.
                        headers={"Idempotency-Key": f"import-{photo.sha256}"},
                    )
            except httpx.TransportError:
                self.waits += 1
                self.sleep(2.0)
                continue
            if resp.status_code == 202:
                return resp.json()
            if resp.status_code in (408, 409, 429, 502, 503, 504):
                self.waits += 1
                self.sleep(retry_after(resp))
                continue
            raise Refused(problem_text(resp))
        raise Refused(f"gave up after {MAX_WAITS} waits for the gateway")


def retry_after(resp: httpx.Response, default: float = 1.0) -> float:
    raw = resp.headers.get("retry-after", "")
    try:
        return min(max(float(raw), 0.1), 300.0)
    except ValueError:
        return default


def problem_text(resp: httpx.Response) -> str:
    try:
        p = resp.json()
        return f"{resp.status_code} {p.get('title', '')}: {p.get('detail', '')}".rstrip(": ")
    except ValueError:
        return f"{resp.status_code} {resp.text[:200]}"


def _progress(err: TextIO) -> Any:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    console = Console(file=err)
    return Progress(
        TextColumn("[bold]importing"), BarColumn(), TextColumn("{task.fields[files]} files"),
        DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(),
        console=console, disable=not console.is_terminal,
    )


def run_import(args: argparse.Namespace, client: httpx.Client, out: TextIO, err: TextIO,
               user: str, sleep: Any = time.sleep) -> Summary:
    roots = [Path(d) for d in args.dirs]
    for r in roots:
        if not r.exists():
            raise FileNotFoundError(f"{r}: no such file or directory")
    summary = Summary()
    photos = list(walk(roots, summary))
    state = StateFile(Path(args.state) if args.state else default_state_path(roots, user, str(client.base_url)))
    album_ids: list[str] = []
    try:
        todo: list[Photo] = []
        for p in photos:
            rec = state.known(p)
            if rec:
                summary.resumed += 1
                if rec.get("photo_id"):
                    album_ids.append(rec["photo_id"])
            else:
                todo.append(p)
        total_bytes = sum(p.size for p in todo)
        progress = _progress(err)
        finished = 0
        with progress, ThreadPoolExecutor(max_workers=args.jobs) as pool:
            task = progress.add_task("import", total=max(total_bytes, 1), files=f"0/{len(todo)}")

            def advance(p: Photo) -> None:
                nonlocal finished
                finished += 1
                progress.update(task, advance=p.size, files=f"{finished}/{len(todo)}")

            # Hash in parallel, then ask the gateway which hashes it already holds.
            for p, digest in zip(todo, pool.map(lambda p: sha256_of(p.path), todo), strict=True):
                p.sha256 = digest
            existing: dict[str, str] = {}
            hashes = sorted({p.sha256 for p in todo})
            for i in range(0, len(hashes), LOOKUP_BATCH):
                existing |= lookup(client, hashes[i:i + LOOKUP_BATCH], sleep)
            seen_in_run: set[str] = set()
            #: Later files with the same bytes as one being uploaded in this run: each gets a
            #: record of its own once the first is done, so a later run resumes it by its path.
            copies: dict[str, list[Photo]] = {}
            uploads: list[Photo] = []
            for p in todo:
                if p.sha256 in existing:
                    summary.duplicates += 1
                    album_ids.append(existing[p.sha256])
                    state.record(path=str(p.path), size=p.size, mtime_ns=p.mtime_ns, sha256=p.sha256,
                                 photo_id=existing[p.sha256], duplicate=True)
                    advance(p)
                elif p.sha256 in seen_in_run:
                    summary.duplicates += 1
                    copies.setdefault(p.sha256, []).append(p)  # recorded when its first copy is
                    advance(p)
                else:
                    seen_in_run.add(p.sha256)
                    uploads.append(p)

            uploader = Uploader(client, sleep)
            first_of: dict[str, Photo] = {}
            pending: set[Future[Any]] = set()
            by_future: dict[Future[Any], Photo] = {}
            queue = iter(uploads)

            def submit_next() -> bool:
                p = next(queue, None)
                if p is None:
                    return False
                first_of[p.sha256] = p
                f = pool.submit(uploader.upload, p)
                by_future[f] = p
                pending.add(f)
                return True

            for _ in range(args.jobs * 2):
                if not submit_next():
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    pending.discard(f)
                    p = by_future.pop(f)
                    try:
                        answer = f.result()
                    except Refused as exc:
                        summary.refused.append((str(p.path), str(exc)))
                        state.record(path=str(p.path), size=p.size, mtime_ns=p.mtime_ns, sha256=p.sha256,
                                     refused=str(exc))
                        for c in copies.pop(p.sha256, []):
                            state.record(path=str(c.path), size=c.size, mtime_ns=c.mtime_ns, sha256=c.sha256,
                                         refused=str(exc))
                    except OSError as exc:
                        summary.unreadable += 1
                        summary.refused.append((str(p.path), f"unreadable: {exc}"))
                    else:
                        summary.uploaded += 1
                        summary.uploaded_bytes += p.size
                        album_ids.append(answer["id"])
                        state.record(path=str(p.path), size=p.size, mtime_ns=p.mtime_ns, sha256=p.sha256,
                                     photo_id=answer["id"])
                        for c in copies.pop(p.sha256, []):
                            state.record(path=str(c.path), size=c.size, mtime_ns=c.mtime_ns, sha256=c.sha256,
                                         photo_id=answer["id"], duplicate=True)
                    advance(p)
                    submit_next()
        if args.album:
            add_to_album(client, state, args.album, album_ids, sleep)
    finally:
        state.close()
    return summary


def lookup(client: httpx.Client, hashes: list[str], sleep: Any) -> dict[str, str]:
    for _ in range(MAX_WAITS):
        resp = client.post("/v1/photos/lookup", json={"sha256": hashes})
        if resp.status_code == 200:
            return resp.json()["found"]
        if resp.status_code in (429, 502, 503, 504):
            sleep(retry_after(resp))
            continue
        raise RuntimeError(f"duplicate lookup failed: {problem_text(resp)}")
    raise RuntimeError("duplicate lookup: the gateway kept refusing")


def _call(client: httpx.Client, method: str, path: str, sleep: Any, **kw: Any) -> httpx.Response:
    for _ in range(MAX_WAITS):
        resp = client.request(method, path, **kw)
        if resp.status_code in (429, 502, 503, 504):
            sleep(retry_after(resp))
            continue
        if resp.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {problem_text(resp)}")
        return resp
    raise RuntimeError(f"{method} {path}: the gateway kept refusing")


def add_to_album(client: httpx.Client, state: StateFile, name: str, photo_ids: list[str], sleep: Any) -> str:
    """Put the photos in the album called `name`: the one this import made before, else the
    owner's album of that title, else a new one."""
    album_id = state.albums.get(name)
    if album_id is None:
        albums = _call(client, "GET", "/v1/albums", sleep).json()["items"]
        album_id = next((a["id"] for a in albums if a.get("title") == name), None)
    if album_id is None:
        album_id = _call(client, "POST", "/v1/albums", sleep, json={"title": name}).json()["id"]
    state.record(album=name, album_id=album_id)
    ids = list(dict.fromkeys(photo_ids))
    for i in range(0, len(ids), ALBUM_BATCH):
        _call(client, "POST", f"/v1/albums/{album_id}/photos", sleep, json={"photo_ids": ids[i:i + ALBUM_BATCH]})
    return album_id


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def print_summary(summary: Summary, elapsed_s: float, out: TextIO) -> None:
    rate = summary.uploaded / elapsed_s if elapsed_s > 0 else 0.0
    out.write(
        f"found {summary.found} photo(s); uploaded {summary.uploaded} ({_size(summary.uploaded_bytes)}, "
        f"{rate:.1f}/s); skipped {summary.duplicates} duplicate(s); {summary.resumed} already imported; "
        f"{summary.not_photos} other file(s) left alone; refused {len(summary.refused)}\n"
    )
    if summary.skipped_kinds:
        kinds = ", ".join(f"{k} ×{n}" for k, n in summary.skipped_kinds.most_common(8))
        out.write(f"not photos: {kinds}\n")
    out.writelines(f"refused  {path}  {why}\n" for path, why in summary.refused)


def cmd_import(args: argparse.Namespace, api: Any, out: TextIO, **_: Any) -> None:
    import sys

    t0 = time.monotonic()
    summary = run_import(args, api.client, out, sys.stderr, user=getattr(args, "user", "dev"))
    print_summary(summary, time.monotonic() - t0, out)


def add_parser(sub: Any, func: Any = cmd_import) -> None:
    p = sub.add_parser("import", help="import folders of photos (recursive, resumable, skips duplicates)")
    p.add_argument("dirs", nargs="+", metavar="DIR")
    p.add_argument("--album", help="also put every imported photo in this album (made if missing)")
    p.add_argument("--jobs", type=int, default=4, help="uploads at once (default 4)")
    p.add_argument("--state", help="resume file (default: under $XDG_STATE_HOME/fotoai/imports)")
    p.set_defaults(func=func, needs_api=True)
