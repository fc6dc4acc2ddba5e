"""Public routes (docs/architecture.md): authenticate, rate-limit, call a use case, encode the answer.

`Gateway` carries the object graph the routes use; `build_router()` declares the routes and
their OpenAPI (security, error responses, upload bodies). Request bodies of uploads are read
as streams, never through FastAPI's body parsing, so memory stays bounded.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse as StandardJSONResponse
from fastapi.responses import RedirectResponse
from fotoai.gateway.adapters import json_codec
from fotoai.gateway.budget import Budget
from fotoai.gateway.config import GatewaySettings
from fotoai.gateway.domain.admission import UploadsBusy, UploadSlots
from fotoai.gateway.domain.auth import (
    READ,
    WRITE,
    AuthError,
    Principal,
    ScopeError,
    TokenVerifier,
    UnknownKey,
    header_safe,
    mint_hs256,
)
from fotoai.gateway.domain.client_ip import Network, client_ip
from fotoai.gateway.domain.multipart import MultipartError, MultipartStream, boundary_of, read_small
from fotoai.gateway.domain.ratelimit import Decision
from fotoai.gateway.entrypoints import schemas
from fotoai.gateway.errors import (
    CatalogNotFound,
    CatalogRejected,
    CatalogUnavailable,
    IdempotencyConflict,
    KeysUnavailable,
    PublishFailed,
    RateLimited,
    StoreUnavailable,
    UploadRefused,
    UploadTimedOut,
)
from fotoai.gateway.ports import KeySource, KeyValueStore, RateLimiter
from fotoai.gateway.use_cases import (
    DeletePhoto,
    DirectUploads,
    Idempotent,
    PhotoQueries,
    UploadAccepted,
    UploadPhoto,
)
from fotoai.servicekit import metrics
from fotoai.servicekit.app import ProblemError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REALM = 'Bearer realm="fotoai"'
T = TypeVar("T")
#: multipart framing on top of the file itself, tolerated in Content-Length.
MULTIPART_SLACK = 64 * 1024


@dataclass
class Gateway:
    settings: GatewaySettings
    verifier: TokenVerifier
    keys: KeySource
    limiter: RateLimiter
    records: KeyValueStore
    budget: Budget
    idempotent: Idempotent
    upload: UploadPhoto
    direct: DirectUploads
    delete: DeletePhoto
    queries: PhotoQueries
    trusted: tuple[Network, ...]
    slots: UploadSlots


def gateway_of(request: Request) -> Gateway:
    return request.app.state.gateway


class JSONResponse(StandardJSONResponse):
    """The gateway's JSON answers, encoded by `json_codec` (orjson where installed): the same
    bytes as FastAPI's, at a fraction of the CPU for a photo's detail or a page of photos."""

    def render(self, content: Any) -> bytes:
        return json_codec.dumps(content)



#: The OpenAPI security requirement of authenticated routes; the scheme itself is declared by
#: `entrypoints.openapi`. Auth is one flat dependency (no sub-dependencies): FastAPI's
#: dependency solving was the largest cost of an authenticated read.
BEARER: dict[str, Any] = {"security": [{"HTTPBearer": []}]}


# ---------------------------------------------------------------- rate limits


class RateLimitHeaders:
    """Adds the `RateLimit-*` headers a dependency left in the request state to the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = (scope.get("state") or {}).get("ratelimit_headers")
                if extra:
                    names = {k.lower() for k, _ in message.get("headers", [])}
                    message["headers"] = list(message.get("headers", [])) + [
                        (k.lower().encode(), v.encode()) for k, v in extra.items() if k.lower().encode() not in names
                    ]
            await send(message)

        await self.app(scope, receive, send_with)


