"""Hot read routes as plain Starlette endpoints, behind the same authentication.

`GET /v1/photos/{id}` is the most frequent authenticated read (a gallery opens one detail per
photo it shows). Declared through FastAPI it pays the dependency resolution, path-parameter
validation and response-model machinery on every call; here it calls the very same `reader`
(JWT, scope, per-IP and per-user budgets, `RateLimit-*` headers) and the same use case, and
answers the same JSON. Errors (ProblemError, catalog failures) reach the app's error
translation exactly as from a FastAPI route.

The FastAPI declaration of the route stays in `http.py`: it documents the route in the OpenAPI
schema and answers what this one does not match. `main.build_app` puts `hot_routes()` first in
the app's router, and their path only matches a valid photo id (the `photo_id` convertor holds
the same pattern as `PhotoId`), so a malformed id still gets FastAPI's validation answer.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from fotoai.gateway.domain.auth import Principal
from fotoai.gateway.entrypoints.http import JSONResponse
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.routing import Match, Route
from starlette.types import Scope


class PhotoIdConvertor(Convertor[str]):
    """A photo id, as `http.PhotoId` declares it: 1-64 of [A-Za-z0-9_-]."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        if not re.fullmatch(self.regex, value):
            raise ValueError(f"not a photo id: {value!r}")
        return value


register_url_convertor("photo_id", PhotoIdConvertor())


class DocumentedRoute(Route):
    """A plain route answering for a FastAPI declaration: the request metrics count it under
    that declaration's template (`documented`), as they would count the FastAPI route."""

    def __init__(self, path: str, endpoint: Callable[..., Any], *, documented: str, **options: Any) -> None:
        super().__init__(path, endpoint, **options)
        self.path = documented  # the regex is compiled from `path` above; this is the label

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.FULL:
            child["route"] = self
        return match, child


def hot_routes(
    reader: Callable[[Request], Awaitable[Principal]], gateway_of: Callable[[Request], Any],
) -> list[Route]:
    """The plain routes, to be tried before the FastAPI routes of the same paths. `reader` is
    the FastAPI routes' own read dependency; `gateway_of` finds the object graph."""

    async def get_photo(request: Request) -> JSONResponse:
        principal = await reader(request)
        gw = gateway_of(request)
        return JSONResponse(await gw.queries.detail(principal.sub, request.path_params["photo_id"]))

    return [
        DocumentedRoute("/v1/photos/{photo_id:photo_id}", get_photo, documented="/v1/photos/{photo_id}",
                        methods=["GET"], include_in_schema=False, name="get_photo_hot"),
    ]
