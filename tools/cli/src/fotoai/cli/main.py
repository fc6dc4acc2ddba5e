"""`fotoai`: talk to the local stack's gateway from a terminal.

    fotoai token [--user U] [--scope S]      print a local HS256 token
    fotoai upload FILE… [--wait]            upload photos, print their ids (and wait for them)
    fotoai ls [--status S] [--tag T]         list my photos, newest first
    fotoai show ID                           one photo in detail (JSON)
    fotoai search Q                          search my photos
    fotoai rm ID                             move a photo to the trash
    fotoai import DIR… [--album NAME]       import folders (resumable, skips duplicates)

The gateway URL and the JWT secret come from `.fotoai/stack.env` (FOTOAI_STACK_ENV overrides).
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import httpx
import jwt
from fotoai.cli import importer
from fotoai.cli.config import NOT_RUNNING, Stack, StackNotFound, load_stack


class CliError(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def mint_token(stack: Stack, user: str, scope: str, ttl_s: int = 3600) -> str:
    if not stack.jwt_secret:
        raise CliError("the stack has no local JWT secret (production keys?): pass --token", 2)
    now = int(time.time())
    claims = {"sub": user, "scope": scope, "iat": now, "nbf": now, "exp": now + ttl_s,
              "iss": stack.jwt_issuer, "aud": stack.jwt_audience}
    return jwt.encode(claims, stack.jwt_secret, algorithm="HS256")


class Api:
    def __init__(self, stack: Stack, token: str, transport: httpx.BaseTransport | None = None) -> None:
        self.client = httpx.Client(base_url=stack.gateway_url, headers={"Authorization": f"Bearer {token}"},
                                   timeout=httpx.Timeout(30.0, write=600.0, read=120.0), transport=transport)

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            resp = self.client.request(method, path, **kw)
        except httpx.ConnectError:
            raise CliError(f"{NOT_RUNNING} (nothing answers at {self.client.base_url})", 2) from None
        except httpx.TimeoutException:
            raise CliError(f"the gateway at {self.client.base_url} did not answer in time", 2) from None
        if resp.status_code >= 400:
            try:
                p = resp.json()
                msg = f"{p.get('status', resp.status_code)} {p.get('title', '')}: {p.get('detail', '')}".rstrip(": ")
            except ValueError:
                msg = f"{resp.status_code} {resp.text[:200]}"
            if resp.status_code == 429 and "retry-after" in resp.headers:
                msg += f" (retry in {resp.headers['retry-after']} s)"
            raise CliError(msg)
        return resp


def _fmt_size(n: int | None) -> str:
    if n is None:
        return "-"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _table(rows: list[list[str]], out: TextIO) -> None:
    if not rows:
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out.writelines("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n" for r in rows)


def _status_text(photo: dict[str, Any]) -> str:
    """"ready", or "degraded (enhance failed)" with the stages that gave up."""
    status = photo.get("status", "?")
    failed = photo.get("failed_stages") or []
    return f"{status} ({', '.join(failed)} failed)" if status == "degraded" and failed else status


def _summary_rows(items: list[dict[str, Any]]) -> list[list[str]]:
    rows = [["ID", "STATUS", "CREATED", "SIZE", "FILE", "TAGS"]]
    for p in items:
        tags = ", ".join(t["label"] for t in p.get("tags") or [])
        rows.append([p["id"], _status_text(p), (p.get("created_at") or "")[:19], _fmt_size(p.get("size")),
                     p.get("file_name") or "-", tags])
    return rows


def cmd_token(args: argparse.Namespace, stack: Stack, out: TextIO, **_: Any) -> None:
    out.write(mint_token(stack, args.user, args.scope, args.ttl) + "\n")


def cmd_upload(args: argparse.Namespace, api: Api, out: TextIO, **_: Any) -> None:
    uploaded: list[tuple[str, str, float]] = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise CliError(f"{name}: no such file")
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        t0 = time.monotonic()
        with path.open("rb") as fh:
            # A fresh key per file: a retried request after a dropped answer is not a second upload.
            resp = api.request("POST", "/v1/photos", files={"file": (path.name, fh, ctype)},
                               headers={"Idempotency-Key": str(uuid.uuid4())})
        body = resp.json()
        out.write(f"{body['id']}  {path.name}  {_fmt_size(body['size'])}  sha256:{body['sha256'][:12]}…\n")
        uploaded.append((body["id"], path.name, t0))
    if args.wait:
        _wait(api, uploaded, args.timeout, out)


#: Statuses a photo ends in: every stage answered (or ingest refused it).
SETTLED = ("ready", "degraded", "rejected")


def _wait(api: Api, uploaded: list[tuple[str, str, float]], timeout: float, out: TextIO) -> None:
    pending = {pid: (name, t0) for pid, name, t0 in uploaded}
    deadline = time.monotonic() + timeout
    failed = False
    while pending:
        for pid in list(pending):
            name, t0 = pending[pid]
            try:
                photo = api.request("GET", f"/v1/photos/{pid}").json()
            except CliError as exc:
                if str(exc).startswith("404"):
                    continue  # the catalog has not seen the upload event yet
                raise
            status = photo.get("status")
            if status in SETTLED:
                stages = photo.get("stages") or {}
                took = time.monotonic() - t0
                detail = " ".join(f"{k}={v}" for k, v in stages.items())
                if status == "rejected":
                    failed = True
                    rej = photo.get("rejection") or {}
                    detail = f"{rej.get('reason', '?')}: {rej.get('message', '')}"
                elif status == "degraded":
                    failed = True
                    why = "; ".join(f"{f.get('stage')}: {f.get('error_type', '')} {f.get('message', '')}".rstrip()
                                    for f in photo.get("failures") or [])
                    detail = f"{detail}  {why}".rstrip()
                out.write(f"{pid}  {name}  {_status_text(photo)} in {took:.1f} s  {detail}\n")
                del pending[pid]
        if pending:
            if time.monotonic() > deadline:
                raise CliError(f"still processing after {timeout:.0f} s: {', '.join(pending)}")
            time.sleep(0.5)
    if failed:
        raise CliError("some photos were rejected or degraded "
                       "(re-run failed stages: python -m fotoai.servicekit.dlq rerun --photo ID)")


def cmd_ls(args: argparse.Namespace, api: Api, out: TextIO, **_: Any) -> None:
    params: dict[str, Any] = {"limit": args.limit}
    if args.status:
        params["status"] = args.status
    if args.tag:
        params["tag"] = args.tag
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = api.request("GET", "/v1/photos", params={**params, **({"cursor": cursor} if cursor else {})}).json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor or not args.all:
            break
    if not items:
        out.write("no photos\n")
        return
    _table(_summary_rows(items), out)
    if cursor:
        out.write("… more: use --all\n")


def cmd_show(args: argparse.Namespace, api: Api, out: TextIO, **_: Any) -> None:
    out.write(json.dumps(api.request("GET", f"/v1/photos/{args.id}").json(), indent=2) + "\n")


def cmd_search(args: argparse.Namespace, api: Api, out: TextIO, **_: Any) -> None:
    answer = api.request("GET", "/v1/search", params={"q": args.query, "limit": args.limit}).json()
    out.write(f"{len(answer['items'])} result(s), {answer.get('mode', '?')} search\n")
    _table(_summary_rows(answer["items"]), out)


def cmd_rm(args: argparse.Namespace, api: Api, out: TextIO, **_: Any) -> None:
    for pid in args.ids:
        api.request("DELETE", f"/v1/photos/{pid}")
        out.write(f"{pid}  trashed\n")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="fotoai", description="Command-line client of the local FotoAI stack.")
    ap.add_argument("--user", default=os.environ.get("FOTOAI_USER", "dev"), help="act as this user (default: dev)")
    ap.add_argument("--token", default=os.environ.get("FOTOAI_TOKEN"), help="use this bearer token instead of minting one")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("token", help="print a local HS256 token")
    p.add_argument("--scope", default="photos:read photos:write")
    p.add_argument("--ttl", type=int, default=3600, help="seconds")
    p.set_defaults(func=cmd_token, needs_api=False)

    p = sub.add_parser("upload", help="upload photos")
    p.add_argument("files", nargs="+")
    p.add_argument("--wait", action="store_true", help="wait until each photo is ready or rejected")
    p.add_argument("--timeout", type=float, default=300.0)
    p.set_defaults(func=cmd_upload, needs_api=True)

    p = sub.add_parser("ls", help="list my photos")
    p.add_argument("--status", choices=["processing", "ready", "degraded", "rejected"])
    p.add_argument("--tag")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--all", action="store_true", help="follow the cursor to the end")
    p.set_defaults(func=cmd_ls, needs_api=True)

    p = sub.add_parser("show", help="one photo in detail")
    p.add_argument("id")
    p.set_defaults(func=cmd_show, needs_api=True)

    p = sub.add_parser("search", help="search my photos")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_search, needs_api=True)

    importer.add_parser(sub)

    p = sub.add_parser("rm", help="delete photos")
    p.add_argument("ids", nargs="+")
    p.set_defaults(func=cmd_rm, needs_api=True)
    for sp in sub.choices.values():
        # `fotoai token --user U` as well as `fotoai --user U token`.
        sp.add_argument("--user", default=argparse.SUPPRESS, help="act as this user")
    return ap


def run(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None,
        transport: httpx.BaseTransport | None = None, load: Callable[[], Stack] = load_stack) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    args = parser().parse_args(argv)
    try:
        stack = load()
        if not args.needs_api:
            args.func(args, stack=stack, out=out)
            return 0
        token = args.token or mint_token(stack, args.user, "photos:read photos:write")
        api = Api(stack, token, transport)
        try:
            args.func(args, api=api, out=out)
        finally:
            api.client.close()
        return 0
    except StackNotFound as exc:
        err.write(f"fotoai: {exc}\n")
        return 2
    except CliError as exc:
        err.write(f"fotoai: {exc}\n")
        return exc.code


def main() -> None:
    sys.exit(run())