class SecurityHeaders:
    """`nosniff` and a CSP that allows nothing on every API answer: a response that somehow
    carried markup would still neither render nor run. The interactive docs page keeps its own."""

    HEADERS = (
        (b"x-content-type-options", b"nosniff"),
        (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        (b"referrer-policy", b"no-referrer"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith("/docs"):
            await self.app(scope, receive, send)
            return

        async def send_with(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, send_with)


def client_ip_of(request: Request, gw: Gateway | None = None) -> str:
    """The client's address: the peer, or what a trusted proxy says it forwarded."""
    peer = request.scope.get("client")
    trusted = (gw or gateway_of(request)).trusted
    return client_ip(peer[0] if peer else None, request.headers.get("x-forwarded-for"), trusted)


async def spend(request: Request, charge: Awaitable[Decision | None]) -> None:
    """Await a `Budget` charge and tell the client where its budget stands (`RateLimit-*`);
    a refusal (`RateLimited`) is answered 429 by the error translation."""
    decision = await charge
    if decision is not None:
        request.state.ratelimit_headers = decision.headers()


# ---------------------------------------------------------------- authentication


def _unauthorized(exc: AuthError) -> ProblemError:
    # The description may quote the token's own header (`kid`): only safe characters reach the header.
    challenge = REALM if exc.missing else f'{REALM}, error="invalid_token", error_description="{header_safe(exc.description)}"'
    return ProblemError(401, "Unauthorized", exc.description, headers={"WWW-Authenticate": challenge})


async def _verify(gw: Gateway, token: str) -> Principal:
    try:
        try:
            return gw.verifier.verify(token, await gw.keys.keyring())
        except UnknownKey:
            # Signing keys rotate: look again once before refusing.
            return gw.verifier.verify(token, await gw.keys.refresh())
    except KeysUnavailable as exc:
        raise ProblemError(503, "Identity Provider Unavailable", str(exc), headers={"Retry-After": "5"}) from None


async def _authenticate(request: Request, gw: Gateway, scope: str) -> tuple[Principal, str]:
    """The caller, with `scope`, and the client's address (also left in `request.state.client_ip`)."""
    ip = client_ip_of(request, gw)
    try:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("a bearer token is required", missing=True)
        principal = await _verify(gw, token.strip())
    except AuthError as exc:
        # Failed attempts still spend the address's budget: no free token guessing.
        await spend(request, gw.budget.anonymous(ip))
        raise _unauthorized(exc) from None
    try:
        principal.require(scope)
    except ScopeError as exc:
        raise ProblemError(
            403, "Forbidden", str(exc),
            headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{exc.needed}"'},
        ) from None
    request.state.client_ip = ip
    return principal, ip


async def reader(request: Request) -> Principal:
    """A caller with the read scope, charged a read."""
    gw = gateway_of(request)
    principal, ip = await _authenticate(request, gw, READ)
    await spend(request, gw.budget.read(principal.sub, ip))
    return principal


async def writer(request: Request) -> Principal:
    """A caller with the write scope, charged a command (deletes, edits, completions)."""
    gw = gateway_of(request)
    principal, ip = await _authenticate(request, gw, WRITE)
    await spend(request, gw.budget.write(principal.sub, ip))
    return principal


async def uploader(request: Request) -> Principal:
    """A caller with the write scope; the upload routes charge the upload budget themselves
    (they know the declared size)."""
    principal, _ = await _authenticate(request, gateway_of(request), WRITE)
    return principal


Reader = Annotated[Principal, Depends(reader)]
Writer = Annotated[Principal, Depends(writer)]
Uploader = Annotated[Principal, Depends(uploader)]
PhotoId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


# ---------------------------------------------------------------- error translation


def _translate(exc: Exception) -> ProblemError:
    if isinstance(exc, CatalogNotFound):
        return ProblemError(404, "Not Found", "no such photo")
    if isinstance(exc, CatalogRejected):
        return ProblemError(400, "Bad Request", str(exc))
    if isinstance(exc, CatalogUnavailable):
        return ProblemError(503, "Catalog Unavailable", str(exc), headers={"Retry-After": "5"})
    if isinstance(exc, PublishFailed):
        return ProblemError(503, "Event Bus Unavailable", "the upload could not be recorded; retry", headers={"Retry-After": "5"})
    if isinstance(exc, UploadRefused):
        return ProblemError(exc.status, exc.title, exc.detail)
    if isinstance(exc, MultipartError):
        return ProblemError(400, "Bad Request", str(exc))
    if isinstance(exc, StoreUnavailable):
        return ProblemError(503, "Record Store Unavailable", "retry shortly", headers={"Retry-After": "5"})
    if isinstance(exc, UploadTimedOut):
        return ProblemError(408, "Request Timeout", str(exc), headers={"Connection": "close"})
    if isinstance(exc, RateLimited):
        return ProblemError(429, "Too Many Requests", str(exc), headers=exc.decision.headers())
    if isinstance(exc, IdempotencyConflict):
        return ProblemError(409, "Conflict", str(exc), headers={"Retry-After": "1"})
    if isinstance(exc, UploadsBusy):
        return ProblemError(exc.status, "Too Many Uploads" if exc.status == 429 else "Server Busy", exc.detail,
                            headers={"Retry-After": str(exc.retry_after_s)})
    raise exc


#: The use cases' errors; `register_error_translation` answers each as problem+json, so routes
#: just call their use case.
TRANSLATED = (CatalogNotFound, CatalogRejected, CatalogUnavailable, PublishFailed, UploadRefused, MultipartError,
              StoreUnavailable, UploadTimedOut, UploadsBusy, RateLimited, IdempotencyConflict)


async def or_not_found(awaitable: Awaitable[T], detail: str = "no such photo") -> T:
    """Await a use case, answering its `CatalogNotFound` as a 404 that names what was missing;
    its other errors are answered by the error translation."""
    try:
        return await awaitable
    except CatalogNotFound:
        raise ProblemError(404, "Not Found", detail) from None


def register_error_translation(app: Any) -> None:
    from fotoai.servicekit.app import problem

    async def handler(_: Request, exc: Exception) -> StandardJSONResponse:
        err = _translate(exc)
        resp = problem(err.status, err.title, err.detail, err.type_)
        resp.headers.update(err.headers)
        return resp

    for kind in TRANSLATED:
        app.add_exception_handler(kind, handler)

_PROBLEM = {"model": schemas.Problem, "content": {"application/problem+json": {}}}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "malformed request", 401: "missing or invalid token", 403: "missing scope",
        404: "no such photo (or not yours)", 409: "conflict", 413: "too large", 415: "not an image",
        422: "invalid parameters", 429: "rate limited (see Retry-After)", 503: "a dependency is down",
    }
    return {c: {**_PROBLEM, "description": descriptions[c]} for c in (401, 422, 429, *codes)}


_RATE_HEADERS = {
    "RateLimit-Limit": {"schema": {"type": "string"}, "description": "capacity of the constraining bucket"},
    "RateLimit-Remaining": {"schema": {"type": "string"}, "description": "requests left in it"},
    "RateLimit-Reset": {"schema": {"type": "string"}, "description": "seconds until it is full again"},
}

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "required": ["file"],
                           "properties": {"file": {"type": "string", "format": "binary"}}},
            },
            "image/*": {"schema": {"type": "string", "format": "binary"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    },
}


# ---------------------------------------------------------------- upload streams


async def _idle_guarded(chunks: AsyncIterator[bytes], idle_s: float) -> AsyncIterator[bytes]:
    """The request body, ended by UploadTimedOut when no byte arrives for `idle_s`."""
    it = aiter(chunks)
    while True:
        try:
            async with asyncio.timeout(idle_s):
                chunk = await anext(it)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise UploadTimedOut(f"no bytes received for {idle_s:g} s") from None
        if chunk:
            yield chunk


async def _file_from_multipart(
    body: AsyncIterator[bytes], content_type: str, max_fields: int
) -> tuple[AsyncIterator[bytes], str | None, str | None]:
    stream = MultipartStream(body, boundary_of(content_type))
    fields = 0
    async for info, data in stream.parts():
        if info.name == "file":
            return data, info.filename, info.content_type
        fields += 1
        if fields > max_fields:
            raise MultipartError(f"more than {max_fields} form fields before `file`")
        await read_small(data, 16 * 1024)
    raise MultipartError("the form has no `file` field")


def _raw_file_name(request: Request) -> str | None:
    raw = request.headers.get("x-file-name") or request.query_params.get("file_name")
    return unquote(raw) if raw else None


async def _answer_upload(request: Request, gw: Gateway, principal: Principal) -> UploadAccepted:
    ctype = request.headers.get("content-type", "")
    ctype_main = ctype.split(";", 1)[0].strip().lower()
    multipart = ctype_main == "multipart/form-data"
    if not (multipart or ctype_main.startswith("image/") or ctype_main == "application/octet-stream"):
        raise ProblemError(415, "Unsupported Media Type", "send multipart/form-data with a `file` field, or a raw image/* body")
    max_bytes = gw.settings.gateway.max_upload_bytes
    declared = request.headers.get("content-length")
    declared_n = int(declared) if declared and declared.isdigit() else None
    if declared_n is not None and declared_n > max_bytes + (MULTIPART_SLACK if multipart else 0):
        metrics.UPLOADS.labels("too_large").inc()
        raise ProblemError(413, "Payload Too Large", f"uploads are limited to {max_bytes} bytes")
    opts = gw.settings.gateway
    # A body of unknown length is charged one byte now and settled below.
    await spend(request, gw.budget.upload(principal.sub, request.state.client_ip, declared_n or 1))
    with gw.slots.hold(principal.sub):
        body = _idle_guarded(request.stream(), opts.upload_idle_timeout_s)
        deadline = asyncio.timeout(opts.upload_deadline_s)
        try:
            async with deadline:
                if multipart:
                    chunks, file_name, _ = await _file_from_multipart(body, ctype, opts.max_form_fields)
                    length = None  # the form's framing hides the file's exact size
                else:
                    chunks, file_name, length = body, _raw_file_name(request), declared_n
                accepted = await gw.upload(principal.sub, chunks, ctype, file_name, length=length)
        except TimeoutError:
            if deadline.expired():
                metrics.UPLOADS.labels("timed_out").inc()
                raise UploadTimedOut(f"the upload took longer than {opts.upload_deadline_s:g} s") from None
            raise
        except UploadTimedOut:
            metrics.UPLOADS.labels("timed_out").inc()
            raise
    if declared_n is None:
        # A chunked body's size is known only now: settle the byte budget (may go negative).
        await gw.budget.settle_bytes(principal.sub, 1, accepted.size)
    return accepted


def _accepted(body: dict[str, Any], replayed: bool = False) -> JSONResponse:
    headers = {"Location": f"/v1/photos/{body['id']}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(body, status_code=202, headers=headers)


# ---------------------------------------------------------------- routes


def build_router(dev_login: bool) -> APIRouter:
    router = APIRouter(prefix="/v1")

    # Reads first: FastAPI tries routes in declaration order, and reads are the hot path.
    @router.get(
        "/photos", tags=["photos"], summary="List my photos, newest first",
        response_model=schemas.PhotoPage, openapi_extra=BEARER,
        responses={200: {"description": "a page", "headers": _RATE_HEADERS}, **errors(400, 403, 503)},
    )
    async def list_photos(
        request: Request, principal: Reader,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=512)] = None,
        tag: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
        status: Annotated[Literal["processing", "ready", "degraded", "rejected"] | None, Query()] = None,
        taken_after: Annotated[datetime | None, Query()] = None,
        taken_before: Annotated[datetime | None, Query()] = None,
        camera: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
        sort: Annotated[Literal["uploaded", "taken"], Query(description="taken: by capture time, else upload time")] = "uploaded",
        favorite: Annotated[bool | None, Query()] = None,
        archived: Annotated[bool | None, Query(description="true: the archive (hidden otherwise)")] = None,
        person: Annotated[str | None, Query(max_length=64, description="a person's photos (GET /v1/people)")] = None,
        duplicate_of: Annotated[str | None, Query(max_length=64, description="the copies marked as duplicates of this photo")] = None,
    ) -> JSONResponse:
        gw = gateway_of(request)
        params = {
            "limit": limit, "cursor": cursor, "tag": tag, "status": status, "camera": camera, "person": person,
            "duplicate_of": duplicate_of,
            "sort": sort, "favorite": None if favorite is None else str(favorite).lower(),
            "archived": None if archived is None else str(archived).lower(),
            "taken_after": taken_after.isoformat() if taken_after else None,
            "taken_before": taken_before.isoformat() if taken_before else None,
        }
        return JSONResponse(await gw.queries.list(principal.sub, params))

    @router.get(
        "/photos/{photo_id}", tags=["photos"], summary="One photo in detail",
        response_model=schemas.PhotoDetail, openapi_extra=BEARER,
        responses={200: {"description": "the photo", "headers": _RATE_HEADERS}, **errors(403, 404, 503)},
    )
    async def get_photo(request: Request, photo_id: PhotoId, principal: Reader) -> JSONResponse:
        gw = gateway_of(request)
        return JSONResponse(await gw.queries.detail(principal.sub, photo_id))

    @router.get(
        "/photos/{photo_id}/content", tags=["photos"], status_code=307,
        summary="The bytes of a rendition: a redirect to a short-lived presigned URL",
        response_class=RedirectResponse, openapi_extra=BEARER,
        responses={307: {"description": "redirect", "headers": {"Location": {"schema": {"type": "string"}}}},
                   **errors(403, 404, 503)},
    )
    async def get_content(
        photo_id: PhotoId, request: Request, principal: Reader,
        rendition: Annotated[schemas.RenditionName, Query()] = "display",
        download: Annotated[bool, Query(description="ask the browser to save it under its file name")] = False,
    ) -> RedirectResponse:
        gw = gateway_of(request)
        url = await gw.queries.content_url(principal.sub, photo_id, rendition, download)
        ttl = gw.settings.gateway.presign_get_ttl_s
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": f"private, max-age={max(0, ttl - 60)}"})

    @router.delete(
        "/photos/{photo_id}", status_code=202, tags=["photos"], summary="Move a photo to the trash",
        response_model=schemas.DeleteAccepted, responses=errors(403, 404, 503), openapi_extra=BEARER,
    )
    async def delete_photo(request: Request, photo_id: PhotoId, principal: Writer) -> JSONResponse:
        gw = gateway_of(request)
        try:
            await gw.delete(principal.sub, photo_id, principal.sub)
        except TRANSLATED:
            raise
        except Exception as exc:  # noqa: BLE001 — the bus: nothing changed, the client may retry
            raise ProblemError(503, "Event Bus Unavailable", f"{type(exc).__name__}", headers={"Retry-After": "5"}) from None
        return JSONResponse({"id": photo_id, "status": "trashed"}, status_code=202)

    @router.get(
        "/search", tags=["photos"], summary="Search my photos by tags, or semantically",
        response_model=schemas.SearchResult, responses=errors(400, 403, 503), openapi_extra=BEARER,
    )
    async def search(
        request: Request, principal: Reader,
        q: Annotated[str, Query(min_length=1, max_length=200)],
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        archived: Annotated[bool, Query(description="true: search the archive instead of the timeline")] = False,
    ) -> JSONResponse:
        gw = gateway_of(request)
        return JSONResponse(await gw.queries.search(principal.sub, q, limit, archived))

    @router.get(
        "/tags", tags=["photos"], summary="My tags with their photo counts",
        response_model=schemas.TagList, responses=errors(403, 503), openapi_extra=BEARER,
    )
    async def list_tags(request: Request, principal: Reader) -> JSONResponse:
        gw = gateway_of(request)
        return JSONResponse(await gw.queries.tags(principal.sub))

    @router.post(
        "/photos", status_code=202, tags=["photos"], summary="Upload one photo",
        response_model=schemas.UploadAccepted,
        responses={202: {"description": "accepted; processing starts",
                         "headers": {"Location": {"schema": {"type": "string"}}, **_RATE_HEADERS}},
                   **errors(400, 403, 409, 413, 415, 503)},
        openapi_extra={**_UPLOAD_BODY, **BEARER},
    )
    async def upload_photo(
        request: Request, principal: Uploader,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)] = None,
        x_file_name: Annotated[str | None, Header(alias="X-File-Name", max_length=1000,
                                                  description="file name of a raw-body upload (percent-encoded)")] = None,
    ) -> JSONResponse:
        gw = gateway_of(request)
        answer, replayed = await gw.idempotent(principal.sub, idempotency_key,
                                               lambda: _answer_upload(request, gw, principal))
        return _accepted(answer, replayed)

    @router.post(
        "/uploads", status_code=201, tags=["uploads"], summary="Start a direct-to-storage upload",
        response_model=schemas.DirectUploadStarted, responses=errors(400, 403, 413, 415), openapi_extra=BEARER,
    )
    async def start_upload(
        request: Request, body: schemas.DirectUploadRequest, principal: Uploader
    ) -> JSONResponse:
        gw = gateway_of(request)
        await spend(request, gw.budget.upload(principal.sub, request.state.client_ip, body.size))
        started = await gw.direct.start(principal.sub, body.file_name, body.content_type, body.size)
        return JSONResponse(started, status_code=201)

    @router.post(
        "/uploads/{upload_id}/complete", status_code=202, tags=["uploads"],
        summary="Finish a direct upload: check the object and start processing", openapi_extra=BEARER,
        response_model=schemas.UploadAccepted,
        responses={202: {"description": "accepted", "headers": {"Location": {"schema": {"type": "string"}}}},
                   **errors(400, 403, 404, 409, 413, 415, 503)},
    )
    async def complete_upload(request: Request, upload_id: PhotoId, principal: Writer) -> JSONResponse:
        accepted = await gateway_of(request).direct.complete(principal.sub, upload_id)
        return _accepted(accepted.body())

    @router.post(
        "/dev/token", tags=["dev"], summary="Local stack only: sign in as any user",
        response_model=schemas.DevToken, include_in_schema=dev_login,
        responses={404: {**_PROBLEM, "description": "dev login disabled"}, 422: {**_PROBLEM, "description": "invalid user"},
                   429: {**_PROBLEM, "description": "rate limited"}},
    )
    async def dev_token(request: Request, body: schemas.DevTokenRequest) -> schemas.DevToken:
        gw = gateway_of(request)
        s = gw.settings
        if not s.dev_login_enabled or s.jwt_secret is None:
            raise ProblemError(404, "Not Found", "dev login is disabled")
        await spend(request, gw.budget.anonymous(client_ip_of(request)))
        ttl = s.gateway.dev_token_ttl_s
        token = mint_hs256(s.jwt_secret.get_secret_value(), body.user, f"{READ} {WRITE}",
                           s.jwt_issuer, s.jwt_audience, ttl)
        return schemas.DevToken(access_token=token, token_type="Bearer", expires_in=ttl)

    return router
